//! Anchors kept outside the database: hashes the owner kept (the block hash and the file
//! hash of each closure e-mail). A chain rewritten with recomputed hashes no longer
//! contains them, whatever else the attacker made consistent.

use super::{Finding, Findings, Reason};
use crate::error::DomainResult;
use crate::ledger::store::Chain;
use crate::scope::InAccount;
use crate::tables::{closure, ledger_entry as entry};
use crate::tenant::AccountId;
use sea_orm::{ColumnTrait, ConnectionTrait, PaginatorTrait, QueryFilter};

/// Reads an anchors file: one hash per line (64 hexadecimal characters, any case);
/// blank lines and `#` comments are skipped, and a line may hold more after the hash
/// (a note), separated by a space. Returns the line numbers of lines that are not hashes.
pub fn parse(text: &str) -> Result<Vec<String>, Vec<usize>> {
    let (mut hashes, mut bad) = (Vec::new(), Vec::new());
    for (i, line) in text.lines().enumerate() {
        let content = line.split('#').next().unwrap_or("").trim();
        let Some(word) = content.split_whitespace().next() else { continue };
        if word.len() == 64 && word.bytes().all(|b| b.is_ascii_hexdigit()) {
            hashes.push(word.to_ascii_lowercase());
        } else {
            bad.push(i + 1);
        }
    }
    if bad.is_empty() { Ok(hashes) } else { Err(bad) }
}

/// Each anchor must be an entry's hash in `chain` (any chain of the account when `None`)
/// or, for the closures chain, a closure's CSV hash.
pub(super) async fn verify(
    db: &impl ConnectionTrait,
    account: AccountId,
    chain: Option<Chain>,
    anchors: &[String],
    found: &mut Findings,
) -> DomainResult<()> {
    for anchor in anchors {
        let mut entries = entry::Entity::find_in(account).filter(entry::Column::Hash.eq(anchor.as_str()));
        if let Some(c) = chain {
            entries = entries.filter(entry::Column::Chain.eq(c.as_str()));
        }
        if entries.count(db).await? > 0 {
            continue;
        }
        if chain.is_none_or(|c| c == Chain::Closures) {
            let files = closure::Entity::find_in(account)
                .filter(closure::Column::CsvSha256.eq(anchor.as_str()))
                .count(db)
                .await?;
            if files > 0 {
                continue;
            }
        }
        let f = Finding::new(Reason::AnchorNotFound, None, format!("the kept hash {anchor} is not in the chain"))
            .hashes(Some(anchor), None);
        found.push(f);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn anchor_files_are_read_line_by_line() {
        let h = "AB".repeat(32);
        let text = format!("# kept from the e-mails\n{h} daily 2026-11-30\n\n{}\n", "cd".repeat(32));
        assert_eq!(super::parse(&text).unwrap(), vec!["ab".repeat(32), "cd".repeat(32)]);
        assert_eq!(super::parse("abc\nnot a hash\n").unwrap_err(), vec![1, 2]);
    }
}
