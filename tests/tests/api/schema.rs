/// `schema.graphql` is the SDL exported from the code. Regenerate with
/// `cargo run -- export-schema -o schema.graphql` (or `UPDATE_SCHEMA=1 cargo test schema`).
#[test]
fn schema_graphql_is_up_to_date() {
    let sdl = scelle_api::graphql::sdl();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../schema.graphql");
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(path, &sdl).unwrap();
        return;
    }
    let on_disk = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        on_disk == sdl,
        "schema.graphql differs from the schema in the code: run `cargo run -- export-schema -o schema.graphql` and commit it"
    );
}
