//! Payments end to end: the seed's example, allocation in order, what updates and deletes
//! give back, unpaid payments, bad input, roles, isolation, concurrency, lists, and what
//! payments mean for the documents they pay.

use scelle_tests::*;
use serde_json::{Value, json};

const PAY: &str =
    "id price currency paidDate paid kind name unallocated clientId departmentId invoices { invoiceId amount }";
const CREATE: &str = "mutation($i: PaymentInput!) { createPayment(input: $i) { id price currency paidDate paid kind name unallocated clientId departmentId invoices { invoiceId amount } } }";
const UPDATE: &str = "mutation($id: ID!, $i: PaymentInput!) { updatePayment(id: $id, input: $i) { id price currency paidDate paid kind name unallocated clientId departmentId invoices { invoiceId amount } } }";
const DELETE: &str = "mutation($id: ID!) { deletePayment(id: $id) { id } }";
const DOC: &str = "query($id: ID!) { invoice(id: $id) { status paid paidDate } }";

fn today() -> String {
    chrono::Utc::now().with_timezone(&chrono_tz::Europe::Paris).date_naive().to_string()
}

/// An issued document of `gross` (no tax, so net = gross), of a kind and currency.
/// A document of `gross` without tax (so net = gross) to Acme.
async fn document(app: &TestApp, token: &str, gross: &str, kind: &str, currency: &str, issue: bool) -> String {
    let input = Invoice::to("Acme").kind(kind).with(json!({ "currency": currency })).line("Service", "0", gross);
    app.new_invoice(token, "id", input, issue).await["id"].as_str().unwrap().to_owned()
}

async fn invoice(app: &TestApp, token: &str, gross: &str) -> String {
    app.issue_id(token, Invoice::to("Acme").line("Service", "0", gross)).await
}

async fn update(app: &TestApp, token: &str, id: &Value, input: Value) -> Value {
    app.ok(token, UPDATE, json!({ "id": id, "i": input })).await["updatePayment"].clone()
}

/// A document's status, paid amount and paid date.
async fn doc(app: &TestApp, token: &str, id: &str) -> Value {
    app.invoice(token, id, "status paid paidDate").await
}

/// An amount ("12.50", always two decimals) in cents, to add amounts exactly.
fn cents(amount: &Value) -> i64 {
    let text = amount.as_str().unwrap_or_else(|| panic!("not an amount: {amount}"));
    assert_eq!(text.len() - text.find('.').expect("two decimals"), 3, "{text}");
    text.replace('.', "").parse().unwrap()
}

fn state(status: &str, paid: &str, paid_date: Option<&str>) -> Value {
    json!({ "status": status, "paid": paid, "paidDate": paid_date })
}

async fn payment_count(app: &TestApp, token: &str) -> Value {
    app.ok(token, "{ payments { totalCount } }", json!({})).await["payments"]["totalCount"].clone()
}

db_test!(seed_example_pays_in_the_given_order, |app: TestApp| async move {
    let s = app.sign_up("pay-seed@example.fr", "PaySeed").await;
    let (a, b) = (invoice(&app, &s.access, "100").await, invoice(&app, &s.access, "150").await);
    // The seed: 200 on invoices 555 (100 to pay) and 666 (150 to pay), in that order.
    let p = app
        .create_payment(
            &s.access,
            PAY,
            json!({ "name": "Titre du paiement", "price": "200", "invoiceIds": [a, b], "kind": "api" }),
        )
        .await;
    let dept =
        app.ok(&s.access, "{ departments { items { id } } }", json!({})).await["departments"]["items"][0]["id"].clone();
    assert_eq!(
        (p["price"].clone(), p["currency"].clone(), p["paid"].clone(), p["kind"].clone(), p["paidDate"].clone()),
        (json!("200.00"), json!("EUR"), json!(true), json!("api"), json!(today()))
    );
    assert_eq!(p["departmentId"], dept, "the first invoice's department");
    assert_eq!(p["invoices"], json!([{ "invoiceId": a, "amount": "100.00" }, { "invoiceId": b, "amount": "100.00" }]));
    assert_eq!(p["unallocated"], "0.00");
    assert_eq!(doc(&app, &s.access, &a).await, state("PAID", "100.00", Some(&today())));
    assert_eq!(doc(&app, &s.access, &b).await, state("PARTIAL", "100.00", None));

    // The seed's include=invoices and connected_payments, both ways.
    let r = app
        .ok(
            &s.access,
            "query($id: ID!, $d: ID!) { payment(id: $id) { invoices { amount invoice { id priceGross status } } } invoice(id: $d) { payments { amount paymentId payment { name price } } } }",
            json!({ "id": p["id"], "d": b }),
        )
        .await;
    assert_eq!(
        r["payment"]["invoices"],
        json!([{ "amount": "100.00", "invoice": { "id": a, "priceGross": "100.00", "status": "PAID" } },
               { "amount": "100.00", "invoice": { "id": b, "priceGross": "150.00", "status": "PARTIAL" } }])
    );
    assert_eq!(
        r["invoice"]["payments"],
        json!([{ "amount": "100.00", "paymentId": p["id"], "payment": { "name": "Titre du paiement", "price": "200.00" } }])
    );

    // A second payment finishes the second invoice; the invoice shows both.
    let p2 =
        app.create_payment(&s.access, PAY, json!({ "price": "50", "invoiceId": b, "paidDate": "2026-01-15" })).await;
    assert_eq!(p2["invoices"], json!([{ "invoiceId": b, "amount": "50.00" }]));
    assert_eq!(doc(&app, &s.access, &b).await["status"], "PAID");
    let latest = std::cmp::max(today(), "2026-01-15".to_owned());
    assert_eq!(doc(&app, &s.access, &b).await["paidDate"], latest, "the latest payment date");
    let amounts =
        app.ok(&s.access, "query($d: ID!) { invoice(id: $d) { payments { amount } } }", json!({ "d": b })).await;
    assert_eq!(amounts["invoice"]["payments"], json!([{ "amount": "100.00" }, { "amount": "50.00" }]));
});

