//! Contacts end to end, with the seed's examples ("Créer un contact", "Nature :
//! Professionnel ou particulier", "Modifier un contact", the finders).

use scelle_tests::*;
use serde_json::{Value, json};

const FIELDS: &str = "id name company kind useDeliveryAddress disableAutoReminders useMassPayment sepaB2B discount departmentId birthDate tagList firstName lastName shortcut title postCode city street country taxNoKind taxNo externalId phone mobilePhone fax email emailForReminders www bank bankAccount paymentToKind defaultTax defaultPaymentType person massPaymentCode accountingId accountingId2 sepaMandateNo chorusIdentifierType chorusIdentifier chorusServiceCode ingenicoId birthInseeCountry birthInseeDepartment birthInseeCommunity birthCity inseeCountry inseeCommunity streetKind urssafId note deliveryAddress createdAt updatedAt";

async fn create(app: &TestApp, token: &str, input: Value) -> Value {
    app.ok(
        token,
        &format!("mutation($i: ClientInput!) {{ createClient(input: $i) {{ {FIELDS} }} }}"),
        json!({ "i": input }),
    )
    .await["createClient"]
        .clone()
}

db_test!(seed_examples_create_update_delete, |app: TestApp| async move {
    let s = app.sign_up("contacts@example.fr", "Contacts").await;
    // "Créer un contact": only name is required; a business by default.
    let c = create(
        &app,
        &s.access,
        json!({ "name": "Client1", "taxNo": "FR5252445333", "bank": "banque1", "bankAccount": "IBAN1", "city": "Nice",
                "street": "13 Rue des Fleurs", "country": "", "email": "client@email.fr", "postCode": "06000",
                "phone": "0400000000", "mobilePhone": "0600000000" }),
    )
    .await;
    assert_eq!(
        (c["name"].as_str(), c["company"].as_bool(), c["kind"].as_str()),
        (Some("Client1"), Some(true), Some("buyer"))
    );
    assert_eq!(c["country"], Value::Null, "blank text is stored as no value");
    assert_eq!(c["tagList"], json!([]));

    // "Nature : Professionnel ou particulier": company false with a last name.
    let p = create(
        &app,
        &s.access,
        json!({ "name": "Client1", "lastName": "Nom de famille", "company": false, "city": "Nice" }),
    )
    .await;
    assert_eq!((p["company"].as_bool(), p["lastName"].as_str()), (Some(false), Some("Nom de famille")));
    let e = app
        .err(Some(&s.access), "mutation { createClient(input: { name: \"X\", company: false }) { id } }", json!({}))
        .await;
    assert_eq!(e["extensions"]["fields"][0]["field"], "input.lastName");
    // An individual named by first and last name only.
    let j = create(&app, &s.access, json!({ "company": false, "firstName": "Jean", "lastName": "Dupont" })).await;
    assert_eq!(j["name"], "Jean Dupont");

    // "Modifier un contact": a partial update by id; absent fields stay, null clears.
    let u = app
        .ok(
            &s.access,
            "mutation($id: ID!, $i: ClientInput!) { updateClient(id: $id, input: $i) { name taxNo bank city phone email updatedAt } }",
            json!({ "id": c["id"], "i": { "name": "Client2", "taxNo": "FR52524457672", "bank": "banque2", "city": "Ville2", "phone": null } }),
        )
        .await["updateClient"]
        .clone();
    assert_eq!(u["name"], "Client2");
    assert_eq!(u["phone"], Value::Null);
    assert_eq!(u["email"], "client@email.fr");
    assert_ne!(u["updatedAt"], c["updatedAt"]);

    let del =
        app.ok(&s.access, "mutation($id: ID!) { deleteClient(id: $id) { name } }", json!({ "id": c["id"] })).await;
    assert_eq!(del["deleteClient"]["name"], "Client2");
    let e = app.err(Some(&s.access), "query($id: ID!) { client(id: $id) { id } }", json!({ "id": c["id"] })).await;
    assert_eq!(code(&e), "NOT_FOUND");
});

