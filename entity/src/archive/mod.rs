//! Archives (the law's "archivage"): everything an account sealed over a period, in a zip
//! of open formats that anyone can check offline, without Scelle and without the database.
//!
//! Layout (format `scelle-archive-v1`):
//! - `manifest.json` — the format, the account, the period, when it was made, every other
//!   file with its SHA-256 and size, and per chain the range of entries included and the
//!   chain's head at export time;
//! - `README.txt` — this layout in words, and how to check it by hand;
//! - `documents.json`, `payments.json`, `closures.json`, `events.json` — the chain entries
//!   (one contiguous range per chain), each with its sequence, previous hash, hash, sealing
//!   time, the sealed canonical form as stored, and `record`, that canonical form read into
//!   JSON (`{key: value}`, or `{key: [[part, …], …]}` for repeated or multi-part records);
//! - `entries.schema.json` — the JSON Schema (2020-12) of those four files;
//! - `documents.csv` — one row per sealed document of the period, the columns of `CSV_COLUMNS`.
//!
//! The SHA-256 of `manifest.json` is what the export journals (`ARCHIVE_EXPORTED`), which
//! chains archives into the event journal. Each chain's head in the manifest and each
//! closure entry carry their Ed25519 signature. `verify` checks an archive offline: every
//! file listed with its hash and size and nothing else, every entry's hash recomputed, every
//! link, no gap, each `record` equal to its canonical form, a range reaching the head ending
//! on its hash, and — given the published public keys — every signature.

use crate::error::{DomainError, DomainResult, FieldCode};
use crate::ledger::store::Chain;
use crate::ledger::{canonical, chain_hash};
use crate::scope::InAccount;
use crate::tables::{document, ledger_entry as entry, ledger_head as head, payment};
use crate::tenant::Actor;
use chrono::{NaiveDate, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashSet};
use std::io::{Cursor, Read, Write};
use uuid::Uuid;

mod check;

pub use check::*;

pub const FORMAT: &str = "scelle-archive-v1";

/// The longest period one archive covers (the law: at least one archive a year).
pub const MAX_DAYS: i64 = 366;

/// The columns of `documents.csv`, in order.
pub const CSV_COLUMNS: [&str; 13] = [
    "sequence",
    "hash",
    "number",
    "kind",
    "issue_date",
    "issued_at",
    "buyer_name",
    "buyer_tax_no",
    "currency",
    "total_net",
    "total_tax",
    "total_gross",
    "sealed_at",
];

const CHAIN_FILES: [(Chain, &str); 4] = [
    (Chain::Documents, "documents.json"),
    (Chain::Payments, "payments.json"),
    (Chain::Closures, "closures.json"),
    (Chain::Events, "events.json"),
];

pub struct Archive {
    pub file_name: String,
    pub bytes: Vec<u8>,
    /// SHA-256 of the whole zip.
    pub sha256: String,
    /// SHA-256 of `manifest.json` (journaled).
    pub manifest_sha256: String,
}

use crate::secret::sha256_hex as sha256;

/// `record`: a canonical form read into JSON.
pub fn record(canonical_form: &str) -> Value {
    let records = canonical::parse(canonical_form);
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for (k, _) in &records {
        *counts.entry(k.as_str()).or_default() += 1;
    }
    let mut out = Map::new();
    for (k, parts) in &records {
        if counts[k.as_str()] == 1 && parts.len() == 1 {
            out.insert(k.clone(), Value::String(parts[0].clone()));
        } else {
            let list = out.entry(k.clone()).or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(items) = list {
                items.push(Value::Array(parts.iter().cloned().map(Value::String).collect()));
            }
        }
    }
    Value::Object(out)
}

fn entry_json(e: &entry::Model, signature: Option<Value>) -> Value {
    let mut v = json!({
        "sequence": e.sequence,
        "previous_hash": e.previous_hash,
        "hash": e.hash,
        "sealed_at": e.sealed_at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "version": e.version,
        "canonical": e.canonical,
        "record": record(&e.canonical),
    });
    if let Some(sig) = signature {
        v["signature"] = sig;
    }
    v
}

/// A signature as archives hold it: `{ algorithm, key, signature, signed_at }`.
fn signature_json(
    signed_at: Option<chrono::DateTime<Utc>>,
    signature: &Option<String>,
    key: &Option<String>,
) -> Option<Value> {
    Some(json!({
        "algorithm": crate::ledger::keys::SIGNATURE_ALGORITHM,
        "key": key.as_ref()?,
        "signature": signature.as_ref()?,
        "signed_at": crate::ledger::keys::timestamp(signed_at?),
    }))
}

/// Checks the period: both dates, `from` ≤ `to`, at most `MAX_DAYS` days.
pub fn check_period(from: NaiveDate, to: NaiveDate) -> DomainResult<()> {
    if to < from {
        return Err(DomainError::field("to", FieldCode::Rule("before_from")));
    }
    if (to - from).num_days() + 1 > MAX_DAYS {
        return Err(DomainError::field("to", FieldCode::OutOfRange { min: 1, max: MAX_DAYS }));
    }
    Ok(())
}