db_test!(remainders_updates_and_deletes, |app: TestApp| async move {
    let s = app.sign_up("pay-upd@example.fr", "PayUpd").await;
    let (a, b) = (invoice(&app, &s.access, "100").await, invoice(&app, &s.access, "150").await);
    // More than the invoices ask for: the rest stays on the payment.
    let p = app.create_payment(&s.access, PAY, json!({ "price": "300", "invoiceIds": [a, b] })).await;
    assert_eq!(p["unallocated"], "50.00");
    assert_eq!(p["invoices"], json!([{ "invoiceId": a, "amount": "100.00" }, { "invoiceId": b, "amount": "150.00" }]));
    assert_eq!(doc(&app, &s.access, &b).await["status"], "PAID");
    // Money received is sealed: the payment no longer changes nor goes, and nothing moved.
    for (q, vars) in [(UPDATE, json!({ "id": p["id"], "i": { "price": "120" } })), (DELETE, json!({ "id": p["id"] }))] {
        assert_eq!(code(&app.err(Some(&s.access), q, vars).await), "PAYMENT_SEALED", "{q}");
    }
    assert_eq!(doc(&app, &s.access, &b).await, state("PAID", "150.00", Some(&today())));

    // A payment not yet paid changes freely: price, invoices (replaced, in order), unlinked, deleted.
    let (c, d) = (invoice(&app, &s.access, "100").await, invoice(&app, &s.access, "150").await);
    let q = app.create_payment(&s.access, PAY, json!({ "price": "300", "invoiceIds": [c, d], "paid": false })).await;
    let u = update(&app, &s.access, &q["id"], json!({ "price": "50.5" })).await;
    assert_eq!((u["price"].as_str(), u["unallocated"].as_str()), (Some("50.50"), Some("50.50")));
    // Absent fields are unchanged.
    assert_eq!((u["name"].clone(), u["kind"].as_str()), (Value::Null, Some("api")));
    let u = update(&app, &s.access, &q["id"], json!({ "invoiceId": d })).await;
    assert_eq!(u["invoices"], json!([{ "invoiceId": d, "amount": "0.00" }]));
    let u = update(&app, &s.access, &q["id"], json!({ "invoiceId": null })).await;
    assert_eq!((u["invoices"].clone(), u["unallocated"].as_str()), (json!([]), Some("50.50")));
    app.ok(&s.access, DELETE, json!({ "id": q["id"] })).await;
    // Paid at last, it applies in order, like a new one.
    let q = app.create_payment(&s.access, PAY, json!({ "price": "120", "invoiceIds": [c, d], "paid": false })).await;
    let u = update(&app, &s.access, &q["id"], json!({ "paid": true })).await;
    assert_eq!(u["invoices"], json!([{ "invoiceId": c, "amount": "100.00" }, { "invoiceId": d, "amount": "20.00" }]));
    assert_eq!(doc(&app, &s.access, &c).await, state("PAID", "100.00", Some(&today())));
    assert_eq!(doc(&app, &s.access, &d).await, state("PARTIAL", "20.00", None));

    // An allocation is fixed when its payment is written.
    let e = invoice(&app, &s.access, "100").await;
    app.create_payment(&s.access, PAY, json!({ "price": "80", "invoiceId": e })).await;
    let p2 = app.create_payment(&s.access, PAY, json!({ "price": "50", "invoiceId": e })).await;
    assert_eq!((p2["invoices"][0]["amount"].as_str(), p2["unallocated"].as_str()), (Some("20.00"), Some("30.00")));
    assert_eq!(doc(&app, &s.access, &e).await, state("PAID", "100.00", Some(&today())));
    let gone = uuid::Uuid::now_v7().to_string();
    assert_eq!(code(&app.err(Some(&s.access), DELETE, json!({ "id": gone })).await), "NOT_FOUND");

    // A status set by hand: `sent` stays while nothing is paid; `rejected` always stays.
    let f = invoice(&app, &s.access, "100").await;
    let status = "mutation($id: ID!, $s: DocumentStatus!) { changeStatus(id: $id, status: $s) { status } }";
    app.ok(&s.access, status, json!({ "id": f, "s": "SENT" })).await;
    let pending = app.create_payment(&s.access, PAY, json!({ "price": "10", "invoiceId": f, "paid": false })).await;
    assert_eq!(doc(&app, &s.access, &f).await["status"], "SENT");
    update(&app, &s.access, &pending["id"], json!({ "paid": true })).await;
    assert_eq!(doc(&app, &s.access, &f).await["status"], "PARTIAL");
    let g = invoice(&app, &s.access, "150").await;
    app.ok(&s.access, status, json!({ "id": g, "s": "REJECTED" })).await;
    app.create_payment(&s.access, PAY, json!({ "price": "150", "invoiceId": g })).await;
    assert_eq!(doc(&app, &s.access, &g).await, state("REJECTED", "150.00", Some(&today())));
});

db_test!(unpaid_payments_allocate_nothing, |app: TestApp| async move {
    let s = app.sign_up("pay-unpaid@example.fr", "PayUnpaid").await;
    let a = invoice(&app, &s.access, "100").await;
    let p = app.create_payment(&s.access, PAY, json!({ "price": "60", "invoiceId": a, "paid": false })).await;
    // The link is kept (the payment is expected for this invoice), with nothing paid yet.
    assert_eq!(
        (p["paid"].clone(), p["paidDate"].clone(), p["unallocated"].clone(), p["invoices"].clone()),
        (json!(false), Value::Null, json!("60.00"), json!([{ "invoiceId": a, "amount": "0.00" }]))
    );
    assert_eq!(doc(&app, &s.access, &a).await, state("ISSUED", "0.00", None));
    // Once paid, it applies, dated as given.
    let u = update(&app, &s.access, &p["id"], json!({ "paid": true, "paidDate": "2026-02-03" })).await;
    assert_eq!((u["paidDate"].as_str(), u["invoices"][0]["amount"].as_str()), (Some("2026-02-03"), Some("60.00")));
    assert_eq!(doc(&app, &s.access, &a).await, state("PARTIAL", "60.00", None));
    let full =
        app.create_payment(&s.access, PAY, json!({ "price": "40", "invoiceId": a, "paidDate": "2026-01-01" })).await;
    assert_eq!(full["invoices"][0]["amount"], "40.00");
    assert_eq!(doc(&app, &s.access, &a).await, state("PAID", "100.00", Some("2026-02-03")));
    // Once paid, it is sealed: it cannot go back to unpaid.
    let e = app.err(Some(&s.access), UPDATE, json!({ "id": p["id"], "i": { "paid": false } })).await;
    assert_eq!(code(&e), "PAYMENT_SEALED");
    assert_eq!(doc(&app, &s.access, &a).await, state("PAID", "100.00", Some("2026-02-03")));
    // A payment without invoice (the seed's minimal example) keeps its whole amount.
    let alone = app
        .create_payment(
            &s.access,
            PAY,
            json!({ "name": "Titre du Paiement", "price": "100.00", "invoiceId": null, "paid": true, "kind": "api" }),
        )
        .await;
    assert_eq!((alone["unallocated"].as_str(), alone["invoices"].clone()), (Some("100.00"), json!([])));
});

