//! What the command tests share: `pinwheel` run in a directory with nothing from the
//! environment that would change what it does (pip's index settings, `PINWHEEL_LOG`,
//! `SOURCE_DATE_EPOCH`), an output's text, success or an exit code asserted with standard error
//! shown, a work directory, and the facts tests read back (a directory's names, the host
//! target, a wheelhouse manifest).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;

/// `pinwheel` in `dir`, with no index, log or build date from the environment and a `.netrc`
/// that does not exist (`dir/no-netrc`): the user's own credentials never take part.
pub fn pinwheel(dir: &Path) -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("pinwheel").unwrap();
    c.current_dir(dir).env("NETRC", dir.join("no-netrc"));
    for var in ENV {
        c.env_remove(var);
    }
    c
}

/// [`pinwheel`] as a `std` command, for tests that spawn it and signal it.
pub fn pinwheel_std(dir: &Path) -> std::process::Command {
    use assert_cmd::cargo::CommandCargoExt;
    let mut c = std::process::Command::cargo_bin("pinwheel").unwrap();
    c.current_dir(dir).env("NETRC", dir.join("no-netrc"));
    for var in ENV {
        c.env_remove(var);
    }
    c
}

/// What a test run must not inherit.
const ENV: [&str; 4] = [
    "PIP_INDEX_URL",
    "PIP_EXTRA_INDEX_URL",
    "PINWHEEL_LOG",
    "SOURCE_DATE_EPOCH",
];

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts success (showing both streams otherwise); returns standard error.
pub fn ok(out: &Output) -> String {
    let err = stderr(out);
    assert!(
        out.status.success(),
        "exit {:?}\nstderr:\n{err}\nstdout:\n{}",
        out.status.code(),
        stdout(out)
    );
    err
}

/// Asserts the exit code `code`; returns standard error.
pub fn fails(out: &Output, code: i32) -> String {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(code), "{err}");
    err
}

/// The names in `dir` (none when it does not exist).
pub fn names(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// This machine as a target (`cp311-manylinux_2_36_x86_64`), as `pinwheel target` says.
pub fn host(dir: &Path) -> String {
    let out = pinwheel(dir).arg("target").output().unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

/// The sha256 hashes a lock or requirements file lists for the pin whose line starts with
/// `start` (its `--hash=sha256:` lines below it).
pub fn pin_hashes(text: &str, start: &str) -> Vec<String> {
    let mut lines = text.lines().skip_while(|l| !l.starts_with(start));
    assert!(lines.next().is_some(), "no `{start}` in:\n{text}");
    lines
        .take_while(|l| l.starts_with(' '))
        .filter_map(|l| l.trim().strip_prefix("--hash=sha256:"))
        .map(|h| h.trim_end_matches(" \\").to_string())
        .collect()
}

/// The manifest of the wheelhouse `dir`.
pub fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join("pinwheel-manifest.json")).unwrap()).unwrap()
}

/// The manifest entry of `filename` in the wheelhouse `dir`.
pub fn manifest_file(dir: &Path, filename: &str) -> serde_json::Value {
    let manifest = manifest(dir);
    manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["filename"] == filename)
        .unwrap_or_else(|| panic!("{filename} not in {manifest}"))
        .clone()
}

/// A temporary directory a test works in.
pub struct Run {
    pub dir: tempfile::TempDir,
}

impl Default for Run {
    fn default() -> Self {
        Self::new()
    }
}

impl Run {
    pub fn new() -> Self {
        Run {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    /// [`pinwheel`] in the run's directory.
    pub fn cmd(&self) -> assert_cmd::Command {
        pinwheel(self.dir.path())
    }

    /// The lock the run wrote, `requirements.lock`.
    pub fn output(&self) -> String {
        self.read("requirements.lock")
    }

    /// A file of the run's directory.
    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap()
    }

    /// `pinwheel ARGS` in the run's directory against `idx`, with the run's own cache
    /// (`--index-url` and `--cache-dir` after ARGS; `verify` reads no index and gets neither).
    pub fn against(&self, idx: &super::FixtureIndex, args: &[&str]) -> Output {
        let mut c = self.cmd();
        c.args(args);
        if args.first() != Some(&"verify") {
            c.args(["--index-url", &idx.url(), "--cache-dir"])
                .arg(self.path("cache"));
        }
        c.output().unwrap()
    }
}

/// The fixture specs of the index tests serve.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/index")
}

