//! The external tools end-to-end tests hand pinwheel's output to: uv, a recent pip (PEP 751
//! support) and the `dockerfile-parse` package, installed by `.ci/run` into a venv (`.tools/`
//! in the repository, or `$PINWHEEL_TEST_TOOLS`), and nginx. A test whose tool is missing says
//! so on standard error and returns, so `cargo test` also runs on a machine without them; CI
//! installs them all.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The venv holding the test tools.
pub fn venv() -> PathBuf {
    std::env::var_os("PINWHEEL_TEST_TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".tools"))
}

/// `bin/NAME` of the tools venv, when installed.
pub fn tool(name: &str) -> Option<PathBuf> {
    let p = venv().join("bin").join(name);
    p.exists().then_some(p)
}

/// The tools venv's Python when it can `import module`.
pub fn python_with(module: &str) -> Option<PathBuf> {
    let py = tool("python")?;
    let ok = Command::new(&py)
        .args(["-c", &format!("import {module}")])
        .output()
        .ok()?
        .status
        .success();
    ok.then_some(py)
}

/// Reports a skipped test.
pub fn skip(test: &str, why: &str) {
    eprintln!("skipped: {test}: {why} (run .ci/run to install the test tools)");
}

/// A fresh venv at `dir` made by the system `python3`; its interpreter.
pub fn fresh_venv(dir: &Path) -> PathBuf {
    let st = Command::new("python3")
        .args(["-m", "venv"])
        .arg(dir)
        .status()
        .unwrap();
    assert!(st.success(), "python3 -m venv failed");
    dir.join("bin/python")
}

/// Asserts success, showing the tool's output otherwise; returns standard output.
pub fn ok(what: &str, out: &Output) -> String {
    assert!(
        out.status.success(),
        "{what} failed ({:?}):\n{}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `name==version` lines of what is installed in the venv of `python` (lowercase names).
pub fn installed(python: &Path) -> Vec<String> {
    let out = Command::new(python)
        .args([
            "-c",
            "import importlib.metadata as m\n\
             for d in sorted(m.distributions(), key=lambda d: d.metadata['Name'].lower()):\n\
             \x20   n = d.metadata['Name'].lower()\n\
             \x20   if n not in ('pip', 'setuptools'): print(f\"{n}=={d.version}\")",
        ])
        .output()
        .unwrap();
    ok("listing installed packages", &out)
        .lines()
        .map(str::to_string)
        .collect()
}

/// `python -m pip install --no-index EXTRA... -r requirements`, run in `cwd` with no find-links
/// from the environment and no prompts; asserts it succeeds.
pub fn pip_install_offline(python: &Path, cwd: &Path, requirements: &Path, extra: &[&str]) {
    let out = Command::new(python)
        .current_dir(cwd)
        .args(["-m", "pip", "install", "--no-index"])
        .args(extra)
        .arg("-r")
        .arg(requirements)
        .env_remove("PIP_FIND_LINKS")
        .env("PIP_NO_INPUT", "1")
        .output()
        .unwrap();
    ok("pip install --no-index", &out);
}
