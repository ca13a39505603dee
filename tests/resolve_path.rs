//! The resolver's path: the same input gives the same decisions and metadata reads whatever the
//! cache holds and however slow the index answers (seeded random latency), and a lock-step
//! family (awsboto/awscore, as boto3/botocore) whose partner conflicts with an early decision
//! is not walked release by release.

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use support::{FixtureIndex, IndexOptions};

fn index(opts: IndexOptions) -> FixtureIndex {
    FixtureIndex::start_from(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/index"),
        opts,
    )
}

/// The input: scheduler asks for dateparse early (its newest, 3.0.0, gets decided), storage[s3]
/// reaches the awsboto family, all of whose releases need dateparse<3; backtrack and lib add
/// an ordinary walk down a package's releases.
const INPUT: &str = "scheduler\nstorage[s3]\nbacktrack\nlib<1.1\n";

/// The targets of the single-fork runs.
const ONE: &[&str] = &["cp312-manylinux_2_28_x86_64"];

/// A forked run: frames and arrays drop Python 3.10 (fixtures/index), so each Python is a fork.
const FORKED: &[&str] = &[
    "cp310-manylinux_2_28_x86_64",
    "cp312-manylinux_2_28_x86_64",
    "cp313-manylinux_2_28_x86_64",
];

/// Runs `pinwheel lock` with `PINWHEEL_LOG=resolve`; returns the output and the lock's pins.
fn lock(idx: &FixtureIndex, dir: &Path, cache: &Path) -> (Output, String) {
    lock_for(idx, dir, cache, INPUT, ONE)
}

fn lock_for(
    idx: &FixtureIndex,
    dir: &Path,
    cache: &Path,
    input_text: &str,
    targets: &[&str],
) -> (Output, String) {
    let input = dir.join("requirements.in");
    std::fs::write(&input, input_text).unwrap();
    let lock = dir.join("requirements.lock");
    let _ = std::fs::remove_file(&lock);
    let out = Command::cargo_bin("pinwheel")
        .unwrap()
        .current_dir(dir)
        .env_remove("PIP_INDEX_URL")
        .env_remove("PIP_EXTRA_INDEX_URL")
        .env("PINWHEEL_LOG", "resolve")
        .arg("lock")
        .arg("requirements.in")
        .arg("-o")
        .arg(&lock)
        .args(["--index-url", &idx.url(), "--cache-dir"])
        .arg(cache)
        .args(targets.iter().flat_map(|t| ["--target", t]))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pins = std::fs::read_to_string(&lock)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("--"))
        .collect::<Vec<_>>()
        .join("\n");
    (out, pins)
}

/// The resolver's trace: its `resolve:` lines.
fn trace(out: &Output) -> Vec<String> {
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.starts_with("resolve: "))
        .map(str::to_string)
        .collect()
}

