//! Live tests against the real index, with a fixed `--exclude-newer` so results stay stable.
//! When the machine has no route to the index they say so and pass (CI machines reach it).

use std::path::{Path, PathBuf};
use std::process::Command;

const EXCLUDE_NEWER: &str = "2025-10-01T00:00:00Z";

fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_pinwheel"))
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

fn host_target() -> String {
    let out = Command::new(bin())
        .args(["target"])
        .output()
        .expect("run pinwheel");
    String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_string()
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
    let lock = dir.path().join("requirements.lock");
    let host = host_target();
    assert!(host.starts_with("cp3"), "host target: {host}");
    let out = Command::new(bin())
        .arg("lock")
        .arg(corpus("web-api.in"))
        .arg("-o")
        .arg(&lock)
        .args(["--target", "cp312-manylinux_2_28_x86_64", "--target", &host])
        .args(["--exclude-newer", EXCLUDE_NEWER, "--cache-dir"])
        .arg(dir.path().join("cache"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&lock).unwrap();
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
    let pins = text
        .lines()
        .filter(|l| l.contains("==") && !l.starts_with('#'))
        .count();
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
        .arg(&lock)
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
