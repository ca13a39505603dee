//! `pinwheel check` and `lock --only-binary/--prefer-binary` against the loopback fixture index.

mod support;

use std::path::Path;
use std::process::Output;

use support::cli::{pinwheel, stderr, stdout, Redactions};
use support::{FixtureIndex, IndexOptions};

const GLIBC: &str = "cp312-manylinux_2_28_x86_64";
const MUSL: &str = "cp312-musllinux_1_2_x86_64";

fn lock(idx: &FixtureIndex, dir: &Path, input: &str, args: &[&str]) -> Output {
    std::fs::write(dir.join("requirements.in"), input).unwrap();
    pinwheel(dir)
        .args([
            "lock",
            "requirements.in",
            "-o",
            "requirements.lock",
            "--no-cache",
            "--upgrade",
            "--index-url",
            &idx.url(),
        ])
        .args(args)
        .output()
        .unwrap()
}

fn check(idx: &FixtureIndex, dir: &Path, lock: &str, args: &[&str]) -> Output {
    std::fs::write(dir.join("check.lock"), lock).unwrap();
    pinwheel(dir)
        .args([
            "check",
            "check.lock",
            "--no-cache",
            "--index-url",
            &idx.url(),
        ])
        .args(args)
        .output()
        .unwrap()
}

/// A lock as any tool would write it; `check` needs no hashes.
const MIXED: &str = "# targets: cp312-manylinux_2_28_x86_64 cp312-musllinux_1_2_x86_64\n\
native==1.0.0\napp==1.0.0\nstaticsdist==1.0.0\nglibconly==2.0.0\nnewer-musl==1.0.0\nnothing==1.0.0\n\
backport==2.0.0 ; python_version < '3.12'\n";

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_str(&stdout(o)).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

fn entry<'a>(
    report: &'a serde_json::Value,
    name: &str,
    target: &str,
) -> Option<&'a serde_json::Value> {
    report["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == name && e["target"] == target)
}

