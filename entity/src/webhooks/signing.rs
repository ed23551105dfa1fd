//! Standard Webhooks signatures (the specification at standardwebhooks.com, through its
//! own `standardwebhooks` crate): `webhook-id` (the delivery's id, the same on every
//! attempt, so receivers can drop repeats), `webhook-timestamp` (Unix seconds of the
//! attempt) and `webhook-signature` (`v1,<base64 HMAC-SHA256 of id.timestamp.body>`,
//! space-separated, one per secret: during a rotation the new and the replaced secret
//! both sign).

use crate::error::{DomainError, DomainResult};
use crate::tables::webhook;
use base64::Engine;
use chrono::{DateTime, Utc};
use rand::RngCore;

/// A new signing secret: `whsec_` and 32 random bytes in base64.
pub fn new_secret() -> String {
    let mut key = [0u8; 32];
    rand::rng().fill_bytes(&mut key);
    format!("whsec_{}", base64::engine::general_purpose::STANDARD.encode(key))
}

/// The three headers of one attempt, signed with every secret the endpoint signs with at
/// `now`.
pub fn headers(
    w: &webhook::Model,
    message_id: &str,
    now: DateTime<Utc>,
    body: &str,
) -> DomainResult<Vec<(&'static str, String)>> {
    let timestamp = now.timestamp();
    let mut secrets = vec![w.secret.as_str()];
    if let (Some(previous), Some(until)) = (&w.previous_secret, w.previous_secret_until)
        && until > now
    {
        secrets.push(previous);
    }
    let mut signatures = Vec::with_capacity(secrets.len());
    for s in secrets {
        let hook =
            standardwebhooks::Webhook::new(s).map_err(|e| DomainError::Internal(format!("webhook secret: {e}")))?;
        signatures.push(
            hook.sign(message_id, timestamp, body.as_bytes())
                .map_err(|e| DomainError::Internal(format!("webhook signature: {e}")))?,
        );
    }
    Ok(vec![
        (standardwebhooks::HEADER_WEBHOOK_ID, message_id.to_owned()),
        (standardwebhooks::HEADER_WEBHOOK_TIMESTAMP, timestamp.to_string()),
        (standardwebhooks::HEADER_WEBHOOK_SIGNATURE, signatures.join(" ")),
    ])
}
