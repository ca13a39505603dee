//! `pinwheel wheelhouse` and `pinwheel verify` against the loopback fixture index, and the
//! end-to-end check: the real pip installs the wheelhouse offline in a fresh venv.

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Output};

use support::cli::{manifest_file, names as files, ok, pin_hashes, pinwheel, Redactions};
use support::tools::fresh_venv as venv;
use support::{tools, FixtureIndex, IndexOptions};

const GLIBC: &str = "cp312-manylinux_2_28_x86_64";
const MUSL: &str = "cp312-musllinux_1_2_x86_64";

/// Locks `input` for `targets` with pinwheel, returns the lock path.
fn lock(idx: &FixtureIndex, dir: &Path, input: &str, targets: &[&str]) -> PathBuf {
    std::fs::write(dir.join("requirements.in"), input).unwrap();
    let mut c = pinwheel(dir);
    c.args([
        "lock",
        "requirements.in",
        "-o",
        "requirements.lock",
        "--no-cache",
        "--index-url",
        &idx.url(),
    ]);
    for t in targets {
        c.args(["--target", t]);
    }
    ok(&c.output().unwrap());
    dir.join("requirements.lock")
}

fn wheelhouse(idx: &FixtureIndex, dir: &Path, lock: &Path, extra: &[&str]) -> Output {
    pinwheel(dir)
        .arg("wheelhouse")
        .arg(lock)
        .args(["-d", "wh", "--no-cache", "--index-url", &idx.url()])
        .args(extra)
        .output()
        .unwrap()
}

fn downloads(idx: &FixtureIndex) -> Vec<String> {
    idx.requests()
        .into_iter()
        .filter(|r| {
            r.path.starts_with("/files/")
                && !r.path.ends_with(".metadata")
                && r.method == "GET"
                && r.range.is_none()
        })
        .map(|r| r.path)
        .collect()
}

#[test]
fn picks_the_best_file_per_target_and_fetches_each_once() {
    let idx = FixtureIndex::start(IndexOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let lock = lock(
        &idx,
        dir.path(),
        "native\nabi3pkg\napp\n",
        &[GLIBC, MUSL, "cp311-manylinux_2_28_x86_64"],
    );
    idx.clear_requests();
    ok(&wheelhouse(&idx, dir.path(), &lock, &[]));
    let got = files(&dir.path().join("wh"));
    let expected: BTreeSet<String> = [
        // compressed tag set, glibc, two Pythons
        "native-1.0.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
        "native-1.0.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
        "native-1.0.0-cp312-cp312-musllinux_1_2_x86_64.whl",
        // abi3: one glibc file serves cp311 and cp312; musl its own
        "abi3pkg-2.1.0-cp38-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
        "abi3pkg-2.1.0-cp38-abi3-musllinux_1_2_x86_64.whl",
        // pure wheels serve every target
        "app-1.0.0-py3-none-any.whl",
        "lib-1.2.0-py3-none-any.whl",
        "backport-2.0.0-py3-none-any.whl",
        "requirements.txt",
        "pinwheel-manifest.json",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(got, expected);
    // Each distinct file is downloaded exactly once.
    let d = downloads(&idx);
    let unique: BTreeSet<_> = d.iter().collect();
    assert_eq!(d.len(), unique.len(), "{d:?}");
    let manifest: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("wh/pinwheel-manifest.json")).unwrap(),
    )
    .unwrap();
    let app = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["filename"] == "app-1.0.0-py3-none-any.whl")
        .unwrap();
    assert_eq!(app["targets"].as_array().unwrap().len(), 3, "{app}");
    assert_eq!(app["sha256"], idx.sha256("app-1.0.0-py3-none-any.whl"));
    // Readable by the image's non-root users after COPY.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for f in [
            "app-1.0.0-py3-none-any.whl",
            "requirements.txt",
            "pinwheel-manifest.json",
        ] {
            let mode = std::fs::metadata(dir.path().join("wh").join(f))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o644, 0o644, "{f}: {mode:o}");
        }
    }
}

