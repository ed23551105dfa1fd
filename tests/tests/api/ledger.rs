//! The certification against an attacker with write access to the database, who lifts
//! the triggers and knows the published algorithm but not the signing key: one test per
//! attack class, each asserting the exact reasons verification gives, on SQLite and
//! PostgreSQL; and the positive case, an intact account with many closures.

use entity::ledger::keys::KeyRing;
use entity::ledger::store::Chain;
use scelle_tests::attacker::Resign;
use scelle_tests::*;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Issues `n` invoices of 10, 11, 12… excl. tax at 20 %; returns their (id, number).
async fn issue_invoices(app: &TestApp, token: &str, n: usize) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for i in 0..n {
        let input = Invoice::to(&format!("Client {i}"))
            .with(json!({ "buyerStreet": "1 rue Haute", "buyerCity": "Lyon", "buyerCountry": "FR", "buyerPostCode": "69001" }))
            .position(json!({ "name": "A", "tax": "20", "priceNet": format!("{}", 10 + i), "quantityUnit": "h" }));
        let inv = app.issue(token, "id number", input).await;
        out.push((inv["id"].as_str().unwrap().to_owned(), inv["number"].as_str().unwrap().to_owned()));
    }
    out
}

fn no_schedule(c: &mut scelle_api::config::Config) {
    c.closures_cron = "0 0 0 1 1 * 2099".into();
}

/// Makes the account's documents look sealed `days` ago (closures group entries by their
/// sealing time) and makes every closure due until now.
async fn close_past_days(app: &TestApp, s: &Session, days: i64) {
    let when = chrono::Utc::now() - chrono::Duration::days(days);
    let account = uuid::Uuid::parse_str(&s.account_id).unwrap();
    app.tamper_with(move |txn| {
        Box::pin(async move {
            use entity::tables::ledger_entry as entry;
            use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
            entry::Entity::update_many()
                .col_expr(entry::Column::SealedAt, Expr::value(when))
                .filter(entry::Column::AccountId.eq(account))
                .filter(entry::Column::Chain.eq("documents"))
                .exec(txn)
                .await
                .unwrap();
        })
    })
    .await;
    let created =
        entity::closures::close_account(&app.db, entity::AccountId(account), chrono::Utc::now()).await.unwrap();
    assert!(created >= days as usize, "a closure per day at least: {created}");
}

fn reasons(r: &entity::ledger::verify::Report) -> Vec<(&'static str, Option<i64>)> {
    r.findings.iter().map(|f| (f.reason.as_str(), f.sequence)).collect()
}

db_test!(an_intact_account_with_many_closures_verifies_with_its_anchors, no_schedule, |app: TestApp| async move {
    let s = app.sign_up("intact@example.fr", "Intact").await;
    let invoices = issue_invoices(&app, &s.access, 4).await;
    app.pay(&s.access, &invoices[0].0, "12.00").await;
    close_past_days(&app, &s, 3).await;
    // The closures' block hashes and file hashes, as the owner kept them from the e-mails.
    let mut anchors: Vec<String> =
        app.entries(&s.account_id, Chain::Closures).await.into_iter().map(|e| e.hash).collect();
    let csv = app.ok(&s.access, "{ closures(perPage: 100) { items { csvSha256 } } }", json!({})).await;
    anchors.extend(
        csv["closures"]["items"].as_array().unwrap().iter().map(|c| c["csvSha256"].as_str().unwrap().to_owned()),
    );
    assert!(anchors.len() >= 8, "{anchors:?}");
    for chain in Chain::ALL {
        let kept = if chain == Chain::Closures { anchors.clone() } else { Vec::new() };
        let r = app.verify_with(&s.account_id, chain, kept).await;
        assert!(r.ok(), "{chain:?}: {r:?}");
    }
    // `scelle verify` with the same anchors: everything OK.
    let account = entity::AccountId(uuid::Uuid::parse_str(&s.account_id).unwrap());
    let (report, ok) = scelle_api::verify_cli::report(&app.db, account, &verification_options(anchors)).await.unwrap();
    assert!(ok, "{report}");
});