db_test!(bad_input_writes_nothing, |app: TestApp| async move {
    let s = app.sign_up("pay-bad@example.fr", "PayBad").await;
    let other = app.sign_up("pay-bad-other@example.fr", "PayBadOther").await;
    let a = invoice(&app, &s.access, "100").await;
    let draft = document(&app, &s.access, "100", "VAT", "EUR", false).await;
    let estimate = document(&app, &s.access, "100", "ESTIMATE", "EUR", true).await;
    let credit_note = document(&app, &s.access, "100", "CORRECTION", "EUR", true).await;
    let dollars = document(&app, &s.access, "100", "VAT", "USD", true).await;
    let theirs = invoice(&app, &other.access, "100").await;
    let unknown = uuid::Uuid::now_v7().to_string();
    let cases = [
        (json!({ "price": "10", "invoiceId": draft }), "input.invoiceId", "issue_first"),
        (json!({ "price": "10", "invoiceIds": [a, estimate] }), "input.invoiceIds.1", "not_payable"),
        (json!({ "price": "10", "invoiceIds": [credit_note] }), "input.invoiceIds.0", "not_payable"),
        (json!({ "price": "10", "invoiceIds": [a, theirs] }), "input.invoiceIds.1", "unknown_document"),
        (json!({ "price": "10", "invoiceId": unknown }), "input.invoiceId", "unknown_document"),
        (json!({ "price": "10", "invoiceIds": [a, dollars] }), "input.invoiceIds.1", "currency_mismatch"),
        (json!({ "price": "10", "currency": "USD", "invoiceId": a }), "input.invoiceId", "currency_mismatch"),
        (json!({ "price": "0", "invoiceId": a }), "input.price", "positive_amount"),
        (json!({ "price": "-5", "invoiceId": a }), "input.price", "positive_amount"),
        (json!({ "price": "1.005", "invoiceId": a }), "input.price", "cents"),
        (json!({ "price": "10", "invoiceId": a, "invoiceIds": [a] }), "input.invoiceIds", "invoice_id_or_ids"),
        (json!({ "price": "10", "invoiceIds": [a, a] }), "input.invoiceIds.1", "duplicate_invoice"),
        (json!({ "price": "10", "quantity": "0" }), "input.quantity", "positive_quantity"),
        (json!({ "price": "10", "currency": "euros" }), "input.currency", "currency_code"),
    ];
    for (input, field, rule) in cases {
        let e = app.err(Some(&s.access), CREATE, json!({ "i": input })).await;
        assert_eq!(
            (code(&e), e["extensions"]["fields"][0]["field"].as_str(), e["extensions"]["fields"][0]["code"].as_str()),
            ("VALIDATION_FAILED", Some(field), Some("RULE")),
            "{rule}: {e}"
        );
        let message = e["extensions"]["fields"][0]["message"].as_str().unwrap();
        assert_ne!(message, "Invalid value.", "{rule} has its own message");
    }
    for (input, field, field_code) in [
        (json!({ "invoiceId": a }), "input.price", "REQUIRED"),
        (json!({ "price": "10", "invoiceIds": ["42"] }), "input.invoiceIds.0", "INVALID_ID"),
        (json!({ "price": "10", "email": "nope" }), "input.email", "INVALID_EMAIL"),
        (json!({ "price": "10", "name": "x".repeat(300) }), "input.name", "TOO_LONG"),
        (json!({ "price": "10", "clientId": unknown }), "input.clientId", "RULE"),
        (json!({ "price": "10", "productId": unknown }), "input.productId", "RULE"),
        (json!({ "price": "10", "departmentId": unknown }), "input.departmentId", "RULE"),
    ] {
        let e = app.err(Some(&s.access), CREATE, json!({ "i": input })).await;
        assert_eq!(
            (e["extensions"]["fields"][0]["field"].as_str(), e["extensions"]["fields"][0]["code"].as_str()),
            (Some(field), Some(field_code)),
            "{e}"
        );
    }
    // Decimals travel as strings; more than 6 decimals or a number is refused by the scalar.
    for price in [json!(10.5), json!("1.0000001")] {
        let e = app.err(Some(&s.access), CREATE, json!({ "i": { "price": price } })).await;
        assert_eq!(code(&e), "VALIDATION_FAILED", "{e}");
    }
    // Messages in French.
    let r = app
        .gql_full(Some(&s.access), Some("fr"), CREATE, json!({ "i": { "price": "10", "invoiceIds": [a, dollars] } }))
        .await;
    assert_eq!(
        r["errors"][0]["extensions"]["fields"][0]["message"],
        "Ce document est dans une autre devise que le paiement."
    );

    // Nothing was written: no payment, no amount paid.
    assert_eq!(payment_count(&app, &s.access).await, 0);
    assert_eq!(doc(&app, &s.access, &a).await, state("ISSUED", "0.00", None));
    assert_eq!(doc(&app, &other.access, &theirs).await, state("ISSUED", "0.00", None));

    // An update with bad input changes nothing either (a payment not yet paid: a paid one
    // is sealed and refuses every update).
    let p = app.create_payment(&s.access, PAY, json!({ "price": "30", "invoiceId": a, "paid": false })).await;
    for input in [json!({ "price": "0" }), json!({ "invoiceIds": [a, estimate] }), json!({ "currency": "USD" })] {
        let e = app.err(Some(&s.access), UPDATE, json!({ "id": p["id"], "i": input })).await;
        assert_eq!(code(&e), "VALIDATION_FAILED", "{e}");
    }
    let e = app.err(Some(&s.access), UPDATE, json!({ "id": p["id"], "i": { "currency": "USD" } })).await;
    assert_eq!(e["extensions"]["fields"][0]["field"], "input.currency", "kept invoices report on the new currency");
    let still = app
        .ok(&s.access, &format!("query($id: ID!) {{ payment(id: $id) {{ {PAY} }} }}"), json!({ "id": p["id"] }))
        .await;
    assert_eq!(still["payment"], p);
    assert_eq!(doc(&app, &s.access, &a).await, state("ISSUED", "0.00", None));
    // A malformed id is refused before anything is read.
    let e = app.err(Some(&s.access), "{ payment(id: \"42\") { id } }", json!({})).await;
    assert_eq!(e["extensions"]["fields"][0]["code"], "INVALID_ID");
});

