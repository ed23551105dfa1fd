//! Certification closures (issue 4, part): daily, monthly and yearly closures of what the
//! documents chain sealed, in the account's time zone; exactly once under concurrent and
//! repeated runs; catching up missed periods; sealed in the closures chain and frozen in
//! the database; readable over GraphQL and downloadable as CSV; e-mailed to the owners on
//! a real SMTP server. Both databases.
//!
//! Documents are sealed now; to place them in chosen periods the tests move their
//! `sealed_at` back with the ledger's triggers lifted (`sealed_at` is not part of the
//! hash), before any closure exists. The scheduler is set to a far future in those tests
//! so only the test's own `close_due(now)` makes closures.

use chrono::{DateTime, Utc};
use entity::closures::close_due;
use entity::ledger::store::Chain;
use entity::tenant::AccountId;
use rust_decimal::Decimal;
use scelle_api::config::{Config, Secret};
use scelle_tests::*;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// No scheduled run during the test: only the test's `close_due(now)` makes closures.
fn no_schedule(c: &mut Config) {
    c.closures_cron = "0 0 0 1 1 * 2099".into();
}

fn account(s: &Session) -> AccountId {
    AccountId(uuid::Uuid::parse_str(&s.account_id).unwrap())
}

/// A UUID as a SQL literal: SQLite stores UUIDs as 16-byte blobs, PostgreSQL as `uuid`.
fn id_sql(app: &TestApp, id: &str) -> String {
    match app.backend {
        Backend::Sqlite => format!("X'{}'", uuid::Uuid::parse_str(id).unwrap().simple()),
        Backend::Postgres => format!("'{id}'"),
    }
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn dec(v: &Value) -> Decimal {
    v.as_str().unwrap_or_else(|| panic!("not a decimal: {v}")).parse().unwrap()
}

async fn issue(app: &TestApp, token: &str, input: Value) -> Value {
    app.issue(token, "id number priceNet priceTax priceGross", input).await
}

/// Invoice 1: 100 net at 20 % and 10 net at 5.5 %; invoice 2: 50 net at 20 %; a credit
/// note taking 60 gross off invoice 1 (-50 net, -10 VAT at 20 %).
async fn issue_sample(app: &TestApp, token: &str) {
    let inv = issue(
        app,
        token,
        json!({ "buyerName": "Client Un", "buyerTaxNo": "FR123", "positions": [
            { "name": "A", "tax": "20", "priceNet": "100" }, { "name": "B", "tax": "5.5", "priceNet": "10" }] }),
    )
    .await;
    issue(
        app,
        token,
        json!({ "buyerName": "Client, Deux", "positions": [{ "name": "C", "tax": "20", "priceNet": "50" }] }),
    )
    .await;
    let cn = issue(
        app,
        token,
        json!({ "kind": "CORRECTION", "invoiceId": inv["id"], "positions": [{ "name": "A", "tax": "20", "kind": "CORRECTION",
            "correctionBefore": { "quantity": "1", "totalPriceGross": "120" }, "correctionAfter": { "quantity": "1", "totalPriceGross": "60" } }] }),
    )
    .await;
    assert_eq!(cn["priceGross"], "-60.00");
}

/// Runs `sql` with the append-only triggers of the ledger entries lifted, as an attacker
/// (or a test placing documents in the past) with database access could.
async fn without_ledger_triggers(app: &TestApp, sql: &str) {
    match app.backend {
        Backend::Sqlite => {
            // One connection: another one's cached schema would still see the trigger.
            use sea_orm::TransactionTrait;
            let txn = app.db.begin().await.unwrap();
            txn.execute_unprepared("DROP TRIGGER ledger_entries_no_update").await.unwrap();
            txn.execute_unprepared(sql).await.unwrap();
            txn.execute_unprepared(
                "CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries \
                 BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END",
            )
            .await
            .unwrap();
            txn.commit().await.unwrap();
        }
        Backend::Postgres => {
            app.sql("ALTER TABLE ledger_entries DISABLE TRIGGER ledger_entries_append_only").await;
            app.sql(sql).await;
            app.sql("ALTER TABLE ledger_entries ENABLE TRIGGER ledger_entries_append_only").await;
        }
    }
}

/// Moves the `sealed_at` of the account's documents entries with `sequence >= from` to `when`.
async fn sealed_on(app: &TestApp, s: &Session, from: i64, when: &str) {
    let ts = match app.backend {
        Backend::Sqlite => format!("'{}'", at(when).format("%Y-%m-%dT%H:%M:%S+00:00")),
        Backend::Postgres => format!("'{when}'::timestamptz"),
    };
    without_ledger_triggers(
        app,
        &format!(
            "UPDATE ledger_entries SET sealed_at = {ts} WHERE account_id = {} AND chain = 'documents' AND sequence >= {from}",
            id_sql(app, &s.account_id)
        ),
    )
    .await;
}

/// Same as `sealed_on` for the closures table's sealed columns.
async fn without_closure_triggers(app: &TestApp, sql: &str) {
    match app.backend {
        Backend::Sqlite => {
            app.sql("DROP TRIGGER closures_sealed").await;
            app.sql(sql).await;
        }
        Backend::Postgres => {
            app.sql("ALTER TABLE closures DISABLE TRIGGER closures_sealed").await;
            app.sql(sql).await;
            app.sql("ALTER TABLE closures ENABLE TRIGGER closures_sealed").await;
        }
    }
}

const FIELDS: &str = "id frequency periodStart periodEnd timeZone startsAt endsAt documentCount salesCount creditCount \
    sales { net tax gross } credits { net tax gross } total { net tax gross } \
    vat { rate sales { net tax gross } credits { net tax gross } total { net tax gross } } \
    turnover periodTotal perpetualTotal firstSequence lastSequence lastHash csvSha256 csv emailSentAt \
    certification { status sequence hash previousHash sealedAt algorithm canonical }";

async fn closures(app: &TestApp, token: &str, frequency: &str) -> Vec<Value> {
    let q = format!(
        "query($f: ClosureFrequency) {{ closures(frequency: $f, perPage: 100) {{ totalCount items {{ {FIELDS} }} }} }}"
    );
    let d = app.ok(token, &q, json!({ "f": frequency })).await;
    let items = d["closures"]["items"].as_array().unwrap().clone();
    assert_eq!(d["closures"]["totalCount"].as_u64().unwrap() as usize, items.len());
    items
}

fn by_start<'a>(list: &'a [Value], start: &str) -> &'a Value {
    list.iter().find(|c| c["periodStart"] == start).unwrap_or_else(|| panic!("no closure starting {start}: {list:?}"))
}