db_test!(a_deleted_head_is_named_and_nothing_is_written_over_it, |app: TestApp| async move {
    let s = app.sign_up("head@example.fr", "Head").await;
    let invoices = issue_invoices(&app, &s.access, 2).await;
    app.pay(&s.access, &invoices[0].0, "12.00").await;
    let acc = app.id_sql(&s.account_id);
    for chain in [Chain::Documents, Chain::Payments, Chain::Closures] {
        let saved = app.head(&s.account_id, chain).await;
        app.tamper(&format!("DELETE FROM ledger_heads WHERE account_id = {acc} AND chain = '{}'", chain.as_str()))
            .await;
        let r = app.verify_chain(&s.account_id, chain).await;
        assert_eq!(r.first().map(|f| f.reason.as_str()), Some("HEAD_MISSING"), "{chain:?}: {r:?}");
        // Put back as it was (a genuine, signed row): verifies again.
        app.tamper_with(move |txn| {
            Box::pin(async move {
                use sea_orm::{ActiveModelTrait, IntoActiveModel};
                saved.into_active_model().reset_all().insert(txn).await.unwrap();
            })
        })
        .await;
        assert!(app.verify_chain(&s.account_id, chain).await.ok(), "{chain:?} restored");
    }
    // Without its head, the documents chain takes nothing more: an issue is refused with
    // INTEGRITY_FAILED (and writes nothing) rather than starting a new chain over the old.
    app.tamper(&format!("DELETE FROM ledger_heads WHERE account_id = {acc} AND chain = 'documents'")).await;
    let r = app
        .create_invoice(
            &s.access,
            "id",
            json!({ "buyerName": "X", "positions": [{ "name": "A", "tax": "20", "priceNet": "1" }] }),
            true,
        )
        .await;
    assert_eq!(code(&r["errors"][0]), "INTEGRITY_FAILED", "{r}");
    let count = app.ok(&s.access, "{ invoices(filter: { period: ALL }) { totalCount } }", json!({})).await;
    assert_eq!(count["invoices"]["totalCount"], 2, "nothing half-written");
    // The events chain too: a login cannot be journaled, so it is refused — and
    // `scelle verify` still reports everything instead of stopping.
    app.tamper(&format!("DELETE FROM ledger_heads WHERE account_id = {acc} AND chain = 'events'")).await;
    let r = app.login("head@example.fr", PASSWORD).await;
    assert_eq!(code(&r["errors"][0]), "INTEGRITY_FAILED", "{r}");
    let account = entity::AccountId(uuid::Uuid::parse_str(&s.account_id).unwrap());
    let (report, ok) =
        scelle_api::verify_cli::report(&app.db, account, &verification_options(Vec::new())).await.unwrap();
    assert!(!ok, "{report}");
    assert!(report.contains("documents  BROKEN") && report.contains("HEAD_MISSING"), "{report}");
    assert!(report.contains("events     BROKEN") && report.contains("could not be journaled"), "{report}");
});

db_test!(rewinding_the_tail_launders_nothing, |app: TestApp| async move {
    let s = app.sign_up("rewind@example.fr", "Rewind").await;
    issue_invoices(&app, &s.access, 2).await;
    // The attacker keeps a copy of the head as it is now (signed, genuine)…
    let saved = app.head(&s.account_id, Chain::Documents).await;
    let third = issue_invoices(&app, &s.access, 1).await.remove(0);
    // …then edits the newest document, deletes its entry and puts the old head back.
    app.tamper(&format!(
        "UPDATE documents SET price_gross = '1.00', buyer_name = 'Autre' WHERE number = '{}'",
        third.1
    ))
    .await;
    app.delete_entries_from(&s.account_id, Chain::Documents, 3).await;
    app.replay_head(saved.clone()).await;
    let r = app.verify_chain(&s.account_id, Chain::Documents).await;
    assert_eq!(reasons(&r), [("UNSEALED", None)], "{r:?}");
    assert_eq!(r.findings[0].subject.map(|u| u.to_string()), Some(third.0.clone()));
    // Nothing seals it afterwards: a later document takes sequence 3, the edited one
    // stays unsealed and named.
    let fourth = issue_invoices(&app, &s.access, 1).await.remove(0);
    let cert = app
        .ok(&s.access, "query($id: ID!) { invoice(id: $id) { certification { sequence } } }", json!({ "id": fourth.0 }))
        .await;
    assert_eq!(cert["invoice"]["certification"]["sequence"], 3);
    let r = app.verify_chain(&s.account_id, Chain::Documents).await;
    assert_eq!(reasons(&r), [("UNSEALED", None)], "{r:?}");
    // Without a saved head, setting it back by hand breaks its signature.
    let acc = app.id_sql(&s.account_id);
    let e2 = app.entries(&s.account_id, Chain::Documents).await[1].clone();
    app.delete_entries_from(&s.account_id, Chain::Documents, 3).await;
    app.tamper(&format!(
        "UPDATE ledger_heads SET last_sequence = 2, last_hash = '{}' WHERE account_id = {acc} AND chain = 'documents'",
        e2.hash
    ))
    .await;
    let r = app.verify_chain(&s.account_id, Chain::Documents).await;
    assert_eq!(reasons(&r), [("SIGNATURE_INVALID", Some(2)), ("UNSEALED", None), ("UNSEALED", None)], "{r:?}");
    // Nothing is written over it: issuing now would sign the altered head with the real
    // key. The issue is refused whole, and verification still names the break.
    let line = json!([{ "name": "A", "tax": "20", "priceNet": "1" }]);
    let r = app.create_invoice(&s.access, "id", json!({ "buyerName": "Y", "positions": line }), true).await;
    assert_eq!(code(&r["errors"][0]), "INTEGRITY_FAILED", "{r}");
    let r = app.verify_chain(&s.account_id, Chain::Documents).await;
    assert_eq!(reasons(&r), [("SIGNATURE_INVALID", Some(2)), ("UNSEALED", None), ("UNSEALED", None)], "{r:?}");
    // Nor is a closure made on it.
    let account = entity::AccountId(uuid::Uuid::parse_str(&s.account_id).unwrap());
    let closing =
        entity::closures::close_account(&app.db, account, chrono::Utc::now() + chrono::Duration::days(1)).await;
    assert!(matches!(closing, Err(entity::DomainError::Integrity(_))), "{closing:?}");
});

