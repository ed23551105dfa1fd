use scelle_tests::*;
use serde_json::json;

const CREATE: &str = "mutation($i: DepartmentInput!) { createDepartment(input: $i) { id name main shortcut kind taxNoKind taxNo postCode city street country person email phone mobilePhone www fax bank bankAccount bankSwift bankAccountCurrency bankAccountancyAccount invoiceLang invoiceDescription defaultTax invoiceTemplateId cashInitState footerContent footerKind ownEmailSettings emailFrom emailCc emailSubject emailTemplate emailTemplateKind emailPdf ownOverdueEmailSettings overdueEmailSubject overdueEmailTemplate overdueEmailTemplateKind overdueEmailPdf restrictWarehouses warehouseId } }";

db_test!(every_seed_field_round_trips, |app: TestApp| async move {
    let s = app.sign_up("dept@example.fr", "Dept").await;
    let input = json!({
        "name": "Entreprise ABC", "shortcut": "ABC", "kind": "SARL", "taxNoKind": "TVA", "taxNo": "FR40123456824",
        "postCode": "75022", "city": "Paris", "street": "32 Rue du commerce", "country": "France", "person": "Nom vendeur",
        "email": "abc@compagnie.com", "phone": "0102030405", "mobilePhone": "0607080910", "www": "https://abc.fr", "fax": "0102030406",
        "bank": "Banque", "bankAccount": "FR7630006000011234567890189", "bankSwift": "AGRIFRPP", "bankAccountCurrency": "EUR",
        "bankAccountancyAccount": "512000", "invoiceLang": "fr/de", "invoiceDescription": "Informations spécifiques",
        "defaultTax": "20", "invoiceTemplateId": "2400", "cashInitState": "150.00", "footerContent": "Bas de page",
        "footerKind": "own", "ownEmailSettings": true, "emailFrom": "factures@abc.fr", "emailCc": "a@abc.fr, b@abc.fr",
        "emailSubject": "Votre facture", "emailTemplate": "Bonjour", "emailTemplateKind": "default", "emailPdf": false,
        "ownOverdueEmailSettings": true, "overdueEmailSubject": "Relance", "overdueEmailTemplate": "Relance…",
        "overdueEmailTemplateKind": "default", "overdueEmailPdf": false, "restrictWarehouses": true, "warehouseId": "7"
    });
    let d = app.ok(&s.access, CREATE, json!({ "i": input })).await["createDepartment"].clone();
    for (k, v) in input.as_object().unwrap() {
        if k == "cashInitState" {
            assert_eq!(d[k], "150", "decimal stored in canonical form");
        } else {
            assert_eq!(&d[k], v, "field {k}");
        }
    }
    // Read back through `department(id)`: the same.
    let q = CREATE.replace(
        "mutation($i: DepartmentInput!) { createDepartment(input: $i)",
        "query($id: ID!) { department(id: $id)",
    );
    let read = app.ok(&s.access, &q, json!({ "id": d["id"] })).await["department"].clone();
    assert_eq!(read, d);
});