db_test!(every_field_round_trips, |app: TestApp| async move {
    let s = app.sign_up("fields@example.fr", "Fields").await;
    let dept =
        app.ok(&s.access, "{ departments { items { id } } }", json!({})).await["departments"]["items"][0]["id"].clone();
    let input = json!({
        "name": "SARL Dupont", "company": true, "kind": "both", "useDeliveryAddress": true, "disableAutoReminders": true,
        "useMassPayment": true, "sepaB2B": true, "discount": "10.0", "departmentId": dept, "birthDate": "1980-02-29",
        "tagList": ["vip", "grossiste"], "firstName": "Jean", "lastName": "Dupont", "shortcut": "Dupont", "title": "M.",
        "postCode": "06000", "city": "Nice", "street": "44 Rue des Plans", "country": "FR", "taxNoKind": "SIREN",
        "taxNo": "FR45362780010", "externalId": "C-100", "phone": "0400000000", "mobilePhone": "0600000000",
        "fax": "0400000001", "email": "a@dupont.fr, b@dupont.fr", "emailForReminders": "compta@dupont.fr",
        "www": "https://dupont.fr", "bank": "Banque", "bankAccount": "FR7630006000011234567890189", "paymentToKind": "30",
        "defaultTax": "5.5", "defaultPaymentType": "transfer", "person": "Jeanne", "massPaymentCode": "MP1",
        "accountingId": "411000", "accountingId2": "411DUP", "sepaMandateNo": "RUM-1", "chorusIdentifierType": "1",
        "chorusIdentifier": "123456789", "chorusServiceCode": "SERV", "ingenicoId": "ING", "birthInseeCountry": "99100",
        "birthInseeDepartment": "06", "birthInseeCommunity": "06088", "birthCity": "Nice", "inseeCountry": "99100",
        "inseeCommunity": "06088", "streetKind": "R", "urssafId": "U-1", "note": "Bon client", "deliveryAddress": "Quai 3"
    });
    let c = create(&app, &s.access, input.clone()).await;
    for (k, v) in input.as_object().unwrap() {
        let expected = if k == "discount" { json!("10") } else { v.clone() };
        assert_eq!(c[k], expected, "field {k}");
    }
    let read = app
        .ok(&s.access, &format!("query($id: ID!) {{ client(id: $id) {{ {FIELDS} }} }}"), json!({ "id": c["id"] }))
        .await;
    assert_eq!(read["client"], c);
});