db_test!(paid_payments_cannot_be_rewound_nor_edited, |app: TestApp| async move {
    let s = app.sign_up("rewind-pay@example.fr", "RewindPay").await;
    let invoices = issue_invoices(&app, &s.access, 1).await;
    app.pay(&s.access, &invoices[0].0, "5.00").await;
    let saved = app.head(&s.account_id, Chain::Payments).await;
    app.pay(&s.access, &invoices[0].0, "6.00").await;
    app.tamper("UPDATE payments SET price = '7.00' WHERE price = '5.00'").await;
    let r = app.verify_chain(&s.account_id, Chain::Payments).await;
    assert_eq!(reasons(&r), [("SUBJECT_CHANGED", Some(1))], "{r:?}");
    app.tamper("UPDATE payments SET price = '5.00' WHERE price = '7.00'").await;
    app.delete_entries_from(&s.account_id, Chain::Payments, 2).await;
    app.replay_head(saved).await;
    let r = app.verify_chain(&s.account_id, Chain::Payments).await;
    assert_eq!(reasons(&r), [("UNSEALED", None)], "{r:?}");
});

db_test!(numbering_counters_are_checked_against_their_documents, |app: TestApp| async move {
    let s = app.sign_up("counter@example.fr", "Counter").await;
    issue_invoices(&app, &s.access, 2).await;
    let saved = app.head(&s.account_id, Chain::Documents).await;
    let third = issue_invoices(&app, &s.access, 1).await.remove(0);
    let acc = app.id_sql(&s.account_id);
    // The counter moved back: the next number would be given twice.
    app.tamper(&format!("UPDATE number_series SET last_number = last_number - 1 WHERE account_id = {acc}")).await;
    let r = app.verify_chain(&s.account_id, Chain::Documents).await;
    assert_eq!(reasons(&r), [("NUMBERING_BEHIND", None)], "{r:?}");
    app.tamper(&format!("UPDATE number_series SET last_number = last_number + 1 WHERE account_id = {acc}")).await;
    assert!(app.verify_chain(&s.account_id, Chain::Documents).await.ok());
    // The newest document and its entry removed, the head saved before it put back: the
    // chain is consistent, the numbering is not.
    let doc = format!("(SELECT id FROM documents WHERE number = '{}')", third.1);
    app.tamper(&format!("DELETE FROM document_positions WHERE document_id IN {doc}")).await;
    app.tamper(&format!("DELETE FROM documents WHERE number = '{}'", third.1)).await;
    app.delete_entries_from(&s.account_id, Chain::Documents, 3).await;
    app.replay_head(saved).await;
    let r = app.verify_chain(&s.account_id, Chain::Documents).await;
    assert_eq!(reasons(&r), [("NUMBERING_GAP", None)], "{r:?}");
});