fn amounts(v: &Value) -> (Decimal, Decimal, Decimal) {
    (dec(&v["net"]), dec(&v["tax"]), dec(&v["gross"]))
}

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

db_test!(totals_per_rate_sales_credits_and_perpetual_totals, no_schedule, |app: TestApp| async move {
    let s = app.sign_up("cloture@example.fr", "Clôtures").await;
    issue_sample(&app, &s.access).await;
    sealed_on(&app, &s, 1, "2025-12-20T10:00:00Z").await;
    issue(
        &app,
        &s.access,
        json!({ "buyerName": "Trois", "positions": [{ "name": "D", "tax": "20", "priceNet": "200" }] }),
    )
    .await;
    sealed_on(&app, &s, 4, "2025-12-22T10:00:00Z").await;

    // 12-22 ends at 23:00 UTC in Paris: at noon on the 23rd the 20th, 21st and 22nd are due.
    assert_eq!(close_due(&app.db, at("2025-12-23T12:00:00Z")).await.unwrap(), 3);
    let days = closures(&app, &s.access, "DAILY").await;
    assert_eq!(days.len(), 3);
    assert_eq!(days[0]["periodStart"], "2025-12-22", "newest first");
    let c = by_start(&days, "2025-12-20");
    assert_eq!((c["periodEnd"].as_str(), c["timeZone"].as_str()), (Some("2025-12-20"), Some("Europe/Paris")));
    assert_eq!(
        (c["startsAt"].as_str(), c["endsAt"].as_str()),
        (Some("2025-12-19T23:00:00+00:00"), Some("2025-12-20T23:00:00+00:00"))
    );
    assert_eq!(
        (c["documentCount"].as_i64(), c["salesCount"].as_i64(), c["creditCount"].as_i64()),
        (Some(3), Some(2), Some(1))
    );
    assert_eq!(amounts(&c["sales"]), (d("160"), d("30.55"), d("190.55")));
    assert_eq!(amounts(&c["credits"]), (d("-50"), d("-10"), d("-60")));
    assert_eq!(amounts(&c["total"]), (d("110"), d("20.55"), d("130.55")));
    assert_eq!(
        (dec(&c["turnover"]), dec(&c["periodTotal"]), dec(&c["perpetualTotal"])),
        (d("110"), d("130.55"), d("130.55"))
    );
    let vat = c["vat"].as_array().unwrap();
    assert_eq!(vat.len(), 2, "{vat:?}");
    assert_eq!(dec(&json!(vat[0]["rate"])), d("5.5"), "numeric rates increasing");
    assert_eq!(amounts(&vat[0]["sales"]), (d("10"), d("0.55"), d("10.55")));
    assert_eq!(amounts(&vat[0]["credits"]), (d("0"), d("0"), d("0")));
    assert_eq!(vat[1]["rate"], "20");
    assert_eq!(amounts(&vat[1]["sales"]), (d("150"), d("30"), d("180")));
    assert_eq!(amounts(&vat[1]["credits"]), (d("-50"), d("-10"), d("-60")));
    assert_eq!(amounts(&vat[1]["total"]), (d("100"), d("20"), d("120")));
    assert_eq!((c["firstSequence"].as_i64(), c["lastSequence"].as_i64()), (Some(1), Some(3)));
    // The CSV: header and one row per document, its hash over the exact bytes.
    let csv = c["csv"].as_str().unwrap();
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(
        rows[0],
        "sequence,hash,number,kind,issue_date,sealed_at,buyer_name,buyer_tax_no,currency,net,tax,gross,vat"
    );
    assert_eq!(rows.len(), 4);
    assert!(
        rows[1].starts_with("1,")
            && rows[1].contains(",vat,")
            && rows[1].contains(",Client Un,FR123,EUR,110.00,20.55,130.55,20|100.00|20.00|120.00;5.5|10.00|0.55|10.55"),
        "{}",
        rows[1]
    );
    assert!(rows[2].contains(",\"Client, Deux\","), "quoted: {}", rows[2]);
    assert!(
        rows[3].contains(",correction,") && rows[3].contains(",-50.00,-10.00,-60.00,20|-50.00|-10.00|-60.00"),
        "{}",
        rows[3]
    );
    assert!(!csv.contains('\r'));
    assert_eq!(c["csvSha256"].as_str().unwrap(), hex::encode(Sha256::digest(csv.as_bytes())));
    let seal = &c["certification"];
    assert_eq!(
        (seal["status"].as_str(), seal["sequence"].as_i64(), seal["algorithm"].as_str()),
        (Some("sealed"), Some(1), Some("SHA-256"))
    );
    assert!(
        seal["canonical"]
            .as_str()
            .unwrap()
            .starts_with("format=scelle-closure-v2\nfrequency=daily\nperiod_start=2025-12-20\n")
    );
    assert!(
        seal["canonical"].as_str().unwrap().contains(&format!("\ncsv_sha256={}", c["csvSha256"].as_str().unwrap()))
    );

    // An empty day still has its closure: nothing sealed, the chain's hash as it stood.
    let empty = by_start(&days, "2025-12-21");
    assert_eq!(
        (empty["documentCount"].as_i64(), empty["firstSequence"].as_i64(), empty["lastSequence"].as_i64()),
        (Some(0), None, None)
    );
    assert_eq!(empty["lastHash"], c["lastHash"]);
    assert_eq!(amounts(&empty["total"]), (d("0"), d("0"), d("0")));
    assert_eq!(dec(&empty["perpetualTotal"]), d("130.55"));
    assert_eq!(
        empty["csv"],
        "sequence,hash,number,kind,issue_date,sealed_at,buyer_name,buyer_tax_no,currency,net,tax,gross,vat\n"
    );
    let third = by_start(&days, "2025-12-22");
    assert_eq!((third["firstSequence"].as_i64(), third["lastSequence"].as_i64()), (Some(4), Some(4)));
    assert_eq!((dec(&third["periodTotal"]), dec(&third["perpetualTotal"])), (d("240"), d("370.55")));
    assert_eq!(third["certification"]["previousHash"], empty["certification"]["hash"], "one closures chain");

    // New year: the rest of December, the month and the year.
    assert_eq!(close_due(&app.db, at("2026-01-01T00:00:00Z")).await.unwrap(), 9 + 1 + 1);
    let days = closures(&app, &s.access, "DAILY").await;
    assert_eq!(days.len(), 12);
    for f in ["MONTHLY", "YEARLY"] {
        let list = closures(&app, &s.access, f).await;
        assert_eq!(list.len(), 1, "{f}");
        let m = &list[0];
        assert_eq!(m["periodStart"], if f == "MONTHLY" { "2025-12-01" } else { "2025-01-01" });
        assert_eq!(m["periodEnd"], "2025-12-31");
        // Computed from the chain, and equal to the sum of the days.
        for part in ["sales", "credits", "total"] {
            let sum = days.iter().fold((d("0"), d("0"), d("0")), |a, c| {
                let x = amounts(&c[part]);
                (a.0 + x.0, a.1 + x.1, a.2 + x.2)
            });
            assert_eq!(amounts(&m[part]), sum, "{f} {part}");
        }
        let count: i64 = days.iter().map(|c| c["documentCount"].as_i64().unwrap()).sum();
        assert_eq!(m["documentCount"].as_i64(), Some(count));
        assert_eq!((m["firstSequence"].as_i64(), m["lastSequence"].as_i64()), (Some(1), Some(4)));
        assert_eq!(dec(&m["perpetualTotal"]), d("370.55"));
        assert_eq!(m["csv"].as_str().unwrap().lines().count(), 5);
    }
    assert_eq!(days[0]["perpetualTotal"], json!("370.55"));
    let v = app.verify_at(&s.account_id, Chain::Closures, at("2026-01-01T00:00:00Z")).await;
    assert_eq!((v.ok(), v.checked), (true, 14));
    // Nothing more is due: a second run creates nothing.
    assert_eq!(close_due(&app.db, at("2026-01-01T00:00:00Z")).await.unwrap(), 0);
    // Each closure is journaled once.
    let ev = app.ok(&s.access, "{ events(code: CLOSURE_CREATED) { totalCount } }", json!({})).await;
    assert_eq!(ev["events"]["totalCount"], 14, "{ev}");
});