/// Copies a cache directory, keeping every other metadata entry when `partial`.
fn copy_cache(from: &Path, to: &Path, partial: bool) {
    let mut n = 0;
    for entry in walk(from) {
        let rel = entry.strip_prefix(from).unwrap();
        if partial && rel.starts_with("metadata-v1") {
            n += 1;
            if n % 2 == 0 {
                continue;
            }
        }
        let dest = to.join(rel);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(&entry, &dest).unwrap();
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
    entries.sort_by_key(|e| e.path());
    for e in entries {
        if e.path().is_dir() {
            out.extend(walk(&e.path()));
        } else {
            out.push(e.path());
        }
    }
    out
}

#[test]
fn the_path_does_not_depend_on_latency_or_the_cache() {
    same_path_whatever_the_latency_or_cache(INPUT, ONE);
}

/// The same for a forked lock: the forks are resolved one after another in target order, so
/// the whole trace (each fork's decisions and reads) is the same on every run.
#[test]
fn a_forked_path_does_not_depend_on_latency_or_the_cache() {
    same_path_whatever_the_latency_or_cache("frames\nscheduler\nstorage[s3]\nlib<1.1\n", FORKED);
}

fn same_path_whatever_the_latency_or_cache(input: &str, targets: &[&str]) {
    let work = tempfile::tempdir().unwrap();
    // Reference: a fast index, an empty cache.
    let fast = index(IndexOptions::default());
    let full = work.path().join("full-cache");
    let (out, ref_pins) = lock_for(&fast, work.path(), &full, input, targets);
    let reference = trace(&out);
    let forks = reference
        .iter()
        .filter(|l| l.starts_with("resolve: fork: "))
        .count();
    assert_eq!(
        forks,
        targets.len(),
        "one fork per Python:\n{}",
        reference.join("\n")
    );
    if targets.len() > 1 {
        assert!(ref_pins.contains(" ; python_version == "), "{ref_pins}");
    }
    assert!(
        reference
            .iter()
            .any(|l| l.starts_with("resolve: metadata ")),
        "the trace names the metadata the resolver reads:\n{}",
        reference.join("\n")
    );
    assert!(
        reference
            .iter()
            .any(|l| l.starts_with("resolve: backtrack")),
        "the input makes the resolver backtrack:\n{}",
        reference.join("\n")
    );
    // The cache entries are keyed by the index URL: slow indexes are other servers, so copy
    // what the reference run left under each one's key by running them cold first.
    for seed in 1..=4u64 {
        let slow = index(IndexOptions {
            latency: Some((seed, 40)),
            ..IndexOptions::default()
        });
        for state in ["empty", "full", "partial"] {
            let dir = work.path().join(format!("seed{seed}-{state}"));
            std::fs::create_dir_all(&dir).unwrap();
            let cache = dir.join("cache");
            if state != "empty" {
                // Fill a cache for this server, then keep all or half of it.
                let warm = work.path().join(format!("seed{seed}-warmup"));
                if !warm.exists() {
                    std::fs::create_dir_all(&warm).unwrap();
                    lock_for(&slow, &warm, &warm.join("cache"), input, targets);
                }
                copy_cache(&warm.join("cache"), &cache, state == "partial");
            }
            let (out, pins) = lock_for(&slow, &dir, &cache, input, targets);
            assert_eq!(pins, ref_pins, "seed {seed}, {state} cache: other pins");
            let got = trace(&out);
            if got != reference {
                let first = got
                    .iter()
                    .zip(&reference)
                    .position(|(a, b)| a != b)
                    .unwrap_or(got.len().min(reference.len()));
                panic!(
                    "seed {seed}, {state} cache: the resolver took another path from line {}:\n  got:      {:?}\n  expected: {:?}",
                    first + 1,
                    got.get(first),
                    reference.get(first)
                );
            }
        }
    }
}

#[test]
fn a_lock_step_family_is_not_walked_release_by_release() {
    let idx = index(IndexOptions::default());
    let work = tempfile::tempdir().unwrap();
    let (out, pins) = lock(&idx, work.path(), &work.path().join("cache"));
    // The newest of the family, with the dateparse it needs.
    assert!(pins.contains("awsboto==1.30.0"), "{pins}");
    assert!(pins.contains("awscore==1.30.0"), "{pins}");
    assert!(pins.contains("dateparse==2.9.0"), "{pins}");
    let trace = trace(&out);
    assert!(
        trace
            .iter()
            .any(|l| l == "resolve: restart: dateparse is decided late from now on (it rejected other packages' versions again and again)"),
        "{}",
        trace.join("\n")
    );
    // Without conflict-driven priorities pubgrub reads all 30 awscore releases' metadata
    // before it undoes dateparse 3.0.0; with them, a handful.
    let awscore_reads = trace
        .iter()
        .filter(|l| l.starts_with("resolve: metadata awscore "))
        .count();
    assert!(
        awscore_reads <= 6,
        "{awscore_reads} awscore metadata reads:\n{}",
        trace.join("\n")
    );
}
