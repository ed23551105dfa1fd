//! Hashes the migrations' sources into `SCELLE_MIGRATIONS_HASH`, the name of the
//! pre-migrated template databases the tests clone (`src/template.rs`): a changed
//! migration gets a new template instead of reusing a stale one.
use std::hash::{DefaultHasher, Hasher};
use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../migration");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut paths = Vec::new();
    files(&root.join("src"), &mut paths);
    paths.push(root.join("Cargo.toml"));
    paths.sort();
    // SipHash with fixed keys: the same sources give the same name in every test process.
    let mut h = DefaultHasher::new();
    for p in &paths {
        h.write(p.strip_prefix(&root).unwrap_or(p).to_string_lossy().as_bytes());
        h.write(&std::fs::read(p).unwrap_or_default());
    }
    println!("cargo:rustc-env=SCELLE_MIGRATIONS_HASH={:016x}", h.finish());
}
