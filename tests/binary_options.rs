//! `lock --no-binary` (and `--no-binary` lines in the input), as pip's: the packages named are
//! built from source, so a version needs an sdist, and the lock names only the sdist (wheels
//! still give the metadata). The lock carries a `--no-binary` line, `wheelhouse` builds those
//! sdists here, and the real pip installs the result offline. And `--only-binary` across glibc
//! and musl targets, which share their pins: the lock says which release one held back.

mod support;

use std::path::Path;

use support::cli::{fails, host, manifest_file, ok, pinwheel};
use support::{tools, FixtureIndex, IndexOptions};

const GLIBC: &str = "cp312-manylinux_2_28_x86_64";

fn lock(
    idx: &FixtureIndex,
    dir: &Path,
    input: &str,
    target: &str,
    extra: &[&str],
) -> std::process::Output {
    std::fs::write(dir.join("requirements.in"), input).unwrap();
    pinwheel(dir)
        .args(["lock", "requirements.in", "-o", "requirements.lock"])
        .args(["--no-cache", "--index-url", &idx.url(), "--target", target])
        .args(extra)
        .output()
        .unwrap()
}

/// The `--hash` values the lock lists under the pin line starting with `start`.
fn hashes(lock: &str, start: &str) -> Vec<String> {
    let mut lines = lock.lines().skip_while(|l| !l.starts_with(start));
    assert!(lines.next().is_some(), "no `{start}` in:\n{lock}");
    lines
        .take_while(|l| l.starts_with("    --hash"))
        .filter_map(|l| l.trim().strip_prefix("--hash=sha256:"))
        .map(|h| h.trim_end_matches(" \\").to_string())
        .collect()
}

#[test]
fn no_binary_takes_the_newest_version_with_an_sdist_and_locks_only_it() {
    let idx = FixtureIndex::start(IndexOptions::default());
    let dir = tempfile::tempdir().unwrap();
    // Without it: the newest, wheels only.
    ok(&lock(&idx, dir.path(), "srcold\nnative\n", GLIBC, &[]));
    let text = std::fs::read_to_string(dir.path().join("requirements.lock")).unwrap();
    assert!(text.contains("srcold==2.0.0"), "{text}");
    assert_eq!(hashes(&text, "native==1.0.0").len(), 2, "{text}");

    for (input, extra) in [
        ("srcold\nnative\n", &["--no-binary", "srcold,native"][..]),
        (
            "--no-binary srcold\n--no-binary native\nsrcold\nnative\n",
            &[][..],
        ),
    ] {
        ok(&lock(&idx, dir.path(), input, GLIBC, extra));
        let text = std::fs::read_to_string(dir.path().join("requirements.lock")).unwrap();
        assert!(text.contains("srcold==1.0.0"), "{input}: {text}");
        assert_eq!(
            hashes(&text, "srcold==1.0.0"),
            [idx.sha256("srcold-1.0.0.tar.gz")],
            "{text}"
        );
        assert_eq!(
            hashes(&text, "native==1.0.0"),
            [idx.sha256("native-1.0.0.tar.gz")],
            "{text}"
        );
        assert!(
            text.lines().any(|l| l == "--no-binary native,srcold"),
            "{text}"
        );
    }

    // A package with wheels only cannot be built from source.
    let err = fails(
        &lock(
            &idx,
            dir.path(),
            "abi3pkg\n",
            GLIBC,
            &["--no-binary", "abi3pkg"],
        ),
        3,
    );
    assert!(
        err.contains("abi3pkg") && err.contains("has no sdist for") && err.contains("--no-binary"),
        "{err}"
    );
    // Both :all: leaves nothing to install.
    let err = fails(
        &lock(
            &idx,
            dir.path(),
            "srcold\n",
            GLIBC,
            &["--no-binary", ":all:", "--only-binary", ":all:"],
        ),
        2,
    );
    assert!(
        err.contains("--no-binary :all: and --only-binary :all:"),
        "{err}"
    );
}

/// The lock's `--no-binary` line reaches `wheelhouse`, which builds the sdist here; the real
/// pip installs the wheelhouse offline in a fresh venv, and the pylock form records the option.
#[test]
fn a_no_binary_lock_is_built_into_the_wheelhouse_and_installs_offline() {
    let idx = FixtureIndex::start(IndexOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let host = host(dir.path());
    ok(&lock(
        &idx,
        dir.path(),
        "srcold\n",
        &host,
        &["--no-binary", "srcold"],
    ));
    ok(&pinwheel(dir.path())
        .args([
            "wheelhouse",
            "requirements.lock",
            "-d",
            "wh",
            "--cache-dir",
            "cache",
        ])
        .output()
        .unwrap());
    let wh = dir.path().join("wh");
    let built = manifest_file(&wh, "srcold-1.0.0-py3-none-any.whl");
    assert_eq!(
        built["built_from"]["sdist_sha256"].as_str(),
        Some(idx.sha256("srcold-1.0.0.tar.gz").as_str()),
        "{built:#}"
    );
    // The index's own wheel of 1.0.0 has other bytes: it was not fetched.
    assert_ne!(
        support::build::sha256_file(&wh.join("srcold-1.0.0-py3-none-any.whl")),
        idx.sha256("srcold-1.0.0-py3-none-any.whl")
    );
    let py = tools::fresh_venv(&dir.path().join("venv"));
    tools::pip_install_offline(&py, &wh, &wh.join("requirements.txt"), &[]);
    assert!(tools::installed(&py).contains(&"srcold==1.0.0".to_string()));

    ok(&pinwheel(dir.path())
        .args(["lock", "requirements.in", "-o", "pylock.toml", "--no-cache"])
        .args([
            "--index-url",
            &idx.url(),
            "--target",
            &host,
            "--no-binary",
            "srcold",
        ])
        .output()
        .unwrap());
    let text = std::fs::read_to_string(dir.path().join("pylock.toml")).unwrap();
    assert!(text.contains("no-binary = [\"srcold\"]"), "{text}");
    assert!(!text.contains("srcold-1.0.0-py3-none-any.whl"), "{text}");
}

/// glibc and musl images of one Python share their pins (no marker tells them apart): under
/// `--only-binary`, glibconly 3.0.0 has no musllinux wheel, so both take 1.0.0, and the lock
/// says so, naming the release and the target; a lock of the glibc target alone takes 3.0.0.
#[test]
fn only_binary_says_which_release_a_musl_target_holds_back() {
    let idx = FixtureIndex::start(IndexOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let musl = "cp312-musllinux_1_2_x86_64";
    let out = lock(
        &idx,
        dir.path(),
        "glibconly\n",
        GLIBC,
        &["--target", musl, "--only-binary", ":all:"],
    );
    let err = ok(&out);
    let text = std::fs::read_to_string(dir.path().join("requirements.lock")).unwrap();
    assert!(text.contains("glibconly==1.0.0"), "{text}");
    assert!(
        err.contains(&format!(
            "glibconly 3.0.0 has no wheel for {musl}, so {GLIBC} takes glibconly 1.0.0 with it"
        )),
        "{err}"
    );
    let err = ok(&lock(
        &idx,
        dir.path(),
        "glibconly\n",
        GLIBC,
        &["--only-binary", ":all:", "--upgrade"],
    ));
    let text = std::fs::read_to_string(dir.path().join("requirements.lock")).unwrap();
    assert!(text.contains("glibconly==3.0.0"), "{text}");
    assert!(!err.contains("has no wheel for"), "{err}");
}
