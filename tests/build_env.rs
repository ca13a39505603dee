//! PEP 517 build environments, end to end: `pinwheel lock` builds the metadata of fixture sdists
//! whose backends check the environment they run in (fixtures/index/envcheck.toml), against the
//! loopback index. `PINWHEEL_LOG=build` says what each build did.

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use support::{FixtureIndex, IndexOptions};

const T312: &str = "cp312-manylinux_2_28_x86_64";

fn index() -> FixtureIndex {
    FixtureIndex::start_from(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/index"),
        IndexOptions::default(),
    )
}

struct Run {
    dir: tempfile::TempDir,
}

impl Run {
    fn new() -> Self {
        Run {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `pinwheel lock` of `input` with this run's cache, logging what builds do.
    fn lock(&self, idx: &FixtureIndex, input: &str) -> Output {
        std::fs::write(self.path("requirements.in"), input).unwrap();
        Command::cargo_bin("pinwheel")
            .unwrap()
            .current_dir(self.dir.path())
            .env_remove("PIP_INDEX_URL")
            .env_remove("PIP_EXTRA_INDEX_URL")
            .env("PINWHEEL_LOG", "build")
            .args(["lock", "requirements.in", "-o", "requirements.lock"])
            .args(["--index-url", &idx.url(), "--target", T312, "--cache-dir"])
            .arg(self.path("cache"))
            .output()
            .unwrap()
    }

    fn pins(&self) -> Vec<String> {
        std::fs::read_to_string(self.path("requirements.lock"))
            .unwrap()
            .lines()
            .filter(|l| {
                !l.starts_with(' ') && !l.starts_with('#') && !l.starts_with("--") && !l.is_empty()
            })
            .map(|l| l.trim_end_matches(" \\").to_string())
            .collect()
    }

    /// The kept build environments (their directory names).
    fn envs(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.path("cache/build-envs-v1"))
            .map(|d| {
                d.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn ok(out: &Output) {
    assert!(
        out.status.success(),
        "exit {:?}\nstderr:\n{}",
        out.status.code(),
        stderr(out)
    );
}

/// Whether the index served `file` itself (not its `.metadata`).
fn fetched(idx: &FixtureIndex, file: &str) -> bool {
    idx.requests()
        .iter()
        .any(|r| r.path.ends_with(&format!("/{file}")) && r.status == 200)
}

#[test]
fn build_environments_hold_wheels_pinwheel_installed_and_no_pip() {
    let idx = index();
    let run = Run::new();
    let out = run.lock(&idx, "envcheck\n");
    // The backend's checks (no pip; INSTALLER; the hook's requirement; the launcher) passed.
    ok(&out);
    assert_eq!(run.pins(), ["envcheck==1.0.0", "shared==1.5.0"]);
    // pinwheel fetched the wheels from the index, the build requirement and what
    // get_requires_for_build_wheel asked for (the newest hookdep, as `hookdep>=2` allows).
    assert!(fetched(&idx, "buildtool-1.0.0-py3-none-any.whl"));
    assert!(fetched(&idx, "hookdep-2.0.0-py3-none-any.whl"));
    assert!(!fetched(&idx, "hookdep-1.0.0-py3-none-any.whl"));
    // One environment for [buildtool], one for [buildtool, hookdep>=2]: kept ones never change.
    assert_eq!(run.envs().len(), 2, "{:?}\n{}", run.envs(), stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("get_requires_for_build_wheel asks for [hookdep>=2] too"),
        "{err}"
    );
}

#[test]
fn build_environments_are_reused_for_the_same_requirements() {
    let idx = index();
    let run = Run::new();
    // Two sdists with the same build requirements: the same two environments serve both.
    let out = run.lock(&idx, "envcheck\nenvcheck2\n");
    ok(&out);
    assert_eq!(
        run.pins(),
        [
            "envcheck==1.0.0",
            "envcheck2==1.0.0",
            "lib==1.2.0",
            "shared==1.5.0"
        ]
    );
    let envs = run.envs();
    assert_eq!(envs.len(), 2, "{envs:?}\n{}", stderr(&out));
    assert_eq!(stderr(&out).matches("made build environment").count(), 2);
    let marker = |env: &str| run.path(&format!("cache/build-envs-v1/{env}/pinwheel-build-env.txt"));
    let written: Vec<_> = envs
        .iter()
        .map(|e| std::fs::metadata(marker(e)).unwrap().modified().unwrap())
        .collect();

    // A later run that must build again (its metadata cache gone) finds them.
    std::fs::remove_dir_all(run.path("cache/metadata-v2")).unwrap();
    idx.clear_requests();
    let out = run.lock(&idx, "envcheck\nenvcheck2\n");
    ok(&out);
    let err = stderr(&out);
    assert!(err.contains("reused build environment"), "{err}");
    assert!(!err.contains("made build environment"), "{err}");
    assert_eq!(run.envs(), envs);
    for (env, when) in envs.iter().zip(written) {
        assert_eq!(
            std::fs::metadata(marker(env)).unwrap().modified().unwrap(),
            when
        );
    }
    // Reused as they are: their wheels are not fetched again.
    assert!(
        !fetched(&idx, "buildtool-1.0.0-py3-none-any.whl"),
        "{:?}",
        idx.requests()
    );
    assert!(!fetched(&idx, "hookdep-2.0.0-py3-none-any.whl"));
}

#[test]
fn built_metadata_is_kept_by_the_sdists_hash_and_not_built_again() {
    let idx = index();
    let run = Run::new();
    let out = run.lock(&idx, "dynsdist\n");
    ok(&out);
    assert!(stderr(&out).contains("dynsdist-1.0.0.tar.gz: metadata built"));
    let sha = idx.sha256("dynsdist-1.0.0.tar.gz");
    let kept = run.path(&format!("cache/metadata-v2/{sha}.METADATA"));
    let metadata = std::fs::read_to_string(&kept).unwrap();
    assert!(metadata.contains("Requires-Dist: shared<2"), "{metadata}");

    idx.clear_requests();
    let out = run.lock(&idx, "dynsdist\n");
    ok(&out);
    assert_eq!(run.pins(), ["dynsdist==1.0.0", "shared==1.5.0"]);
    assert!(!stderr(&out).contains("metadata built"), "{}", stderr(&out));
    assert!(
        !fetched(&idx, "dynsdist-1.0.0.tar.gz"),
        "the sdist is not fetched again: {:?}",
        idx.requests()
    );
}

#[test]
fn build_requirements_without_wheels_are_installed_by_pip() {
    let idx = index();
    let run = Run::new();
    let out = run.lock(&idx, "pipbuild\n");
    ok(&out);
    assert_eq!(run.pins(), ["lib==1.2.0", "pipbuild==1.0.0"]);
    let err = stderr(&out);
    assert!(
        err.contains("pipbuild-1.0.0.tar.gz: pip installs the build requirements"),
        "{err}"
    );
    // pip fetched the source-only build requirement from the index.
    assert!(fetched(&idx, "staticsdist-1.0.0.tar.gz"));
}