db_test!(exactly_once_under_concurrent_and_repeated_runs, no_schedule, |app: TestApp| async move {
    let s = app.sign_up("once@example.fr", "Once").await;
    issue_sample(&app, &s.access).await;
    sealed_on(&app, &s, 1, "2025-06-01T08:00:00Z").await;
    // Several schedulers at once, a few days after a downtime: each missed day once.
    let mut handles = Vec::new();
    for _ in 0..6 {
        let db = app.db.clone();
        handles.push(tokio::spawn(async move { close_due(&db, at("2025-06-05T12:00:00Z")).await.unwrap() }));
    }
    let mut created = 0;
    for h in handles {
        created += h.await.unwrap();
    }
    assert_eq!(created, 4, "June 1st to 4th, each once");
    let days = closures(&app, &s.access, "DAILY").await;
    let starts: Vec<&str> = days.iter().map(|c| c["periodStart"].as_str().unwrap()).collect();
    assert_eq!(starts, ["2025-06-04", "2025-06-03", "2025-06-02", "2025-06-01"]);
    let mut sequences: Vec<i64> = days.iter().map(|c| c["certification"]["sequence"].as_i64().unwrap()).collect();
    sequences.sort();
    assert_eq!(sequences, [1, 2, 3, 4], "gapless, in period order");
    assert_eq!(by_start(&days, "2025-06-01")["certification"]["sequence"], 1);
    assert_eq!(close_due(&app.db, at("2025-06-05T12:00:00Z")).await.unwrap(), 0, "repeated run");
    // Each closure said so once (`closure.done`), with the hash of its block.
    let q = "{ domainEvents(code: CLOSURE_DONE) { totalCount items { subjectId payload } } }";
    let done = app.ok(&s.access, q, json!({})).await["domainEvents"].clone();
    assert_eq!(done["totalCount"], 4, "{done}");
    for c in &days {
        let e = done["items"].as_array().unwrap().iter().find(|e| e["subjectId"] == c["id"]).expect("its event");
        let p: Value = serde_json::from_str(e["payload"].as_str().unwrap()).unwrap();
        assert_eq!(p["hash"], c["certification"]["hash"], "{p}");
        assert_eq!(p["period_start"], c["periodStart"]);
    }
    // The same period closed directly by concurrent callers: one wins.
    let mut handles = Vec::new();
    for _ in 0..4 {
        let (db, acc) = (app.db.clone(), account(&s));
        handles.push(tokio::spawn(async move {
            entity::closures::close_period(&db, acc, entity::closures::Frequency::Daily, "2025-06-05".parse().unwrap())
                .await
                .unwrap()
        }));
    }
    let mut wins = 0;
    for h in handles {
        wins += h.await.unwrap() as usize;
    }
    assert_eq!(wins, 1);
    assert_eq!(closures(&app, &s.access, "DAILY").await.len(), 5);
    // Pagination, newest first.
    let d = app
        .ok(
            &s.access,
            "{ closures(frequency: DAILY, page: 2, perPage: 2) { totalCount page perPage items { periodStart } } }",
            json!({}),
        )
        .await;
    assert_eq!(d["closures"]["totalCount"], 5);
    assert_eq!(d["closures"]["items"], json!([{ "periodStart": "2025-06-03" }, { "periodStart": "2025-06-02" }]));
    let v = app.verify_at(&s.account_id, Chain::Closures, at("2025-06-05T12:00:00Z")).await;
    assert_eq!((v.ok(), v.checked), (true, 5));
    // Its e-mail is claimed by one sender only, however many schedulers try at once.
    let id = uuid::Uuid::parse_str(days[0]["id"].as_str().unwrap()).unwrap();
    let mut handles = Vec::new();
    for _ in 0..4 {
        let db = app.db.clone();
        handles.push(tokio::spawn(async move { entity::closures::claim_email(&db, id, Utc::now()).await.unwrap() }));
    }
    let mut claimed = 0;
    for h in handles {
        claimed += h.await.unwrap() as usize;
    }
    assert_eq!(claimed, 1);
});