#[test]
fn every_status_with_suggestions() {
    let idx = FixtureIndex::start(IndexOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let out = check(&idx, dir.path(), MIXED, &["--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let r = json(&out);
    let status =
        |n: &str, t: &str| entry(&r, n, t).map(|e| e["status"].as_str().unwrap().to_string());
    assert_eq!(status("native", GLIBC).as_deref(), Some("wheel"));
    assert_eq!(status("native", MUSL).as_deref(), Some("wheel"));
    assert_eq!(status("app", MUSL).as_deref(), Some("pure"));
    assert_eq!(status("staticsdist", MUSL).as_deref(), Some("sdist"));
    assert_eq!(status("glibconly", GLIBC).as_deref(), Some("wheel"));
    assert_eq!(status("glibconly", MUSL).as_deref(), Some("sdist"));
    assert_eq!(status("nothing", GLIBC).as_deref(), Some("none"));
    // Not needed on Python 3.12: not reported.
    assert_eq!(status("backport", GLIBC), None);
    let native = entry(&r, "native", MUSL).unwrap();
    assert_eq!(
        native["file"],
        "native-1.0.0-cp312-cp312-musllinux_1_2_x86_64.whl"
    );
    assert_eq!(native["tag"], "cp312-cp312-musllinux_1_2_x86_64");
    // The nearest version with a wheel: older for glibconly, newer for newer-musl.
    let s = &entry(&r, "glibconly", MUSL).unwrap()["suggestion"];
    assert_eq!(
        (s["version"].as_str(), s["direction"].as_str()),
        (Some("1.0.0"), Some("older")),
        "{s}"
    );
    let s = &entry(&r, "newer-musl", MUSL).unwrap()["suggestion"];
    assert_eq!(
        (s["version"].as_str(), s["direction"].as_str()),
        (Some("1.1.0"), Some("newer")),
        "{s}"
    );
    assert!(s["satisfies_input"].is_null());
    assert!(entry(&r, "staticsdist", MUSL).unwrap()["suggestion"].is_null());
    // No downloads: listings only.
    assert!(
        idx.requests()
            .iter()
            .all(|r| r.path.starts_with("/simple/")),
        "{:?}",
        idx.requests()
    );
}

#[test]
fn suggestions_say_whether_they_satisfy_the_input() {
    let idx = FixtureIndex::start(IndexOptions::default());
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("in.txt"), "glibconly>=2\nnewer-musl\n").unwrap();
    let out = check(
        &idx,
        dir.path(),
        MIXED,
        &["--format", "json", "--input", "in.txt", "--target", MUSL],
    );
    let r = json(&out);
    assert_eq!(
        entry(&r, "glibconly", MUSL).unwrap()["suggestion"]["satisfies_input"],
        false
    );
    assert_eq!(
        entry(&r, "newer-musl", MUSL).unwrap()["suggestion"]["satisfies_input"],
        true
    );
    let human = check(
        &idx,
        dir.path(),
        MIXED,
        &["--input", "in.txt", "--target", MUSL],
    );
    insta::assert_snapshot!(
        "suggestions_against_the_input",
        Redactions::new(&idx, dir.path()).transcript(&human)
    );
}

#[test]
fn exit_codes_and_allow_sdist() {
    let idx = FixtureIndex::start(IndexOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let all_wheels = "native==1.0.0\napp==1.0.0\n";
    assert_eq!(
        check(&idx, dir.path(), all_wheels, &["--target", MUSL])
            .status
            .code(),
        Some(0)
    );
    let sdist_only = "native==1.0.0\nstaticsdist==1.0.0\n";
    assert_eq!(
        check(&idx, dir.path(), sdist_only, &["--target", MUSL])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        check(
            &idx,
            dir.path(),
            sdist_only,
            &["--target", MUSL, "--allow-sdist"]
        )
        .status
        .code(),
        Some(0)
    );
    // `none` fails even with --allow-sdist.
    assert_eq!(
        check(
            &idx,
            dir.path(),
            "nothing==1.0.0\n",
            &["--target", MUSL, "--allow-sdist"]
        )
        .status
        .code(),
        Some(1)
    );
    // Bad input: exit 2 with where and what.
    let bad = check(&idx, dir.path(), "native>=1\n", &["--target", MUSL]);
    insta::assert_snapshot!(
        "unpinned_line",
        Redactions::new(&idx, dir.path()).transcript(&bad)
    );
    let bad = check(
        &idx,
        dir.path(),
        all_wheels,
        &["--target", "python:3.12-nonsense"],
    );
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn human_report_groups_by_status_with_the_verdict_last() {
    let idx = FixtureIndex::start(IndexOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let out = check(&idx, dir.path(), MIXED, &["--target", MUSL]);
    insta::assert_snapshot!("human_report", stdout(&out));
    let last = stdout(&out).lines().last().unwrap().to_string();
    assert!(
        last.starts_with(
            "3 of 6 pins are source only on cp312-musllinux_1_2_x86_64 and not built yet"
        ),
        "{last}"
    );
}

#[test]
fn json_schema_snapshot() {
    let idx = FixtureIndex::start(IndexOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let out = check(&idx, dir.path(), MIXED, &["--format", "json"]);
    insta::assert_snapshot!("json_report", stdout(&out));
}

#[test]
fn only_binary_lock_backtracks_to_a_version_with_musl_wheels() {
    let idx = FixtureIndex::start(IndexOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let out = lock(
        &idx,
        dir.path(),
        "glibconly\n",
        &["--target", GLIBC, "--target", MUSL],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(dir.path().join("requirements.lock")).unwrap();
    assert!(text.contains("glibconly==3.0.0"), "{text}");
    let out = lock(
        &idx,
        dir.path(),
        "glibconly\n",
        &[
            "--target",
            GLIBC,
            "--target",
            MUSL,
            "--only-binary",
            ":all:",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(dir.path().join("requirements.lock")).unwrap();
    assert!(text.contains("glibconly==1.0.0"), "{text}");
    // The per-package spelling works too.
    let out = lock(
        &idx,
        dir.path(),
        "glibconly\n",
        &["--target", MUSL, "--only-binary", "glibconly"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        std::fs::read_to_string(dir.path().join("requirements.lock"))
            .unwrap()
            .contains("glibconly==1.0.0")
    );
}

#[test]
fn only_binary_impossible_says_which_package_and_target() {
    let idx = FixtureIndex::start(IndexOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let out = lock(
        &idx,
        dir.path(),
        "app\nstaticsdist\n",
        &["--target", MUSL, "--only-binary", ":all:"],
    );
    insta::assert_snapshot!(
        "only_binary_impossible",
        Redactions::new(&idx, dir.path()).transcript(&out)
    );
}

#[test]
fn prefer_binary_takes_an_older_release_with_wheels() {
    let idx = FixtureIndex::start(IndexOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let out = lock(
        &idx,
        dir.path(),
        "glibconly\n",
        &["--target", MUSL, "--prefer-binary"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        std::fs::read_to_string(dir.path().join("requirements.lock"))
            .unwrap()
            .contains("glibconly==1.0.0")
    );
    let out = lock(&idx, dir.path(), "glibconly\n", &["--target", MUSL]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        std::fs::read_to_string(dir.path().join("requirements.lock"))
            .unwrap()
            .contains("glibconly==3.0.0")
    );
}

#[test]
fn only_binary_applies_per_target_a_windows_only_dependency_needs_no_linux_wheel() {
    let idx = FixtureIndex::start(IndexOptions::default());
    let dir = tempfile::tempdir().unwrap();
    // app needs winonly on win32 only; winonly has only Windows wheels.
    let out = lock(
        &idx,
        dir.path(),
        "app\n",
        &[
            "--target",
            GLIBC,
            "--target",
            "cp312-win_amd64",
            "--only-binary",
            ":all:",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(dir.path().join("requirements.lock")).unwrap();
    assert!(
        text.contains("winonly==3.0.0 ; sys_platform == 'win32'"),
        "{text}"
    );
}

/// Only files whose listed sha256 the lock names count, as in `wheelhouse`: a lock that hashes
/// only the sdist installs from the sdist, whatever wheels the index has.
#[test]
fn lock_hashes_decide_which_files_count() {
    let idx = FixtureIndex::start(IndexOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let sdist_only = format!(
        "glibconly==2.0.0 \\\n    --hash=sha256:{}\n",
        idx.sha256("glibconly-2.0.0.tar.gz")
    );
    let out = check(
        &idx,
        dir.path(),
        &sdist_only,
        &["--format", "json", "--target", GLIBC],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let r = json(&out);
    let e = entry(&r, "glibconly", GLIBC).unwrap();
    assert_eq!(e["status"], "sdist", "{e}");
    assert_eq!(e["file"], "glibconly-2.0.0.tar.gz", "{e}");
    // With the wheel's hash too, the wheel counts.
    let both = format!(
        "glibconly==2.0.0 \\\n    --hash=sha256:{} \\\n    --hash=sha256:{}\n",
        idx.sha256("glibconly-2.0.0.tar.gz"),
        idx.sha256("glibconly-2.0.0-cp312-cp312-manylinux_2_28_x86_64.whl")
    );
    let out = check(
        &idx,
        dir.path(),
        &both,
        &["--format", "json", "--target", GLIBC],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        entry(&json(&out), "glibconly", GLIBC).unwrap()["status"],
        "wheel"
    );
}

/// A package pinned twice (markers per Python), once as a direct reference: each pin is checked
/// against its own files.
#[test]
fn a_package_pinned_twice_is_checked_per_pin() {
    let idx = FixtureIndex::start(IndexOptions::default());
    let dir = tempfile::tempdir().unwrap();
    const CP311: &str = "cp311-manylinux_2_28_x86_64";
    let lock = format!(
        "lib @ {}/files/lib-1.1.0-py3-none-any.whl ; python_version < '3.12'\n\
         lib==1.2.0 ; python_version >= '3.12'\n",
        idx.base()
    );
    let out = check(
        &idx,
        dir.path(),
        &lock,
        &["--format", "json", "--target", CP311, "--target", GLIBC],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let r = json(&out);
    let e = entry(&r, "lib", CP311).unwrap();
    assert_eq!(
        (e["version"].as_str(), e["file"].as_str()),
        (Some("1.1.0"), Some("lib-1.1.0-py3-none-any.whl"))
    );
    let e = entry(&r, "lib", GLIBC).unwrap();
    assert_eq!(
        (
            e["version"].as_str(),
            e["status"].as_str(),
            e["file"].as_str()
        ),
        (
            Some("1.2.0"),
            Some("pure"),
            Some("lib-1.2.0-py3-none-any.whl")
        )
    );
}

/// As in `wheelhouse`: a lock hash that matches no file of the version fails (exit 5).
#[test]
fn a_lock_hash_matching_no_file_fails() {
    let idx = FixtureIndex::start(IndexOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let gone = "0".repeat(64);
    let lock = format!(
        "glibconly==2.0.0 \\\n    --hash=sha256:{gone} \\\n    --hash=sha256:{}\n",
        idx.sha256("glibconly-2.0.0.tar.gz")
    );
    let out = check(&idx, dir.path(), &lock, &["--target", GLIBC]);
    insta::assert_snapshot!(
        "lock_hash_matching_no_file",
        Redactions::new(&idx, dir.path())
            .with(gone, "[GONE]")
            .transcript(&out)
    );
}

/// `--exclude-newer` cuts suggestions, not the pinned version's own files.
#[test]
fn exclude_newer_keeps_the_pinned_version() {
    let idx = FixtureIndex::start(IndexOptions::default());
    let dir = tempfile::tempdir().unwrap();
    // lib 1.2.0 was uploaded on 2024-03-01.
    let lock = format!(
        "lib==1.2.0 \\\n    --hash=sha256:{}\n",
        idx.sha256("lib-1.2.0-py3-none-any.whl")
    );
    let out = check(
        &idx,
        dir.path(),
        &lock,
        &[
            "--format",
            "json",
            "--target",
            GLIBC,
            "--exclude-newer",
            "2024-02-15",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(entry(&json(&out), "lib", GLIBC).unwrap()["status"], "pure");
}

#[test]
fn a_bad_targets_line_in_the_lock_is_named_as_such() {
    let idx = FixtureIndex::start(IndexOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let out = check(
        &idx,
        dir.path(),
        "# targets: cp312-plan9_sparc\nlib==1.2.0\n",
        &[],
    );
    // Named as the lock's line, not as a `--target` the user did not give.
    insta::assert_snapshot!(
        "bad_targets_line",
        Redactions::new(&idx, dir.path()).transcript(&out)
    );
}
