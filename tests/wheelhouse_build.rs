//! `pinwheel wheelhouse` building wheels from sdists (PEP 517 `build_wheel`) against the
//! loopback fixture index: a pure-Python build serves every target, Alpine included, and the
//! real pip installs it offline; a platform build serves only the targets this machine stands
//! for; the build cache gives the same bytes without building; a failed build still writes the
//! wheelhouse, with the sdist, and says what to do.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Output};

use support::cli::{host, manifest_file, ok, pinwheel, stderr};
use support::tools::fresh_venv as venv;
use support::{FixtureIndex, IndexOptions};

const MUSL: &str = "cp312-musllinux_1_2_x86_64";

fn lock(idx: &FixtureIndex, dir: &Path, input: &str, targets: &[&str]) -> PathBuf {
    std::fs::write(dir.join("requirements.in"), input).unwrap();
    let mut c = pinwheel(dir);
    c.args(["lock", "requirements.in", "-o", "requirements.lock"])
        .args(["--no-cache", "--index-url", &idx.url()]);
    for t in targets {
        c.args(["--target", t]);
    }
    ok(&c.output().unwrap());
    dir.join("requirements.lock")
}

/// `pinwheel wheelhouse` into `dest` with the cache `cache` (under `dir`).
fn wheelhouse(idx: &FixtureIndex, dir: &Path, dest: &str, extra: &[&str]) -> Output {
    pinwheel(dir)
        .args(["wheelhouse", "requirements.lock", "-d", dest])
        .args(["--cache-dir", "cache", "--index-url", &idx.url()])
        .args(extra)
        .output()
        .unwrap()
}

fn sha256(path: &Path) -> String {
    support::build::sha256_file(path)
}

/// The hashes requirements.txt lists for the pin whose line starts with `start`.
fn hashes(reqs: &str, start: &str) -> Vec<String> {
    let mut lines = reqs.lines().skip_while(|l| !l.starts_with(start));
    assert!(lines.next().is_some(), "no `{start}` in:\n{reqs}");
    lines
        .take_while(|l| l.starts_with(' '))
        .filter_map(|l| l.trim().strip_prefix("--hash=sha256:"))
        .map(|h| h.trim_end_matches(" \\").to_string())
        .collect()
}

fn pip(py: &Path, args: &[&str], wh: &Path) -> Output {
    StdCommand::new(py)
        .args(["-m", "pip"])
        .args(args)
        .arg("-r")
        .arg(wh.join("requirements.txt"))
        .env_remove("PIP_FIND_LINKS")
        .env("PIP_NO_INPUT", "1")
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        .output()
        .unwrap()
}

/// pip's own answer for an Alpine image: `--only-binary :all:` for musllinux 1.2, Python 3.12.
fn pip_dry_run_alpine(py: &Path, wh: &Path, scratch: &Path) -> Output {
    let target = scratch.join("target");
    let find_links = wh.display().to_string();
    let target = target.display().to_string();
    pip(
        py,
        &[
            "install",
            "--dry-run",
            "--no-index",
            "--only-binary=:all:",
            "--platform",
            "musllinux_1_2_x86_64",
            "--python-version",
            "3.12",
            "--implementation",
            "cp",
            "--target",
            &target,
            "--find-links",
            &find_links,
        ],
        wh,
    )
}

