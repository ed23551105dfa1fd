//! The canonical text of a closure (the bytes its hash and signature cover, by version)
//! and the chain heads it recorded.

use super::*;
use crate::ledger::canonical::escape;
use crate::money::Money;

pub use crate::secret::sha256_hex;

pub(super) fn timestamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The canonical form of a closure in the version its entry was written in.
pub fn canonical(c: &closure::Model, version: u32) -> DomainResult<String> {
    match version {
        1 => Ok(canonical_v1(c)),
        2 => Ok(canonical_v2(c)),
        v => Err(DomainError::Integrity(format!("unknown closure canonical version {v}"))),
    }
}

/// Version 1 (`scelle-closure-v1`), as sealed before version 2: amounts re-read and
/// rounded to two decimals, timestamps to the second.
pub(super) fn canonical_v1(c: &closure::Model) -> String {
    let mut o: Vec<String> = Vec::new();
    let mut put = |k: &str, v: String| o.push(format!("{k}={v}"));
    put("format", "scelle-closure-v1".into());
    put("frequency", c.frequency.clone());
    put("period_start", c.period_start.format("%Y-%m-%d").to_string());
    put("period_end", c.period_end.format("%Y-%m-%d").to_string());
    put("time_zone", escape(&c.time_zone));
    put("starts_at", timestamp(c.starts_at));
    put("ends_at", timestamp(c.ends_at));
    put("document_count", c.document_count.to_string());
    put("sales_count", c.sales_count.to_string());
    put("credit_count", c.credit_count.to_string());
    for (k, v) in amount_columns(c) {
        put(k, money(v.value()));
    }
    for v in vat_rows(c) {
        put("vat", vat_row(&v));
    }
    put("perpetual_total", money(c.perpetual_total.value()));
    put("first_sequence", c.first_sequence.map(|s| s.to_string()).unwrap_or_default());
    put("last_sequence", c.last_sequence.map(|s| s.to_string()).unwrap_or_default());
    put("last_hash", c.last_hash.clone());
    put("csv_sha256", c.csv_sha256.clone());
    o.join("\n")
}

pub(super) fn amount_columns(c: &closure::Model) -> [(&'static str, Money); 9] {
    [
        ("sales_net", c.sales_net),
        ("sales_tax", c.sales_tax),
        ("sales_gross", c.sales_gross),
        ("credits_net", c.credits_net),
        ("credits_tax", c.credits_tax),
        ("credits_gross", c.credits_gross),
        ("total_net", c.total_net),
        ("total_tax", c.total_tax),
        ("total_gross", c.total_gross),
    ]
}

/// Version 2 (`scelle-closure-v2`): every value as stored, timestamps with microseconds,
/// and the heads of every chain when the closure was made (`head=chain|sequence|hash`).
/// One `key=value` per line, `\n`, no trailing newline.
pub fn canonical_v2(c: &closure::Model) -> String {
    let mut o: Vec<String> = Vec::new();
    let mut put = |k: &str, v: &str| o.push(format!("{k}={v}"));
    put("format", "scelle-closure-v2");
    put("frequency", &escape(&c.frequency));
    put("period_start", &c.period_start.format("%Y-%m-%d").to_string());
    put("period_end", &c.period_end.format("%Y-%m-%d").to_string());
    put("time_zone", &escape(&c.time_zone));
    put("starts_at", &crate::ledger::canonical::timestamp(c.starts_at));
    put("ends_at", &crate::ledger::canonical::timestamp(c.ends_at));
    put("document_count", &c.document_count.to_string());
    put("sales_count", &c.sales_count.to_string());
    put("credit_count", &c.credit_count.to_string());
    for (k, v) in amount_columns(c) {
        put(k, &escape(&v.to_string()));
    }
    // Stored rows are already canonical values (parts escaped, joined with `|`).
    for row in c.vat_rows.split('\n').filter(|l| !l.is_empty()) {
        put("vat", row);
    }
    put("perpetual_total", &escape(&c.perpetual_total.to_string()));
    put("first_sequence", &c.first_sequence.map(|s| s.to_string()).unwrap_or_default());
    put("last_sequence", &c.last_sequence.map(|s| s.to_string()).unwrap_or_default());
    put("last_hash", &escape(&c.last_hash));
    for head in c.heads.split('\n').filter(|l| !l.is_empty()) {
        put("head", head);
    }
    put("csv_sha256", &escape(&c.csv_sha256));
    o.join("\n")
}

/// A chain's head as a closure records it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedHead {
    pub chain: Chain,
    pub sequence: i64,
    pub hash: String,
}

/// The heads a closure recorded (none for closures older than version 2; a line that does
/// not read is an error: the column is sealed).
pub fn recorded_heads(c: &closure::Model) -> DomainResult<Vec<RecordedHead>> {
    c.heads
        .split('\n')
        .filter(|l| !l.is_empty())
        .map(|l| {
            let p: Vec<&str> = l.split('|').collect();
            match (p.len(), p.first().and_then(|c| Chain::parse(c)), p.get(1).and_then(|s| s.parse().ok())) {
                (3, Some(chain), Some(sequence)) => Ok(RecordedHead { chain, sequence, hash: p[2].to_owned() }),
                _ => Err(DomainError::Integrity(format!("closure {}: recorded head {l:?}", c.id))),
            }
        })
        .collect()
}
