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
