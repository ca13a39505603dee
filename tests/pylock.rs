//! PEP 751 `pylock.toml` and the index options a lock carries, against the loopback fixture
//! index: `lock -o pylock.toml` writes a file uv and pip install from; `wheelhouse` and `check`
//! read the pylock files of pinwheel, uv and pip; requirements -> pylock -> wheelhouse equals
//! requirements -> wheelhouse; a lock records its indexes (never credentials) and `wheelhouse`
//! and `check` use them without flags, with credentials from ~/.netrc or the environment.

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Output};

use support::cli::{host, names as files, ok, pinwheel};
use support::{tools, FixtureIndex, IndexOptions};

const GLIBC: &str = "cp312-manylinux_2_28_x86_64";
const MUSL: &str = "cp312-musllinux_1_2_x86_64";
const CP311: &str = "cp311-manylinux_2_28_x86_64";

/// `pinwheel lock requirements.in -o OUT --index-url IDX [--target T]... EXTRA...`.
fn lock(idx: &FixtureIndex, dir: &Path, out: &str, targets: &[&str], extra: &[&str]) -> PathBuf {
    let mut c = pinwheel(dir);
    c.args([
        "lock",
        "requirements.in",
        "-o",
        out,
        "--no-cache",
        "--index-url",
    ])
    .arg(idx.url());
    for t in targets {
        c.args(["--target", t]);
    }
    c.args(extra);
    ok(&c.output().unwrap());
    dir.join(out)
}

fn wheelhouse(dir: &Path, lock: &Path, dest: &str, extra: &[&str]) -> Output {
    pinwheel(dir)
        .arg("wheelhouse")
        .arg(lock)
        .args(["-d", dest, "--no-cache"])
        .args(extra)
        .output()
        .unwrap()
}

/// The manifest without its generator line: files, hashes, pins, targets.
fn manifest(dir: &Path) -> serde_json::Value {
    let mut m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("pinwheel-manifest.json")).unwrap())
            .unwrap();
    m.as_object_mut().unwrap().remove("generator");
    m
}