db_test!(closures_are_cross_checked_and_their_files_verified, no_schedule, |app: TestApp| async move {
    let s = app.sign_up("closure-check@example.fr", "ClosureCheck").await;
    issue_invoices(&app, &s.access, 2).await;
    close_past_days(&app, &s, 2).await;
    let list = app
        .ok(
            &s.access,
            "{ closures(frequency: DAILY) { items { id periodStart certification { sequence } } } }",
            json!({}),
        )
        .await;
    let days = list["closures"]["items"].as_array().unwrap().clone();
    let newest = &days[0];
    let id = newest["id"].as_str().unwrap();
    let seq = newest["certification"]["sequence"].as_i64();
    assert!(app.verify_chain(&s.account_id, Chain::Closures).await.ok());
    // Its CSV edited: named by verification, and never served as if intact.
    app.tamper(&format!("UPDATE closures SET csv = csv || 'x' WHERE id = {}", app.id_sql(id))).await;
    let r = app.verify_chain(&s.account_id, Chain::Closures).await;
    assert_eq!(reasons(&r), [("CSV_MISMATCH", seq)], "{r:?}");
    let resp = app.http.get(app.url(&format!("/closures/{id}.csv"))).bearer_auth(&s.access).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 409);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "INTEGRITY_FAILED", "{body}");
    app.tamper(&format!("UPDATE closures SET csv = substr(csv, 1, length(csv) - 1) WHERE id = {}", app.id_sql(id)))
        .await;
    let resp = app.http.get(app.url(&format!("/closures/{id}.csv"))).bearer_auth(&s.access).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    // Its signature removed, or not its own.
    app.tamper(&format!("UPDATE closures SET signature = NULL WHERE id = {}", app.id_sql(id))).await;
    let r = app.verify_chain(&s.account_id, Chain::Closures).await;
    assert_eq!(reasons(&r), [("SIGNATURE_MISSING", seq)], "{r:?}");
    let other = days[1]["id"].as_str().unwrap();
    app.tamper(&format!(
        "UPDATE closures SET signature = (SELECT signature FROM closures WHERE id = {}) WHERE id = {}",
        app.id_sql(other),
        app.id_sql(id)
    ))
    .await;
    let r = app.verify_chain(&s.account_id, Chain::Closures).await;
    assert_eq!(reasons(&r), [("SIGNATURE_INVALID", seq)], "{r:?}");
});

db_test!(a_closure_deleted_leaves_its_period_without_one, no_schedule, |app: TestApp| async move {
    let s = app.sign_up("closure-gone@example.fr", "ClosureGone").await;
    issue_invoices(&app, &s.access, 1).await;
    let saved = app.head(&s.account_id, Chain::Closures).await;
    // Three days back: right after midnight (Paris), yesterday's closure is still within
    // its grace and not yet missed; the two days before it always are.
    close_past_days(&app, &s, 3).await;
    // Every closure and its entries removed, the closures head put back to before them.
    let acc = app.id_sql(&s.account_id);
    app.tamper(&format!("DELETE FROM closures WHERE account_id = {acc}")).await;
    app.delete_entries_from(&s.account_id, Chain::Closures, 1).await;
    app.replay_head(saved).await;
    let r = app.verify_chain(&s.account_id, Chain::Closures).await;
    assert!(!r.findings.is_empty() && r.findings.iter().all(|f| f.reason.as_str() == "CLOSURE_MISSING"), "{r:?}");
    assert!(r.findings.len() >= 2, "{r:?}");
});

db_test!(
    a_chain_rewritten_with_the_published_algorithm_after_a_signed_closure_is_caught,
    no_schedule,
    |app: TestApp| async move {
        let s = app.sign_up("rewrite@example.fr", "Rewrite").await;
        let invoices = issue_invoices(&app, &s.access, 3).await;
        close_past_days(&app, &s, 1).await;
        let block_hashes: Vec<String> =
            app.entries(&s.account_id, Chain::Closures).await.into_iter().map(|e| e.hash).collect();
        // The attacker changes the first invoice and recomputes its canonical form exactly as
        // the specification says (here with Scelle's own function), then every hash after it.
        app.tamper(&format!("UPDATE documents SET price_gross = '1.00' WHERE number = '{}'", invoices[0].1)).await;
        let actor_account = entity::AccountId(uuid::Uuid::parse_str(&s.account_id).unwrap());
        let forged = {
            let actor = entity::Actor {
                user_id: entity::UserId(uuid::Uuid::nil()),
                account_id: actor_account,
                role: entity::Role::Owner,
                credential: entity::tenant::Credential::System,
                client_ip: None,
            };
            let doc =
                entity::documents::get(&app.db, &actor, uuid::Uuid::parse_str(&invoices[0].0).unwrap()).await.unwrap();
            entity::ledger::subjects::document_form(&app.db, &actor, &doc, 2).await.unwrap()
        };
        // Every entry links and hashes again, but the head's genuine signature no longer
        // matches it, and the closure's recorded heads are no longer in the chain.
        app.rewrite_chain(&s.account_id, Chain::Documents, BTreeMap::from([(1, forged.clone())]), Resign::Keep).await;
        let r = app.verify_chain(&s.account_id, Chain::Documents).await;
        let got = reasons(&r);
        assert!(got.contains(&("SIGNATURE_INVALID", Some(3))), "{r:?}");
        assert!(got.iter().any(|(reason, _)| *reason == "CLOSURE_HEAD_MISMATCH"), "{r:?}");
        assert!(got.iter().all(|(reason, _)| ["SIGNATURE_INVALID", "CLOSURE_HEAD_MISMATCH"].contains(reason)), "{r:?}");
        // Signed with a key of the attacker's own: valid, but nobody trusts that key.
        let own = KeyRing::generate();
        app.rewrite_chain(&s.account_id, Chain::Documents, BTreeMap::from([(1, forged)]), Resign::With(&own)).await;
        let r = app.verify_chain(&s.account_id, Chain::Documents).await;
        let got = reasons(&r);
        assert!(got.contains(&("UNTRUSTED_KEY", Some(3))), "{r:?}");
        assert!(got.iter().all(|(reason, _)| ["UNTRUSTED_KEY", "CLOSURE_HEAD_MISMATCH"].contains(reason)), "{r:?}");
        // Now the closures too: their recorded heads rewritten to the forged chain, the
        // closures chain recomputed. Their signatures fail, and the block hashes the owner
        // kept from the e-mails are gone.
        let forged_docs_head = app.head(&s.account_id, Chain::Documents).await;
        let closures = app.entries(&s.account_id, Chain::Closures).await;
        let mut forms = BTreeMap::new();
        for e in &closures {
            let mut lines: Vec<String> = e.canonical.split('\n').map(str::to_owned).collect();
            for l in lines.iter_mut() {
                if l.starts_with("head=documents|") {
                    *l = format!("head=documents|{}|{}", forged_docs_head.last_sequence, forged_docs_head.last_hash);
                }
            }
            forms.insert(e.sequence, lines.join("\n"));
        }
        app.rewrite_chain(&s.account_id, Chain::Closures, forms, Resign::With(&own)).await;
        let r = app.verify_with(&s.account_id, Chain::Closures, block_hashes.clone()).await;
        let got = reasons(&r);
        assert!(got.iter().any(|(reason, _)| *reason == "ANCHOR_NOT_FOUND"), "{r:?}");
        assert!(got.iter().any(|(reason, _)| *reason == "UNTRUSTED_KEY"), "{r:?}");
        assert!(got.iter().any(|(reason, _)| *reason == "SUBJECT_CHANGED" || *reason == "SIGNATURE_INVALID"), "{r:?}");
    }
);

