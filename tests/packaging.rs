//! The Python packaging (pyproject.toml, maturin with `bindings = "bin"`): `pip install` of the
//! repository, in a fresh venv, puts a working `pinwheel` on that venv's PATH.
//!
//! IGNORED BY DEFAULT, run by `.ci/run` (`cargo test --release --test packaging -- --ignored`):
//! maturin compiles the binary again with its own flags, which costs minutes on two cores. It
//! builds in `target/maturin` (CARGO_TARGET_DIR), never in `target/release`, so it cannot
//! replace the binary the other tests run; that directory is kept, so later runs only rebuild
//! what changed. Skipped with a message when maturin cannot be installed (no route to PyPI).

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `target/` of this build: two levels up from the binary under test.
fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_pinwheel"))
        .ancestors()
        .nth(2)
        .expect("the binary sits in target/<profile>/")
        .to_path_buf()
}

#[test]
#[ignore = "builds the release binary again with maturin (minutes); run by .ci/run"]
fn pip_install_of_the_repository_puts_pinwheel_on_path() {
    let dir = tempfile::tempdir().unwrap();
    let venv = dir.path().join("venv");
    let st = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .status()
        .unwrap();
    assert!(st.success(), "python3 -m venv failed");
    let bin = venv.join("bin");
    // The build backend pyproject.toml names, installed where pip will find it.
    let maturin = Command::new(bin.join("pip"))
        .args(["install", "--quiet", "maturin>=1.5,<2"])
        .output()
        .unwrap();
    if !maturin.status.success() {
        eprintln!(
            "skipped: maturin cannot be installed: {}",
            String::from_utf8_lossy(&maturin.stderr)
        );
        return;
    }
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let install = Command::new(bin.join("pip"))
        .args(["install", "--no-build-isolation", "--no-index"])
        .arg(repo())
        .env("PATH", &path)
        .env("CARGO_TARGET_DIR", target_dir().join("maturin"))
        .output()
        .unwrap();
    assert!(
        install.status.success(),
        "pip install failed:\n{}\n{}",
        String::from_utf8_lossy(&install.stdout),
        String::from_utf8_lossy(&install.stderr)
    );
    let version = Command::new(bin.join("pinwheel"))
        .arg("--version")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&version.stdout),
        format!("pinwheel {}\n", env!("CARGO_PKG_VERSION"))
    );
}