db_test!(periods_follow_the_account_time_zone, no_schedule, |app: TestApp| async move {
    let paris = app.sign_up("paris@example.fr", "Paris").await;
    let utc = app.sign_up("utc@example.fr", "Utc").await;
    app.sql(&format!("UPDATE accounts SET time_zone = 'UTC' WHERE id = {}", id_sql(&app, &utc.account_id))).await;
    for s in [&paris, &utc] {
        issue(
            &app,
            &s.access,
            json!({ "buyerName": "Nuit", "positions": [{ "name": "A", "tax": "20", "priceNet": "10" }] }),
        )
        .await;
        // 23:30 UTC on March 9th is 00:30 on March 10th in Paris.
        sealed_on(&app, s, 1, "2025-03-09T23:30:00Z").await;
    }
    close_due(&app.db, at("2025-03-10T23:00:00Z")).await.unwrap();
    let p = closures(&app, &paris.access, "DAILY").await;
    assert_eq!(p.len(), 1, "no closure before the first sealed document, March 10th complete in Paris");
    assert_eq!((p[0]["periodStart"].as_str(), p[0]["documentCount"].as_i64()), (Some("2025-03-10"), Some(1)));
    let u = closures(&app, &utc.access, "DAILY").await;
    assert_eq!(u.len(), 1, "March 10th is not over in UTC");
    assert_eq!(
        (u[0]["periodStart"].as_str(), u[0]["timeZone"].as_str(), u[0]["documentCount"].as_i64()),
        (Some("2025-03-09"), Some("UTC"), Some(1))
    );
    assert_eq!(u[0]["endsAt"], "2025-03-10T00:00:00+00:00");
});

