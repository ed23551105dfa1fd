//! The README and `docs/` link to each other and to the code: every relative link must
//! name a file of the repository, and every `#anchor` a heading of the file it points to
//! (GitHub's slugs), so that moving a section never leaves a dead link behind.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").canonicalize().expect("repository root")
}

/// The Markdown files checked: the README, `docs/`, and every crate's README.
fn documents(root: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "md") {
                out.push(p);
            }
        }
    }
    let mut out = vec![root.join("README.md")];
    walk(&root.join("docs"), &mut out);
    for dir in ["api", "entity", "migration", "jobs", "tests", "bench"] {
        let readme = root.join(dir).join("README.md");
        if readme.exists() {
            out.push(readme);
        }
    }
    out
}

/// Text outside fenced code blocks and inline code, where links are links.
fn prose(text: &str) -> String {
    let mut out = String::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        // Drop `inline code` spans.
        let mut inside = false;
        for ch in line.chars() {
            if ch == '`' {
                inside = !inside;
            } else if !inside {
                out.push(ch);
            }
        }
        out.push('\n');
    }
    out
}

/// The targets of `[text](target)` links.
fn links(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("](") {
        rest = &rest[i + 2..];
        if let Some(end) = rest.find(')') {
            out.push(rest[..end].trim().to_owned());
            rest = &rest[end..];
        }
    }
    out
}

/// GitHub's anchors for a Markdown file's headings.
fn anchors(text: &str) -> Vec<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        }
        if fenced || !line.starts_with('#') {
            continue;
        }
        let title = line.trim_start_matches('#').trim();
        let slug: String = title
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
            .map(|c| if c == ' ' { '-' } else { c })
            .collect();
        let n = seen.entry(slug.clone()).or_insert(0);
        out.push(if *n == 0 { slug.clone() } else { format!("{slug}-{n}") });
        *n += 1;
    }
    out
}

#[test]
fn every_relative_link_in_the_docs_resolves() {
    let root = root();
    let mut broken = Vec::new();
    for doc in documents(&root) {
        let text = std::fs::read_to_string(&doc).expect("readable Markdown");
        for target in links(&prose(&text)) {
            if target.contains("://") || target.starts_with("mailto:") || target.is_empty() {
                continue;
            }
            let (path, anchor) = match target.split_once('#') {
                Some((p, a)) => (p, Some(a)),
                None => (target.as_str(), None),
            };
            let file = if path.is_empty() { doc.clone() } else { doc.parent().unwrap().join(path) };
            let name = doc.strip_prefix(&root).unwrap_or(&doc).display().to_string();
            let Ok(file) = file.canonicalize() else {
                broken.push(format!("{name}: {target} (no such file)"));
                continue;
            };
            if !file.starts_with(&root) {
                broken.push(format!("{name}: {target} (outside the repository)"));
                continue;
            }
            if let Some(anchor) = anchor {
                let text = std::fs::read_to_string(&file).unwrap_or_default();
                if file.extension().is_some_and(|x| x == "md") && !anchors(&text).iter().any(|a| a == anchor) {
                    broken.push(format!("{name}: {target} (no such heading)"));
                }
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn anchors_follow_github_slugs() {
    assert_eq!(
        anchors(
            "# Scelle\n## The two commands\n```\n# not a heading\n```\n## Money and tax rules (v1)\n## Money and tax rules (v1)"
        ),
        ["scelle", "the-two-commands", "money-and-tax-rules-v1", "money-and-tax-rules-v1-1"]
    );
    assert_eq!(links("see [a](docs/a.md#x) and [b](https://e.x)"), ["docs/a.md#x", "https://e.x"]);
}
