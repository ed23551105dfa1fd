//! What an attacker with write access to the database can do, done as the tests need it:
//! read chain entries and heads, replay a head saved earlier, delete entries, and rewrite
//! a chain with the published algorithm (hashes recomputed, head moved), with every
//! trigger lifted (`TestApp::tamper_with`). What such an attacker does not have is the
//! signing key: a rewritten head keeps its old signature, or is signed with a key of their
//! own.

use crate::TestApp;
use entity::ledger::chain_hash;
use entity::ledger::keys::KeyRing;
use entity::ledger::store::{Chain, head_checkpoint};
use entity::tables::{ledger_entry as entry, ledger_head as head};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set};
use std::collections::BTreeMap;
use uuid::Uuid;

fn uuid(s: &str) -> Uuid {
    Uuid::parse_str(s).expect("uuid")
}

/// How a rewritten head is signed.
pub enum Resign<'a> {
    /// The old signature stays (it no longer matches).
    Keep,
    /// Signed with the attacker's own key.
    With(&'a KeyRing),
}

impl TestApp {
    /// The chain's entries, in sequence order.
    pub async fn entries(&self, account: &str, chain: Chain) -> Vec<entry::Model> {
        entry::Entity::find()
            .filter(entry::Column::AccountId.eq(uuid(account)))
            .filter(entry::Column::Chain.eq(chain.as_str()))
            .order_by_asc(entry::Column::Sequence)
            .all(&self.db)
            .await
            .expect("entries")
    }

    /// The chain's head row as stored.
    pub async fn head(&self, account: &str, chain: Chain) -> head::Model {
        head::Entity::find()
            .filter(head::Column::AccountId.eq(uuid(account)))
            .filter(head::Column::Chain.eq(chain.as_str()))
            .one(&self.db)
            .await
            .expect("head")
            .expect("the chain has a head")
    }

    /// Puts a head row back as it was saved (a replay: its signature is genuine).
    pub async fn replay_head(&self, saved: head::Model) {
        self.tamper_with(move |txn| {
            Box::pin(async move {
                let mut am = saved.clone().into_active_model();
                for c in [
                    head::Column::Genesis,
                    head::Column::LastSequence,
                    head::Column::LastHash,
                    head::Column::UpdatedAt,
                    head::Column::SignedAt,
                    head::Column::Signature,
                    head::Column::SigningKey,
                ] {
                    am.reset(c);
                }
                am.update(txn).await.expect("replay head");
            })
        })
        .await
    }

    /// Deletes the chain's entries from `from` on.
    pub async fn delete_entries_from(&self, account: &str, chain: Chain, from: i64) {
        let account = uuid(account);
        self.tamper_with(move |txn| {
            Box::pin(async move {
                entry::Entity::delete_many()
                    .filter(entry::Column::AccountId.eq(account))
                    .filter(entry::Column::Chain.eq(chain.as_str()))
                    .filter(entry::Column::Sequence.gte(from))
                    .exec(txn)
                    .await
                    .expect("delete entries");
            })
        })
        .await
    }

    /// Rewrites the chain with the published algorithm: the canonical forms in `forms`
    /// (by sequence) replace the stored ones, every hash from the first of them on is
    /// recomputed (`SHA-256(previous ‖ canonical)`), and the head is moved to the new last
    /// hash, keeping its signature or signed with the attacker's own key.
    pub async fn rewrite_chain(&self, account: &str, chain: Chain, forms: BTreeMap<i64, String>, resign: Resign<'_>) {
        let entries = self.entries(account, chain).await;
        let mut h = self.head(account, chain).await;
        let from = *forms.keys().next().expect("something to rewrite");
        let mut previous =
            entries.iter().find(|e| e.sequence == from - 1).map(|e| e.hash.clone()).unwrap_or(h.genesis.clone());
        let mut rewritten = Vec::new();
        for e in entries.into_iter().filter(|e| e.sequence >= from) {
            let canonical = forms.get(&e.sequence).cloned().unwrap_or(e.canonical.clone());
            let hash = chain_hash(&previous, &canonical);
            let mut am = e.into_active_model();
            am.previous_hash = Set(previous.clone());
            am.canonical = Set(canonical);
            am.hash = Set(hash.clone());
            rewritten.push(am);
            previous = hash;
        }
        h.last_hash = previous;
        let mut head_am = h.clone().into_active_model();
        head_am.last_hash = Set(h.last_hash.clone());
        if let Resign::With(ring) = resign {
            let at = entity::ledger::keys::signing_time();
            head_am.signed_at = Set(Some(at));
            head_am.signature = Set(Some(ring.sign(&head_checkpoint(&h, at))));
            head_am.signing_key = Set(Some(ring.key_id()));
        }
        self.tamper_with(move |txn| {
            Box::pin(async move {
                for am in rewritten {
                    am.update(txn).await.expect("rewrite entry");
                }
                head_am.update(txn).await.expect("rewrite head");
            })
        })
        .await
    }
}

/// The files of a zip archive, in order.
pub fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut b = Vec::new();
            f.read_to_end(&mut b).unwrap();
            (f.name().unwrap().into_owned(), b)
        })
        .collect()
}

/// A zip archive of these files (what a forger hands over).
pub fn rezip(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    use std::io::Write;
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (n, b) in files {
        z.start_file(n.as_str(), zip::write::SimpleFileOptions::default()).unwrap();
        z.write_all(b).unwrap();
    }
    z.finish().unwrap().into_inner()
}

/// An archive whose documents are rewritten with the published algorithm: the first
/// document's total changed in its canonical form and record, every hash of
/// `documents.json` recomputed, and the manifest's listing (and the documents head it
/// gives) made to match.
pub fn forge_archive_documents(bytes: &[u8]) -> Vec<u8> {
    use serde_json::{Value, json};
    let mut files = unzip(bytes);
    let get = |files: &[(String, Vec<u8>)], name: &str| files.iter().find(|(n, _)| n == name).unwrap().1.clone();
    let mut docs: Vec<Value> = serde_json::from_slice(&get(&files, "documents.json")).unwrap();
    let mut previous = docs[0]["previous_hash"].as_str().unwrap().to_owned();
    for (i, d) in docs.iter_mut().enumerate() {
        let mut canonical = d["canonical"].as_str().unwrap().to_owned();
        if i == 0 {
            let total = d["record"]["total_gross"].as_str().unwrap().to_owned();
            canonical = canonical.replace(&format!("\ntotal_gross={total}\n"), "\ntotal_gross=0.01\n");
        }
        let hash = chain_hash(&previous, &canonical);
        d["previous_hash"] = json!(previous);
        d["hash"] = json!(hash);
        d["record"] = entity::archive::record(&canonical);
        d["canonical"] = json!(canonical);
        previous = hash;
    }
    let body = serde_json::to_vec_pretty(&docs).unwrap();
    let mut manifest: Value = serde_json::from_slice(&get(&files, "manifest.json")).unwrap();
    for f in manifest["files"].as_array_mut().unwrap() {
        if f["path"] == "documents.json" {
            f["sha256"] = json!(entity::secret::sha256_hex(&body));
            f["size"] = json!(body.len());
        }
    }
    for c in manifest["chains"].as_array_mut().unwrap() {
        if c["chain"] == "documents" && c["head_sequence"] == c["last_sequence"] {
            c["head_hash"] = json!(previous);
        }
    }
    for (name, b) in files.iter_mut() {
        if name == "documents.json" {
            *b = body.clone();
        } else if name == "manifest.json" {
            *b = serde_json::to_vec_pretty(&manifest).unwrap();
        }
    }
    rezip(&files)
}