db_test!(closures_are_frozen_and_tampering_is_named, no_schedule, |app: TestApp| async move {
    let s = app.sign_up("gel@example.fr", "Gel").await;
    issue_sample(&app, &s.access).await;
    sealed_on(&app, &s, 1, "2025-02-03T10:00:00Z").await;
    close_due(&app.db, at("2025-02-06T00:00:00Z")).await.unwrap();
    let days = closures(&app, &s.access, "DAILY").await;
    assert_eq!(days.len(), 3);
    for sql in [
        format!("UPDATE closures SET total_gross = '0.00' WHERE account_id = {}", id_sql(&app, &s.account_id)),
        format!("UPDATE closures SET csv = '' WHERE account_id = {}", id_sql(&app, &s.account_id)),
        format!("UPDATE closures SET perpetual_total = '1.00' WHERE account_id = {}", id_sql(&app, &s.account_id)),
        format!("DELETE FROM closures WHERE account_id = {}", id_sql(&app, &s.account_id)),
    ] {
        let r = app.db.execute_unprepared(&sql).await;
        assert!(r.is_err(), "refused by the database: {sql}");
        assert!(r.unwrap_err().to_string().contains("closures are sealed"));
    }
    // The delivery state is the only thing that changes.
    app.sql(&format!(
        "UPDATE closures SET email_last_error = 'x', email_attempts = 3 WHERE account_id = {}",
        id_sql(&app, &s.account_id)
    ))
    .await;
    assert!(app.verify_at(&s.account_id, Chain::Closures, at("2025-02-06T00:00:00Z")).await.ok());
    // An attacker lifting the triggers is named by verification.
    let second = by_start(&days, "2025-02-04");
    without_closure_triggers(
        &app,
        &format!(
            "UPDATE closures SET total_gross = '999.00' WHERE id = {}",
            id_sql(&app, second["id"].as_str().unwrap())
        ),
    )
    .await;
    let v = app.verify_at(&s.account_id, Chain::Closures, at("2025-02-06T00:00:00Z")).await;
    let b = v.first().expect("broken");
    assert_eq!(
        (b.sequence, b.reason.as_str()),
        (second["certification"]["sequence"].as_i64(), "SUBJECT_CHANGED"),
        "{v:?}"
    );
});