db_test!(the_seal_covers_every_frozen_field_with_its_exact_text, |app: TestApp| async move {
    let s = app.sign_up("coverage@example.fr", "Coverage").await;
    let invoices = issue_invoices(&app, &s.access, 9).await;
    let doc = |i: usize| format!("(SELECT id FROM documents WHERE number = '{}')", invoices[i].1);
    let changes = [
        format!("UPDATE documents SET buyer_street = '2 rue Basse' WHERE number = '{}'", invoices[0].1),
        format!("UPDATE documents SET buyer_city = 'Lille' WHERE number = '{}'", invoices[1].1),
        format!("UPDATE documents SET buyer_country = 'BE' WHERE number = '{}'", invoices[2].1),
        format!("UPDATE documents SET payment_to = '2099-01-01' WHERE number = '{}'", invoices[3].1),
        format!("UPDATE documents SET reverse_charge = true WHERE number = '{}'", invoices[4].1),
        // The same amount in another text: what the API would show differs, so does the seal.
        format!("UPDATE documents SET price_gross = price_gross || '1' WHERE number = '{}'", invoices[5].1),
        format!("UPDATE documents SET use_oss = true WHERE number = '{}'", invoices[6].1),
        format!("UPDATE document_positions SET quantity_unit = 'jour' WHERE document_id = {}", doc(7)),
        format!("UPDATE documents SET seller_country = 'DE' WHERE number = '{}'", invoices[8].1),
    ];
    for sql in &changes {
        let sql = if app.backend == Backend::Sqlite { sql.replace("= true", "= 1") } else { sql.clone() };
        app.tamper(&sql).await;
    }
    let r = app.verify_chain(&s.account_id, Chain::Documents).await;
    let expected: Vec<(&str, Option<i64>)> = (1..=9).map(|i| ("SUBJECT_CHANGED", Some(i))).collect();
    assert_eq!(reasons(&r), expected, "{r:?}");
    assert!(r.findings[0].detail.contains("buyer_street"), "{:?}", r.findings[0]);
    assert!(r.findings[5].detail.contains("total_gross"), "{:?}", r.findings[5]);
});