db_test!(accountants_read_but_cannot_write, |app: TestApp| async move {
    let s = app.sign_up("pay-owner@example.fr", "PayOwner").await;
    let acc_user = app.sign_up("pay-acc@example.fr", "PayAcc").await;
    let a = invoice(&app, &s.access, "100").await;
    let p = app.create_payment(&s.access, PAY, json!({ "price": "40", "invoiceId": a })).await;
    app.set_membership(&s.account_id, &acc_user.user_id, Some("accountant")).await;
    let acc = app.login_to("pay-acc@example.fr", &s.account_id).await;
    for (q, vars) in [
        (CREATE, json!({ "i": { "price": "10", "invoiceId": a } })),
        (UPDATE, json!({ "id": p["id"], "i": { "price": "100" } })),
        (DELETE, json!({ "id": p["id"] })),
    ] {
        assert_eq!(code(&app.err(Some(&acc.access), q, vars).await), "FORBIDDEN", "{q}");
    }
    let read = app.ok(&acc.access, "{ payments { totalCount items { price } } }", json!({})).await;
    assert_eq!(read["payments"], json!({ "totalCount": 1, "items": [{ "price": "40.00" }] }));
    assert_eq!(doc(&app, &s.access, &a).await, state("PARTIAL", "40.00", None));
});

db_test!(other_accounts_never_see_or_touch_payments, |app: TestApp| async move {
    let a = app.sign_up("pay-iso-a@example.fr", "PayIsoA").await;
    let b = app.sign_up("pay-iso-b@example.fr", "PayIsoB").await;
    let inv = invoice(&app, &a.access, "100").await;
    let p = app.create_payment(&a.access, PAY, json!({ "price": "40", "invoiceId": inv, "name": "A's" })).await;
    let token_b =
        app.ok(&b.access, "mutation { createApiToken(name: \"B\") { token } }", json!({})).await["createApiToken"]["token"]
            .as_str()
            .unwrap()
            .to_owned();
    for cred in [b.access.as_str(), token_b.as_str()] {
        for (q, vars) in [
            ("query($id: ID!) { payment(id: $id) { id } }", json!({ "id": p["id"] })),
            (UPDATE, json!({ "id": p["id"], "i": { "price": "1", "name": "pwned" } })),
            (DELETE, json!({ "id": p["id"] })),
            ("query($id: ID!) { invoice(id: $id) { payments { amount } } }", json!({ "id": inv })),
        ] {
            assert_eq!(code(&app.err(Some(cred), q, vars).await), "NOT_FOUND", "{q}");
        }
        // A's invoice is unknown to B: B cannot pay it.
        let e = app.err(Some(cred), CREATE, json!({ "i": { "price": "60", "invoiceIds": [inv] } })).await;
        assert_eq!(
            (e["extensions"]["fields"][0]["field"].as_str(), e["extensions"]["fields"][0]["message"].as_str()),
            (Some("input.invoiceIds.0"), Some("No such document in this account."))
        );
        let lists = app
            .ok(
                cred,
                "query($d: ID!) { all: payments { totalCount } byInvoice: payments(filter: { invoiceId: $d }) { totalCount } }",
                json!({ "d": inv }),
            )
            .await;
        assert_eq!(lists, json!({ "all": { "totalCount": 0 }, "byInvoice": { "totalCount": 0 } }));
    }
    // B's own payment is invisible to A.
    let theirs = app.create_payment(&b.access, PAY, json!({ "price": "5" })).await;
    assert_eq!(
        code(
            &app.err(Some(&a.access), "query($id: ID!) { payment(id: $id) { id } }", json!({ "id": theirs["id"] }))
                .await
        ),
        "NOT_FOUND"
    );
    // Nothing of A changed.
    let after = app
        .ok(&a.access, &format!("query($id: ID!) {{ payment(id: $id) {{ {PAY} }} }}"), json!({ "id": p["id"] }))
        .await;
    assert_eq!(after["payment"], p);
    assert_eq!(doc(&app, &a.access, &inv).await, state("PARTIAL", "40.00", None));
    assert_eq!(payment_count(&app, &a.access).await, 1);
});

