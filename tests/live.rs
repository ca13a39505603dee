//! Live tests against the real index, with a fixed `--exclude-newer` so results stay stable.
//! When the machine has no route to the index they say so and pass (CI machines reach it).

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::cli::{host, ok, pinwheel};
use support::tools;

const EXCLUDE_NEWER: &str = "2025-10-01T00:00:00Z";

/// Locks `input` for `targets` into `dir/requirements.lock` with the fixed `--exclude-newer` and
/// a cache in `dir`, which must succeed; the lock's text.
fn lock(dir: &Path, input: &Path, targets: &[&str]) -> String {
    let lock = dir.join("requirements.lock");
    let mut c = pinwheel(dir);
    c.arg("lock").arg(input).arg("-o").arg(&lock);
    for t in targets {
        c.args(["--target", t]);
    }
    ok(&c
        .args(["--exclude-newer", EXCLUDE_NEWER, "--cache-dir"])
        .arg(dir.join("cache"))
        .output()
        .unwrap());
    std::fs::read_to_string(&lock).unwrap()
}

/// The pin lines of a lock (`name==version ...`, continuation and all).
fn pin_lines(lock: &str) -> impl Iterator<Item = &str> {
    lock.lines()
        .map(str::trim)
        .filter(|l| l.contains("==") && !l.starts_with('#'))
}

fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/corpus")
        .join(name)
}

fn index_reachable() -> bool {
    let ok = Command::new("python3")
        .args([
            "-c",
            "import urllib.request,sys; urllib.request.urlopen('https://pypi.org/simple/pip/', timeout=10); sys.exit(0)",
        ])
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !ok {
        eprintln!("skipped: index unreachable");
    }
    ok
}

fn venv(dir: &Path) -> PathBuf {
    let st = Command::new("python3")
        .args(["-m", "venv"])
        .arg(dir)
        .status()
        .unwrap();
    assert!(st.success());
    dir.join("bin/python")
}