#[test]
fn pylock_output_is_pep_751_with_every_file_of_every_target() {
    let idx = FixtureIndex::start(IndexOptions::default());
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("requirements.in"), "app\nnative\nnewpy\n").unwrap();
    let path = lock(&idx, dir.path(), "pylock.toml", &[GLIBC, MUSL, CP311], &[]);
    let text = std::fs::read_to_string(&path).unwrap();
    let doc: toml::Table = toml::from_str(&text).unwrap();
    assert_eq!(doc["lock-version"].as_str(), Some("1.0"));
    assert_eq!(doc["created-by"].as_str(), Some("pinwheel"));
    // The oldest target's Python, as uv writes it.
    assert_eq!(doc["requires-python"].as_str(), Some(">=3.11"));
    let pkgs = doc["packages"].as_array().unwrap();
    let names: Vec<&str> = pkgs.iter().map(|p| p["name"].as_str().unwrap()).collect();
    // newpy's newest for 3.12 needs 3.12: each Python its own release (issue 13's forks).
    assert_eq!(
        names,
        ["app", "backport", "lib", "native", "newpy", "newpy"]
    );
    let backport = &pkgs[1];
    assert_eq!(
        backport["marker"].as_str(),
        Some("python_version == '3.11'")
    );
    // The release's Requires-Python where the index gives one; none where it does not.
    let newpy: Vec<(&str, &str)> = pkgs[4..]
        .iter()
        .map(|p| {
            (
                p["version"].as_str().unwrap(),
                p["requires-python"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(newpy, [("1.0.0", ">=3.9"), ("2.0.0", ">=3.12")]);
    assert!(pkgs[0].get("requires-python").is_none());
    // What each pin requires on its targets: app needs lib, and backport on 3.11.
    let deps = |p: &toml::Value| -> Vec<String> {
        p.get("dependencies")
            .and_then(|d| d.as_array())
            .map(|a| {
                a.iter()
                    .map(|d| d["name"].as_str().unwrap().to_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(deps(&pkgs[0]), ["backport", "lib"]);
    assert!(deps(&pkgs[2]).is_empty());
    let native = &pkgs[3];
    assert_eq!(native["version"].as_str(), Some("1.0.0"));
    assert_eq!(native["index"].as_str(), Some(idx.url().as_str()));
    let wheels: BTreeSet<&str> = native["wheels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["name"].as_str().unwrap())
        .collect();
    // The targets' wheels, not Windows'.
    assert_eq!(
        wheels,
        BTreeSet::from([
            "native-1.0.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
            "native-1.0.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
            "native-1.0.0-cp312-cp312-musllinux_1_2_x86_64.whl",
        ])
    );
    for w in native["wheels"].as_array().unwrap() {
        let name = w["name"].as_str().unwrap();
        assert_eq!(
            w["hashes"]["sha256"].as_str(),
            Some(idx.sha256(name).as_str())
        );
        assert_eq!(
            w["size"].as_integer(),
            Some(std::fs::metadata(idx.files_dir().join(name)).unwrap().len() as i64)
        );
        assert!(matches!(w["upload-time"], toml::Value::Datetime(_)), "{w}");
        assert!(w["url"].as_str().unwrap().ends_with(name));
    }
    assert_eq!(
        native["sdist"]["name"].as_str(),
        Some("native-1.0.0.tar.gz")
    );
    let tool = &doc["tool"]["pinwheel"];
    assert_eq!(tool["targets"].as_array().unwrap().len(), 3, "{tool}");
    assert!(tool["command"]
        .as_str()
        .unwrap()
        .starts_with("pinwheel lock"));
    // --format pylock whatever the name; the default for other names stays pip's format.
    let other = lock(
        &idx,
        dir.path(),
        "deps.lock",
        &[GLIBC],
        &["--format", "pylock"],
    );
    assert!(std::fs::read_to_string(other)
        .unwrap()
        .contains("lock-version = \"1.0\""));
    let req = lock(&idx, dir.path(), "requirements.lock", &[GLIBC], &[]);
    assert!(!std::fs::read_to_string(req)
        .unwrap()
        .contains("lock-version"));
}

/// requirements -> wheelhouse and requirements -> pylock -> wheelhouse give the same files,
/// manifest and install file; `check` reads both alike.
#[test]
fn round_trip_through_pylock_gives_the_same_wheelhouse() {
    let idx = FixtureIndex::start(IndexOptions::default());
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("requirements.in"),
        "app[fast]\nnative\nabi3pkg\nstaticsdist\n",
    )
    .unwrap();
    let targets = [GLIBC, MUSL, CP311];
    let req = lock(&idx, dir.path(), "requirements.lock", &targets, &[]);
    let py = lock(&idx, dir.path(), "pylock.toml", &targets, &[]);
    // Neither run is given an index: both locks name the one they were made from. They share a
    // cache, so the wheel built from staticsdist's sdist is built once and is the same file.
    for (lock, dest) in [(&req, "wh-req"), (&py, "wh-pylock")] {
        let out = pinwheel(dir.path())
            .arg("wheelhouse")
            .arg(lock)
            .args(["-d", dest, "--cache-dir", "cache"])
            .output()
            .unwrap();
        ok(&out);
    }
    let (a, b) = (dir.path().join("wh-req"), dir.path().join("wh-pylock"));
    assert_eq!(files(&a), files(&b));
    assert!(files(&a).len() > 8, "{:?}", files(&a));
    assert_eq!(manifest(&a), manifest(&b));
    assert_eq!(
        std::fs::read_to_string(a.join("requirements.txt")).unwrap(),
        std::fs::read_to_string(b.join("requirements.txt")).unwrap()
    );
    let check = |lock: &Path| {
        let out = pinwheel(dir.path())
            .arg("check")
            .arg(lock)
            .args(["--format", "json", "--no-cache", "--allow-sdist"])
            .output()
            .unwrap();
        ok(&out);
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(check(&req), check(&py));
}

/// uv and pip install from pinwheel's pylock.toml for this machine (the files come straight
/// from the loopback index by their URLs, checked against the hashes).
#[test]
fn uv_and_pip_install_from_our_pylock() {
    let idx = FixtureIndex::start(IndexOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let host = host(dir.path());
    std::fs::write(dir.path().join("requirements.in"), "app\nnative\nabi3pkg\n").unwrap();
    let path = lock(&idx, dir.path(), "pylock.toml", &[&host, MUSL], &[]);
    let want = [
        "abi3pkg==2.1.0",
        "app==1.0.0",
        "backport==2.0.0",
        "lib==1.2.0",
        "native==1.0.0",
    ];
    let want: Vec<&str> = if host.starts_with("cp311") {
        want.to_vec()
    } else {
        want.into_iter()
            .filter(|p| !p.starts_with("backport"))
            .collect()
    };
    match tools::tool("uv") {
        None => tools::skip("uv installs our pylock", "uv is not installed"),
        Some(uv) => {
            let py = tools::fresh_venv(&dir.path().join("venv-uv"));
            let out = StdCommand::new(&uv)
                .args(["pip", "install", "--python"])
                .arg(&py)
                .arg("-r")
                .arg(&path)
                .env("UV_CACHE_DIR", dir.path().join("uv-cache"))
                .env_remove("UV_INDEX_URL")
                .output()
                .unwrap();
            tools::ok("uv pip install -r pylock.toml", &out);
            assert_eq!(tools::installed(&py), want);
        }
    }
    match tools::tool("pip") {
        None => tools::skip("pip installs our pylock", "pip >= 25.1 is not installed"),
        Some(pip) => {
            let py = tools::fresh_venv(&dir.path().join("venv-pip"));
            let out = StdCommand::new(&pip)
                .args(["--python"])
                .arg(&py)
                .args(["install", "--no-cache-dir", "-r"])
                .arg(&path)
                .env("PIP_NO_INPUT", "1")
                .output()
                .unwrap();
            tools::ok("pip install -r pylock.toml", &out);
            assert_eq!(tools::installed(&py), want);
        }
    }
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/locks")
        .join(name)
}

/// The pins and hashes a lock file holds, read by pinwheel's library.
fn pins_of(path: &Path) -> Vec<(String, String, Vec<String>)> {
    let text = std::fs::read_to_string(path).unwrap();
    let lock = if pinwheel::lock::pylock::looks_like_pylock(&text) {
        pinwheel::lock::pylock::parse(&text, path, true)
            .unwrap()
            .lock
    } else {
        let file = pinwheel::requirements::RequirementsFile::parse_str(&text, path).unwrap();
        pinwheel::lock::Lock::from_requirements(&file, true).unwrap()
    };
    lock.pins
        .into_iter()
        .map(|p| {
            let hashes = p.hashes.iter().map(ToString::to_string).collect();
            (p.name.to_string(), p.version.to_string(), hashes)
        })
        .collect()
}

/// uv's and pip's pylock.toml files (fixtures/locks/, made from wheelhouse.in against the
/// fixture index) give the same pins and hashes as their requirements-format locks of the same
/// input, and `wheelhouse` builds from them.
#[test]
fn reads_uv_and_pip_pylock_files() {
    // Each tool's pylock lists the files it would install on its platform; its requirements
    // lock hashes every file of the version: same pins, hashes a subset.
    for (pylock, requirements) in [
        ("pylock.uv.toml", "uv.lock"),
        ("pylock.pip.toml", "pip-compile.lock"),
    ] {
        let got = pins_of(&fixture(pylock));
        let want = pins_of(&fixture(requirements));
        assert_eq!(
            got.iter().map(|p| (&p.0, &p.1)).collect::<Vec<_>>(),
            want.iter().map(|p| (&p.0, &p.1)).collect::<Vec<_>>(),
            "{pylock} vs {requirements}"
        );
        for ((name, _, hashes), (_, _, all)) in got.iter().zip(&want) {
            assert!(!hashes.is_empty(), "{pylock}: {name}");
            assert!(
                hashes.iter().all(|h| all.contains(h)),
                "{pylock}: {name}: {hashes:?} not among {all:?}"
            );
        }
    }

    let idx = FixtureIndex::start(IndexOptions::default());
    for (name, target) in [("pylock.uv.toml", GLIBC), ("pylock.pip.toml", CP311)] {
        let dir = tempfile::tempdir().unwrap();
        // The file names the index it was made from (another port): the flag overrides it.
        let out = wheelhouse(
            dir.path(),
            &fixture(name),
            "wh",
            &["--index-url", &idx.url(), "--target", target],
        );
        ok(&out);
        let got = files(&dir.path().join("wh"));
        assert!(
            got.contains("app-1.0.0-py3-none-any.whl"),
            "{name}: {got:?}"
        );
        let check = pinwheel(dir.path())
            .arg("check")
            .arg(fixture(name))
            .args(["--no-cache", "--index-url", &idx.url(), "--target", target])
            .output()
            .unwrap();
        // staticsdist has no wheel: check reports it (exit 1), having read every pin.
        let report = String::from_utf8_lossy(&check.stdout);
        assert!(report.contains("staticsdist"), "{name}: {report}");
    }
}

#[test]
fn a_malformed_pylock_is_a_usage_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("pylock.toml"),
        "lock-version = \"1.0\"\ncreated-by = \"x\"\n[[packages]]\nname = \"a\"\nversion = \"1\"\n\
         vcs = { type = \"git\", url = \"https://example.invalid/a.git\", commit-id = \"0f\" }\n",
    )
    .unwrap();
    let out = wheelhouse(dir.path(), &dir.path().join("pylock.toml"), "wh", &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("pylock.toml") && err.contains("`a`") && err.contains("VCS"),
        "{err}"
    );
    assert!(!dir.path().join("wh").exists());
}

// --- indexes travel with the lock --------------------------------------------------------------

fn auth_index() -> FixtureIndex {
    FixtureIndex::start(IndexOptions {
        basic_auth: Some(("al".into(), "s3cret".into())),
        ..IndexOptions::default()
    })
}

/// A private index named in the input file, credentials in the URL: the lock records the index
/// without them; `wheelhouse` and `check` then need no flag, finding the credentials in
/// ~/.netrc or $PIP_INDEX_URL.
#[test]
fn a_private_index_lock_needs_no_flag_and_holds_no_credentials() {
    let idx = auth_index();
    let dir = tempfile::tempdir().unwrap();
    let with_creds = idx.url().replace("http://", "http://al:s3cret@");
    std::fs::write(
        dir.path().join("requirements.in"),
        format!("--index-url {with_creds}\napp\nnative\n"),
    )
    .unwrap();
    for out in ["requirements.lock", "pylock.toml"] {
        let mut c = pinwheel(dir.path());
        c.args([
            "lock",
            "requirements.in",
            "-o",
            out,
            "--no-cache",
            "--target",
            GLIBC,
        ]);
        ok(&c.output().unwrap());
        let text = std::fs::read_to_string(dir.path().join(out)).unwrap();
        assert!(
            !text.contains("s3cret") && !text.contains("al:") && !text.contains("****"),
            "{text}"
        );
        assert!(
            text.contains(&idx.url()),
            "{out}: the index is recorded:\n{text}"
        );
    }
    let lock = dir.path().join("requirements.lock");
    assert!(std::fs::read_to_string(&lock)
        .unwrap()
        .contains(&format!("--index-url {}\n", idx.url())));

    for lock in ["requirements.lock", "pylock.toml"] {
        let lock = dir.path().join(lock);
        // No credentials anywhere: the lock's index is asked (not PyPI) and refuses.
        let out = wheelhouse(dir.path(), &lock, "wh-none", &[]);
        assert_eq!(
            out.status.code(),
            Some(4),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("127.0.0.1") && err.contains("401"), "{err}");

        // ~/.netrc (here $NETRC) has them.
        let netrc = dir.path().join("netrc");
        std::fs::write(&netrc, "machine 127.0.0.1 login al password s3cret\n").unwrap();
        let out = pinwheel(dir.path())
            .env("NETRC", &netrc)
            .args(["wheelhouse", "-d", "wh-netrc", "--no-cache"])
            .arg(&lock)
            .output()
            .unwrap();
        ok(&out);
        assert!(files(&dir.path().join("wh-netrc")).contains("app-1.0.0-py3-none-any.whl"));

        // $PIP_INDEX_URL has them; the lock's index is the one asked.
        let out = pinwheel(dir.path())
            .env("PIP_INDEX_URL", &with_creds)
            .args(["check", "--no-cache"])
            .arg(&lock)
            .output()
            .unwrap();
        ok(&out);
    }
    let asked: BTreeSet<String> = idx
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/simple/"))
        .map(|r| r.path.clone())
        .collect();
    assert!(asked.contains("/simple/app/"), "{asked:?}");
}

#[test]
fn no_emit_index_url_records_no_index_and_flags_override_the_lock() {
    let idx = FixtureIndex::start(IndexOptions::default());
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("requirements.in"), "app\n").unwrap();
    for out in ["requirements.lock", "pylock.toml"] {
        let path = lock(&idx, dir.path(), out, &[GLIBC], &["--no-emit-index-url"]);
        let text = std::fs::read_to_string(&path).unwrap();
        for line in text.lines() {
            assert!(
                !line.starts_with("--index-url")
                    && !line.starts_with("index-url")
                    && !line.starts_with("index ="),
                "{line}"
            );
        }
    }
    // A lock naming a dead index: --index-url wins.
    let path = lock(&idx, dir.path(), "requirements.lock", &[GLIBC], &[]);
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace(&idx.url(), "http://127.0.0.1:9/simple/");
    std::fs::write(&path, text).unwrap();
    ok(&wheelhouse(
        dir.path(),
        &path,
        "wh",
        &["--index-url", &idx.url()],
    ));
    let out = wheelhouse(dir.path(), &path, "wh2", &[]);
    assert_eq!(out.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&out.stderr).contains("127.0.0.1:9"));
}

/// A forked lock (issue 13) in PEP 751 form: a `[[packages]]` entry per fork, each with the
/// marker of its targets; it gives the same wheelhouse as the requirements form, and uv
/// installs the host's fork from it.
#[test]
fn a_forked_lock_writes_a_package_entry_per_fork() {
    let idx = FixtureIndex::start(IndexOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let host = host(dir.path());
    let minor: u32 = host[3..host.find('-').unwrap()].parse().unwrap();
    let (other, host_newpy) = if minor >= 12 {
        ("cp311-manylinux_2_28_x86_64", "2.0.0")
    } else {
        ("cp313-manylinux_2_28_x86_64", "1.0.0")
    };
    std::fs::write(dir.path().join("requirements.in"), "newpy\nframes\n").unwrap();
    let targets = [host.as_str(), other];
    let req = lock(&idx, dir.path(), "requirements.lock", &targets, &[]);
    let py = lock(&idx, dir.path(), "pylock.toml", &targets, &[]);
    let doc: toml::Value = toml::from_str(&std::fs::read_to_string(&py).unwrap()).unwrap();
    let newpy: Vec<&toml::Value> = doc["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["name"].as_str() == Some("newpy"))
        .collect();
    assert_eq!(newpy.len(), 2, "{doc:#?}");
    for p in &newpy {
        assert!(
            p["marker"]
                .as_str()
                .unwrap()
                .starts_with("python_version == "),
            "{p:#?}"
        );
    }
    for (lock, dest) in [(&req, "wh-req"), (&py, "wh-pylock")] {
        ok(&wheelhouse(
            dir.path(),
            lock,
            dest,
            &["--cache-dir", "cache"],
        ));
    }
    let (a, b) = (dir.path().join("wh-req"), dir.path().join("wh-pylock"));
    assert_eq!(files(&a), files(&b));
    assert_eq!(manifest(&a), manifest(&b));
    match tools::tool("uv") {
        None => tools::skip("uv installs a forked pylock", "uv is not installed"),
        Some(uv) => {
            let venv = tools::fresh_venv(&dir.path().join("venv-uv"));
            let out = StdCommand::new(&uv)
                .args(["pip", "install", "--python"])
                .arg(&venv)
                .arg("-r")
                .arg(&py)
                .env("UV_CACHE_DIR", dir.path().join("uv-cache"))
                .env_remove("UV_INDEX_URL")
                .output()
                .unwrap();
            tools::ok("uv pip install -r pylock.toml", &out);
            let got = tools::installed(&venv);
            assert!(got.contains(&format!("newpy=={host_newpy}")), "{got:?}");
        }
    }
}

// --- a PEP 751 lock's own URLs ------------------------------------------------------------------

/// `fixtures/locks/NAME` with its files' URLs pointed at `idx` (the file was made against a
/// fixture index on another port).
fn pylock_served_by(name: &str, idx: &FixtureIndex, dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(fixture(name))
        .unwrap()
        .replace("http://127.0.0.1:38247/", &format!("{}/", idx.base()));
    assert!(text.contains(&idx.base()), "{name} names no file URL");
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// A PEP 751 lock names each file's URL, and installers fetch from there: uv's and pip's files,
/// which name no index (here a private one, its credentials in ~/.netrc), give a wheelhouse with
/// no flag and no index page asked, the same as fetched through the index; `--index-url` still
/// sends the run to an index.
#[test]
fn a_pylock_is_fetched_from_its_urls_without_an_index() {
    let idx = auth_index();
    let dir = tempfile::tempdir().unwrap();
    let netrc = dir.path().join("netrc");
    std::fs::write(&netrc, "machine 127.0.0.1 login al password s3cret\n").unwrap();
    for (name, target) in [("pylock.uv.toml", GLIBC), ("pylock.pip.toml", CP311)] {
        let lock = pylock_served_by(name, &idx, dir.path());
        idx.clear_requests();
        let by_url = format!("wh-url-{name}");
        let out = pinwheel(dir.path())
            .env("NETRC", &netrc)
            .args(["wheelhouse", "--no-cache", "--no-build", "-d", &by_url])
            .args(["--target", target])
            .arg(&lock)
            .output()
            .unwrap();
        ok(&out);
        let asked: Vec<String> = idx.requests().iter().map(|r| r.path.clone()).collect();
        assert!(
            asked.iter().all(|p| p.starts_with("/files/")),
            "{name}: only the lock's file URLs are fetched: {asked:?}"
        );
        assert!(!asked.is_empty());

        let by_index = format!("wh-index-{name}");
        let out = pinwheel(dir.path())
            .env("NETRC", &netrc)
            .args(["wheelhouse", "--no-cache", "--no-build", "-d", &by_index])
            .args(["--target", target, "--index-url", &idx.url()])
            .arg(&lock)
            .output()
            .unwrap();
        ok(&out);
        assert!(
            idx.requests().iter().any(|r| r.path == "/simple/app/"),
            "--index-url asks the index"
        );
        let (a, b) = (dir.path().join(&by_url), dir.path().join(&by_index));
        assert!(
            files(&a).contains("app-1.0.0-py3-none-any.whl"),
            "{:?}",
            files(&a)
        );
        assert_eq!(files(&a), files(&b), "{name}");
        assert_eq!(manifest(&a), manifest(&b), "{name}");
        assert_eq!(
            std::fs::read_to_string(a.join("requirements.txt")).unwrap(),
            std::fs::read_to_string(b.join("requirements.txt")).unwrap()
        );

        // Without the credentials the file host refuses, and the error says which URL.
        let out = pinwheel(dir.path())
            .args(["wheelhouse", "--no-cache", "--no-build", "-d", "wh-none"])
            .args(["--target", target])
            .arg(&lock)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(4), "{name}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("/files/") && err.contains("401"), "{err}");
    }
}

/// PEP 751 `path` keys: files beside the lock (relative to its directory) are copied in and
/// verified, and a path that does not hold the locked bytes is an integrity error.
#[test]
fn a_pylock_of_local_paths_fills_the_wheelhouse() {
    let idx = FixtureIndex::start(IndexOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let dist = dir.path().join("proj/dist");
    std::fs::create_dir_all(&dist).unwrap();
    let mut text = String::from("lock-version = \"1.0\"\ncreated-by = \"hand\"\n");
    for (name, version, file) in [
        ("app", "1.0.0", "app-1.0.0-py3-none-any.whl"),
        ("fastdep", "0.5.0", "fastdep-0.5.0-py3-none-any.whl"),
    ] {
        std::fs::copy(idx.files_dir().join(file), dist.join(file)).unwrap();
        text.push_str(&format!(
            "\n[[packages]]\nname = \"{name}\"\nversion = \"{version}\"\n\
             wheels = [{{ path = \"dist/{file}\", hashes = {{ sha256 = \"{}\" }} }}]\n",
            idx.sha256(file)
        ));
    }
    let lock = dir.path().join("proj/pylock.toml");
    std::fs::write(&lock, &text).unwrap();
    let out = pinwheel(dir.path())
        .args(["wheelhouse", "--no-cache", "-d", "wh", "--target", GLIBC])
        .arg(&lock)
        .output()
        .unwrap();
    ok(&out);
    assert!(idx.requests().is_empty(), "no index is asked");
    let wh = dir.path().join("wh");
    assert_eq!(
        std::fs::read(wh.join("app-1.0.0-py3-none-any.whl")).unwrap(),
        std::fs::read(dist.join("app-1.0.0-py3-none-any.whl")).unwrap()
    );
    ok(&pinwheel(dir.path())
        .args(["verify", "wh"])
        .output()
        .unwrap());

    // Other bytes under the locked path: refused, nothing under the final name.
    std::fs::write(
        dist.join("fastdep-0.5.0-py3-none-any.whl"),
        b"not the wheel",
    )
    .unwrap();
    let out = pinwheel(dir.path())
        .args(["wheelhouse", "--no-cache", "-d", "wh2", "--target", GLIBC])
        .arg(&lock)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(5),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!dir
        .path()
        .join("wh2/fastdep-0.5.0-py3-none-any.whl")
        .exists());
}

/// `dependencies` of a forked lock follow the versions: forkparent is pinned at 1.0.0 for
/// cp312 and 2.0.0 for cp313, forkchild (an input) on both; only 2.0.0 requires forkchild, so
/// only its entry lists it.
#[test]
fn a_forked_parent_lists_only_the_children_its_version_requires() {
    let idx = FixtureIndex::start(IndexOptions::default());
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("requirements.in"),
        "forkparent\nforkchild\n",
    )
    .unwrap();
    let path = lock(
        &idx,
        dir.path(),
        "pylock.toml",
        &["cp312-manylinux_2_28_x86_64", "cp313-manylinux_2_28_x86_64"],
        &[],
    );
    let doc: toml::Table = toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let entry = |version: &str| {
        doc["packages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| {
                p["name"].as_str() == Some("forkparent") && p["version"].as_str() == Some(version)
            })
            .unwrap_or_else(|| panic!("forkparent {version} in {doc:#?}"))
            .clone()
    };
    assert!(
        entry("1.0.0").get("dependencies").is_none(),
        "{:#?}",
        entry("1.0.0")
    );
    let deps = entry("2.0.0")["dependencies"].as_array().unwrap().clone();
    assert_eq!(deps.len(), 1, "{deps:?}");
    assert_eq!(deps[0]["name"].as_str(), Some("forkchild"));
}