/// The fixture index, served with `opts`.
pub fn index(opts: super::IndexOptions) -> super::FixtureIndex {
    super::FixtureIndex::start_from(&fixtures(), opts)
}

/// The `name==version` lines of a lock (marker kept), without hashes and comments.
pub fn pins(lock: &str) -> Vec<String> {
    lock.lines()
        .filter(|l| {
            !l.starts_with(' ') && !l.starts_with('#') && !l.starts_with("--") && !l.is_empty()
        })
        .map(|l| l.trim_end_matches(" \\").to_string())
        .collect()
}

/// What varies from run to run in a command's output, replaced by placeholders so that whole
/// outputs can be snapshots: the index's URL and address (its port), the run's directory,
/// values a test names (`with`), then times (`0.12s`) and any other sha256 (`[SHA256]`: the
/// fixture files are built afresh for every index).
pub struct Redactions(Vec<(String, String)>);

impl Redactions {
    pub fn new(idx: &super::FixtureIndex, dir: &Path) -> Self {
        let mut r = Redactions(vec![
            (idx.url(), "[INDEX]".to_string()),
            (idx.base(), "[HOST]".to_string()),
        ]);
        r.0.extend(Self::dir(dir).0);
        r
    }

    /// For a run with no fixture index: the directory alone.
    pub fn dir(dir: &Path) -> Self {
        let mut r = Vec::new();
        if let Ok(real) = dir.canonicalize() {
            r.push((real.display().to_string(), "[DIR]".to_string()));
        }
        r.push((dir.display().to_string(), "[DIR]".to_string()));
        Redactions(r)
    }

    /// Replaces `value` by `placeholder` too (before the generic sha256 redaction).
    pub fn with(mut self, value: impl Into<String>, placeholder: &str) -> Self {
        self.0.push((value.into(), placeholder.to_string()));
        self
    }

    pub fn apply(&self, text: &str) -> String {
        let mut s = text.to_string();
        for (value, placeholder) in &self.0 {
            if !value.is_empty() {
                s = s.replace(value.as_str(), placeholder);
            }
        }
        sha256s(&times(&s))
    }

    /// The exit code, standard output and standard error of `o`, redacted: a whole run.
    pub fn transcript(&self, o: &Output) -> String {
        format!(
            "exit code: {}\n----- stdout -----\n{}----- stderr -----\n{}",
            o.status
                .code()
                .map_or("killed".to_string(), |c| c.to_string()),
            self.apply(&stdout(o)),
            self.apply(&stderr(o))
        )
    }
}

/// `0.12s` -> `[TIME]`.
pub fn times(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find(|c: char| c.is_ascii_digit()) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let end = tail
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(tail.len());
        let (num, after) = tail.split_at(end);
        if num.contains('.')
            && after.starts_with('s')
            && !after[1..].starts_with(char::is_alphanumeric)
        {
            out.push_str("[TIME]");
            rest = &after[1..];
        } else {
            out.push_str(num);
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// Every run of exactly 64 lowercase hex digits -> `[SHA256]`.
fn sha256s(s: &str) -> String {
    let hex = |c: char| c.is_ascii_digit() || ('a'..='f').contains(&c);
    let mut out = String::new();
    let mut run = String::new();
    for c in s.chars() {
        if hex(c) {
            run.push(c);
            continue;
        }
        out.push_str(if run.len() == 64 { "[SHA256]" } else { &run });
        run.clear();
        out.push(c);
    }
    out.push_str(if run.len() == 64 { "[SHA256]" } else { &run });
    out
}