/// The web-api corpus locks for the reference target and the host, and the host's pip accepts
/// the lock with --require-hashes (a dry-run install that checks every hash it downloads).
#[test]
fn live_lock_web_api_is_accepted_by_pip() {
    if !index_reachable() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let lock_path = dir.path().join("requirements.lock");
    let host = host(dir.path());
    assert!(host.starts_with("cp3"), "host target: {host}");
    let text = lock(
        dir.path(),
        &corpus("web-api.in"),
        &["cp312-manylinux_2_28_x86_64", &host],
    );
    for pkg in [
        "fastapi==",
        "numpy==",
        "pandas==",
        "boto3==",
        "cryptography==",
        "uvicorn==",
        "psycopg-binary==",
    ] {
        assert!(text.contains(pkg), "{pkg} missing from\n{text}");
    }
    assert!(text.contains(&format!("# targets: cp312-manylinux_2_28_x86_64 {host}")));
    // Every pin is hashed.
    let pins = pin_lines(&text).count();
    let hashed = text.matches("--hash=sha256:").count();
    assert!(pins > 30 && hashed >= pins, "{pins} pins, {hashed} hashes");

    let py = venv(&dir.path().join("venv"));
    let report = dir.path().join("report.json");
    let st = Command::new(&py)
        .args([
            "-m",
            "pip",
            "install",
            "--dry-run",
            "--quiet",
            "--require-hashes",
            "--no-deps",
            "--only-binary",
            ":all:",
            "--report",
        ])
        .arg(&report)
        .arg("-r")
        .arg(&lock_path)
        .env_remove("PIP_FIND_LINKS")
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "pip refused the lock:\n{}",
        String::from_utf8_lossy(&st.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    let installed = report["install"].as_array().unwrap().len();
    let with_marker = text
        .lines()
        .filter(|l| l.contains("==") && l.contains(" ; "))
        .count();
    assert!(
        installed <= pins && installed + with_marker >= pins,
        "pip would install {installed} of {pins} pins"
    );
}

/// The web-api corpus, locked for this machine, goes into a wheelhouse that the real pip
/// installs with no index in a fresh venv; `pip check` passes.
#[test]
fn live_wheelhouse_installs_offline() {
    if !index_reachable() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    lock(dir.path(), &corpus("web-api.in"), &[&host(dir.path())]);
    let wh = dir.path().join("wh");
    let pw = |args: &[&str]| ok(&pinwheel(dir.path()).args(args).output().unwrap());
    pw(&["wheelhouse", "requirements.lock", "-d", "wh"]);
    pw(&["verify", "wh"]);
    let py = venv(&dir.path().join("venv"));
    let out = Command::new(&py)
        .args(["-m", "pip", "install", "--quiet", "--no-index", "-r"])
        .arg(wh.join("requirements.txt"))
        .env_remove("PIP_FIND_LINKS")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let check = Command::new(&py)
        .args(["-m", "pip", "check"])
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    let import = Command::new(&py)
        .args([
            "-c",
            "import fastapi, numpy, pandas, cryptography, lxml, PIL, psycopg, boto3",
        ])
        .status()
        .unwrap();
    assert!(import.success());
}

/// alpine-mixed, locked and checked for python:3.12-alpine: the source-only pins are reported
/// and the others pass; pip itself agrees, pin by pin, with
/// `pip download --only-binary=:all: --platform musllinux_1_2_x86_64 --python-version 3.12`.
#[test]
fn live_check_alpine_agrees_with_pip_download() {
    if !index_reachable() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    lock(
        dir.path(),
        &corpus("alpine-mixed.in"),
        &["python:3.12-alpine"],
    );
    let out = pinwheel(dir.path())
        .args(["check", "requirements.lock"])
        .args(["--target", "python:3.12-alpine", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "docopt is source-only: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let entries = report["entries"].as_array().unwrap();
    let sdist: Vec<&str> = entries
        .iter()
        .filter(|e| e["status"] == "sdist")
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(sdist, ["docopt"]);
    let py = venv(&dir.path().join("venv"));
    for e in entries {
        let spec = format!(
            "{}=={}",
            e["name"].as_str().unwrap(),
            e["version"].as_str().unwrap()
        );
        let st = Command::new(&py)
            .args([
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "--only-binary=:all:",
            ])
            .args([
                "--platform",
                "musllinux_1_2_x86_64",
                "--python-version",
                "3.12",
                "-d",
            ])
            .arg(dir.path().join("dl"))
            .arg(&spec)
            .env_remove("PIP_FIND_LINKS")
            .output()
            .unwrap();
        let pip_has_wheel = st.status.success();
        let we_say_wheel = e["status"] == "wheel" || e["status"] == "pure";
        assert_eq!(
            pip_has_wheel, we_say_wheel,
            "{spec}: pip {pip_has_wheel}, check {}",
            e["status"]
        );
    }
}

/// `--exclude-newer DATE` keeps that whole day, as uv: on 2025-10-01, uv picks boto3 1.40.43
/// (uploaded that day), where the day's start would give 1.40.42.
#[test]
fn live_exclude_newer_date_includes_that_day_as_uv() {
    if !index_reachable() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("requirements.in");
    std::fs::write(&input, "boto3\n").unwrap();
    let out = pinwheel(dir.path())
        .arg("lock")
        .arg(&input)
        .args(["-o", "-", "--target", "cp312-manylinux_2_28_x86_64"])
        .args(["--exclude-newer", "2025-10-01", "--cache-dir"])
        .arg(dir.path().join("cache"))
        .output()
        .unwrap();
    ok(&out);
    let lock = String::from_utf8_lossy(&out.stdout);
    assert!(lock.contains("\nboto3==1.40.43 "), "{lock}");
}

/// A name PyPI does not have: the hint is the spelling, not the index URL (PyPI is right).
#[test]
fn live_unknown_package_on_pypi_is_not_blamed_on_the_index_url() {
    if !index_reachable() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("requirements.in");
    std::fs::write(&input, "pinwheel-no-such-package-7f3a\n").unwrap();
    let out = pinwheel(dir.path())
        .arg("lock")
        .arg(&input)
        .args(["--target", "cp312-manylinux_2_28_x86_64", "--no-cache"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    insta::assert_snapshot!(String::from_utf8_lossy(&out.stderr), @r"
    error: package `pinwheel-no-such-package-7f3a` was not found on https://pypi.org/simple/
      hint: check the spelling, or add the index that has it with --extra-index-url
    ");
}

/// `name==version` of every pin a requirements-format lock applies on the target whose
/// `python_version` is `python` (pins without a marker, or whose marker names it), sorted,
/// with normalised names.
fn pins_for(lock: &str, python: &str) -> Vec<String> {
    let mut out: Vec<String> = lock
        .lines()
        .filter(|l| !l.starts_with([' ', '#', '-']) && l.contains("=="))
        .filter_map(|l| {
            let l = l.trim_end_matches(" \\");
            let (pin, marker) = l.split_once(" ; ").unwrap_or((l, ""));
            let applies =
                marker.is_empty() || marker.contains(&format!("python_version == '{python}'"));
            applies.then(|| pin.trim().to_lowercase().replace('_', "-"))
        })
        .collect();
    out.sort();
    out
}

/// Issue 13: numpy, pandas and scipy locked for python:3.10-slim and python:3.13-slim in one
/// lock give each target the versions `uv pip compile --python-version` gives it alone (numpy
/// and scipy dropped Python 3.10 before that date, so the lock forks).
#[test]
fn live_forked_lock_matches_uv_per_target() {
    if !index_reachable() {
        return;
    }
    let Some(uv) = tools::tool("uv") else {
        tools::skip(
            "live_forked_lock_matches_uv_per_target",
            "uv is not installed",
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("requirements.in");
    std::fs::write(&input, "numpy\npandas\nscipy\n").unwrap();
    let text = lock(
        dir.path(),
        &input,
        &["python:3.10-slim", "python:3.13-slim"],
    );
    let mut forked = false;
    for python in ["3.10", "3.13"] {
        let uv_out = Command::new(&uv)
            .args(["pip", "compile", "--no-header", "--no-annotate", "--quiet"])
            .args(["--python-version", python])
            .args(["--python-platform", "x86_64-manylinux_2_28"])
            .args(["--exclude-newer", EXCLUDE_NEWER])
            .args(["--index-url", "https://pypi.org/simple"])
            .arg(&input)
            .env("UV_CACHE_DIR", dir.path().join("uv-cache"))
            .env("UV_PYTHON_DOWNLOADS", "never")
            .env_remove("UV_INDEX_URL")
            .output()
            .unwrap();
        let uv_text = tools::ok("uv pip compile", &uv_out);
        let mut want: Vec<String> = pin_lines(&uv_text)
            .map(|l| l.to_lowercase().replace('_', "-"))
            .collect();
        want.sort();
        let ours = pins_for(&text, python);
        assert_eq!(ours, want, "Python {python}: ours vs uv's\n{text}");
        forked |= text.contains(&format!("python_version == '{python}'"));
    }
    assert!(forked, "expected a forked lock:\n{text}");
}