#[test]
fn legacy_manylinux1_serves_glibc_and_nothing_serves_musl() {
    let idx = FixtureIndex::start(IndexOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let lock = lock(&idx, dir.path(), "legacy\n", &[GLIBC]);
    // manylinux1 = manylinux_2_5: accepted on glibc 2.28.
    ok(&wheelhouse(&idx, dir.path(), &lock, &[]));
    assert!(dir
        .path()
        .join("wh/legacy-0.9.0-py3-none-manylinux1_x86_64.whl")
        .exists());
    std::fs::remove_dir_all(dir.path().join("wh")).unwrap();
    // A musl target accepts no manylinux wheel, and there is no sdist.
    let out = wheelhouse(
        &idx,
        dir.path(),
        &lock,
        &["--target", GLIBC, "--target", MUSL],
    );
    insta::assert_snapshot!(
        "nothing_serves_musl",
        Redactions::new(&idx, dir.path()).transcript(&out)
    );
    assert!(!dir.path().join("wh").exists());
}

#[test]
fn sdist_fallback_is_reported_and_only_binary_refuses_it() {
    let idx = FixtureIndex::start(IndexOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let lock = lock(
        &idx,
        dir.path(),
        "glibconly==2.0.0\nstaticsdist\n",
        &[GLIBC, MUSL],
    );
    let out = wheelhouse(&idx, dir.path(), &lock, &["--only-binary", ":all:"]);
    insta::assert_snapshot!(
        "only_binary_refuses_sdists",
        Redactions::new(&idx, dir.path()).transcript(&out)
    );
    assert!(
        !dir.path().join("wh").exists(),
        "nothing written with --only-binary failing"
    );

    // --no-build: today's behaviour, the sdists go in for the image's pip to build.
    // One download at a time: the `fetched` lines come in the plan's order.
    let out = wheelhouse(&idx, dir.path(), &lock, &["--no-build", "-j", "1"]);
    insta::assert_snapshot!(
        "no_build_keeps_sdists",
        Redactions::new(&idx, dir.path()).transcript(&out)
    );
    let got = files(&dir.path().join("wh"));
    assert!(
        got.contains("glibconly-2.0.0.tar.gz")
            && got.contains("glibconly-2.0.0-cp312-cp312-manylinux_2_28_x86_64.whl"),
        "{got:?}"
    );
}

#[test]
fn hash_mismatch_discards_the_file_and_names_it() {
    let idx = FixtureIndex::start(IndexOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let lock = lock(&idx, dir.path(), "lib\n", &[GLIBC]);
    // The index now serves different bytes than when the lock was made.
    let f = idx.files_dir().join("lib-1.2.0-py3-none-any.whl");
    let expected = idx.sha256("lib-1.2.0-py3-none-any.whl");
    std::fs::write(&f, b"tampered").unwrap();
    let out = wheelhouse(&idx, dir.path(), &lock, &[]);
    let actual = idx.sha256("lib-1.2.0-py3-none-any.whl");
    insta::assert_snapshot!(
        "hash_mismatch",
        Redactions::new(&idx, dir.path())
            .with(expected, "[LOCKED]")
            .with(actual, "[SERVED]")
            .transcript(&out)
    );
    let left: Vec<_> = files(&dir.path().join("wh")).into_iter().collect();
    assert!(left.is_empty(), "nothing left behind: {left:?}");
}

#[test]
fn rerun_downloads_nothing_and_prune_removes_strays() {
    let idx = FixtureIndex::start(IndexOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let lock = lock(&idx, dir.path(), "app\nnative\n", &[GLIBC]);
    ok(&wheelhouse(&idx, dir.path(), &lock, &[]));
    idx.clear_requests();
    std::fs::write(dir.path().join("wh/stray-1.0-py3-none-any.whl"), b"x").unwrap();
    let err = ok(&wheelhouse(&idx, dir.path(), &lock, &[]));
    assert!(downloads(&idx).is_empty(), "{:?}", downloads(&idx));
    assert!(
        err.contains("stray-1.0-py3-none-any.whl") && err.contains("--prune"),
        "{err}"
    );
    assert!(dir.path().join("wh/stray-1.0-py3-none-any.whl").exists());
    ok(&wheelhouse(&idx, dir.path(), &lock, &["--prune"]));
    assert!(!dir.path().join("wh/stray-1.0-py3-none-any.whl").exists());
}

#[test]
fn transient_failures_are_retried() {
    let mut opts = IndexOptions::default();
    opts.fail_first
        .insert("lib-1.2.0-py3-none-any.whl".into(), 2);
    let idx = FixtureIndex::start(opts);
    let dir = tempfile::tempdir().unwrap();
    let lock = lock(&idx, dir.path(), "lib\n", &[GLIBC]);
    ok(&wheelhouse(&idx, dir.path(), &lock, &[]));
    assert!(dir.path().join("wh/lib-1.2.0-py3-none-any.whl").exists());
    let failed = idx.requests().iter().filter(|r| r.status == 503).count();
    assert_eq!(failed, 2);
}

#[test]
fn verify_catches_changed_missing_and_extra_files() {
    let idx = FixtureIndex::start(IndexOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let lock = lock(&idx, dir.path(), "app\nnative\n", &[GLIBC]);
    ok(&wheelhouse(&idx, dir.path(), &lock, &[]));
    let verify = || {
        pinwheel(dir.path())
            .args(["verify", "wh"])
            .output()
            .unwrap()
    };
    ok(&verify());
    let wh = dir.path().join("wh");
    std::fs::write(wh.join("lib-1.2.0-py3-none-any.whl"), b"changed").unwrap();
    std::fs::remove_file(wh.join("app-1.0.0-py3-none-any.whl")).unwrap();
    std::fs::write(wh.join("extra-1.0-py3-none-any.whl"), b"x").unwrap();
    let out = verify();
    insta::assert_snapshot!(
        "verify_changed_missing_extra",
        Redactions::new(&idx, dir.path()).transcript(&out)
    );
}

#[test]
fn refuses_unhashed_locks_unless_allowed() {
    let idx = FixtureIndex::start(IndexOptions::default());
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("plain.txt"), "lib==1.1.0\n").unwrap();
    let out = wheelhouse(
        &idx,
        dir.path(),
        &dir.path().join("plain.txt"),
        &["--target", GLIBC],
    );
    insta::assert_snapshot!(
        "unhashed_lock",
        Redactions::new(&idx, dir.path()).transcript(&out)
    );
    ok(&wheelhouse(
        &idx,
        dir.path(),
        &dir.path().join("plain.txt"),
        &["--target", GLIBC, "--allow-unhashed"],
    ));
    let reqs = std::fs::read_to_string(dir.path().join("wh/requirements.txt")).unwrap();
    assert!(
        reqs.contains(&idx.sha256("lib-1.1.0-py3-none-any.whl")),
        "{reqs}"
    );
}

#[test]
fn reads_locks_written_by_uv_and_pip_compile() {
    let idx = FixtureIndex::start(IndexOptions::default());
    for name in ["uv.lock", "pip-compile.lock"] {
        let dir = tempfile::tempdir().unwrap();
        let src = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/locks")
            .join(name);
        let out = wheelhouse(&idx, dir.path(), &src, &["--target", GLIBC]);
        ok(&out);
        let got = files(&dir.path().join("wh"));
        for f in [
            "app-1.0.0-py3-none-any.whl",
            "native-1.0.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
            "abi3pkg-2.1.0-cp38-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
            "staticsdist-1.0.0.tar.gz",
        ] {
            assert!(got.contains(f), "{name}: {f} missing from {got:?}");
        }
    }
}

/// End to end: lock for this machine and Alpine, build the wheelhouse, and the real pip
/// installs it with no index into a fresh venv (building the sdist-only pin offline), then
/// `pip check` passes.
#[test]
fn pip_installs_the_wheelhouse_offline() {
    let idx = FixtureIndex::start(IndexOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let host =
        String::from_utf8(pinwheel(dir.path()).arg("target").output().unwrap().stdout).unwrap();
    let host = host.split_whitespace().next().unwrap().to_string();
    let lock = lock(
        &idx,
        dir.path(),
        "app[fast]\nnative\nabi3pkg\nstaticsdist\n",
        &[&host, MUSL],
    );
    ok(&wheelhouse(&idx, dir.path(), &lock, &[]));
    let py = venv(&dir.path().join("venv"));
    let elsewhere = tempfile::tempdir().unwrap();
    tools::pip_install_offline(
        &py,
        elsewhere.path(),
        &dir.path().join("wh/requirements.txt"),
        &["--no-build-isolation"],
    );
    let check = StdCommand::new(&py)
        .args(["-m", "pip", "check"])
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    let imported = StdCommand::new(&py)
        .args([
            "-c",
            "import app, native, abi3pkg, staticsdist, lib, fastdep; print(native.__version__)",
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&imported.stdout).trim(), "1.0.0");
}

#[test]
fn a_second_wheelhouse_comes_from_the_cache_verified() {
    let idx = FixtureIndex::start(IndexOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let lock = lock(&idx, dir.path(), "app\nnative\n", &[GLIBC]);
    let run = |dest: &str| {
        pinwheel(dir.path())
            .arg("wheelhouse")
            .arg(&lock)
            .args([
                "-d",
                dest,
                "--cache-dir",
                "cache",
                "--index-url",
                &idx.url(),
            ])
            .output()
            .unwrap()
    };
    ok(&run("wh1"));
    idx.clear_requests();
    let err = ok(&run("wh2"));
    assert!(downloads(&idx).is_empty(), "{:?}", downloads(&idx));
    assert!(err.contains("3 from the cache"), "{err}");
    // Each file's log line says where it came from.
    let starting = |word: &str| err.lines().filter(|l| l.starts_with(word)).count();
    assert!(
        starting("cached ") == 3 && starting("fetched ") == 0,
        "{err}"
    );
    // A corrupted cache entry is caught by the hash check and replaced from the index.
    let h = idx.sha256("lib-1.2.0-py3-none-any.whl");
    let entry = dir.path().join("cache/files-v1").join(&h[..2]).join(&h);
    std::fs::remove_file(&entry).unwrap();
    std::fs::write(&entry, b"rotten").unwrap();
    ok(&run("wh3"));
    assert_eq!(
        support::build::sha256_file(&dir.path().join("wh3/lib-1.2.0-py3-none-any.whl")),
        h
    );
    assert_eq!(
        support::build::sha256_file(&entry),
        h,
        "the cache entry is repaired"
    );
}

fn sha256_hex(bytes: &[u8]) -> String {
    support::build::sha256_bytes(bytes)
}

#[test]
fn find_links_files_without_an_index_hash_are_checked_against_the_lock() {
    let idx = FixtureIndex::start(IndexOptions::default());
    let dir = tempfile::tempdir().unwrap();
    // A project only in a find-links directory: its listing has no sha256.
    let links = dir.path().join("links");
    std::fs::create_dir(&links).unwrap();
    let name = "linkonly-1.0.0-py3-none-any.whl";
    let good = std::fs::read(idx.files_dir().join("lib-1.2.0-py3-none-any.whl")).unwrap();
    let locked = sha256_hex(&good);
    std::fs::write(links.join(name), b"not what was locked").unwrap();
    let actual = sha256_hex(b"not what was locked");
    std::fs::write(
        dir.path().join("r.lock"),
        format!("linkonly==1.0.0 \\\n    --hash=sha256:{locked}\n"),
    )
    .unwrap();
    let fl = ["--target", GLIBC, "--find-links", "links"];
    let out = wheelhouse(&idx, dir.path(), &dir.path().join("r.lock"), &fl);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert!(
        err.contains(name) && err.contains(&locked) && err.contains(&actual),
        "{err}"
    );
    assert!(
        !dir.path().join("wh").join(name).exists(),
        "the file is discarded"
    );
    // The locked bytes pass, and the hash recorded is the lock's.
    std::fs::write(links.join(name), &good).unwrap();
    ok(&wheelhouse(
        &idx,
        dir.path(),
        &dir.path().join("r.lock"),
        &fl,
    ));
    assert_eq!(
        support::build::sha256_file(&dir.path().join("wh").join(name)),
        locked
    );
    // A wrong file already in the wheelhouse is not reused: it is replaced by the locked bytes.
    std::fs::write(dir.path().join("wh").join(name), b"stale").unwrap();
    ok(&wheelhouse(
        &idx,
        dir.path(),
        &dir.path().join("r.lock"),
        &fl,
    ));
    assert_eq!(
        support::build::sha256_file(&dir.path().join("wh").join(name)),
        locked
    );
    // Without lock hashes, only --allow-unhashed takes the file as it is, and records its hash.
    std::fs::write(dir.path().join("plain.lock"), "linkonly==1.0.0\n").unwrap();
    let out = wheelhouse(&idx, dir.path(), &dir.path().join("plain.lock"), &fl);
    assert_eq!(out.status.code(), Some(2));
    let mut args = fl.to_vec();
    args.push("--allow-unhashed");
    ok(&wheelhouse(
        &idx,
        dir.path(),
        &dir.path().join("plain.lock"),
        &args,
    ));
    let reqs = std::fs::read_to_string(dir.path().join("wh/requirements.txt")).unwrap();
    assert_eq!(pin_hashes(&reqs, "linkonly==1.0.0"), [locked.as_str()]);
}

#[test]
fn html_listings_without_hashes_are_checked_against_the_lock() {
    let idx = FixtureIndex::start(IndexOptions {
        format: support::Format::Html,
        hashes: false,
        ..IndexOptions::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let file = "lib-1.2.0-py3-none-any.whl";
    let locked = idx.sha256(file);
    std::fs::write(
        dir.path().join("r.lock"),
        format!("lib==1.2.0 \\\n    --hash=sha256:{locked}\n"),
    )
    .unwrap();
    std::fs::write(idx.files_dir().join(file), b"tampered").unwrap();
    let out = wheelhouse(
        &idx,
        dir.path(),
        &dir.path().join("r.lock"),
        &["--target", GLIBC],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert!(
        err.contains(file) && err.contains(&locked) && err.contains(&sha256_hex(b"tampered")),
        "{err}"
    );
    assert!(files(&dir.path().join("wh")).is_empty());
}

#[test]
fn direct_references_are_checked_against_the_lock() {
    let idx = FixtureIndex::start(IndexOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let file = "lib-1.2.0-py3-none-any.whl";
    let locked = idx.sha256(file);
    let url = format!("{}/files/{file}", idx.base());
    std::fs::write(
        dir.path().join("r.lock"),
        format!("lib @ {url} \\\n    --hash=sha256:{locked}\n"),
    )
    .unwrap();
    ok(&wheelhouse(
        &idx,
        dir.path(),
        &dir.path().join("r.lock"),
        &["--target", GLIBC],
    ));
    let reqs = std::fs::read_to_string(dir.path().join("wh/requirements.txt")).unwrap();
    assert_eq!(pin_hashes(&reqs, "lib==1.2.0"), [locked.as_str()], "{reqs}");
    std::fs::remove_dir_all(dir.path().join("wh")).unwrap();
    std::fs::write(idx.files_dir().join(file), b"tampered").unwrap();
    let out = wheelhouse(
        &idx,
        dir.path(),
        &dir.path().join("r.lock"),
        &["--target", GLIBC],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert!(
        err.contains(file) && err.contains(&locked) && err.contains(&sha256_hex(b"tampered")),
        "{err}"
    );
    assert!(files(&dir.path().join("wh")).is_empty());
    // A direct reference without any hash is unhashed like any other pin.
    std::fs::write(dir.path().join("plain.lock"), format!("lib @ {url}\n")).unwrap();
    let out = wheelhouse(
        &idx,
        dir.path(),
        &dir.path().join("plain.lock"),
        &["--target", GLIBC],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--allow-unhashed"));
}

/// uv `--universal` locks pin a package twice with exclusive markers: both are fetched for their
/// targets, each keeps its own hashes in requirements.txt, and the manifest names each pin.
#[test]
fn a_package_pinned_twice_with_markers_gets_both_versions() {
    let idx = FixtureIndex::start(IndexOptions::default());
    let dir = tempfile::tempdir().unwrap();
    const CP311: &str = "cp311-manylinux_2_28_x86_64";
    let old = "lib-1.1.0-py3-none-any.whl";
    let new = "lib-1.2.0-py3-none-any.whl";
    std::fs::write(
        dir.path().join("r.lock"),
        format!(
            "# targets: {CP311} {GLIBC}\n\
             lib==1.1.0 ; python_version < \"3.12\" \\\n    --hash=sha256:{}\n\
             lib==1.2.0 ; python_version >= \"3.12\" \\\n    --hash=sha256:{}\n\
             legacy==0.9.0 ; python_version < \"3.12\" \\\n    --hash=sha256:{}\n\
             app==1.0.0 ; python_version >= \"3.12\" \\\n    --hash=sha256:{}\n",
            idx.sha256(old),
            idx.sha256(new),
            idx.sha256("legacy-0.9.0-py3-none-manylinux1_x86_64.whl"),
            idx.sha256("app-1.0.0-py3-none-any.whl"),
        ),
    )
    .unwrap();
    let err = ok(&wheelhouse(
        &idx,
        dir.path(),
        &dir.path().join("r.lock"),
        &[],
    ));
    let got = files(&dir.path().join("wh"));
    assert!(got.contains(old) && got.contains(new), "{got:?}");
    let reqs = std::fs::read_to_string(dir.path().join("wh/requirements.txt")).unwrap();
    assert_eq!(pin_hashes(&reqs, "lib==1.1.0"), [idx.sha256(old)], "{reqs}");
    assert_eq!(pin_hashes(&reqs, "lib==1.2.0"), [idx.sha256(new)], "{reqs}");
    let m = manifest_file(&dir.path().join("wh"), old);
    assert_eq!(m["pins"], serde_json::json!(["lib==1.1.0"]), "{m}");
    assert_eq!(m["targets"], serde_json::json!([CP311]), "{m}");
    let m = manifest_file(&dir.path().join("wh"), new);
    assert_eq!(m["pins"], serde_json::json!(["lib==1.2.0"]), "{m}");
    assert_eq!(m["targets"], serde_json::json!([GLIBC]), "{m}");
    // Two wheels per target: lib and legacy on 3.11, lib and app on 3.12.
    assert!(err.contains(&format!("{CP311}: 2 wheels")), "{err}");
    assert!(err.contains(&format!("{GLIBC}: 2 wheels")), "{err}");
}

#[test]
fn percent_encoded_direct_references_are_read() {
    let idx = FixtureIndex::start(IndexOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let file = "localver-1.0.0+cpu-py3-none-any.whl";
    std::fs::write(
        dir.path().join("r.lock"),
        format!(
            "localver @ {}/files/localver-1.0.0%2Bcpu-py3-none-any.whl \\\n    --hash=sha256:{}\n",
            idx.base(),
            idx.sha256(file)
        ),
    )
    .unwrap();
    ok(&wheelhouse(
        &idx,
        dir.path(),
        &dir.path().join("r.lock"),
        &["--target", GLIBC],
    ));
    assert!(dir.path().join("wh").join(file).exists());
    let reqs = std::fs::read_to_string(dir.path().join("wh/requirements.txt")).unwrap();
    assert_eq!(
        pin_hashes(&reqs, "localver==1.0.0+cpu"),
        [idx.sha256(file)],
        "{reqs}"
    );
}

/// A lock hash that no file of the version has (the index replaced or removed the file) fails
/// as an integrity error instead of quietly falling back to the sdist or to "nothing installs".
#[test]
fn a_lock_hash_matching_no_file_on_the_index_fails() {
    let idx = FixtureIndex::start(IndexOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let gone = "0".repeat(64);
    let sdist = idx.sha256("glibconly-2.0.0.tar.gz");
    for (lock, hashes) in [
        ("fallback.lock", vec![gone.clone(), sdist]),
        ("nothing.lock", vec![gone.clone()]),
    ] {
        let lines: Vec<String> = hashes
            .iter()
            .map(|h| format!(" \\\n    --hash=sha256:{h}"))
            .collect();
        std::fs::write(
            dir.path().join(lock),
            format!("glibconly==2.0.0{}\n", lines.concat()),
        )
        .unwrap();
        let out = wheelhouse(
            &idx,
            dir.path(),
            &dir.path().join(lock),
            &["--target", GLIBC],
        );
        insta::assert_snapshot!(
            format!(
                "lock_hash_matching_no_file_{}",
                lock.trim_end_matches(".lock")
            ),
            Redactions::new(&idx, dir.path())
                .with(gone.clone(), "[GONE]")
                .transcript(&out)
        );
        assert!(!dir.path().join("wh").exists(), "{lock}: nothing written");
    }
}

#[test]
fn the_sdist_summary_names_the_build_requirements() {
    let idx = FixtureIndex::start(IndexOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let lock = lock(&idx, dir.path(), "buildreq\n", &[GLIBC]);
    let out = wheelhouse(&idx, dir.path(), &lock, &["--no-build"]);
    insta::assert_snapshot!(
        "sdist_build_requirements",
        Redactions::new(&idx, dir.path()).transcript(&out)
    );
}

#[test]
fn only_binary_takes_pips_spelling() {
    let idx = FixtureIndex::start(IndexOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let lock = lock(
        &idx,
        dir.path(),
        "glibconly==2.0.0\nstaticsdist\n",
        &[GLIBC, MUSL],
    );
    let out = wheelhouse(&idx, dir.path(), &lock, &["--only-binary", ":all:"]);
    assert_eq!(out.status.code(), Some(1));
    // Per package: only the named pins must be wheels.
    let out = wheelhouse(&idx, dir.path(), &lock, &["--only-binary", "glibconly"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("glibconly on cp312-musllinux_1_2_x86_64") && !err.contains("staticsdist"),
        "{err}"
    );
    assert!(!dir.path().join("wh").exists());
    // `:none:` clears what came before it, as in pip.
    ok(&wheelhouse(
        &idx,
        dir.path(),
        &lock,
        &["--only-binary=:all:", "--only-binary", ":none:"],
    ));
    ok(&wheelhouse(
        &idx,
        dir.path(),
        &lock,
        &["--only-binary", "lib,native"],
    ));
    // An --only-binary line in the lock counts, as for pip; the flag's :none: overrides it.
    let text = std::fs::read_to_string(&lock).unwrap();
    std::fs::write(&lock, format!("{text}--only-binary :all:\n")).unwrap();
    std::fs::remove_dir_all(dir.path().join("wh")).unwrap();
    assert_eq!(
        wheelhouse(&idx, dir.path(), &lock, &[]).status.code(),
        Some(1)
    );
    ok(&wheelhouse(
        &idx,
        dir.path(),
        &lock,
        &["--only-binary", ":none:"],
    ));
}

/// End to end for a forked lock (issue 13): locked for this machine and another Python, each
/// with its newest `newpy`, the wheelhouse installs offline with the real pip, which takes the
/// host's fork and ignores the other by its marker.
#[test]
fn pip_installs_a_forked_lock_offline() {
    let idx = FixtureIndex::start(IndexOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let host =
        String::from_utf8(pinwheel(dir.path()).arg("target").output().unwrap().stdout).unwrap();
    let host = host.split_whitespace().next().unwrap().to_string();
    let minor: u32 = host[3..host.find('-').unwrap()].parse().unwrap();
    // newpy 2.0.0 needs Python 3.12: pair the host with a target on the other side of it.
    let (other, host_newpy, other_newpy) = if minor >= 12 {
        ("cp311-manylinux_2_28_x86_64", "2.0.0", "1.0.0")
    } else {
        ("cp313-manylinux_2_28_x86_64", "1.0.0", "2.0.0")
    };
    let lock = lock(&idx, dir.path(), "newpy\nframes\n", &[&host, other]);
    let text = std::fs::read_to_string(&lock).unwrap();
    for v in [host_newpy, other_newpy] {
        assert!(
            text.contains(&format!("newpy=={v} ; python_version == ")),
            "{text}"
        );
    }
    ok(&wheelhouse(&idx, dir.path(), &lock, &[]));
    let got = files(&dir.path().join("wh"));
    for v in [host_newpy, other_newpy] {
        assert!(
            got.contains(&format!("newpy-{v}-py3-none-any.whl")),
            "{got:?}"
        );
    }
    let py = venv(&dir.path().join("venv"));
    tools::pip_install_offline(
        &py,
        dir.path(),
        &dir.path().join("wh/requirements.txt"),
        &[],
    );
    let version = StdCommand::new(&py)
        .args([
            "-c",
            "import importlib.metadata as m; print(m.version('newpy'), m.version('frames'))",
        ])
        .output()
        .unwrap();
    let got = String::from_utf8_lossy(&version.stdout);
    assert!(got.starts_with(&format!("{host_newpy} ")), "{got}");
}