db_test!(
    closures_are_read_by_owners_admins_accountants_only_within_the_account,
    no_schedule,
    |app: TestApp| async move {
        let s = app.sign_up("lecture@example.fr", "Lecture").await;
        let other = app.sign_up("autre@example.fr", "Autre").await;
        issue_sample(&app, &s.access).await;
        sealed_on(&app, &s, 1, "2025-04-01T10:00:00Z").await;
        close_due(&app.db, at("2025-04-02T12:00:00Z")).await.unwrap();
        let c = closures(&app, &s.access, "DAILY").await.remove(0);
        let id = c["id"].as_str().unwrap().to_owned();
        let one = app.ok(&s.access, "query($id: ID!) { closure(id: $id) { id csvSha256 } }", json!({ "id": id })).await;
        assert_eq!(one["closure"]["csvSha256"], c["csvSha256"]);

        // The CSV over HTTP: the same bytes.
        let get = |token: Option<String>| {
            let mut r = app.http.get(app.url(&format!("/closures/{id}.csv")));
            if let Some(t) = token {
                r = r.bearer_auth(t);
            }
            r.send()
        };
        let resp = get(Some(s.access.clone())).await.unwrap();
        assert_eq!(resp.status().as_u16(), 200);
        assert_eq!(resp.headers()["content-type"], "text/csv; charset=utf-8");
        assert_eq!(resp.headers()["content-disposition"], "attachment; filename=\"closure-daily-2025-04-01.csv\"");
        let body = resp.bytes().await.unwrap();
        assert_eq!(hex::encode(Sha256::digest(&body)), c["csvSha256"].as_str().unwrap());
        assert_eq!(get(None).await.unwrap().status().as_u16(), 401);

        // Another account sees nothing and cannot download.
        assert!(closures(&app, &other.access, "DAILY").await.is_empty());
        let e = app.err(Some(&other.access), "query($id: ID!) { closure(id: $id) { id } }", json!({ "id": id })).await;
        assert_eq!(code(&e), "NOT_FOUND");
        assert_eq!(get(Some(other.access.clone())).await.unwrap().status().as_u16(), 404);

        // Members do not read closures; accountants and admins do.
        for (role, allowed) in [("member", false), ("accountant", true), ("admin", true)] {
            app.set_membership(&s.account_id, &other.user_id, Some(role)).await;
            let t = app.login_to("autre@example.fr", &s.account_id).await.access;
            let r = app.gql_full(Some(&t), None, "{ closures { totalCount } }", json!({})).await;
            if allowed {
                assert_eq!(r["data"]["closures"]["totalCount"], 1, "{role}: {r}");
                assert_eq!(get(Some(t)).await.unwrap().status().as_u16(), 200);
            } else {
                assert_eq!(code(&r["errors"][0]), "FORBIDDEN", "{role}");
                assert_eq!(get(Some(t)).await.unwrap().status().as_u16(), 403);
            }
        }
    }
);