db_test!(entries_edited_swapped_inserted_or_removed_are_named, |app: TestApp| async move {
    let s = app.sign_up("entries@example.fr", "Entries").await;
    let invoices = issue_invoices(&app, &s.access, 5).await;
    let acc = app.id_sql(&s.account_id);
    let docs = format!("account_id = {acc} AND chain = 'documents'");
    let findings = async |app: &TestApp| app.findings(&s.account_id, Chain::Documents).await;
    assert_eq!(findings(&app).await, []);

    // A stored record edited: its hash no longer matches.
    app.tamper(&format!("UPDATE ledger_entries SET canonical = canonical || ' ' WHERE {docs} AND sequence = 4")).await;
    assert_eq!(findings(&app).await, [("HASH_MISMATCH", Some(4))]);
    app.tamper(&format!("UPDATE ledger_entries SET canonical = substr(canonical, 1, length(canonical) - 1) WHERE {docs} AND sequence = 4")).await;
    assert_eq!(findings(&app).await, []);

    // Two entries swapped.
    for (a, b) in [(2, -1), (3, 2), (-1, 3)] {
        app.tamper(&format!("UPDATE ledger_entries SET sequence = {b} WHERE {docs} AND sequence = {a}")).await;
    }
    // Each moved entry breaks its own link and the next one's.
    assert_eq!(findings(&app).await, [("BROKEN_LINK", Some(2)), ("BROKEN_LINK", Some(3)), ("BROKEN_LINK", Some(4))]);
    for (a, b) in [(2, -1), (3, 2), (-1, 3)] {
        app.tamper(&format!("UPDATE ledger_entries SET sequence = {b} WHERE {docs} AND sequence = {a}")).await;
    }
    assert_eq!(findings(&app).await, []);

    // A document deleted behind the API.
    let n = &invoices[1].1;
    app.tamper(&format!(
        "DELETE FROM document_positions WHERE document_id IN (SELECT id FROM documents WHERE number = '{n}')"
    ))
    .await;
    app.tamper(&format!("DELETE FROM documents WHERE number = '{n}'")).await;
    assert_eq!(findings(&app).await, [("SUBJECT_DELETED", Some(2))]);

    // A fake entry appended after the head (hashes right, head not moved).
    let last = app.entries(&s.account_id, Chain::Documents).await.pop().unwrap();
    let fake_hash = entity::ledger::chain_hash(&last.hash, "format=scelle-document-v2");
    let account = uuid::Uuid::parse_str(&s.account_id).unwrap();
    app.tamper_with(move |txn| {
        Box::pin(async move {
            use sea_orm::ActiveModelTrait;
            entity::tables::ledger_entry::ActiveModel {
                id: sea_orm::Set(uuid::Uuid::now_v7()),
                account_id: sea_orm::Set(account),
                chain: sea_orm::Set("documents".into()),
                sequence: sea_orm::Set(6),
                subject_id: sea_orm::Set(uuid::Uuid::now_v7()),
                version: sea_orm::Set(2),
                canonical: sea_orm::Set("format=scelle-document-v2".into()),
                previous_hash: sea_orm::Set(last.hash.clone()),
                hash: sea_orm::Set(fake_hash),
                sealed_at: sea_orm::Set(chrono::Utc::now()),
            }
            .insert(txn)
            .await
            .unwrap();
        })
    })
    .await;
    assert_eq!(
        findings(&app).await,
        [("SUBJECT_DELETED", Some(2)), ("SUBJECT_DELETED", Some(6)), ("HEAD_MISMATCH", Some(6))]
    );
    // An entry beyond the head stops the chain taking more (not a unique-index error).
    let line = json!([{ "name": "A", "tax": "20", "priceNet": "1" }]);
    let r = app.create_invoice(&s.access, "id", json!({ "buyerName": "Z", "positions": line }), true).await;
    assert_eq!(code(&r["errors"][0]), "INTEGRITY_FAILED", "{r}");
    app.delete_entries_from(&s.account_id, Chain::Documents, 6).await;

    // The newest entry deleted: the head tells. A middle one: the gap tells.
    app.delete_entries_from(&s.account_id, Chain::Documents, 5).await;
    assert_eq!(findings(&app).await, [("SUBJECT_DELETED", Some(2)), ("TRUNCATED", Some(5)), ("UNSEALED", None)]);
    app.tamper(&format!("DELETE FROM ledger_entries WHERE {docs} AND sequence = 3")).await;
    let got = findings(&app).await;
    assert_eq!(got[..2], [("SUBJECT_DELETED", Some(2)), ("MISSING_ENTRY", Some(3))], "{got:?}");
});