fn said(out: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The end-to-end case of the issue: a pure-Python sdist-only package and a platform-wheel
/// package, for Alpine and this machine. The wheelhouse builds the sdist once into a
/// `py3-none-any` wheel; pip installs everything offline here, and pip's own resolver for
/// Alpine (`--only-binary :all:`) finds a wheel for every pin, which it does not with
/// `--no-build`.
#[test]
fn a_pure_build_serves_alpine_and_this_machine_and_pip_installs_it() {
    let idx = FixtureIndex::start(IndexOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let host = host(dir.path());
    lock(&idx, dir.path(), "purebuild\nnative\n", &[&host, MUSL]);
    let err = ok(&wheelhouse(&idx, dir.path(), "wh", &[]));
    let wh = dir.path().join("wh");
    let wheel = "purebuild-1.0.0-py3-none-any.whl";
    assert!(
        err.contains(&format!(
            "built    {wheel}   from purebuild-1.0.0.tar.gz (sha256 {}), pure Python: every target",
            idx.sha256("purebuild-1.0.0.tar.gz")
        )),
        "{err}"
    );
    assert!(!err.contains("pip will build them"), "{err}");
    // requirements.txt: the built wheel's sha256 next to the sdist's.
    let reqs = std::fs::read_to_string(wh.join("requirements.txt")).unwrap();
    let mut got = hashes(&reqs, "purebuild==1.0.0");
    got.sort();
    let mut want = vec![
        sha256(&wh.join(wheel)),
        idx.sha256("purebuild-1.0.0.tar.gz"),
    ];
    want.sort();
    assert_eq!(got, want);
    // The manifest: built, from which sdist, with which backend and build requirements.
    let m = manifest_file(&wh, wheel);
    assert_eq!(m["sha256"], sha256(&wh.join(wheel)).as_str());
    let from = &m["built_from"];
    assert_eq!(from["sdist"], "purebuild-1.0.0.tar.gz");
    assert_eq!(
        from["sdist_sha256"],
        idx.sha256("purebuild-1.0.0.tar.gz").as_str()
    );
    assert_eq!(from["backend"], "fixture_backend");
    assert_eq!(from["build_requires"], serde_json::json!([]));
    assert_eq!(from["source_date_epoch"], 315_532_800);
    let mut targets: Vec<String> = m["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_string())
        .collect();
    targets.sort();
    let mut expect = vec![host.clone(), MUSL.to_string()];
    expect.sort();
    assert_eq!(targets, expect);
    // verify re-hashes the built file too.
    let out = pinwheel(dir.path())
        .args(["verify", "wh"])
        .output()
        .unwrap();
    ok(&out);
    std::fs::write(wh.join(wheel), b"tampered").unwrap();
    let out = pinwheel(dir.path())
        .args(["verify", "wh"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    assert!(stderr(&out).contains(&format!("changed: {wheel}")));
    ok(&wheelhouse(&idx, dir.path(), "wh", &[]));

    // The real pip, offline, in a fresh venv on this machine.
    let py = venv(&dir.path().join("venv"));
    let out = pip(&py, &["install", "--no-index"], &wh);
    assert!(out.status.success(), "pip install failed:\n{}", said(&out));
    let listed = StdCommand::new(&py)
        .args([
            "-c",
            "import purebuild, native; print(purebuild.BUILT, purebuild.SOURCE_DATE_EPOCH)",
        ])
        .output()
        .unwrap();
    // The wheel pinwheel built (with SOURCE_DATE_EPOCH set), not one pip built.
    assert_eq!(
        String::from_utf8_lossy(&listed.stdout).trim(),
        "py3-none-any 315532800",
        "{}",
        said(&listed)
    );
    // pip for Alpine: a wheel for every pin.
    let scratch = tempfile::tempdir().unwrap();
    let out = pip_dry_run_alpine(&py, &wh, scratch.path());
    assert!(out.status.success(), "pip for Alpine:\n{}", said(&out));
    assert!(said(&out).contains("purebuild"), "{}", said(&out));

    // Today's behaviour with --no-build: only the sdist, and pip for Alpine fails.
    let err = ok(&wheelhouse(&idx, dir.path(), "wh-sdist", &["--no-build"]));
    assert!(!err.contains("built "), "{err}");
    let plain = dir.path().join("wh-sdist");
    assert!(!plain.join(wheel).exists());
    let out = pip_dry_run_alpine(&py, &plain, scratch.path());
    assert!(!out.status.success(), "{}", said(&out));
}

/// Whether `python3.Y` runs on this machine.
fn has_python(minor: u32) -> bool {
    StdCommand::new(format!("python3.{minor}"))
        .arg("-c")
        .arg("pass")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn a_platform_build_serves_only_what_this_machine_stands_for() {
    let idx = FixtureIndex::start(IndexOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let host = host(dir.path());
    // cp311-manylinux_2_36_x86_64 → cp311, manylinux_2_36_x86_64.
    let (interp, platform) = host.split_once('-').unwrap();
    let minor: u32 = interp[3..].parse().unwrap();
    let arch = platform.rsplit('_').next().unwrap();
    let arch = if platform.ends_with("x86_64") {
        "x86_64"
    } else {
        arch
    };
    let musl = format!("{interp}-musllinux_1_2_{arch}");
    // A Python minor this machine has no interpreter for.
    let other_minor = (8..=14)
        .find(|m| *m != minor && !has_python(*m))
        .expect("a Python minor with no interpreter here");
    let other = format!("cp3{other_minor}-{platform}");
    let old_glibc = format!("{interp}-manylinux_2_17_{arch}");
    lock(
        &idx,
        dir.path(),
        "platbuild\n",
        &[&host, &musl, &other, &old_glibc],
    );
    let err = ok(&wheelhouse(&idx, dir.path(), "wh", &[]));
    let wh = dir.path().join("wh");
    let wheel = format!("platbuild-1.0.0-{interp}-{interp}-{platform}.whl");
    assert!(wh.join(&wheel).is_file(), "{err}");
    // Retagged: pip on musl would take a `linux_*` wheel.
    assert!(!std::fs::read_dir(&wh)
        .unwrap()
        .flatten()
        .any(|e| e.file_name().to_string_lossy().contains("-linux_")));
    let m = manifest_file(&wh, &wheel);
    assert_eq!(m["targets"], serde_json::json!([host]));
    assert_eq!(m["built_from"]["python"], host.as_str());
    // The sdist stays for the others, and the summary says why.
    let sdist = manifest_file(&wh, "platbuild-1.0.0.tar.gz");
    let mut kept: Vec<&str> = sdist["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    kept.sort();
    let mut want = vec![musl.as_str(), other.as_str(), old_glibc.as_str()];
    want.sort();
    assert_eq!(kept, want, "{err}");
    assert!(
        err.contains(&format!(
            "not for {musl}: built against glibc, the target has musl"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!("not for {other}: built with Python 3.{minor}"))
            && err.contains(&format!("no python3.{other_minor} to build with")),
        "{err}"
    );
    assert!(
        err.contains(&format!("not for {old_glibc}: built against glibc ")),
        "{err}"
    );
    assert!(
        err.contains(&format!("platbuild on {musl}")),
        "the sdist summary lists it: {err}"
    );
    let reqs = std::fs::read_to_string(wh.join("requirements.txt")).unwrap();
    assert_eq!(hashes(&reqs, "platbuild==1.0.0").len(), 2, "{reqs}");
    // Built with its build requirement, recorded.
    assert_eq!(
        m["built_from"]["build_requires"],
        serde_json::json!(["buildtool"])
    );
    assert_eq!(
        m["built_from"]["build_wheels"],
        serde_json::json!([format!(
            "buildtool-1.0.0-py3-none-any.whl sha256:{}",
            idx.sha256("buildtool-1.0.0-py3-none-any.whl")
        )])
    );
    // The sdist stays for three targets: its build requirement's wheel is in the wheelhouse
    // for them (not in requirements.txt: the image's pip builds with it).
    let tool = manifest_file(&wh, "buildtool-1.0.0-py3-none-any.whl");
    assert_eq!(
        tool["build_requirement_of"],
        serde_json::json!(["platbuild==1.0.0"])
    );
    assert_eq!(tool["pins"], serde_json::json!([]));
    assert_eq!(tool["targets"].as_array().unwrap().len(), 3, "{tool}");
    assert!(!reqs.contains("buildtool"), "{reqs}");
    assert!(
        err.contains("builds with buildtool: their wheels are in the wheelhouse"),
        "{err}"
    );
    ok(&pinwheel(dir.path())
        .args(["verify", "wh"])
        .output()
        .unwrap());

    // pip here installs the built wheel (no build: the backend would make linux_*).
    let py = venv(&dir.path().join("venv"));
    let out = pip(&py, &["install", "--no-index", "--only-binary=:all:"], &wh);
    assert!(out.status.success(), "{}", said(&out));
    // pip for Alpine refuses it: only the sdist is there for musl.
    let scratch = tempfile::tempdir().unwrap();
    let out = pip_dry_run_alpine(&py, &wh, scratch.path());
    assert!(!out.status.success(), "{}", said(&out));
    // What an image that keeps the sdist does: pip builds it offline, in build isolation, from
    // the wheelhouse alone (buildtool's wheel is there).
    let py2 = venv(&dir.path().join("venv2"));
    let out = pip(
        &py2,
        &["install", "--no-index", "--no-binary=platbuild"],
        &wh,
    );
    assert!(out.status.success(), "{}", said(&out));
}

#[test]
fn a_second_run_builds_nothing_and_gives_the_same_bytes() {
    let idx = FixtureIndex::start(IndexOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let host = host(dir.path());
    lock(&idx, dir.path(), "purebuild\nplatbuild\n", &[&host, MUSL]);
    let err = ok(&wheelhouse(&idx, dir.path(), "wh1", &[]));
    assert_eq!(err.matches("built    ").count(), 2, "{err}");
    let first = std::fs::read_dir(dir.path().join("wh1")).unwrap();
    let built: Vec<String> = first
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| {
            n.ends_with(".whl") && (n.starts_with("purebuild") || n.starts_with("platbuild"))
        })
        .collect();
    assert_eq!(built.len(), 2, "{built:?}");

    let err = ok(&wheelhouse(&idx, dir.path(), "wh2", &[]));
    assert!(!err.contains("built    "), "{err}");
    assert_eq!(err.matches("reused   ").count(), 2, "{err}");
    for name in &built {
        assert_eq!(
            std::fs::read(dir.path().join("wh1").join(name)).unwrap(),
            std::fs::read(dir.path().join("wh2").join(name)).unwrap(),
            "{name}"
        );
    }
    // Built again from scratch (the cache gone): SOURCE_DATE_EPOCH makes the same bytes.
    std::fs::remove_dir_all(dir.path().join("cache/built-wheels-v1")).unwrap();
    let err = ok(&wheelhouse(&idx, dir.path(), "wh3", &[]));
    assert_eq!(err.matches("built    ").count(), 2, "{err}");
    for name in &built {
        assert_eq!(
            sha256(&dir.path().join("wh1").join(name)),
            sha256(&dir.path().join("wh3").join(name)),
            "{name}"
        );
    }
}

#[test]
fn a_failed_build_still_writes_the_wheelhouse_and_says_what_to_do() {
    let idx = FixtureIndex::start(IndexOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let host = host(dir.path());
    lock(&idx, dir.path(), "brokenbuild\npurebuild\n", &[&host]);
    let out = wheelhouse(&idx, dir.path(), "wh", &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(7), "{err}");
    assert!(
        err.contains("brokenbuild 1.0.0 (brokenbuild-1.0.0.tar.gz)"),
        "{err}"
    );
    assert!(
        err.contains("the build backend fixture_backend failed"),
        "{err}"
    );
    // The backend's last lines, its stdout and stderr.
    assert!(err.contains("error: command 'gcc' failed"), "{err}");
    assert!(err.contains("running build_ext"), "{err}");
    assert!(
        err.contains("--no-build")
            && err.contains("--only-binary")
            && err.contains("newer version"),
        "{err}"
    );
    // The rest is written and verified: the other sdist built, this one's sdist in place.
    let wh = dir.path().join("wh");
    assert!(wh.join("purebuild-1.0.0-py3-none-any.whl").is_file());
    assert!(wh.join("brokenbuild-1.0.0.tar.gz").is_file());
    let reqs = std::fs::read_to_string(wh.join("requirements.txt")).unwrap();
    assert_eq!(
        hashes(&reqs, "brokenbuild==1.0.0"),
        [idx.sha256("brokenbuild-1.0.0.tar.gz")]
    );
    ok(&pinwheel(dir.path())
        .args(["verify", "wh"])
        .output()
        .unwrap());
}

/// `check` reads the build cache: a pure build is `build` on every target (no compiler in the
/// image), a platform build only where it serves; what was never built says so.
#[test]
fn check_tells_built_wheels_from_what_needs_a_compiler() {
    let idx = FixtureIndex::start(IndexOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let host = host(dir.path());
    let (interp, _) = host.split_once('-').unwrap();
    let musl = format!("{interp}-musllinux_1_2_x86_64");
    lock(&idx, dir.path(), "purebuild\nplatbuild\n", &[&host, &musl]);
    let check = |format: &str| {
        pinwheel(dir.path())
            .args(["check", "requirements.lock", "--format", format])
            .args(["--cache-dir", "cache", "--index-url", &idx.url()])
            .output()
            .unwrap()
    };
    let status = |out: &Output, name: &str, target: &str| {
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["schema_version"], 2);
        let e = v["entries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == name && e["target"] == target)
            .unwrap()
            .clone();
        (
            e["status"].as_str().unwrap().to_string(),
            e["build_note"].as_str().unwrap_or("").to_string(),
        )
    };
    // Before any build: source only, not built yet.
    let out = check("json");
    assert_eq!(out.status.code(), Some(1));
    let (s, note) = status(&out, "purebuild", &musl);
    assert_eq!(s, "sdist");
    assert!(note.starts_with("not built yet"), "{note}");
    let human = String::from_utf8_lossy(&check("human").stdout).into_owned();
    assert!(human.contains("not built yet"), "{human}");
    assert!(!human.contains("need a compiler"), "{human}");

    ok(&wheelhouse(&idx, dir.path(), "wh", &[]));
    let out = check("json");
    assert_eq!(status(&out, "purebuild", &musl).0, "build");
    assert_eq!(status(&out, "purebuild", &host).0, "build");
    assert_eq!(status(&out, "platbuild", &host).0, "build");
    let (s, note) = status(&out, "platbuild", &musl);
    assert_eq!(s, "sdist");
    assert!(
        note.contains("built against glibc, the target has musl"),
        "{note}"
    );
    // platbuild on musl still needs a compiler: exit 1; the human report says which.
    assert_eq!(out.status.code(), Some(1));
    // The whole table (-v): by default `check` prints only the problems, not the `build` group.
    let human = pinwheel(dir.path())
        .args(["check", "requirements.lock", "-v"])
        .args(["--cache-dir", "cache", "--index-url", &idx.url()])
        .output()
        .unwrap();
    let human = String::from_utf8_lossy(&human.stdout).into_owned();
    assert!(
        human.contains(&format!("1 of 3 pins need a compiler on {musl}: platbuild")),
        "{human}"
    );
    assert!(
        human.contains("purebuild-1.0.0-py3-none-any.whl"),
        "{human}"
    );
}

/// `--no-binary NAME`, as pip's: the pin's wheels are passed over, its sdist fetched and built.
#[test]
fn no_binary_builds_from_the_sdist() {
    let idx = FixtureIndex::start(IndexOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let host = host(dir.path());
    lock(&idx, dir.path(), "native\napp\n", &[&host]);
    let err = ok(&wheelhouse(
        &idx,
        dir.path(),
        "wh",
        &["--no-binary", "native"],
    ));
    let wh = dir.path().join("wh");
    let names: Vec<String> = std::fs::read_dir(&wh)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.contains(&"native-1.0.0.tar.gz".to_string())
            && names.contains(&"native-1.0.0-py3-none-any.whl".to_string())
            && !names.iter().any(|n| n.starts_with("native-1.0.0-cp")),
        "{names:?}\n{err}"
    );
    assert!(names.contains(&"app-1.0.0-py3-none-any.whl".to_string()));
    let m = manifest_file(&wh, "native-1.0.0-py3-none-any.whl");
    assert_eq!(m["built_from"]["sdist"], "native-1.0.0.tar.gz");
    // Without it, the platform wheel as before.
    let err = ok(&wheelhouse(&idx, dir.path(), "wh2", &[]));
    assert!(!err.contains("built    "), "{err}");
}

/// The lib wheel a build environment held, from the manifest entry of `wheel`.
fn built_with_lib(dir: &Path, wheel: &str) -> String {
    let entry = manifest_file(dir, wheel);
    entry["built_from"]["build_wheels"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|w| w.as_str())
        .find(|w| w.starts_with("lib-"))
        .map(|w| w.split_whitespace().next().unwrap().to_string())
        .unwrap_or_else(|| panic!("no lib among {entry:#}"))
}

/// A lock made with `--exclude-newer` records the cut-off (`# exclude-newer:`), and the
/// wheelhouse resolves the build requirements of the sdists it builds as of then, so a build
/// next month uses the same build environment; `wheelhouse --exclude-newer` overrides it, and a
/// lock without a cut-off takes the newest.
#[test]
fn builds_take_their_requirements_as_of_the_locks_cut_off() {
    let idx = FixtureIndex::start(IndexOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let host = host(dir.path());
    std::fs::write(dir.path().join("requirements.in"), "cutbuild\n").unwrap();
    ok(&pinwheel(dir.path())
        .args(["lock", "requirements.in", "-o", "requirements.lock"])
        .args(["--no-cache", "--index-url", &idx.url(), "--target", &host])
        .args(["--exclude-newer", "2024-02-15T00:00:00Z"])
        .output()
        .unwrap());
    let text = std::fs::read_to_string(dir.path().join("requirements.lock")).unwrap();
    assert!(
        text.lines()
            .any(|l| l == "# exclude-newer: 2024-02-15T00:00:00Z"),
        "{text}"
    );
    let wheel = "cutbuild-1.0.0-py3-none-any.whl";
    ok(&wheelhouse(&idx, dir.path(), "wh", &[]));
    assert_eq!(
        built_with_lib(&dir.path().join("wh"), wheel),
        "lib-1.1.0-py3-none-any.whl"
    );
    ok(&wheelhouse(
        &idx,
        dir.path(),
        "wh-flag",
        &["--exclude-newer", "2024-01-15T00:00:00Z"],
    ));
    assert_eq!(
        built_with_lib(&dir.path().join("wh-flag"), wheel),
        "lib-1.0.0-py3-none-any.whl"
    );
    // pylock.toml keeps it under [tool.pinwheel].
    ok(&pinwheel(dir.path())
        .args(["lock", "requirements.in", "-o", "pylock.toml"])
        .args(["--no-cache", "--index-url", &idx.url(), "--target", &host])
        .args(["--exclude-newer", "2024-02-15T00:00:00Z"])
        .output()
        .unwrap());
    let py = std::fs::read_to_string(dir.path().join("pylock.toml")).unwrap();
    assert!(
        py.contains("exclude-newer = \"2024-02-15T00:00:00Z\""),
        "{py}"
    );
    ok(&pinwheel(dir.path())
        .args([
            "wheelhouse",
            "pylock.toml",
            "-d",
            "wh-py",
            "--cache-dir",
            "cache",
        ])
        .output()
        .unwrap());
    assert_eq!(
        built_with_lib(&dir.path().join("wh-py"), wheel),
        "lib-1.1.0-py3-none-any.whl"
    );
    // No cut-off: the newest lib (1.2.0; 2.0.0b1 is a pre-release).
    let text = text
        .lines()
        .filter(|l| !l.starts_with("# exclude-newer:"))
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(dir.path().join("requirements.lock"), text + "\n").unwrap();
    ok(&wheelhouse(&idx, dir.path(), "wh-none", &[]));
    assert_eq!(
        built_with_lib(&dir.path().join("wh-none"), wheel),
        "lib-1.2.0-py3-none-any.whl"
    );
}