/// The closure e-mail on a real SMTP server: the app's scheduler (every second here)
/// sends it to the owners, in the account's language, with the CSV attached.
async fn closure_email(backend: Backend) {
    let sink = SmtpSink::start().await;
    let url = sink.url();
    let Some(app) = TestApp::spawn(backend, |c: &mut Config| {
        c.smtp_url = Some(Secret::new(url));
        c.closures_cron = "* * * * * *".into();
        c.mail_from = "Scelle <clotures@scelle.test>".into();
    })
    .await
    else {
        return;
    };
    let fr = app.sign_up("proprio@example.fr", "Boulangerie").await;
    let en = app.sign_up("owner@example.com", "Bakery").await;
    app.sql(&format!("UPDATE accounts SET language = 'en' WHERE id = {}", id_sql(&app, &en.account_id))).await;
    for s in [&fr, &en] {
        issue_sample(&app, &s.access).await;
    }
    // Sealed now: close today by running the closures as of tomorrow noon.
    let tomorrow = Utc::now() + chrono::Duration::days(1);
    close_due(&app.db, tomorrow).await.unwrap();
    let all = |s: &Session| {
        let token = s.access.clone();
        let app = &app;
        async move {
            app.ok(&token, &format!("{{ closures(perPage: 100) {{ items {{ {FIELDS} }} }} }}"), json!({})).await["closures"]
                ["items"]
                .as_array()
                .unwrap()
                .clone()
        }
    };
    let expected = all(&fr).await.len() + all(&en).await.len();
    assert!(expected >= 2);
    let mails = sink.wait_for(expected, 30).await;
    assert_eq!(mails.len(), expected, "one e-mail per closure");

    for (s, lang) in [(&fr, "fr"), (&en, "en")] {
        let list = all(s).await;
        let daily = list.iter().find(|c| c["frequency"] == "DAILY").unwrap();
        // The delivery is recorded (the scheduler may still be recording it).
        let mut sent = daily["emailSentAt"].clone();
        for _ in 0..50 {
            if !sent.is_null() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            sent = all(s).await.iter().find(|c| c["id"] == daily["id"]).unwrap()["emailSentAt"].clone();
        }
        assert!(!sent.is_null(), "emailSentAt recorded");
        let sha = daily["csvSha256"].as_str().unwrap();
        let mail = mails
            .iter()
            .find(|m| {
                let parsed = mail_parser::MessageParser::default().parse(&m.data).unwrap();
                parsed.attachments().any(|a| hex::encode(Sha256::digest(a.contents())) == sha)
            })
            .unwrap_or_else(|| panic!("no e-mail carries the CSV of {sha}"));
        let owner = if lang == "fr" { "proprio@example.fr" } else { "owner@example.com" };
        assert_eq!(mail.to, [owner]);
        let parsed = mail_parser::MessageParser::default().parse(&mail.data).unwrap();
        assert_eq!(parsed.to().and_then(|a| a.first()).and_then(|a| a.address()), Some(owner));
        let subject = parsed.subject().unwrap();
        let text = parsed.body_text(0).unwrap().to_string();
        let block = daily["certification"]["hash"].as_str().unwrap();
        assert!(text.contains(block), "block hash in {text}");
        assert!(text.contains(sha), "file hash in {text}");
        if lang == "fr" {
            assert!(subject.starts_with("Clôture journalière"), "{subject}");
            assert!(text.contains("Chiffre d'affaires HT : 110,00"), "{text}");
            assert!(text.contains("Total TVA : 20,55"), "{text}");
            assert!(text.contains("Total TTC : 130,55"), "{text}");
            assert!(text.contains("TVA 20 : Total HT 100,00 / Total TVA 20,00 / Total TTC 120,00"), "{text}");
        } else {
            assert!(subject.starts_with("Closure daily"), "{subject}");
            assert!(text.contains("Turnover excl. tax: 110.00"), "{text}");
            assert!(text.contains("Total VAT: 20.55"), "{text}");
            assert!(text.contains("Total incl. tax: 130.55"), "{text}");
        }
        let attachment = parsed.attachments().next().unwrap();
        use mail_parser::MimeHeaders;
        let ct = attachment.content_type().unwrap();
        assert_eq!((ct.ctype(), ct.subtype()), ("text", Some("csv")));
        assert_eq!(
            attachment.attachment_name(),
            Some(format!("closure-daily-{}.csv", daily["periodStart"].as_str().unwrap()).as_str())
        );
        assert_eq!(attachment.contents(), daily["csv"].as_str().unwrap().as_bytes());
    }
    // Sent once: later ticks send nothing more.
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert_eq!(sink.messages().await.len(), expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closure_email_sqlite() {
    closure_email(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closure_email_postgres() {
    closure_email(Backend::Postgres).await;
}

db_test!(
    without_a_mail_server_emails_are_written_to_the_outbox,
    |c: &mut Config| c.closures_cron = "* * * * * *".into(),
    |app: TestApp| async move {
        let s = app.sign_up("boite@example.fr", "Boite").await;
        issue_sample(&app, &s.access).await;
        close_due(&app.db, Utc::now() + chrono::Duration::days(1)).await.unwrap();
        let outbox = app.data_dir().join("outbox");
        let mut files = Vec::new();
        for _ in 0..50 {
            files = std::fs::read_dir(&outbox)
                .map(|d| {
                    d.filter_map(|e| e.ok()).filter(|e| e.path().extension().is_some_and(|x| x == "eml")).collect()
                })
                .unwrap_or_default();
            if !files.is_empty() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        assert!(!files.is_empty(), "an .eml file in {}", outbox.display());
        let raw = std::fs::read(files[0].path()).unwrap();
        let parsed = mail_parser::MessageParser::default().parse(&raw).unwrap();
        assert!(parsed.subject().unwrap().starts_with("Clôture"));
    }
);