db_test!(update_patches_and_main_moves, |app: TestApp| async move {
    let s = app.sign_up("main@example.fr", "Principal").await;
    let id = app
        .ok(
            &s.access,
            CREATE,
            json!({ "i": { "name": "Second", "city": "Lyon", "phone": "01" } }),
        )
        .await["createDepartment"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Absent fields stay; null clears; main moves to this department.
    let u = app
        .ok(
            &s.access,
            "mutation($id: ID!, $i: DepartmentInput!) { updateDepartment(id: $id, input: $i) { name city phone main } }",
            json!({ "id": id, "i": { "phone": null, "main": true, "name": "Second bis" } }),
        )
        .await;
    assert_eq!(u["updateDepartment"], json!({ "name": "Second bis", "city": "Lyon", "phone": null, "main": true }));
    let mains =
        app.ok(&s.access, "{ departments(filter: { main: true }) { totalCount items { id } } }", json!({})).await;
    assert_eq!(mains["departments"]["totalCount"], 1);
    assert_eq!(mains["departments"]["items"][0]["id"], id.as_str());

    // The main department can be neither unset nor deleted.
    let e = app
        .err(
            Some(&s.access),
            "mutation($id: ID!) { updateDepartment(id: $id, input: { main: false }) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(code(&e), "VALIDATION_FAILED");
    assert_eq!(e["extensions"]["fields"][0]["field"], "input.main");
    let e =
        app.err(Some(&s.access), "mutation($id: ID!) { deleteDepartment(id: $id) { id } }", json!({ "id": id })).await;
    assert_eq!(code(&e), "CONFLICT");

    // The former main one can be deleted now.
    let old =
        app.ok(&s.access, "{ departments(filter: { main: false }) { items { id } } }", json!({})).await["departments"]
            ["items"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
    let del =
        app.ok(&s.access, "mutation($id: ID!) { deleteDepartment(id: $id) { name } }", json!({ "id": old })).await;
    assert_eq!(del["deleteDepartment"]["name"], "Principal");
    assert_eq!(
        code(&app.err(Some(&s.access), "query($id: ID!) { department(id: $id) { id } }", json!({ "id": old })).await),
        "NOT_FOUND"
    );
});

db_test!(list_filters_pages_and_orders, |app: TestApp| async move {
    let s = app.sign_up("list@example.fr", "Zèbre").await;
    for name in ["Alpha Paris", "beta lyon", "Gamma_Paris"] {
        app.ok(&s.access, CREATE, json!({ "i": { "name": name } })).await;
    }
    let page = app
        .ok(
            &s.access,
            "{ departments(page: 2, perPage: 2, order: NAME) { totalCount page perPage items { name } } }",
            json!({}),
        )
        .await;
    assert_eq!(page["departments"]["totalCount"], 4);
    let names = app.ok(&s.access, "{ departments(order: NAME) { items { name } } }", json!({})).await;
    let names: Vec<&str> =
        names["departments"]["items"].as_array().unwrap().iter().map(|d| d["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Alpha Paris", "beta lyon", "Gamma_Paris", "Zèbre"], "case-insensitive order on both databases");
    assert_eq!(page["departments"]["items"].as_array().unwrap().len(), 2);
    assert_eq!(page["departments"]["page"], 2);
    let desc =
        app.ok(&s.access, "{ departments(order: CREATED_AT_DESC, perPage: 1) { items { name } } }", json!({})).await;
    assert_eq!(desc["departments"]["items"][0]["name"], "Gamma_Paris");
    // Case-insensitive on both databases; `_` is a literal, not a wildcard.
    let paris = app
        .ok(
            &s.access,
            "{ departments(filter: { name: \"PARIS\" }, order: NAME) { totalCount items { name } } }",
            json!({}),
        )
        .await;
    assert_eq!(paris["departments"]["totalCount"], 2);
    // Accents and case are ignored on both databases.
    app.ok(&s.access, CREATE, json!({ "i": { "name": "Émile SARL" } })).await;
    for term in ["emile", "ÉMILE", "Émile"] {
        let r = app
            .ok(
                &s.access,
                "query($n: String) { departments(filter: { name: $n }) { totalCount } }",
                json!({ "n": term }),
            )
            .await;
        assert_eq!(r["departments"]["totalCount"], 1, "{term}");
    }
    let underscore = app.ok(&s.access, "{ departments(filter: { name: \"a_p\" }) { totalCount } }", json!({})).await;
    assert_eq!(underscore["departments"]["totalCount"], 1);
    let e = app.err(Some(&s.access), "{ departments(perPage: 101) { totalCount } }", json!({})).await;
    assert_eq!(code(&e), "VALIDATION_FAILED");
    assert_eq!(e["extensions"]["fields"][0]["field"], "perPage");
});

db_test!(invalid_fields_are_all_reported_in_the_callers_language, |app: TestApp| async move {
    let s = app.sign_up("v@example.fr", "V").await;
    let r = app
        .gql_full(
            Some(&s.access),
            Some("fr-FR,fr;q=0.9"),
            CREATE,
            json!({ "i": { "name": "", "email": "pas-un-email", "bankAccountCurrency": "euro", "defaultTax": "120", "invoiceLang": "français", "shortcut": "x".repeat(300) } }),
        )
        .await;
    let e = &r["errors"][0];
    assert_eq!(code(e), "VALIDATION_FAILED");
    assert_eq!(e["message"], "Certains champs sont invalides.");
    let fields: Vec<&str> =
        e["extensions"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(
        fields,
        [
            "input.name",
            "input.shortcut",
            "input.email",
            "input.bankAccountCurrency",
            "input.invoiceLang",
            "input.defaultTax"
        ]
    );
    assert_eq!(e["extensions"]["fields"][0]["message"], "Ce champ est obligatoire.");
    let list = app.ok(&s.access, "{ departments { totalCount } }", json!({})).await;
    assert_eq!(list["departments"]["totalCount"], 1, "nothing was written");
});

db_test!(concurrent_promotions_leave_exactly_one_main, |app: TestApp| async move {
    let s = app.sign_up("race-main@example.fr", "Course").await;
    let mut ids = Vec::new();
    for i in 0..6 {
        let d = app.ok(&s.access, CREATE, json!({ "i": { "name": format!("D{i}") } })).await;
        ids.push(d["createDepartment"]["id"].as_str().unwrap().to_owned());
    }
    let promote = "mutation($id: ID!) { updateDepartment(id: $id, input: { main: true }) { id } }";
    for r in app
        .concurrently(ids.len(), Some(&s.access), |i| json!({ "query": promote, "variables": { "id": ids[i] } }))
        .await
    {
        if let Some(e) = r.get("errors") {
            assert_eq!(code(&e[0]), "CONFLICT", "only a retryable conflict is acceptable: {r}");
        }
    }
    let mains = app.ok(&s.access, "{ departments(filter: { main: true }) { totalCount } }", json!({})).await;
    assert_eq!(mains["departments"]["totalCount"], 1);

    // The last guard is in the database: a second main department is refused even
    // when written around the API.
    use entity::tables::department;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    let account = uuid::Uuid::parse_str(&s.account_id).unwrap();
    let second_main = department::Entity::update_many()
        .col_expr(department::Column::Main, Expr::value(true))
        .filter(department::Column::AccountId.eq(account))
        .filter(department::Column::Main.eq(false))
        .exec(&app.db)
        .await;
    assert!(second_main.is_err(), "the partial unique index must refuse a second main department");
});
