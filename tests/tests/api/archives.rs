//! `exportArchive` and the offline check of its zip (`scelle verify-archive`), on SQLite and
//! PostgreSQL.

use base64::Engine;
use scelle_tests::attacker::{rezip, unzip};
use scelle_tests::*;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::time::Duration;

const EXPORT: &str = "mutation($f: Date!, $t: Date!) { exportArchive(from: $f, to: $t) { fileName sha256 manifestSha256 sizeBytes contentBase64 } }";

fn year() -> String {
    chrono::Utc::now().with_timezone(&chrono_tz::Europe::Paris).format("%Y").to_string()
}

async fn issue_and_wait_sealed(app: &TestApp, token: &str, buyer: &str, net: &str) -> Value {
    let inv = app.issue(token, "id number", Invoice::to(buyer).line("Pose", "20", net)).await;
    for _ in 0..200 {
        let d = app
            .ok(token, "query($id: ID!) { invoice(id: $id) { certification { status } } }", json!({ "id": inv["id"] }))
            .await;
        if d["invoice"]["certification"]["status"] == "SEALED" {
            return inv;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("not sealed");
}

fn sha(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

/// The published public keys of the test servers.
fn trusted() -> entity::ledger::keys::TrustedKeys {
    entity::ledger::keys::KeyRing::parse(LEDGER_KEY).unwrap().trusted()
}

db_test!(an_archive_holds_the_period_and_checks_offline, |app: TestApp| async move {
    let s = app.sign_up("archive@example.fr", "Archive").await;
    let a = issue_and_wait_sealed(&app, &s.access, "Client A", "100").await;
    issue_and_wait_sealed(&app, &s.access, "Client B", "50").await;
    let y = year();
    let r = app.ok(&s.access, EXPORT, json!({ "f": format!("{y}-01-01"), "t": format!("{y}-12-31") })).await["exportArchive"].clone();
    let bytes = base64::engine::general_purpose::STANDARD.decode(r["contentBase64"].as_str().unwrap()).unwrap();
    assert_eq!(r["sizeBytes"].as_u64(), Some(bytes.len() as u64));
    assert_eq!(r["sha256"], sha(&bytes).as_str());
    assert!(r["fileName"].as_str().unwrap().ends_with(&format!("{y}-01-01-{y}-12-31.zip")), "{r}");

    let files = unzip(&bytes);
    let get = |name: &str| files.iter().find(|(n, _)| n == name).map(|(_, b)| b.clone()).expect(name);
    assert_eq!(r["manifestSha256"], sha(&get("manifest.json")).as_str(), "the journaled hash is the manifest's");
    let manifest: Value = serde_json::from_slice(&get("manifest.json")).unwrap();
    assert_eq!(manifest["format"], "scelle-archive-v1");
    assert_eq!(manifest["files"].as_array().unwrap().len(), files.len() - 1, "every other file listed");
    let docs: Vec<Value> = serde_json::from_slice(&get("documents.json")).unwrap();
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[0]["record"]["number"], a["number"]);
    assert_eq!(docs[0]["record"]["total_gross"], "120.00");
    assert_eq!(docs[0]["record"]["vat"], json!([["20", "100.00", "20.00", "120.00"]]));
    let csv = String::from_utf8(get("documents.csv")).unwrap();
    assert!(csv.starts_with("sequence,hash,number,kind,issue_date,issued_at,buyer_name,buyer_tax_no,currency,total_net,total_tax,total_gross,sealed_at\n"), "{csv}");
    assert_eq!(csv.lines().count(), 3, "{csv}");
    assert!(get("entries.schema.json").starts_with(b"{"));

    let report = entity::archive::verify(&bytes, Some(&trusted()));
    assert!(report.ok(), "{:?}", report.problems);
    assert_eq!(report.signatures_checked, 4, "the four chains' heads");
    // Another installation's keys do not vouch for it.
    let stranger = entity::ledger::keys::KeyRing::generate().trusted();
    let report = entity::archive::verify(&bytes, Some(&stranger));
    assert!(
        report.problems.iter().any(|p| p.contains("head's signature does not hold (UntrustedKey)")),
        "{:?}",
        report.problems
    );
    // A head rewritten in the manifest (and the manifest's own listing kept): its signature tells.
    let mut forged_head = manifest.clone();
    forged_head["chains"][0]["head_hash"] = json!("0".repeat(64));
    let mut files_head = files.clone();
    files_head.iter_mut().find(|(n, _)| n == "manifest.json").unwrap().1 =
        serde_json::to_vec_pretty(&forged_head).unwrap();
    let report = entity::archive::verify(&rezip(&files_head), Some(&trusted()));
    assert!(
        report.problems.iter().any(|p| p.contains("documents.json: the head's signature does not hold (Invalid)")),
        "{:?}",
        report.problems
    );
    // The export is journaled with the manifest's hash, which chains the archive.
    let ev = app.ok(&s.access, "{ events(code: ARCHIVE_EXPORTED) { items { details } } }", json!({})).await;
    let details: Value = serde_json::from_str(ev["events"]["items"][0]["details"].as_str().unwrap()).unwrap();
    assert_eq!(details["manifest_sha256"], r["manifestSha256"], "{ev}");
    let listed: u64 = manifest["chains"].as_array().unwrap().iter().map(|c| c["entries"].as_u64().unwrap()).sum();
    assert_eq!((report.entries_checked as u64, report.files_checked), (listed, files.len() - 1));
    assert!(listed > 2, "the journal's entries are archived too: {manifest}");

    // A file changed after export: its hash no longer matches the manifest.
    let mut forged: Vec<(String, Vec<u8>)> = files.clone();
    let doc_file = forged.iter_mut().find(|(n, _)| n == "documents.json").unwrap();
    doc_file.1 = String::from_utf8(doc_file.1.clone()).unwrap().replace("120.00", "12.00").into_bytes();
    let report = entity::archive::verify(&rezip(&forged), Some(&trusted()));
    assert!(
        report.problems.iter().any(|p| p.contains("documents.json: SHA-256 or size differs")),
        "{:?}",
        report.problems
    );
    // The manifest rewritten to match: the sealed hashes still tell.
    let mut manifest2 = manifest.clone();
    for f in manifest2["files"].as_array_mut().unwrap() {
        if f["path"] == "documents.json" {
            f["sha256"] = json!(sha(&doc_file_bytes(&forged)));
            f["size"] = json!(doc_file_bytes(&forged).len());
        }
    }
    forged.iter_mut().find(|(n, _)| n == "manifest.json").unwrap().1 = serde_json::to_vec_pretty(&manifest2).unwrap();
    let report = entity::archive::verify(&rezip(&forged), Some(&trusted()));
    assert!(!report.ok());
    assert!(
        report.problems.iter().any(|p| p.contains("hash does not match its canonical form")),
        "{:?}",
        report.problems
    );
    // A file slipped in.
    let mut extra = files.clone();
    extra.push(("notes.txt".into(), b"x".to_vec()));
    assert!(entity::archive::verify(&rezip(&extra), None).problems.iter().any(|p| p.contains("notes.txt: not listed")));
    assert!(!entity::archive::verify(b"not a zip", None).ok());
});

fn doc_file_bytes(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    files.iter().find(|(n, _)| n == "documents.json").unwrap().1.clone()
}

db_test!(archives_check_their_period_roles_and_account, |app: TestApp| async move {
    let a = app.sign_up("archive-a@example.fr", "ArchiveA").await;
    let b = app.sign_up("archive-b@example.fr", "ArchiveB").await;
    issue_and_wait_sealed(&app, &a.access, "Client", "10").await;
    let r = app.gql_full(Some(&a.access), None, EXPORT, json!({ "f": "2025-01-01", "t": "2026-01-02" })).await;
    assert_eq!(failure(&r), ("VALIDATION_FAILED".into(), "to".into()), "more than 366 days: {r}");
    let r = app.gql_full(Some(&a.access), Some("fr"), EXPORT, json!({ "f": "2026-02-01", "t": "2026-01-01" })).await;
    assert_eq!(failure(&r), ("VALIDATION_FAILED".into(), "to".into()), "{r}");
    // Another account's archive holds none of A's documents.
    let y = year();
    let r = app.ok(&b.access, EXPORT, json!({ "f": format!("{y}-01-01"), "t": format!("{y}-12-31") })).await["exportArchive"].clone();
    let bytes = base64::engine::general_purpose::STANDARD.decode(r["contentBase64"].as_str().unwrap()).unwrap();
    let files = unzip(&bytes);
    let docs: Vec<Value> =
        serde_json::from_slice(&files.iter().find(|(n, _)| n == "documents.json").unwrap().1).unwrap();
    assert!(docs.is_empty());
    assert!(entity::archive::verify(&bytes, Some(&trusted())).ok());
    // A member may not export.
    let m = app.sign_up("archive-m@example.fr", "ArchiveM").await;
    app.set_membership(&a.account_id, &m.user_id, Some("member")).await;
    let ms = app.login_to("archive-m@example.fr", &a.account_id).await;
    let r = app
        .gql_full(Some(&ms.access), None, EXPORT, json!({ "f": format!("{y}-01-01"), "t": format!("{y}-12-31") }))
        .await;
    assert_eq!(failure(&r).0, "FORBIDDEN");
});

db_test!(closing_an_account_deactivates_it_and_keeps_its_sealed_data, |app: TestApp| async move {
    let s = app.sign_up("closing@example.fr", "Closing").await;
    issue_and_wait_sealed(&app, &s.access, "Client", "10").await;
    // Only the owner closes.
    let m = app.sign_up("closing-m@example.fr", "ClosingM").await;
    app.set_membership(&s.account_id, &m.user_id, Some("admin")).await;
    let admin = app.login_to("closing-m@example.fr", &s.account_id).await;
    let r = app.gql_full(Some(&admin.access), None, "mutation { closeAccount { id } }", json!({})).await;
    assert_eq!(failure(&r).0, "FORBIDDEN");

    let closed = app.ok(&s.access, "mutation { closeAccount { id status } }", json!({})).await;
    assert_eq!(closed["closeAccount"]["status"], "closed");
    let r = app.gql_full(Some(&s.access), None, "{ invoices { totalCount } }", json!({})).await;
    assert_eq!(failure(&r).0, "UNAUTHENTICATED", "access ends at once: {r}");
    // Nothing was deleted: the chain is complete and verifies.
    let account = entity::AccountId(uuid::Uuid::parse_str(&s.account_id).unwrap());
    let (report, ok) =
        scelle_api::verify_cli::report(&app.db, account, &verification_options(Vec::new())).await.unwrap();
    assert!(ok && report.contains("documents  OK (1 entries)"), "{report}");
});