db_test!(concurrent_payments_never_overpay, |app: TestApp| async move {
    let s = app.sign_up("pay-race@example.fr", "PayRace").await;
    let inv = invoice(&app, &s.access, "100").await;
    let answers = app
        .concurrently(8, Some(&s.access), |_| {
            json!({ "query": "mutation($i: PaymentInput!) { createPayment(input: $i) { invoices { amount } unallocated } }",
                    "variables": { "i": { "price": "30", "invoiceId": inv } } })
        })
        .await;
    let (mut allocated, mut unallocated) = (0, 0);
    for r in &answers {
        let p = &r["data"]["createPayment"];
        assert!(p.is_object(), "every payment is recorded: {r}");
        allocated += cents(&p["invoices"][0]["amount"]);
        unallocated += cents(&p["unallocated"]);
    }
    assert_eq!(allocated, 100 * 100, "{answers:?}");
    assert_eq!(unallocated, 140 * 100, "8 × 30 − 100");
    assert_eq!(doc(&app, &s.access, &inv).await, state("PAID", "100.00", Some(&today())));
    let listed = app
        .ok(&s.access, "query($d: ID!) { invoice(id: $d) { payments { amount } } }", json!({ "d": inv }))
        .await["invoice"]["payments"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(listed, 8);

    // Updates racing with deletes: every one refused (the payments are sealed), nothing moves.
    let ids: Vec<String> =
        app.ok(&s.access, "{ payments(perPage: 100) { items { id } } }", json!({})).await["payments"]["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_str().unwrap().to_owned())
            .collect();
    let answers = app
        .concurrently(ids.len(), Some(&s.access), |i| {
            if i % 2 == 0 {
                json!({ "query": DELETE, "variables": { "id": ids[i] } })
            } else {
                json!({ "query": UPDATE, "variables": { "id": ids[i], "i": { "price": "25" } } })
            }
        })
        .await;
    assert!(answers.iter().all(|r| code(&r["errors"][0]) == "PAYMENT_SEALED"), "{answers:?}");
    let r = app
        .ok(&s.access, "query($d: ID!) { invoice(id: $d) { paid status payments { amount } } }", json!({ "d": inv }))
        .await;
    let sum: i64 = r["invoice"]["payments"].as_array().unwrap().iter().map(|p| cents(&p["amount"])).sum();
    let paid = cents(&r["invoice"]["paid"]);
    assert_eq!((paid, sum), (100 * 100, 100 * 100), "{r}");
});

db_test!(lists_filter_and_order, |app: TestApp| async move {
    let s = app.sign_up("pay-list@example.fr", "PayList").await;
    let (a, b) = (invoice(&app, &s.access, "1000").await, invoice(&app, &s.access, "1000").await);
    let client = app.client_id(&s.access, json!({ "name": "Payeur" })).await;
    let dept = app.ok(&s.access, "mutation { createDepartment(input: { name: \"Filiale\" }) { id } }", json!({})).await
        ["createDepartment"]["id"]
        .clone();
    // Prices chosen so that text order differs from value order ("9.99" > "100.00" as text).
    let p1 = app
        .create_payment(
            &s.access,
            PAY,
            json!({ "name": "p1", "price": "9.99", "paidDate": "2024-03-01", "invoiceId": a }),
        )
        .await;
    let p2 = app
        .create_payment(
            &s.access,
            PAY,
            json!({ "name": "p2", "price": "100", "paidDate": "2025-06-15", "invoiceIds": [a, b], "kind": "cash" }),
        )
        .await;
    let p3 = app
        .create_payment(
            &s.access,
            PAY,
            json!({ "name": "p3", "price": "10", "paid": false, "clientId": client, "departmentId": dept }),
        )
        .await;
    let p4 = app
        .create_payment(
            &s.access,
            PAY,
            json!({ "name": "p4", "price": "55.5", "paidDate": "2025-01-10", "invoiceId": b }),
        )
        .await;
    let names = |filter: Value, order: Option<&'static str>| {
        let (app, token) = (&app, s.access.clone());
        async move {
            let r = app
                .ok(
                    &token,
                    "query($f: PaymentFilter, $o: PaymentOrder) { payments(filter: $f, order: $o) { totalCount items { name } } }",
                    json!({ "f": filter, "o": order }),
                )
                .await;
            let names: Vec<String> = r["payments"]["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["name"].as_str().unwrap().to_owned())
                .collect();
            assert_eq!(r["payments"]["totalCount"], names.len(), "{r}");
            names
        }
    };
    // Default: newest payment date first, undated (unpaid) last.
    assert_eq!(names(json!({}), None).await, ["p2", "p4", "p1", "p3"]);
    assert_eq!(names(json!({}), Some("PAID_DATE")).await, ["p1", "p4", "p2", "p3"]);
    assert_eq!(names(json!({}), Some("PRICE")).await, ["p1", "p3", "p4", "p2"]);
    assert_eq!(names(json!({}), Some("PRICE_DESC")).await, ["p2", "p4", "p3", "p1"]);
    assert_eq!(names(json!({}), Some("CREATED_AT")).await, ["p1", "p2", "p3", "p4"]);
    assert_eq!(names(json!({}), Some("UPDATED_AT_DESC")).await, ["p4", "p3", "p2", "p1"]);
    // Filters.
    assert_eq!(names(json!({ "invoiceId": a }), None).await, ["p2", "p1"]);
    assert_eq!(names(json!({ "invoiceId": b }), None).await, ["p2", "p4"]);
    assert_eq!(names(json!({ "clientId": client }), None).await, ["p3"]);
    assert_eq!(names(json!({ "departmentId": dept }), None).await, ["p3"]);
    assert_eq!(names(json!({ "paid": false }), None).await, ["p3"]);
    assert_eq!(names(json!({ "paid": true, "kind": "cash" }), None).await, ["p2"]);
    assert_eq!(names(json!({ "kind": "api" }), Some("PRICE")).await, ["p1", "p3", "p4"]);
    assert_eq!(
        names(json!({ "period": "MORE", "dateFrom": "2025-01-01", "dateTo": "2025-12-31" }), None).await,
        ["p2", "p4"]
    );
    assert_eq!(names(json!({ "dateFrom": "2025-02-01" }), None).await, ["p2"]);
    assert_eq!(names(json!({ "dateTo": "2025-01-10" }), None).await, ["p4", "p1"]);
    assert_eq!(names(json!({ "period": "ALL" }), None).await, ["p2", "p4", "p1", "p3"]);
    assert!(names(json!({ "period": "THIS_MONTH" }), None).await.is_empty());
    // Pages.
    let r = app
        .ok(&s.access, "{ payments(page: 2, perPage: 3) { totalCount page perPage items { name } } }", json!({}))
        .await;
    assert_eq!(r["payments"], json!({ "totalCount": 4, "page": 2, "perPage": 3, "items": [{ "name": "p3" }] }));
    let e = app.err(Some(&s.access), "{ payments(perPage: 101) { totalCount } }", json!({})).await;
    assert_eq!(e["extensions"]["fields"][0]["field"], "perPage");
    let e = app.err(Some(&s.access), "{ payments(filter: { invoiceId: \"x\" }) { totalCount } }", json!({})).await;
    assert_eq!(e["extensions"]["fields"][0]["field"], "filter.invoiceId");
    let _ = (p1, p2, p3, p4);
});

db_test!(every_seed_field_round_trips, |app: TestApp| async move {
    let s = app.sign_up("pay-fields@example.fr", "PayFields").await;
    let product = app.product_id(&s.access, json!({ "name": "Abonnement", "tax": "20", "priceNet": "100" })).await;
    // The seed's "Full JSON" example, in camelCase.
    let input = json!({
        "city": null, "clientId": null, "comment": null, "country": null, "currency": "EUR", "departmentId": null,
        "description": "abonnement mensuel", "email": "email@email.com", "firstName": "Paul",
        "invoiceCity": "Paris", "invoiceComment": "", "invoiceCountry": null, "invoiceId": null,
        "invoiceName": "Durand Paul", "invoicePostCode": "06800", "invoiceStreet": "75 Rue du Parc",
        "invoiceTaxNo": "FR5252445767", "lastName": "Durand", "name": "Titre du Paiement", "oid": "", "paid": true,
        "paidDate": null, "phone": null, "postCode": null, "price": "100.00", "productId": product, "promocode": "",
        "provider": "virement", "providerResponse": null, "providerStatus": null, "providerTitle": null,
        "quantity": "1", "street": null, "kind": "api"
    });
    const ALL: &str = "price currency paidDate paid kind name description comment oid provider providerResponse providerStatus providerTitle invoiceComment productId quantity promocode firstName lastName street city postCode country phone email invoiceName invoiceStreet invoiceCity invoicePostCode invoiceCountry invoiceTaxNo departmentId clientId unallocated createdAt updatedAt id";
    let p = app
        .ok(
            &s.access,
            &format!("mutation($i: PaymentInput!) {{ createPayment(input: $i) {{ {ALL} }} }}"),
            json!({ "i": input }),
        )
        .await["createPayment"]
        .clone();
    let expected = json!({
        "price": "100.00", "currency": "EUR", "paidDate": today(), "paid": true, "kind": "api",
        "name": "Titre du Paiement", "description": "abonnement mensuel", "comment": null, "oid": null,
        "provider": "virement", "providerResponse": null, "providerStatus": null, "providerTitle": null,
        "invoiceComment": null, "productId": product, "quantity": "1", "promocode": null, "firstName": "Paul",
        "lastName": "Durand", "street": null, "city": null, "postCode": null, "country": null, "phone": null,
        "email": "email@email.com", "invoiceName": "Durand Paul", "invoiceStreet": "75 Rue du Parc",
        "invoiceCity": "Paris", "invoicePostCode": "06800", "invoiceCountry": null, "invoiceTaxNo": "FR5252445767",
        "departmentId": null, "clientId": null, "unallocated": "100.00"
    });
    for (k, v) in expected.as_object().unwrap() {
        assert_eq!(&p[k], v, "{k}");
    }
    // On update (of a payment not yet paid: a paid one is sealed), absent fields stay and null clears.
    let mut unpaid_input = input.clone();
    unpaid_input["paid"] = json!(false);
    let p = app
        .ok(
            &s.access,
            &format!("mutation($i: PaymentInput!) {{ createPayment(input: $i) {{ {ALL} }} }}"),
            json!({ "i": unpaid_input }),
        )
        .await["createPayment"]
        .clone();
    let u = app
        .ok(
            &s.access,
            &format!("mutation($id: ID!, $i: PaymentInput!) {{ updatePayment(id: $id, input: $i) {{ {ALL} }} }}"),
            json!({ "id": p["id"], "i": { "name": "Nouveau titre du Paiement", "price": 120.00.to_string(), "firstName": null, "providerStatus": "ok" } }),
        )
        .await["updatePayment"]
        .clone();
    assert_eq!(
        (u["name"].as_str(), u["price"].as_str(), u["firstName"].clone(), u["providerStatus"].as_str()),
        (Some("Nouveau titre du Paiement"), Some("120.00"), Value::Null, Some("ok"))
    );
    assert_eq!((u["lastName"].as_str(), u["invoiceTaxNo"].as_str()), (Some("Durand"), Some("FR5252445767")));
    assert_eq!(u["createdAt"], p["createdAt"]);
});

db_test!(documents_follow_their_payments, |app: TestApp| async move {
    let s = app.sign_up("pay-docs@example.fr", "PayDocs").await;
    // A proforma stays editable once issued: its status follows its new total.
    let pro = document(&app, &s.access, "100", "PROFORMA", "EUR", true).await;
    let p = app.create_payment(&s.access, PAY, json!({ "price": "100", "invoiceId": pro })).await;
    assert_eq!(doc(&app, &s.access, &pro).await, state("PAID", "100.00", Some(&today())));
    let upd = "mutation($id: ID!, $i: InvoiceInput!) { updateInvoice(id: $id, input: $i) { status paid paidDate } }";
    let r = app
        .ok(
            &s.access,
            upd,
            json!({ "id": pro, "i": { "positions": [{ "name": "Plus", "tax": "0", "priceNet": "200" }] } }),
        )
        .await;
    assert_eq!(r["updateInvoice"], state("PARTIAL", "100.00", None));
    // Its currency cannot change under its payments, and it cannot be deleted.
    let e = app.err(Some(&s.access), upd, json!({ "id": pro, "i": { "currency": "USD" } })).await;
    assert_eq!(
        (e["extensions"]["fields"][0]["field"].as_str(), e["extensions"]["fields"][0]["code"].as_str()),
        (Some("input.currency"), Some("RULE"))
    );
    let del = "mutation($id: ID!) { deleteInvoice(id: $id) { id } }";
    let e = app.err(Some(&s.access), del, json!({ "id": pro })).await;
    assert_eq!((code(&e), e["extensions"]["reason"].as_str()), ("CONFLICT", Some("DocumentHasPayments")));
    // The paid payment is sealed: it stays, and so does the proforma.
    assert_eq!(code(&app.err(Some(&s.access), DELETE, json!({ "id": p["id"] })).await), "PAYMENT_SEALED");
    // A payment not yet paid blocks the same way; once it is deleted, both are possible again.
    let pro2 = document(&app, &s.access, "100", "PROFORMA", "EUR", true).await;
    let q = app.create_payment(&s.access, PAY, json!({ "price": "100", "invoiceId": pro2, "paid": false })).await;
    let e = app.err(Some(&s.access), del, json!({ "id": pro2 })).await;
    assert_eq!(e["extensions"]["reason"], "DocumentHasPayments");
    app.ok(&s.access, DELETE, json!({ "id": q["id"] })).await;
    app.ok(&s.access, upd, json!({ "id": pro2, "i": { "currency": "USD" } })).await;
    app.ok(&s.access, del, json!({ "id": pro2 })).await;

    // A department named by a payment cannot be deleted.
    let dept = app
        .ok(&s.access, "mutation { createDepartment(input: { name: \"Boutique\" }) { id } }", json!({}))
        .await["createDepartment"]["id"]
        .clone();
    let p = app.create_payment(&s.access, PAY, json!({ "price": "5", "departmentId": dept, "paid": false })).await;
    assert_eq!(p["departmentId"], dept);
    let e = app
        .err(Some(&s.access), "mutation($id: ID!) { deleteDepartment(id: $id) { id } }", json!({ "id": dept }))
        .await;
    assert_eq!(e["extensions"]["reason"], "DepartmentInUse");
    app.ok(&s.access, DELETE, json!({ "id": p["id"] })).await;
    app.ok(&s.access, "mutation($id: ID!) { deleteDepartment(id: $id) { id } }", json!({ "id": dept })).await;

    // Every payable kind takes payments: advance, final, receipt, other invoice.
    for kind in ["ADVANCE", "FINAL", "RECEIPT", "INVOICE_OTHER"] {
        let d = document(&app, &s.access, "10", kind, "EUR", true).await;
        let p = app.create_payment(&s.access, PAY, json!({ "price": "10", "invoiceId": d })).await;
        assert_eq!(p["invoices"][0]["amount"], "10.00", "{kind}");
        assert_eq!(doc(&app, &s.access, &d).await["status"], "PAID", "{kind}");
    }
    // The payment currency defaults to the first invoice's.
    let usd = document(&app, &s.access, "10", "VAT", "USD", true).await;
    let p = app.create_payment(&s.access, PAY, json!({ "price": "4", "invoiceId": usd })).await;
    assert_eq!(p["currency"], "USD");
});

db_test!(readme_worked_example, |app: TestApp| async move {
    let s = app.sign_up("pay-readme@example.fr", "PayReadme").await;
    let (a, b) = (invoice(&app, &s.access, "100").await, invoice(&app, &s.access, "150").await);
    let row = |p: &Value| p["unallocated"].clone();
    let p = app.create_payment(&s.access, PAY, json!({ "price": "200", "invoiceIds": [a, b] })).await;
    let mut rows = vec![(doc(&app, &s.access, &a).await, doc(&app, &s.access, &b).await, row(&p))];
    let q = app.create_payment(&s.access, PAY, json!({ "price": "80", "invoiceId": b, "paid": false })).await;
    rows.push((doc(&app, &s.access, &a).await, doc(&app, &s.access, &b).await, row(&q)));
    let q = update(&app, &s.access, &q["id"], json!({ "paid": true })).await;
    rows.push((doc(&app, &s.access, &a).await, doc(&app, &s.access, &b).await, row(&q)));
    let e = app.err(Some(&s.access), UPDATE, json!({ "id": p["id"], "i": { "price": "50.5" } })).await;
    rows.push((doc(&app, &s.access, &a).await, doc(&app, &s.access, &b).await, json!(code(&e))));
    let t = today();
    assert_eq!(
        rows,
        [
            (state("PAID", "100.00", Some(&t)), state("PARTIAL", "100.00", None), json!("0.00")),
            (state("PAID", "100.00", Some(&t)), state("PARTIAL", "100.00", None), json!("80.00")),
            (state("PAID", "100.00", Some(&t)), state("PAID", "150.00", Some(&t)), json!("30.00")),
            (state("PAID", "100.00", Some(&t)), state("PAID", "150.00", Some(&t)), json!("PAYMENT_SEALED")),
        ]
    );
});

// Regressions from the payments review: each failed before its fix.

db_test!(a_cancelled_document_takes_no_new_payment, |app: TestApp| async move {
    let s = app.sign_up("pay-cancel@example.fr", "PayCancel").await;
    let pro = document(&app, &s.access, "100", "PROFORMA", "EUR", true).await;
    let kept = app.create_payment(&s.access, PAY, json!({ "price": "40", "invoiceId": pro, "paid": false })).await;
    app.ok(&s.access, "mutation($id: ID!) { cancelInvoice(id: $id) { invoice { status } } }", json!({ "id": pro }))
        .await;
    let r = app.gql_full(Some(&s.access), None, CREATE, json!({ "i": { "price": "60", "invoiceId": pro } })).await;
    assert_eq!(r["errors"][0]["extensions"]["fields"][0]["field"], "input.invoiceId", "{r}");
    assert_eq!(doc(&app, &s.access, &pro).await, state("CANCELLED", "0.00", None));
    // A payment it already had (not yet paid) stays editable.
    update(&app, &s.access, &kept["id"], json!({ "comment": "remboursé à part" })).await;
});

db_test!(credit_notes_lower_what_is_owed, |app: TestApp| async move {
    let s = app.sign_up("pay-credit@example.fr", "PayCredit").await;
    let inv = invoice(&app, &s.access, "100").await;
    app.create_payment(&s.access, PAY, json!({ "price": "70", "invoiceId": inv })).await;
    assert_eq!(doc(&app, &s.access, &inv).await["status"], "PARTIAL");
    // Credited 30: the invoice is owed 70, which is paid.
    app.ok(
        &s.access,
        "mutation($i: InvoiceInput!) { createInvoice(input: $i, issue: true) { id } }",
        json!({ "i": { "kind": "CORRECTION", "invoiceId": inv, "positions": [{ "name": "Service", "tax": "0", "kind": "CORRECTION", "quantity": "-1", "totalPriceNet": "-30" }] } }),
    )
    .await;
    assert_eq!(doc(&app, &s.access, &inv).await, state("PAID", "70.00", Some(&today())));
    // A further payment finds nothing owed: it stays unallocated.
    let extra = app.create_payment(&s.access, PAY, json!({ "price": "10", "invoiceId": inv })).await;
    assert_eq!(extra["unallocated"], "10.00");
});

db_test!(an_unpaid_payment_has_no_date_and_payments_list_oldest_first, |app: TestApp| async move {
    let s = app.sign_up("pay-misc@example.fr", "PayMisc").await;
    let inv = invoice(&app, &s.access, "100").await;
    let first = app
        .create_payment(&s.access, PAY, json!({ "price": "10", "invoiceId": inv, "name": "first", "paid": false }))
        .await;
    app.create_payment(&s.access, PAY, json!({ "price": "20", "invoiceId": inv, "name": "second" })).await;
    // Updating the first rewrites its allocation rows: the list still goes by payment age.
    update(&app, &s.access, &first["id"], json!({ "comment": "x", "paid": true })).await;
    let r =
        app.ok(&s.access, "query($id: ID!) { invoice(id: $id) { payments { amount } } }", json!({ "id": inv })).await;
    assert_eq!(r["invoice"]["payments"], json!([{ "amount": "10.00" }, { "amount": "20.00" }]));
    let unpaid = app.create_payment(&s.access, PAY, json!({ "price": "5", "invoiceId": inv, "paid": false })).await;
    assert_eq!((unpaid["paid"].as_bool(), &unpaid["paidDate"]), (Some(false), &Value::Null));
    // Control characters in a filter are a field error, not a database error.
    let r = app
        .gql_full(
            Some(&s.access),
            None,
            "query($k: String) { payments(filter: { kind: $k }) { totalCount } }",
            json!({ "k": "a\u{0}b" }),
        )
        .await;
    assert_eq!(code(&r["errors"][0]), "VALIDATION_FAILED", "{r}");
    let r = app
        .gql_full(
            Some(&s.access),
            None,
            "query($n: String) { invoices(filter: { number: $n }) { totalCount } }",
            json!({ "n": "a\u{0}b" }),
        )
        .await;
    assert_eq!(code(&r["errors"][0]), "VALIDATION_FAILED", "{r}");
});

db_test!(payments_and_oid_unique_credit_notes_never_deadlock, |app: TestApp| async move {
    let s = app.sign_up("pay-race@example.fr", "PayRace").await;
    let inv = invoice(&app, &s.access, "1000").await;
    let credit = "mutation($i: InvoiceInput!) { createInvoice(input: $i, issue: true) { id } }";
    let results = app
        .concurrently(16, Some(&s.access), |i| {
            if i % 2 == 0 {
                json!({ "query": CREATE, "variables": { "i": { "price": "1", "invoiceId": inv } } })
            } else {
                json!({ "query": credit, "variables": { "i": { "kind": "CORRECTION", "invoiceId": inv, "oid": format!("oid-{i}"), "oidUnique": true,
                    "positions": [{ "name": "Service", "tax": "0", "kind": "CORRECTION", "quantity": "-1", "totalPriceNet": "-1" }] } } })
            }
        })
        .await;
    for r in &results {
        assert!(r.get("errors").is_none(), "{r}");
    }
    assert_eq!(doc(&app, &s.access, &inv).await["paid"], "8.00");
});

db_test!(an_amount_changed_by_hand_is_refused_not_read_as_zero, |app: TestApp| async move {
    // The database changed behind Scelle's back: an invoice's total that is no longer a
    // decimal. A payment must not allocate against it as if it were owed nothing; the
    // write stops with the integrity code and leaves nothing behind, and verification
    // names the document.
    let s = app.sign_up("pay-tampered@example.fr", "PayTampered").await;
    let id = invoice(&app, &s.access, "100").await;
    app.tamper(&format!("UPDATE documents SET price_gross = 'cent euros' WHERE id = {}", app.id_sql(&id))).await;
    let e = app.err(Some(&s.access), CREATE, json!({ "i": { "name": "P", "price": "100", "invoiceIds": [id] } })).await;
    assert_eq!(code(&e), "INTEGRITY_FAILED", "{e}");
    assert_eq!(payment_count(&app, &s.access).await, 0);
    // The sealed document at its sequence, and its numbering series (whose newest
    // document no longer reads back) at none.
    let findings = app.findings(&s.account_id, entity::ledger::store::Chain::Documents).await;
    assert_eq!(findings, [("SUBJECT_CHANGED", Some(1)), ("SUBJECT_CHANGED", None)]);
    // Reading it is refused the same way: never a total shown as zero.
    let e = app.err(Some(&s.access), DOC, json!({ "id": id })).await;
    assert_eq!(code(&e), "INTEGRITY_FAILED", "{e}");
});

db_test!(an_amount_rewritten_in_another_form_is_named, |app: TestApp| async move {
    // The same value written differently ("0100.00" for "100.00") is not what was sealed:
    // amounts read back only in the exact form Scelle writes them.
    let s = app.sign_up("pay-reformatted@example.fr", "PayReformatted").await;
    let id = invoice(&app, &s.access, "100").await;
    let gross = "query($id: ID!) { invoice(id: $id) { priceGross } }";
    assert_eq!(app.ok(&s.access, gross, json!({ "id": id })).await["invoice"]["priceGross"], "100.00");
    app.tamper(&format!("UPDATE documents SET price_gross = '0100.00' WHERE id = {}", app.id_sql(&id))).await;
    let e = app.err(Some(&s.access), DOC, json!({ "id": id })).await;
    assert_eq!(code(&e), "INTEGRITY_FAILED", "{e}");
    // The sealed document at its sequence, and its numbering series (whose newest
    // document no longer reads back) at none.
    let findings = app.findings(&s.account_id, entity::ledger::store::Chain::Documents).await;
    assert_eq!(findings, [("SUBJECT_CHANGED", Some(1)), ("SUBJECT_CHANGED", None)]);
});
