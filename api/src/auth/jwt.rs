//! Short-lived access tokens: HS256 JWTs naming the user, the account, the role and
//! the login session. The session is checked on every request, so logout is immediate.

use chrono::Utc;
use entity::Role;
use entity::error::AuthFailure;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const ISSUER: &str = "scelle";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// User id.
    pub sub: Uuid,
    /// Account the token acts for.
    pub acc: Uuid,
    /// Role at signing time (informative: the live membership decides).
    pub role: String,
    /// Login session.
    pub sid: Uuid,
    pub iat: i64,
    pub exp: i64,
    pub iss: String,
}

#[derive(Clone)]
pub struct JwtKeys {
    enc: EncodingKey,
    dec: DecodingKey,
    validation: Validation,
    ttl_secs: i64,
}

impl JwtKeys {
    pub fn hs256(secret: &[u8], ttl_secs: i64) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 5;
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        Self { enc: EncodingKey::from_secret(secret), dec: DecodingKey::from_secret(secret), validation, ttl_secs }
    }

    pub fn ttl_secs(&self) -> i64 {
        self.ttl_secs
    }

    /// Signs an access token; returns it with its expiry (Unix seconds).
    pub fn issue(&self, user: Uuid, account: Uuid, role: Role, session: Uuid) -> anyhow::Result<(String, i64)> {
        let now = Utc::now().timestamp();
        let claims = Claims {
            sub: user,
            acc: account,
            role: role.as_str().to_owned(),
            sid: session,
            iat: now,
            exp: now + self.ttl_secs,
            iss: ISSUER.to_owned(),
        };
        Ok((encode(&Header::new(Algorithm::HS256), &claims, &self.enc)?, claims.exp))
    }

    pub fn verify(&self, token: &str) -> Result<Claims, AuthFailure> {
        decode::<Claims>(token, &self.dec, &self.validation).map(|d| d.claims).map_err(|e| match e.kind() {
            ErrorKind::ExpiredSignature => AuthFailure::ExpiredToken,
            _ => AuthFailure::InvalidToken,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_tampering() {
        let keys = JwtKeys::hs256(b"k1", 60);
        let (u, a, s) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let (t, _) = keys.issue(u, a, Role::Admin, s).unwrap();
        let c = keys.verify(&t).unwrap();
        assert_eq!((c.sub, c.acc, c.sid, c.role.as_str()), (u, a, s, "admin"));
        assert_eq!(JwtKeys::hs256(b"k2", 60).verify(&t).unwrap_err(), AuthFailure::InvalidToken);
        let mut tampered = t.clone();
        tampered.insert(tampered.len() - 3, 'x');
        assert!(keys.verify(&tampered).is_err());
    }
}