db_test!(a_head_signed_by_another_key_or_not_at_all_is_named, |app: TestApp| async move {
    let s = app.sign_up("keys@example.fr", "Keys").await;
    issue_invoices(&app, &s.access, 2).await;
    let acc = app.id_sql(&s.account_id);
    // Re-signed with a key of the attacker's: a valid signature, by an untrusted key.
    let own = KeyRing::generate();
    let mut h = app.head(&s.account_id, Chain::Documents).await;
    let at = entity::ledger::keys::signing_time();
    h.signed_at = Some(at);
    h.signature = Some(own.sign(&entity::ledger::store::head_checkpoint(&h, at)));
    h.signing_key = Some(own.key_id());
    app.replay_head(h).await;
    assert_eq!(app.findings(&s.account_id, Chain::Documents).await, [("UNTRUSTED_KEY", Some(2))]);
    // The key the verifier trusts comes from outside: trusting the attacker's key too
    // (`--keys` with it) makes the signature pass, which is why the list is published.
    let mut options = verification_options(Vec::new());
    options.trusted = entity::ledger::keys::TrustedKeys::parse(&format!(
        "{}\n{}\n",
        own.key_id(),
        KeyRing::parse(LEDGER_KEY).unwrap().key_id()
    ))
    .unwrap();
    let account = entity::AccountId(uuid::Uuid::parse_str(&s.account_id).unwrap());
    let r = entity::ledger::verify::verify_chain(&app.db, account, Chain::Documents, Default::default(), &options)
        .await
        .unwrap();
    assert!(r.ok(), "{r:?}");
    app.tamper(&format!("UPDATE ledger_heads SET signature = NULL WHERE account_id = {acc} AND chain = 'documents'"))
        .await;
    assert_eq!(app.findings(&s.account_id, Chain::Documents).await, [("SIGNATURE_MISSING", Some(2))]);
});

db_test!(events_inserted_or_removed_behind_the_journal_are_named, |app: TestApp| async move {
    let s = app.sign_up("events-tamper@example.fr", "EventsTamper").await;
    let r = app.verify_chain(&s.account_id, Chain::Events).await;
    assert!(r.ok(), "{r:?}");
    // A fake event slipped in: it has no entry.
    let account = uuid::Uuid::parse_str(&s.account_id).unwrap();
    app.tamper_with(move |txn| {
        Box::pin(async move {
            use sea_orm::ActiveModelTrait;
            entity::tables::journal_event::ActiveModel {
                id: sea_orm::Set(uuid::Uuid::now_v7()),
                account_id: sea_orm::Set(account),
                sequence: sea_orm::Set(99),
                code: sea_orm::Set("LOGIN".into()),
                occurred_at: sea_orm::Set(chrono::Utc::now()),
                user_id: sea_orm::Set(None),
                credential: sea_orm::Set("password".into()),
                ip: sea_orm::Set(None),
                details: sea_orm::Set("{}".into()),
            }
            .insert(txn)
            .await
            .unwrap();
        })
    })
    .await;
    assert_eq!(app.findings(&s.account_id, Chain::Events).await, [("UNSEALED", None)]);
});

db_test!(the_database_refuses_to_change_the_ledger, |app: TestApp| async move {
    let s = app.sign_up("triggers@example.fr", "Triggers").await;
    issue_invoices(&app, &s.access, 2).await;
    use sea_orm::ConnectionTrait;
    for sql in [
        "UPDATE ledger_entries SET hash = 'x'",
        "DELETE FROM ledger_entries WHERE sequence = 2",
        "UPDATE ledger_heads SET last_sequence = 1 WHERE chain = 'documents'",
        "UPDATE ledger_heads SET genesis = 'x'",
        "DELETE FROM ledger_heads",
    ] {
        let err = app.db.execute_unprepared(sql).await.expect_err(sql);
        let text = err.to_string();
        assert!(text.contains("append-only") || text.contains("only move forward"), "{sql}: {text}");
    }
    // Sealing more still moves the head forward.
    issue_invoices(&app, &s.access, 1).await;
    let r = app.verify_chain(&s.account_id, Chain::Documents).await;
    assert_eq!((r.ok(), r.checked), (true, 3), "{r:?}");
});

db_test!(adoption_seals_what_an_older_version_left_and_signs_bare_heads, |app: TestApp| async move {
    let s = app.sign_up("adopt@example.fr", "Adopt").await;
    issue_invoices(&app, &s.access, 2).await;
    // What a database written by an older version can hold: the newest document never
    // sealed (its job lost), heads without signatures.
    let acc = app.id_sql(&s.account_id);
    let first = app.entries(&s.account_id, Chain::Documents).await.remove(0);
    app.delete_entries_from(&s.account_id, Chain::Documents, 2).await;
    app.tamper(&format!(
        "UPDATE ledger_heads SET last_sequence = 1, last_hash = '{}' WHERE account_id = {acc} AND chain = 'documents'",
        first.hash
    ))
    .await;
    app.tamper(&format!("UPDATE ledger_heads SET signature = NULL WHERE account_id = {acc}")).await;
    let r = app.verify_chain(&s.account_id, Chain::Documents).await;
    assert_eq!(reasons(&r), [("SIGNATURE_MISSING", Some(1)), ("UNSEALED", None)], "{r:?}");
    // Adopted (what the first start with a new key does, or `scelle keys adopt`).
    let done = entity::ledger::adoption::adopt(&app.db).await.unwrap();
    assert_eq!((done.accounts, done.sealed_late, done.heads_signed), (1, 1, 4), "{done:?}");
    for chain in Chain::ALL {
        let r = app.verify_chain(&s.account_id, chain).await;
        assert!(r.ok(), "{chain:?}: {r:?}");
    }
    assert_eq!(app.entries(&s.account_id, Chain::Documents).await.len(), 2);
    let ev = app.ok(&s.access, "{ events(perPage: 5) { items { code } } }", json!({})).await;
    let codes: Vec<&str> =
        ev["events"]["items"].as_array().unwrap().iter().map(|e| e["code"].as_str().unwrap()).collect();
    assert_eq!(codes[..2], ["LEDGER_ADOPTED", "SEALED_LATE"], "{ev}");
    // Once is enough: nothing left to adopt.
    assert_eq!(entity::ledger::adoption::adopt(&app.db).await.unwrap().accounts, 0);
});

