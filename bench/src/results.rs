//! A run's figures as JSON and Markdown under `bench/results/` (or `SCELLE_BENCH_RESULTS`):
//! date, commit, machine, every figure and every ratio to its baseline.

use crate::load::Figure;
use serde::Serialize;
use std::fmt::Write;
use std::path::PathBuf;

#[derive(Serialize)]
pub struct Machine {
    pub cores: usize,
    pub memory_mib: u64,
    pub backend: String,
}

/// A figure read against its baseline (`value / baseline`).
#[derive(Serialize)]
pub struct Ratio {
    pub what: String,
    pub value: f64,
    pub baseline: f64,
    pub ratio: f64,
    /// `/s` (throughput: higher is better) or `ms` (median latency: lower is better).
    pub unit: &'static str,
}

#[derive(Serialize)]
pub struct Run {
    pub date: String,
    pub commit: String,
    pub smoke: bool,
    pub machine: Machine,
    pub figures: Vec<Figure>,
    pub ratios: Vec<Ratio>,
    pub memory: Vec<String>,
}

impl Run {
    pub fn new(backend: &str, smoke: bool) -> Run {
        let commit = std::process::Command::new("git")
            .args(["rev-parse", "--short", "HEAD"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_else(|| "unknown".into());
        let memory_mib = std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|m| m.lines().next().and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok()))
            .map_or(0, |kb| kb / 1024);
        Run {
            date: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            commit,
            smoke,
            machine: Machine {
                cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
                memory_mib,
                backend: backend.into(),
            },
            figures: Vec::new(),
            ratios: Vec::new(),
            memory: Vec::new(),
        }
    }

    /// A ratio of throughputs (higher is better).
    pub fn ratio(&mut self, what: &str, value: &Figure, baseline: &Figure) {
        self.push(what, value.per_second, baseline.per_second, "/s");
    }

    /// A ratio of median latencies (lower is better).
    pub fn latency_ratio(&mut self, what: &str, value: &Figure, baseline: &Figure) {
        self.push(what, value.p50_ms, baseline.p50_ms, "ms");
    }

    fn push(&mut self, what: &str, value: f64, baseline: f64, unit: &'static str) {
        let r = Ratio { what: what.into(), value, baseline, ratio: value / baseline, unit };
        println!("{:<60} {:>9.2} {unit} ÷ {:>9.2} {unit} = {:.3}", r.what, r.value, r.baseline, r.ratio);
        self.ratios.push(r);
    }

    pub fn markdown(&self) -> String {
        let mut md = String::new();
        let m = &self.machine;
        let _ = writeln!(
            md,
            "# Bench run {}, commit {}, {}, {} cores, {} MiB{}\n",
            self.date,
            self.commit,
            m.backend,
            m.cores,
            m.memory_mib,
            if self.smoke { ", smoke run (too short to read)" } else { "" }
        );
        md.push_str("| scenario | requests | c | per second | p50 ms | p99 ms |\n|---|---:|---:|---:|---:|---:|\n");
        for f in &self.figures {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {:.0} | {:.2} | {:.2} |",
                f.name, f.requests, f.concurrency, f.per_second, f.p50_ms, f.p99_ms
            );
        }
        md.push_str("\n| figure ÷ its baseline | value | baseline | ratio |\n|---|---:|---:|---:|\n");
        for r in &self.ratios {
            let (v, b) = match r.unit {
                "ms" => (format!("{:.2} ms", r.value), format!("{:.2} ms", r.baseline)),
                _ => (format!("{:.0}/s", r.value), format!("{:.0}/s", r.baseline)),
            };
            let _ = writeln!(md, "| {} | {v} | {b} | {:.3} |", r.what, r.ratio);
        }
        if !self.memory.is_empty() {
            md.push_str("\nServer memory:\n\n");
            for line in &self.memory {
                let _ = writeln!(md, "- {line}");
            }
        }
        md
    }

    /// Writes `<date>-<commit>-<backend>.json` and `.md`; returns the Markdown's path.
    pub fn save(&self) -> anyhow::Result<PathBuf> {
        let dir = std::env::var_os("SCELLE_BENCH_RESULTS")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/results")));
        std::fs::create_dir_all(&dir)?;
        let stem = format!("{}-{}-{}", self.date.replace(':', ""), self.commit, self.machine.backend);
        std::fs::write(dir.join(format!("{stem}.json")), serde_json::to_string_pretty(self)?)?;
        let md = dir.join(format!("{stem}.md"));
        std::fs::write(&md, self.markdown())?;
        Ok(md)
    }
}
