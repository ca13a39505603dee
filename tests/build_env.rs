//! PEP 517 build environments, end to end: `pinwheel lock` builds the metadata of fixture sdists
//! whose backends check the environment they run in (fixtures/index/envcheck.toml), against the
//! loopback index. `PINWHEEL_LOG=build` says what each build did.

mod support;

use std::process::Output;

use support::cli::{names, ok, pins, stderr, Run};
use support::{FixtureIndex, IndexOptions};

const T312: &str = "cp312-manylinux_2_28_x86_64";

fn index() -> FixtureIndex {
    FixtureIndex::start(IndexOptions::default())
}

/// What the tests do in a [`Run`]'s directory.
trait Builds {
    fn lock(&self, idx: &FixtureIndex, input: &str) -> Output;
    fn pins(&self) -> Vec<String>;
    fn envs(&self) -> Vec<String>;
}

impl Builds for Run {
    /// `pinwheel lock` of `input` with this run's cache, logging what builds do.
    fn lock(&self, idx: &FixtureIndex, input: &str) -> Output {
        std::fs::write(self.path("requirements.in"), input).unwrap();
        self.cmd()
            .env("PINWHEEL_LOG", "build")
            .args(["lock", "requirements.in", "-o", "requirements.lock"])
            .args(["--index-url", &idx.url(), "--target", T312, "--cache-dir"])
            .arg(self.path("cache"))
            .output()
            .unwrap()
    }

    fn pins(&self) -> Vec<String> {
        pins(&self.output())
    }

    /// The kept build environments (their directory names).
    fn envs(&self) -> Vec<String> {
        names(&self.path("cache/build-envs-v1"))
            .into_iter()
            .collect()
    }
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