db_test!(a_late_seal_after_a_signed_closure_is_named, no_schedule, |app: TestApp| async move {
    let s = app.sign_up("late@example.fr", "Late").await;
    let mut invoices = issue_invoices(&app, &s.access, 1).await;
    let saved = app.head(&s.account_id, Chain::Documents).await;
    invoices.extend(issue_invoices(&app, &s.access, 1).await);
    // The second invoice left unsealed (its entry removed, the head saved before it put
    // back), issued two minutes ago; then a closure is made and signed; then the database
    // is adopted (`scelle keys adopt`), which seals it late.
    app.delete_entries_from(&s.account_id, Chain::Documents, 2).await;
    app.replay_head(saved).await;
    let two_minutes_ago = chrono::Utc::now() - chrono::Duration::minutes(2);
    let id = uuid::Uuid::parse_str(&invoices[1].0).unwrap();
    app.tamper_with(move |txn| {
        Box::pin(async move {
            use entity::tables::document;
            use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
            document::Entity::update_many()
                .col_expr(document::Column::IssuedAt, Expr::value(Some(two_minutes_ago)))
                .filter(document::Column::Id.eq(id))
                .exec(txn)
                .await
                .unwrap();
        })
    })
    .await;
    let account = entity::AccountId(uuid::Uuid::parse_str(&s.account_id).unwrap());
    entity::closures::close_account(&app.db, account, chrono::Utc::now() + chrono::Duration::days(1)).await.unwrap();
    let done = entity::ledger::adoption::adopt(&app.db).await.unwrap();
    assert_eq!(done.sealed_late, 1, "{done:?}");
    let r = app.verify_chain(&s.account_id, Chain::Documents).await;
    let got = reasons(&r);
    assert!(got.contains(&("SEALED_LATE", Some(2))), "{r:?}");
});

db_test!(entries_sealed_under_version_1_still_verify_under_version_1, |app: TestApp| async move {
    let s = app.sign_up("v1@example.fr", "VersionOne").await;
    let invoices = issue_invoices(&app, &s.access, 2).await;
    // The first invoice as an older version sealed it: its entry in canonical form 1 (then
    // signed by the installation, as adoption does).
    let actor = entity::Actor {
        user_id: entity::UserId(uuid::Uuid::nil()),
        account_id: entity::AccountId(uuid::Uuid::parse_str(&s.account_id).unwrap()),
        role: entity::Role::Owner,
        credential: entity::tenant::Credential::System,
        client_ip: None,
    };
    let doc = entity::documents::get(&app.db, &actor, uuid::Uuid::parse_str(&invoices[0].0).unwrap()).await.unwrap();
    let v1 = entity::ledger::subjects::document_form(&app.db, &actor, &doc, 1).await.unwrap();
    assert!(v1.starts_with("format=scelle-document-v1\n"), "{v1}");
    let ring = KeyRing::parse(LEDGER_KEY).unwrap();
    app.rewrite_chain(&s.account_id, Chain::Documents, BTreeMap::from([(1, v1)]), Resign::With(&ring)).await;
    let acc = app.id_sql(&s.account_id);
    app.tamper(&format!(
        "UPDATE ledger_entries SET version = 1 WHERE account_id = {acc} AND chain = 'documents' AND sequence = 1"
    ))
    .await;
    let r = app.verify_chain(&s.account_id, Chain::Documents).await;
    assert!(r.ok(), "{r:?}");
    // And what version 1 covers is still protected under it.
    app.tamper(&format!("UPDATE documents SET price_gross = '1.00' WHERE number = '{}'", invoices[0].1)).await;
    assert_eq!(app.findings(&s.account_id, Chain::Documents).await, [("SUBJECT_CHANGED", Some(1))]);
});
