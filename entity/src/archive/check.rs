//! Checking an archive offline, as anyone can without Scelle or the database: the
//! manifest's hashes and sizes, each chain's links and hashes, the recorded heads and the
//! signatures (against trusted public keys when given).

use super::*;

/// What checking an archive found.
#[derive(Debug, Default)]
pub struct ArchiveReport {
    pub files_checked: usize,
    pub entries_checked: usize,
    /// Signatures checked against trusted keys (none when no keys were given).
    pub signatures_checked: usize,
    /// Every problem found, in the order met; empty when the archive is intact.
    pub problems: Vec<String>,
}

impl ArchiveReport {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Checks an archive offline (see the module's documentation); with `trusted` public keys,
/// also every chain head's and every closure's signature.
pub fn verify(bytes: &[u8], trusted: Option<&crate::ledger::keys::TrustedKeys>) -> ArchiveReport {
    let mut report = ArchiveReport::default();
    let mut zip = match zip::ZipArchive::new(Cursor::new(bytes)) {
        Ok(z) => z,
        Err(e) => {
            report.problems.push(format!("not a zip archive: {e}"));
            return report;
        }
    };
    let mut contents: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for i in 0..zip.len() {
        match zip.by_index(i) {
            Ok(mut f) => {
                let name = f.name().map(|n| n.into_owned()).unwrap_or_else(|_| format!("entry {i}"));
                let mut buf = Vec::new();
                if let Err(e) = f.read_to_end(&mut buf) {
                    report.problems.push(format!("{name}: unreadable: {e}"));
                }
                contents.insert(name, buf);
            }
            Err(e) => report.problems.push(format!("entry {i}: unreadable: {e}")),
        }
    }
    let Some(manifest) = contents.get("manifest.json").and_then(|b| serde_json::from_slice::<Value>(b).ok()) else {
        report.problems.push("manifest.json: missing or not JSON".into());
        return report;
    };
    if manifest["format"] != FORMAT {
        report.problems.push(format!("manifest.json: format {} is not {FORMAT}", manifest["format"]));
    }
    let listed: Vec<&Value> = manifest["files"].as_array().map(|a| a.iter().collect()).unwrap_or_default();
    let listed_names: HashSet<&str> = listed.iter().filter_map(|f| f["path"].as_str()).collect();
    for f in &listed {
        let path = f["path"].as_str().unwrap_or("");
        match contents.get(path) {
            None => report.problems.push(format!("{path}: listed in the manifest but missing")),
            Some(b) => {
                if f["sha256"].as_str() != Some(sha256(b).as_str()) || f["size"].as_u64() != Some(b.len() as u64) {
                    report.problems.push(format!("{path}: SHA-256 or size differs from the manifest"));
                }
                report.files_checked += 1;
            }
        }
    }
    for name in contents.keys() {
        if name != "manifest.json" && !listed_names.contains(name.as_str()) {
            report.problems.push(format!("{name}: not listed in the manifest"));
        }
    }
    let account = manifest["account"]["id"].as_str().and_then(|a| Uuid::parse_str(a).ok()).unwrap_or_default();
    // Each chain's entries in the archive, sequence → hash, for the closures' recorded heads.
    let mut hashes: BTreeMap<String, BTreeMap<i64, String>> = BTreeMap::new();
    let mut closures: Vec<Value> = Vec::new();
    for c in manifest["chains"].as_array().into_iter().flatten() {
        let file = c["file"].as_str().unwrap_or("");
        let Some(entries) = contents.get(file).and_then(|b| serde_json::from_slice::<Vec<Value>>(b).ok()) else {
            report.problems.push(format!("{file}: missing or not a JSON array"));
            continue;
        };
        check_entries(file, &entries, c, &mut report);
        if let Some(trusted) = trusted {
            check_signatures(account, file, &entries, c, trusted, &mut report);
        }
        let chain = c["chain"].as_str().unwrap_or("").to_owned();
        let by_sequence = hashes.entry(chain.clone()).or_default();
        for e in &entries {
            if let (Some(seq), Some(hash)) = (e["sequence"].as_i64(), e["hash"].as_str()) {
                by_sequence.insert(seq, hash.to_owned());
            }
        }
        if chain == Chain::Closures.as_str() {
            closures = entries;
        }
    }
    check_recorded_heads(&closures, &hashes, &mut report);
    report
}

/// What each closure recorded of the other chains (its heads, its period's last document
/// entry) against the entries the archive holds: a chain rewritten after a closure no
/// longer holds what the (signed) closure recorded.
fn check_recorded_heads(
    closures: &[Value],
    hashes: &BTreeMap<String, BTreeMap<i64, String>>,
    report: &mut ArchiveReport,
) {
    for e in closures {
        let seq = e["sequence"].as_i64().unwrap_or(-1);
        let mut recorded: Vec<(String, i64, String)> = Vec::new();
        for head in e["record"]["head"].as_array().into_iter().flatten() {
            let parts: Vec<&str> = head.as_array().into_iter().flatten().filter_map(|p| p.as_str()).collect();
            if let [chain, sequence, hash] = parts[..]
                && let Ok(sequence) = sequence.parse()
            {
                recorded.push((chain.to_owned(), sequence, hash.to_owned()));
            }
        }
        if let (Some(last), Some(hash)) =
            (e["record"]["last_sequence"].as_str().and_then(|s| s.parse().ok()), e["record"]["last_hash"].as_str())
        {
            recorded.push((Chain::Documents.as_str().to_owned(), last, hash.to_owned()));
        }
        for (chain, sequence, hash) in recorded {
            if let Some(held) = hashes.get(&chain).and_then(|h| h.get(&sequence))
                && *held != hash
            {
                report.problems.push(format!(
                    "closures.json: sequence {seq}: the closure recorded {chain} entry {sequence} with another hash"
                ));
            }
        }
    }
}

/// A signature of the archive (`{ key, signature, signed_at }`) against a checkpoint.
fn check_signature(
    trusted: &crate::ledger::keys::TrustedKeys,
    sig: &Value,
    account: Uuid,
    chain: &str,
    sequence: i64,
    hash: &str,
) -> Result<(), String> {
    let signed_at = sig["signed_at"]
        .as_str()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.to_utc())
        .ok_or("no signature")?;
    let c = crate::ledger::keys::Checkpoint { account, chain, sequence, hash, signed_at };
    trusted.check(sig["key"].as_str(), sig["signature"].as_str(), &c).map_err(|f| format!("{f:?}"))
}

fn check_signatures(
    account: Uuid,
    file: &str,
    entries: &[Value],
    chain: &Value,
    trusted: &crate::ledger::keys::TrustedKeys,
    report: &mut ArchiveReport,
) {
    let name = chain["chain"].as_str().unwrap_or("");
    let (Some(seq), Some(hash)) = (chain["head_sequence"].as_i64(), chain["head_hash"].as_str()) else {
        report.problems.push(format!("{file}: the manifest gives no head"));
        return;
    };
    match check_signature(trusted, &chain["head_signature"], account, name, seq, hash) {
        Ok(()) => report.signatures_checked += 1,
        Err(e) => report.problems.push(format!("{file}: the head's signature does not hold ({e})")),
    }
    for e in entries.iter().filter(|_| name == Chain::Closures.as_str()) {
        let seq = e["sequence"].as_i64().unwrap_or(-1);
        // Closures sealed before signatures existed (canonical version 1) carry none.
        if e["version"].as_i64() < Some(2) && e.get("signature").is_none() {
            continue;
        }
        match check_signature(trusted, &e["signature"], account, name, seq, e["hash"].as_str().unwrap_or("")) {
            Ok(()) => report.signatures_checked += 1,
            Err(err) => {
                report.problems.push(format!("{file}: sequence {seq}: the closure's signature does not hold ({err})"))
            }
        }
    }
}

fn check_entries(file: &str, entries: &[Value], chain: &Value, report: &mut ArchiveReport) {
    let mut previous: Option<(i64, String)> = None;
    if let (Some(first), Some(genesis)) = (entries.first(), chain["genesis"].as_str())
        && first["sequence"].as_i64() == Some(1)
        && first["previous_hash"].as_str() != Some(genesis)
    {
        report.problems.push(format!("{file}: sequence 1 does not link to the chain's genesis"));
    }
    for e in entries {
        let seq = e["sequence"].as_i64().unwrap_or(-1);
        let (prev, canon, hash) = (
            e["previous_hash"].as_str().unwrap_or(""),
            e["canonical"].as_str().unwrap_or(""),
            e["hash"].as_str().unwrap_or(""),
        );
        if let Some((s, h)) = &previous {
            if seq != s + 1 {
                report.problems.push(format!("{file}: sequence {} is missing", s + 1));
            } else if prev != h {
                report.problems.push(format!("{file}: sequence {seq} does not link to sequence {s}"));
            }
        }
        if chain_hash(prev, canon) != hash {
            report.problems.push(format!("{file}: sequence {seq}: hash does not match its canonical form"));
        }
        if e["record"] != record(canon) {
            report.problems.push(format!("{file}: sequence {seq}: record differs from its canonical form"));
        }
        report.entries_checked += 1;
        previous = Some((seq, hash.to_owned()));
    }
    let last = entries.last().and_then(|e| e["sequence"].as_i64());
    if last != chain["last_sequence"].as_i64() || entries.len() as u64 != chain["entries"].as_u64().unwrap_or(0) {
        report.problems.push(format!("{file}: entries differ from the manifest's range"));
    }
    // A range that reaches the head ends on the head's hash.
    if let (Some(last), Some(e)) = (last, entries.last())
        && Some(last) == chain["head_sequence"].as_i64()
        && e["hash"].as_str() != chain["head_hash"].as_str()
    {
        report.problems.push(format!("{file}: sequence {last} is the head's, but not its hash"));
    }
}