/// The contiguous range of an account's chain entries that covers `subjects` (or, when
/// `subjects` is None, the entries sealed during the period).
async fn entries_for(
    db: &impl ConnectionTrait,
    actor: &Actor,
    chain: Chain,
    subjects: Option<&HashSet<Uuid>>,
    from: NaiveDate,
    to: NaiveDate,
) -> DomainResult<Vec<entry::Model>> {
    let all = entry::Entity::find_in(actor)
        .filter(entry::Column::Chain.eq(chain.as_str()))
        .order_by_asc(entry::Column::Sequence)
        .all(db)
        .await?;
    let wanted = |e: &entry::Model| match subjects {
        Some(s) => s.contains(&e.subject_id),
        None => {
            let day = e.sealed_at.date_naive();
            day >= from && day <= to
        }
    };
    let first = all.iter().position(wanted);
    let last = all.iter().rposition(wanted);
    Ok(match (first, last) {
        (Some(a), Some(b)) => all[a..=b].to_vec(),
        _ => Vec::new(),
    })
}

/// Builds the archive of the account's sealed records whose date falls in `from..=to`:
/// documents by issue date, payments by payment date, closures and events by sealing date.
pub async fn build(db: &impl ConnectionTrait, actor: &Actor, from: NaiveDate, to: NaiveDate) -> DomainResult<Archive> {
    check_period(from, to)?;
    let account = crate::tables::account::Entity::find_by_id(actor.account_id.0)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("account"))?;
    let docs = document::Entity::find_in(actor)
        .filter(document::Column::IssueDate.gte(from))
        .filter(document::Column::IssueDate.lte(to))
        .all(db)
        .await?;
    let doc_ids: HashSet<Uuid> = docs.iter().map(|d| d.id).collect();
    let pay_ids: HashSet<Uuid> = payment::Entity::find_in(actor)
        .filter(payment::Column::PaidDate.gte(from))
        .filter(payment::Column::PaidDate.lte(to))
        .all(db)
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect();

    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut chains = Vec::new();
    let mut csv_rows: Vec<entry::Model> = Vec::new();
    for (chain, name) in CHAIN_FILES {
        let subjects = match chain {
            Chain::Documents => Some(&doc_ids),
            Chain::Payments => Some(&pay_ids),
            _ => None,
        };
        let entries = entries_for(db, actor, chain, subjects, from, to).await?;
        let h = head::Entity::find_in(actor).filter(head::Column::Chain.eq(chain.as_str())).one(db).await?;
        chains.push(json!({
            "chain": chain.as_str(),
            "file": name,
            "first_sequence": entries.first().map(|e| e.sequence),
            "last_sequence": entries.last().map(|e| e.sequence),
            "entries": entries.len(),
            "genesis": h.as_ref().map(|h| h.genesis.clone()),
            "head_sequence": h.as_ref().map(|h| h.last_sequence),
            "head_hash": h.as_ref().map(|h| h.last_hash.clone()),
            "head_signature": h.as_ref().and_then(|h| signature_json(h.signed_at, &h.signature, &h.signing_key)),
        }));
        // Closures carry their block's signature: checkable offline with the public keys.
        let signatures: std::collections::HashMap<Uuid, Value> = if chain == Chain::Closures {
            crate::tables::closure::Entity::find_in(actor)
                .all(db)
                .await?
                .into_iter()
                .filter_map(|c| Some((c.id, signature_json(c.signed_at, &c.signature, &c.signing_key)?)))
                .collect()
        } else {
            Default::default()
        };
        let body: Vec<Value> = entries.iter().map(|e| entry_json(e, signatures.get(&e.subject_id).cloned())).collect();
        files.push((name.to_owned(), pretty(&Value::Array(body))));
        if chain == Chain::Documents {
            csv_rows = entries.into_iter().filter(|e| doc_ids.contains(&e.subject_id)).collect();
        }
    }
    files.push(("documents.csv".into(), documents_csv(&csv_rows)?));
    files.push(("entries.schema.json".into(), pretty(&entries_schema())));
    files.push(("README.txt".into(), README.as_bytes().to_vec()));

    let manifest = json!({
        "format": FORMAT,
        "account": { "id": account.id, "name": account.name, "time_zone": account.time_zone },
        "period": { "from": from.to_string(), "to": to.to_string() },
        "created_at": Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "algorithm": crate::ledger::ALGORITHM,
        "chains": chains,
        "files": files.iter().map(|(n, b)| json!({ "path": n, "sha256": sha256(b), "size": b.len() })).collect::<Vec<_>>(),
    });
    let manifest_bytes = pretty(&manifest);
    let manifest_sha256 = sha256(&manifest_bytes);
    files.insert(0, ("manifest.json".into(), manifest_bytes));

    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in &files {
        zip.start_file(name.as_str(), options).map_err(internal)?;
        zip.write_all(bytes).map_err(internal)?;
    }
    let bytes = zip.finish().map_err(internal)?.into_inner();
    Ok(Archive {
        file_name: format!("scelle-{}-{from}-{to}.zip", account.prefix),
        sha256: sha256(&bytes),
        bytes,
        manifest_sha256,
    })
}

