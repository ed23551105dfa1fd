//! Tags of contacts and products: trimmed, without repeats, stored as a JSON array.

use crate::error::FieldCode;
use crate::validation::Validator;
use sea_orm::sea_query::SimpleExpr;

const MAX_TAGS: usize = 50;
const MAX_TAG_LEN: usize = 100;

/// Trimmed, without blanks or repeats, in the order given.
pub fn normalize(tags: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in tags.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
        if !out.iter().any(|o| o == t) {
            out.push(t.to_owned());
        }
    }
    out
}

pub fn validate(v: &mut Validator, field: &str, tags: &[String]) {
    let tags = normalize(tags);
    if tags.len() > MAX_TAGS {
        v.push(field, FieldCode::OutOfRange { min: 0, max: MAX_TAGS as i64 });
    }
    if tags.iter().any(|t| t.chars().count() > MAX_TAG_LEN) {
        v.push(field, FieldCode::TooLong { max: MAX_TAG_LEN });
    }
    if tags.iter().any(|t| crate::validation::has_control_characters(t)) {
        v.push(field, FieldCode::Rule("control_characters"));
    }
}

/// The stored form: a JSON array of strings.
pub fn to_json(tags: &[String]) -> String {
    serde_json::to_string(&normalize(tags)).unwrap_or_else(|_| "[]".into())
}

pub fn from_json(stored: &str) -> Vec<String> {
    serde_json::from_str(stored).unwrap_or_default()
}

/// The tags folded (`validation::search_key`) for search, stored beside them: the filter
/// ignores case and accents identically on SQLite and PostgreSQL.
pub fn keys_json(tags: &[String]) -> String {
    let keys: Vec<String> = normalize(tags).iter().map(|t| crate::validation::search_key(t)).collect();
    serde_json::to_string(&keys).unwrap_or_else(|_| "[]".into())
}

/// A condition "the folded tags hold this whole tag", for a `keys_json` column.
pub fn contains(column: impl sea_orm::sea_query::IntoColumnRef, tag: &str) -> SimpleExpr {
    // The folded tag as it appears, quoted, in the array: "vip" never matches "vip-like".
    let quoted = serde_json::to_string(&crate::validation::search_key(tag)).unwrap_or_default();
    crate::validation::contains_text(column, &quoted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_trimmed_deduplicated_and_stored_as_json() {
        let tags = vec![" vip ".to_owned(), "a \"quoted\" tag".to_owned(), "".to_owned(), "vip".to_owned()];
        let stored = to_json(&tags);
        assert_eq!(stored, r#"["vip","a \"quoted\" tag"]"#);
        assert_eq!(from_json(&stored), ["vip", "a \"quoted\" tag"]);
        assert!(from_json("not json").is_empty());
    }
}