db_test!(finders_and_order, |app: TestApp| async move {
    let s = app.sign_up("find@example.fr", "Find").await;
    let a = create(&app, &s.access, json!({ "name": "Émile Durand SARL", "externalId": "100", "taxNo": "FR 52 524457672", "email": "Emile@Durand.fr", "tagList": ["vip"] })).await;
    let b = create(
        &app,
        &s.access,
        json!({ "name": "Boulangerie", "shortcut": "Boulange", "kind": "seller", "email": "pain@example.fr" }),
    )
    .await;
    let c = create(&app, &s.access, json!({ "name": "Both Ltd", "kind": "both", "tagList": ["vip-like"] })).await;
    let find = |filter: Value| {
        let app = &app;
        let token = s.access.clone();
        async move {
            let r = app
                .ok(
                    &token,
                    "query($f: ClientFilterInput) { clients(filter: $f, order: NAME) { totalCount items { id } } }",
                    json!({ "f": filter }),
                )
                .await;
            r["clients"]["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["id"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    let id = |v: &Value| v["id"].as_str().unwrap().to_owned();
    assert_eq!(find(json!({ "externalId": "100" })).await, [id(&a)]);
    assert_eq!(find(json!({ "taxNo": "fr52524457672" })).await, [id(&a)], "spaces and case ignored");
    assert_eq!(find(json!({ "name": "emile" })).await, [id(&a)], "accents and case ignored");
    assert_eq!(find(json!({ "shortcut": "boulange" })).await, [id(&b)]);
    assert_eq!(find(json!({ "email": "durand.FR" })).await, [id(&a)]);
    assert_eq!(
        find(json!({ "kind": "seller" })).await,
        [id(&c), id(&b)],
        "`both` matches sellers (\"both ltd\" < \"boulangerie\")"
    );
    assert_eq!(find(json!({ "tag": "vip" })).await, [id(&a)], "a tag matches whole, not as a prefix");
    assert_eq!(find(json!({ "name": "%" })).await, Vec::<String>::new(), "LIKE wildcards are literal");

    // Seed: "les derniers contacts modifiés" — order by updated_at.
    app.ok(
        &s.access,
        "mutation($id: ID!) { updateClient(id: $id, input: { note: \"vu\" }) { id } }",
        json!({ "id": a["id"] }),
    )
    .await;
    let r = app
        .ok(&s.access, "{ clients(order: UPDATED_AT_DESC, perPage: 1) { totalCount items { id } } }", json!({}))
        .await;
    assert_eq!(r["clients"]["items"][0]["id"], a["id"]);
    assert_eq!(r["clients"]["totalCount"], 3);
});

db_test!(invalid_contacts_are_refused_whole, |app: TestApp| async move {
    let s = app.sign_up("invalid@example.fr", "Invalid").await;
    let other = app.sign_up("other@example.fr", "Other").await;
    let other_dept = app.ok(&other.access, "{ departments { items { id } } }", json!({})).await["departments"]["items"]
        [0]["id"]
        .clone();
    let r = app
        .gql_full(
            Some(&s.access),
            Some("fr"),
            "mutation($i: ClientInput!) { createClient(input: $i) { id } }",
            json!({ "i": { "name": "X", "kind": "friend", "email": "nope", "discount": "150", "defaultTax": "abc",
                          "paymentToKind": "soon", "chorusIdentifierType": "9", "departmentId": other_dept } }),
        )
        .await;
    let e = &r["errors"][0];
    assert_eq!(code(e), "VALIDATION_FAILED");
    let fields: Vec<&str> =
        e["extensions"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(
        fields,
        [
            "input.kind",
            "input.email",
            "input.discount",
            "input.defaultTax",
            "input.paymentToKind",
            "input.chorusIdentifierType"
        ]
    );
    // Valid fields but another account's department: refused, as if unknown.
    let e = app
        .err(
            Some(&s.access),
            "mutation($i: ClientInput!) { createClient(input: $i) { id } }",
            json!({ "i": { "name": "X", "departmentId": other_dept } }),
        )
        .await;
    assert_eq!(e["extensions"]["fields"][0]["field"], "input.departmentId");
    let e = app
        .err(
            Some(&s.access),
            "mutation { createClient(input: { name: \"X\", birthDate: \"2026-02-30\" }) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&e), "VALIDATION_FAILED");
    assert_eq!(
        app.ok(&s.access, "{ clients { totalCount } }", json!({})).await["clients"]["totalCount"],
        0,
        "nothing written"
    );
});

db_test!(accountants_read_but_do_not_write, |app: TestApp| async move {
    let owner = app.sign_up("o@example.fr", "Owner").await;
    let acc = app.sign_up("acc@example.fr", "Accountant firm").await;
    app.set_membership(&owner.account_id, &acc.user_id, Some("accountant")).await;
    let c = create(&app, &owner.access, json!({ "name": "Client" })).await;
    let session = app.login_to("acc@example.fr", &owner.account_id).await;
    assert_eq!(app.ok(&session.access, "{ clients { totalCount } }", json!({})).await["clients"]["totalCount"], 1);
    for q in [
        "mutation { createClient(input: { name: \"Y\" }) { id } }".to_owned(),
        format!(
            "mutation {{ updateClient(id: \"{}\", input: {{ name: \"Y\" }}) {{ id }} }}",
            c["id"].as_str().unwrap()
        ),
        format!("mutation {{ deleteClient(id: \"{}\") {{ id }} }}", c["id"].as_str().unwrap()),
    ] {
        assert_eq!(code(&app.err(Some(&session.access), &q, json!({})).await), "FORBIDDEN", "{q}");
    }
});

// Found in review: finders (accents, case, spaces) and orders agree on both databases
// (contacts and products).
db_test!(finders_and_order_agree_on_both_databases, |app: TestApp| async move {
    let s = app.sign_up("agree@example.fr", "Agree").await;
    let create = "mutation($i: ClientInput!) { createClient(input: $i) { id } }";
    let elise = app
        .ok(&s.access, create, json!({ "i": { "name": "Élise SARL", "shortcut": "Élise", "email": "JOSÉ@Exemple.fr", "taxNo": "FR\u{a0}52.524.457.672", "tagList": ["Été", "VIP"] } }))
        .await["createClient"]["id"]
        .clone();
    let find = |f: serde_json::Value| {
        let (app, token) = (&app, s.access.clone());
        async move {
            app.ok(&token, "query($f: ClientFilterInput) { clients(filter: $f) { items { id } } }", json!({ "f": f }))
                .await["clients"]["items"]
                .clone()
        }
    };
    let one = json!([{ "id": elise }]);
    assert_eq!(find(json!({ "shortcut": "élise" })).await, one);
    assert_eq!(find(json!({ "shortcut": "ELISE" })).await, one);
    assert_eq!(find(json!({ "email": "josé@" })).await, one);
    assert_eq!(find(json!({ "taxNo": "fr52524457672" })).await, one);
    assert_eq!(find(json!({ "tag": "vip" })).await, one);
    assert_eq!(find(json!({ "tag": "ete" })).await, one);
    assert_eq!(find(json!({ "tag": "vi" })).await, json!([]));

    // Names with spaces and punctuation sort the same way on both databases (bytes of the
    // folded name: " " < "-" < "b").
    for name in ["ab", "a-c", "a b"] {
        app.ok(&s.access, create, json!({ "i": { "name": name } })).await;
    }
    let r = app.ok(&s.access, "{ clients(order: NAME, perPage: 3) { items { name } } }", json!({})).await;
    assert_eq!(r["clients"]["items"], json!([{ "name": "a b" }, { "name": "a-c" }, { "name": "ab" }]));
    // Products without a code come last, on both databases.
    for (name, code) in [("P1", json!(null)), ("P2", json!("B")), ("P3", json!("A"))] {
        app.ok(
            &s.access,
            "mutation($i: ProductInput!) { createProduct(input: $i) { id } }",
            json!({ "i": { "name": name, "tax": "20", "code": code } }),
        )
        .await;
    }
    let r = app.ok(&s.access, "{ products(order: CODE) { items { name } } }", json!({})).await;
    assert_eq!(r["products"]["items"], json!([{ "name": "P3" }, { "name": "P2" }, { "name": "P1" }]));
    let r = app.ok(&s.access, "{ products(order: CODE_DESC) { items { name } } }", json!({})).await;
    assert_eq!(r["products"]["items"], json!([{ "name": "P2" }, { "name": "P3" }, { "name": "P1" }]));
});