/// Builds the archive and journals its export (`ARCHIVE_EXPORTED` with the manifest's
/// SHA-256), which chains it into the account's event journal.
pub async fn export(
    db: &sea_orm::DatabaseConnection,
    actor: &Actor,
    from: NaiveDate,
    to: NaiveDate,
) -> DomainResult<Archive> {
    let archive = build(db, actor, from, to).await?;
    let event = crate::journal::Event::ArchiveExported {
        archive: Uuid::now_v7(),
        period: format!("{from}..{to}"),
        manifest_sha256: archive.manifest_sha256.clone(),
    };
    crate::journal::record_alone(db, actor.account_id, &crate::journal::Origin::of(actor), event).await?;
    Ok(archive)
}

fn internal(e: impl std::fmt::Display) -> DomainError {
    DomainError::Internal(format!("archive: {e}"))
}

fn pretty(v: &Value) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(v).unwrap_or_default();
    out.push(b'\n');
    out
}

fn documents_csv(entries: &[entry::Model]) -> DomainResult<Vec<u8>> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    w.write_record(CSV_COLUMNS).map_err(internal)?;
    for e in entries {
        let r = canonical::parse(&e.canonical);
        let get = |k: &str| r.iter().find(|(key, _)| key == k).map(|(_, v)| v.join("|")).unwrap_or_default();
        let sealed_at = e.sealed_at.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        w.write_record([
            e.sequence.to_string(),
            e.hash.clone(),
            get("number"),
            get("kind"),
            get("issue_date"),
            get("issued_at"),
            get("buyer_name"),
            get("buyer_tax_no"),
            get("currency"),
            get("total_net"),
            get("total_tax"),
            get("total_gross"),
            sealed_at,
        ])
        .map_err(internal)?;
    }
    w.into_inner().map_err(internal)
}

fn entries_schema() -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://scelle.invalid/schemas/scelle-archive-v1/entries.schema.json",
        "title": "Sealed chain entries (documents.json, payments.json, closures.json, events.json)",
        "type": "array",
        "items": {
            "type": "object",
            "required": ["sequence", "previous_hash", "hash", "sealed_at", "version", "canonical", "record"],
            "additionalProperties": false,
            "properties": {
                "sequence": { "type": "integer", "minimum": 1, "description": "position in the account's chain, gapless" },
                "previous_hash": { "type": "string", "pattern": "^[0-9a-f]{64}$", "description": "hash of the previous entry; the chain's genesis for the first" },
                "hash": { "type": "string", "pattern": "^[0-9a-f]{64}$", "description": "SHA-256 of previous_hash (hex) followed by canonical (UTF-8)" },
                "sealed_at": { "type": "string", "format": "date-time" },
                "version": { "type": "integer", "description": "version of the canonical form" },
                "canonical": { "type": "string", "description": "the sealed record: key=value lines joined by \\n" },
                "signature": {
                    "type": "object",
                    "description": "closures only: the Ed25519 signature of this entry's checkpoint (docs/certification.md, Signatures)",
                    "required": ["algorithm", "key", "signature", "signed_at"],
                    "properties": {
                        "algorithm": { "const": "Ed25519" },
                        "key": { "type": "string", "pattern": "^[0-9a-f]{64}$" },
                        "signature": { "type": "string", "pattern": "^[0-9a-f]{128}$" },
                        "signed_at": { "type": "string", "format": "date-time" }
                    }
                },
                "record": {
                    "type": "object",
                    "description": "canonical read into JSON: a single value as a string; repeated or multi-part values as arrays of parts",
                    "additionalProperties": {
                        "oneOf": [
                            { "type": "string" },
                            { "type": "array", "items": { "type": "array", "items": { "type": "string" } } }
                        ]
                    }
                }
            }
        }
    })
}

const README: &str = "Scelle archive, format scelle-archive-v1.\n\
\n\
manifest.json        the account, the period, every other file with its SHA-256 and size, and per chain the\n\
                     range of entries included and the chain's head when the archive was made.\n\
documents.json       sealed documents (issued invoices, credit notes, advances, finals, receipts...)\n\
payments.json        sealed payments\n\
closures.json        sealed daily, monthly and yearly closures\n\
events.json          the sealed event journal\n\
entries.schema.json  JSON Schema of the four files above\n\
documents.csv        one row per sealed document of the period\n\
\n\
Each entry's hash is SHA-256(previous_hash || canonical): with a shell,\n\
  printf '%s%s' \"$previous_hash\" \"$canonical\" | sha256sum\n\
Each entry's previous_hash is the hash of the entry before it. Each file's SHA-256 is in manifest.json;\n\
`sha256sum manifest.json` gives the value journaled by Scelle when the archive was exported.\n\
Each chain's head (manifest.json) and each closure (closures.json) carry an Ed25519 signature made with\n\
the installation's key, which the database never held; its public keys are published with\n\
`scelle keys public`. `scelle verify-archive <file> --keys <public keys file>` does all of this.\n";
