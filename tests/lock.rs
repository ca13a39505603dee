//! `pinwheel lock` against a loopback index generated from fixtures/index.

mod support;

use std::process::Output;

use support::cli::{host, index, ok, pins, stderr, Redactions, Run};
use support::{FixtureIndex, Format, IndexOptions, MetadataMode};

/// `pinwheel lock` in a [`Run`]'s directory.
trait Lock {
    fn lock(&self, idx: &FixtureIndex, input: &str, args: &[&str]) -> Output;

    /// [`Lock::lock`], which must succeed; the pins of the lock it wrote.
    fn pins(&self, idx: &FixtureIndex, input: &str, args: &[&str]) -> Vec<String>;

    /// [`Lock::lock`]'s exit code and output, redacted, for a snapshot.
    fn transcript(&self, idx: &FixtureIndex, input: &str, args: &[&str]) -> String;
}

impl Lock for Run {
    /// Runs `pinwheel lock <input> -o requirements.lock` with a private cache.
    fn lock(&self, idx: &FixtureIndex, input: &str, args: &[&str]) -> Output {
        let src = self.write("requirements.in", input);
        self.cmd()
            .arg("lock")
            .arg(&src)
            .arg("-o")
            .arg(self.path("requirements.lock"))
            .args(["--index-url", &idx.url(), "--cache-dir"])
            .arg(self.path("cache"))
            .args(args)
            .output()
            .unwrap()
    }

    fn pins(&self, idx: &FixtureIndex, input: &str, args: &[&str]) -> Vec<String> {
        ok(&self.lock(idx, input, args));
        pins(&self.output())
    }

    fn transcript(&self, idx: &FixtureIndex, input: &str, args: &[&str]) -> String {
        let out = self.lock(idx, input, args);
        Redactions::new(idx, self.dir.path()).transcript(&out)
    }
}

/// `--target T` for each of `targets`, then `extra`.
fn on<'a>(targets: &[&'a str], extra: &[&'a str]) -> Vec<&'a str> {
    let mut args: Vec<&str> = targets.iter().flat_map(|t| ["--target", *t]).collect();
    args.extend_from_slice(extra);
    args
}

/// A fixture index and a work directory of the test's own.
fn fresh() -> (FixtureIndex, Run) {
    (index(IndexOptions::default()), Run::new())
}

/// The pins of a lock of `input`, in a directory of its own against a fixture index of its
/// own.
fn locked(input: &str, args: &[&str]) -> Vec<String> {
    let (idx, run) = fresh();
    run.pins(&idx, input, args)
}

/// The paths asked of `idx` that hold any of `parts`.
fn requested(idx: &FixtureIndex, parts: &[&str]) -> Vec<String> {
    idx.requests()
        .into_iter()
        .map(|r| r.path)
        .filter(|p| parts.iter().any(|part| p.contains(part)))
        .collect()
}

const T312: &str = "cp312-manylinux_2_28_x86_64";
const T311: &str = "cp311-manylinux_2_28_x86_64";

#[test]
fn extras_and_markers_for_one_target() {
    let (idx, run) = fresh();
    let out = run.lock(&idx, "app[fast]\n", &["--target", T312]);
    ok(&out);
    let lock = run.output();
    assert_eq!(
        pins(&lock),
        ["app==1.0.0", "fastdep==0.5.0", "lib==1.2.0"],
        "{lock}"
    );
    assert!(lock.contains("# targets: cp312-manylinux_2_28_x86_64"));
    assert!(lock.contains("    # via app\n"), "{lock}");
    assert!(lock.contains("# via -r "), "{lock}");
    // Every pin carries the sha256 of its wheel, as the index lists it.
    let h = idx.sha256("lib-1.2.0-py3-none-any.whl");
    assert!(lock.contains(&format!("--hash=sha256:{h}")));
}

#[test]
fn target_specific_pins_get_markers() {
    let (idx, run) = fresh();
    let out = run.lock(
        &idx,
        "app\n",
        &[
            "--target",
            T312,
            "--target",
            T311,
            "--target",
            "cp312-manylinux_2_28_aarch64",
        ],
    );
    ok(&out);
    let lock = run.output();
    let p = pins(&lock);
    assert!(
        p.contains(&"backport==2.0.0 ; python_version == '3.11'".to_string()),
        "{p:?}"
    );
    assert!(
        p.contains(&"armonly==1.0.0 ; platform_machine == 'aarch64'".to_string()),
        "{p:?}"
    );
    assert!(p.contains(&"app==1.0.0".to_string()));
    // Never needed on a Linux target: left out entirely.
    assert!(!lock.contains("winonly"), "{lock}");
}

#[test]
fn windows_target_pulls_in_windows_only_dependency_with_marker() {
    let (idx, run) = fresh();
    let out = run.lock(
        &idx,
        "app\n",
        &["--target", T312, "--target", "cp312-win_amd64"],
    );
    ok(&out);
    let p = pins(&run.output());
    assert!(
        p.contains(&"winonly==3.0.0 ; sys_platform == 'win32'".to_string()),
        "{p:?}"
    );
}

#[test]
fn requires_python_picks_an_older_release_for_older_targets() {
    let (idx, run) = fresh();
    assert_eq!(
        run.pins(&idx, "newpy\n", &["--target", T312]),
        ["newpy==2.0.0"]
    );
    // Each target gets the newest release its Python takes; the lock pins both.
    assert_eq!(
        run.pins(&idx, "newpy\n", &["--target", T312, "--target", T311, "-U"]),
        [
            "newpy==1.0.0 ; python_version == '3.11'",
            "newpy==2.0.0 ; python_version == '3.12'"
        ]
    );
    // --fork-strategy fewest: one release for both, as long as one serves both.
    assert_eq!(
        run.pins(
            &idx,
            "newpy\n",
            &[
                "--target",
                T312,
                "--target",
                T311,
                "-U",
                "--fork-strategy",
                "fewest",
            ],
        ),
        ["newpy==1.0.0"]
    );
}

const T310: &str = "cp310-manylinux_2_28_x86_64";
const T313: &str = "cp313-manylinux_2_28_x86_64";

#[test]
fn newest_releases_per_python_fork_the_lock() {
    // frames 3.0.0 and arrays 2.3.0 drop Python 3.10: the cp313 target gets them, the cp310
    // target the newest releases that support it, each selected by its marker.
    let (idx, run) = fresh();
    assert_eq!(
        run.pins(&idx, "frames\n", &["--target", T310, "--target", T313]),
        [
            "arrays==2.2.0 ; python_version == '3.10'",
            "arrays==2.3.0 ; python_version == '3.13'",
            "frames==2.0.0 ; python_version == '3.10'",
            "frames==3.0.0 ; python_version == '3.13'",
        ]
    );
    // Each fork is what a lock for its target alone gives.
    for (t, want) in [
        (T310, ["arrays==2.2.0", "frames==2.0.0"]),
        (T313, ["arrays==2.3.0", "frames==3.0.0"]),
    ] {
        let alone = Run::new();
        assert_eq!(alone.pins(&idx, "frames\n", &["--target", t]), want);
    }
    // `requires-python` (uv's name for the strategy) is accepted; fewest keeps one version.
    let same = Run::new();
    let args = ["--target", T310, "--target", T313, "--fork-strategy"];
    assert_eq!(
        same.pins(
            &idx,
            "frames\n",
            &[&args[..], &["requires-python"]].concat(),
        ),
        pins(&run.output())
    );
    let fewest = Run::new();
    assert_eq!(
        fewest.pins(&idx, "frames\n", &[&args[..], &["fewest"]].concat()),
        ["arrays==2.2.0", "frames==2.0.0"]
    );
}

#[test]
fn forks_agreeing_on_a_version_share_one_pin() {
    // cp311 and cp313 take the same newest releases: one pin whose marker names both.
    assert_eq!(
        locked(
            "frames\n",
            &["--target", T310, "--target", T311, "--target", T313],
        ),
        [
            "arrays==2.2.0 ; python_version == '3.10'",
            "arrays==2.3.0 ; python_version == '3.11' or python_version == '3.13'",
            "frames==2.0.0 ; python_version == '3.10'",
            "frames==3.0.0 ; python_version == '3.11' or python_version == '3.13'",
        ]
    );
}

#[test]
fn only_binary_forks_a_machine_without_wheels_to_an_older_release() {
    let idx = index(IndexOptions::default());
    let arm = "cp312-manylinux_2_28_aarch64";
    let run = Run::new();
    assert_eq!(
        run.pins(
            &idx,
            "armlag\n",
            &["--target", T312, "--target", arm, "--only-binary", ":all:"],
        ),
        [
            "armlag==1.0.0 ; platform_machine == 'aarch64'",
            "armlag==2.0.0 ; platform_machine == 'x86_64'"
        ]
    );
    // With sdists allowed, the newest release serves both.
    let run = Run::new();
    assert_eq!(
        run.pins(&idx, "armlag\n", &["--target", T312, "--target", arm]),
        ["armlag==2.0.0"]
    );
}

#[test]
fn glibc_and_musl_targets_never_fork_apart() {
    // No marker tells glibc from musl: the Alpine target holds the slim one back to the
    // release with musllinux wheels, as one pin.
    assert_eq!(
        locked(
            "glibconly\n",
            &[
                "--target",
                T312,
                "--target",
                "cp312-musllinux_1_2_x86_64",
                "--only-binary",
                ":all:",
            ],
        ),
        ["glibconly==1.0.0"]
    );
}

#[test]
fn relocking_keeps_each_forks_pin_until_released() {
    let (idx, run) = fresh();
    let targets = ["--target", T310, "--target", T313];
    let split = "arrays<2 ; python_version < '3.12'\narrays>=2,<2.3 ; python_version >= '3.12'\n";
    ok(&run.lock(&idx, split, &targets));
    let forked = [
        "arrays==1.26.0 ; python_version == '3.10'",
        "arrays==2.2.0 ; python_version == '3.13'",
    ];
    assert_eq!(pins(&run.output()), forked);
    // The input loosens: each fork keeps its own pin (not one version for both).
    assert_eq!(run.pins(&idx, "arrays\n", &targets), forked);
    // --upgrade-package releases it in every fork.
    assert_eq!(
        run.pins(
            &idx,
            "arrays\n",
            &[&targets[..], &["-P", "arrays"]].concat(),
        ),
        [
            "arrays==2.2.0 ; python_version == '3.10'",
            "arrays==2.3.0 ; python_version == '3.13'"
        ]
    );
}

#[test]
fn yanked_releases_are_skipped_unless_pinned_exactly() {
    let (idx, run) = fresh();
    assert_eq!(
        run.pins(&idx, "yanked\n", &["--target", T312]),
        ["yanked==1.0.0"]
    );
    assert_eq!(
        run.pins(&idx, "yanked==1.1.0\n", &["--target", T312, "--upgrade"]),
        ["yanked==1.1.0"]
    );
}

#[test]
fn pre_releases_only_when_asked_named_or_alone() {
    let (idx, run) = fresh();
    assert_eq!(run.pins(&idx, "lib\n", &["--target", T312]), ["lib==1.2.0"]);
    assert_eq!(
        run.pins(&idx, "lib\n", &["--target", T312, "--pre", "--upgrade"]),
        ["lib==2.0.0b1"]
    );
    assert_eq!(
        run.pins(&idx, "lib>=2.0.0b1\n", &["--target", T312, "--upgrade"]),
        ["lib==2.0.0b1"]
    );
    assert_eq!(
        run.pins(&idx, "preonly\n", &["--target", T312]),
        ["preonly==0.1.0a2"]
    );
}

#[test]
fn exclude_newer_ignores_later_uploads() {
    let (idx, run) = fresh();
    assert_eq!(
        run.pins(
            &idx,
            "lib\n",
            &["--target", T312, "--exclude-newer", "2024-02-15T00:00:00Z"],
        ),
        ["lib==1.1.0"]
    );
    assert_eq!(
        run.pins(
            &idx,
            "lib\n",
            &[
                "--target",
                T312,
                "--exclude-newer",
                "2024-01-15",
                "--upgrade",
            ],
        ),
        ["lib==1.0.0"]
    );
}

#[test]
fn existing_pins_are_kept_until_upgraded() {
    let (idx, run) = fresh();
    assert_eq!(
        run.pins(&idx, "lib<1.2\nshared\n", &["--target", T312]),
        ["lib==1.1.0", "shared==2.5.0"]
    );
    // The input loosens; the existing pin still satisfies it and is kept.
    assert_eq!(
        run.pins(&idx, "lib\nshared\n", &["--target", T312]),
        ["lib==1.1.0", "shared==2.5.0"]
    );
    // An input the pin no longer satisfies moves it.
    assert_eq!(
        run.pins(&idx, "lib>=1.2\nshared\n", &["--target", T312]),
        ["lib==1.2.0", "shared==2.5.0"]
    );
    assert_eq!(
        run.pins(
            &idx,
            "lib<1.2\nshared<2\n",
            &["--target", T312, "--upgrade"],
        ),
        ["lib==1.1.0", "shared==1.5.0"]
    );
    // --upgrade-package releases only the named pin.
    assert_eq!(
        run.pins(
            &idx,
            "lib\nshared\n",
            &["--target", T312, "--upgrade-package", "shared"],
        ),
        ["lib==1.1.0", "shared==2.5.0"]
    );
}

#[test]
fn constraints_limit_versions_without_adding_packages() {
    let (idx, run) = fresh();
    let c = run.write("constraints.txt", "lib<1.1\nshared<2\n");
    ok(&run.lock(
        &idx,
        "lib\n",
        &["--target", T312, "--constraint", c.to_str().unwrap()],
    ));
    // shared is constrained but not required: not in the lock.
    assert_eq!(pins(&run.output()), ["lib==1.0.0"]);
    // -c inside the requirements file works the same.
    assert_eq!(
        run.pins(
            &idx,
            "-c constraints.txt\nlib\n",
            &["--target", T312, "--upgrade"],
        ),
        ["lib==1.0.0"]
    );
}

#[test]
fn unsatisfiable_requirements_are_explained() {
    // The derivation speaks of projects and PEP 440 specifiers, and names the input file.
    let (idx, run) = fresh();
    insta::assert_snapshot!(
        "unsatisfiable",
        run.transcript(&idx, "left\nright\n", &["--target", T312])
    );
    assert!(
        !run.path("requirements.lock").exists(),
        "nothing written on failure"
    );
}

#[test]
fn a_constraint_is_named_where_it_narrows_a_dependency() {
    let (idx, run) = fresh();
    let mut both = String::new();
    for constraint in ["shared>1.6\n", "shared>=2\n"] {
        run.write("c.txt", constraint);
        both += &run.transcript(&idx, "left\n", &["--target", T312, "-c", "c.txt"]);
    }
    insta::assert_snapshot!("constraint_named", both);
}

#[test]
fn a_per_release_binary_extra_with_no_wheel_is_explained_briefly() {
    // Every binwrap[binary] pins its own binwrap-binary, which has no musllinux wheel. Ranges
    // read over the versions the index has, not as every gap between them.
    let (idx, run) = fresh();
    insta::assert_snapshot!(
        "binary_extra_without_wheel",
        run.transcript(
            &idx,
            "binwrap[binary]\n",
            &["--target", "cp312-musllinux_1_2_x86_64"]
        )
    );
}

#[test]
fn unknown_package_names_the_index() {
    let (idx, run) = fresh();
    insta::assert_snapshot!(
        "unknown_package",
        run.transcript(&idx, "no-such-package\n", &["--target", T312])
    );
}

#[test]
fn json_and_html_indexes_give_the_same_lock() {
    let run = Run::new();
    let json = index(IndexOptions::default());
    ok(&run.lock(&json, "app[fast]\nnative\n", &["--target", T312]));
    let a = pins(&run.output());
    let html = index(IndexOptions {
        format: Format::Html,
        ..IndexOptions::default()
    });
    let run2 = Run::new();
    ok(&run2.lock(&html, "app[fast]\nnative\n", &["--target", T312]));
    assert_eq!(a, pins(&run2.output()));
    assert!(html
        .requests()
        .iter()
        .any(|r| r.path.starts_with("/simple/")));
}

#[test]
fn metadata_by_range_requests_when_no_metadata_files() {
    let idx = index(IndexOptions {
        metadata: MetadataMode::Absent,
        ..IndexOptions::default()
    });
    let run = Run::new();
    ok(&run.lock(&idx, "app\n", &["--target", T312]));
    let reqs = idx.requests();
    let ranged: Vec<_> = reqs.iter().filter(|r| r.range.is_some()).collect();
    assert!(!ranged.is_empty(), "expected range requests: {reqs:?}");
    // No full download of a wheel when ranges work.
    assert!(
        !reqs
            .iter()
            .any(|r| r.path.ends_with(".whl") && r.range.is_none() && r.method == "GET"),
        "{reqs:?}"
    );
}

#[test]
fn unadvertised_metadata_files_are_used() {
    let (idx, run) = fresh();
    ok(&run.lock(&idx, "app\n", &["--target", T312]));
    let reqs = idx.requests();
    assert!(
        reqs.iter()
            .any(|r| r.path.ends_with(".whl.metadata") && r.status == 200),
        "{reqs:?}"
    );
    assert!(
        !reqs.iter().any(|r| r.path.ends_with(".whl")),
        "no wheel fetched: {reqs:?}"
    );
}

#[test]
fn server_without_range_support_falls_back_to_the_whole_wheel() {
    let idx = index(IndexOptions {
        metadata: MetadataMode::Absent,
        range_requests: false,
        ..IndexOptions::default()
    });
    let run = Run::new();
    assert_eq!(
        run.pins(&idx, "app[fast]\n", &["--target", T312]),
        ["app==1.0.0", "fastdep==0.5.0", "lib==1.2.0"]
    );
}

#[test]
fn sdist_with_static_metadata_is_read_without_building() {
    assert_eq!(
        locked("staticsdist\n", &["--target", T312]),
        ["lib==1.1.0", "staticsdist==1.0.0"]
    );
}

#[test]
fn sdist_with_dynamic_metadata_is_built_with_its_backend() {
    let (idx, run) = fresh();
    let out = run.lock(&idx, "dynsdist\n", &["--target", T312]);
    ok(&out);
    assert_eq!(pins(&run.output()), ["dynsdist==1.0.0", "shared==1.5.0"]);
}

#[test]
fn hashes_cover_the_files_each_target_installs() {
    let (idx, run) = fresh();
    ok(&run.lock(
        &idx,
        "native\n",
        &["--target", T312, "--target", "cp312-musllinux_1_2_x86_64"],
    ));
    let lock = run.output();
    let has = |f: &str| lock.contains(&idx.sha256(f));
    assert!(has(
        "native-1.0.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
    ));
    assert!(has("native-1.0.0-cp312-cp312-musllinux_1_2_x86_64.whl"));
    assert!(has("native-1.0.0.tar.gz"), "the sdist is always listed");
    assert!(!has("native-1.0.0-cp312-cp312-win_amd64.whl"));
    assert!(!has(
        "native-1.0.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
    ));
    ok(&run.lock(
        &idx,
        "native\n",
        &["--target", T312, "--all-hashes", "--upgrade"],
    ));
    assert!(run
        .output()
        .contains(&idx.sha256("native-1.0.0-cp312-cp312-win_amd64.whl")));
}

#[test]
fn no_annotate_drops_via_lines() {
    let (idx, run) = fresh();
    ok(&run.lock(&idx, "app\n", &["--target", T312, "--no-annotate"]));
    assert!(!run.output().contains("# via"));
}

#[test]
fn offline_uses_the_cache_and_says_what_is_missing() {
    let (idx, run) = fresh();
    let online = run.pins(&idx, "app\n", &["--target", T312]);
    std::fs::remove_file(run.path("requirements.lock")).unwrap();
    idx.clear_requests();
    assert_eq!(
        run.pins(&idx, "app\n", &["--target", T312, "--offline"]),
        online
    );
    assert!(
        idx.requests().is_empty(),
        "offline made requests: {:?}",
        idx.requests()
    );
    insta::assert_snapshot!(
        "offline_missing",
        run.transcript(&idx, "app\nnewpy\n", &["--target", T312, "--offline"])
    );
}

#[test]
fn warm_cache_revalidates_nothing_while_fresh() {
    let (idx, run) = fresh();
    ok(&run.lock(&idx, "app[fast]\n", &["--target", T312]));
    idx.clear_requests();
    ok(&run.lock(&idx, "app[fast]\n", &["--target", T312]));
    assert!(idx.requests().is_empty(), "{:?}", idx.requests());
    // --refresh revalidates pages with their ETag: 304s, and no metadata refetch.
    ok(&run.lock(&idx, "app[fast]\n", &["--target", T312, "--refresh"]));
    let reqs = idx.requests();
    assert!(reqs.iter().all(|r| r.status == 304), "{reqs:?}");
}

#[test]
fn bad_input_is_a_usage_error_with_location() {
    let (idx, run) = fresh();
    let line = run.transcript(
        &idx,
        "app\nthis is not a requirement\n",
        &["--target", T312],
    );
    let target = run.transcript(&idx, "app\n", &["--target", "python:9.9-nonsense"]);
    insta::assert_snapshot!("bad_input", format!("{line}{target}"));
}

#[test]
fn pip_index_url_from_the_environment() {
    let (idx, run) = fresh();
    run.write("requirements.in", "lib<1.1\n");
    let out = run
        .cmd()
        .env("PIP_INDEX_URL", idx.url())
        .args(["lock", "requirements.in", "-o", "requirements.lock"])
        .args(["--no-cache", "--target", T312])
        .output()
        .unwrap();
    ok(&out);
    assert_eq!(pins(&run.output()), ["lib==1.0.0"]);
}

#[test]
fn credentials_are_sent_and_never_printed_or_written() {
    let idx = index(IndexOptions {
        basic_auth: Some(("alice".into(), "s3cret-token".into())),
        ..IndexOptions::default()
    });
    let run = Run::new();
    let with_creds = idx.url().replace("http://", "http://alice:s3cret-token@");
    run.write("requirements.in", "app\n");
    let out = run
        .cmd()
        .args(["lock", "requirements.in", "-o", "requirements.lock"])
        .args(["--no-cache", "--target", T312, "--index-url", &with_creds])
        .output()
        .unwrap();
    ok(&out);
    let lock = run.output();
    assert!(lock.contains("app==1.0.0"));
    assert!(!lock.contains("s3cret-token"), "{lock}");
    assert!(!stderr(&out).contains("s3cret-token"));
    // Without credentials: a clear error, exit 4, and still no secret anywhere.
    insta::assert_snapshot!(
        "credentials_missing",
        run.transcript(&idx, "app\n", &["--target", T312])
    );
}

#[test]
fn netrc_credentials() {
    let idx = index(IndexOptions {
        basic_auth: Some(("bob".into(), "hunter2".into())),
        ..IndexOptions::default()
    });
    let run = Run::new();
    let netrc = run.write("netrc", "machine 127.0.0.1 login bob password hunter2\n");
    run.write("requirements.in", "lib<1.1\n");
    let out = run
        .cmd()
        .env("NETRC", &netrc)
        .args(["lock", "requirements.in", "-o", "requirements.lock"])
        .args(["--no-cache", "--target", T312, "--index-url", &idx.url()])
        .output()
        .unwrap();
    ok(&out);
    assert_eq!(pins(&run.output()), ["lib==1.0.0"]);
}

#[test]
fn first_index_that_has_a_package_wins() {
    let primary = index(IndexOptions::default());
    // A second index whose `lib` has only 1.0.0 would lose: the primary has lib.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("lib.toml"),
        "name = \"lib\"\n[[release]]\nversion = \"9.0.0\"\nwheels = [\"py3-none-any\"]\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("extraonly.toml"),
        "name = \"extraonly\"\n[[release]]\nversion = \"1.0.0\"\nwheels = [\"py3-none-any\"]\n",
    )
    .unwrap();
    let extra = FixtureIndex::start_from(dir.path(), IndexOptions::default());
    let run = Run::new();
    assert_eq!(
        run.pins(
            &primary,
            "lib\nextraonly\n",
            &["--target", T312, "--extra-index-url", &extra.url()],
        ),
        ["extraonly==1.0.0", "lib==1.2.0"]
    );
}

#[test]
fn find_links_directory_and_direct_url() {
    let (idx, run) = fresh();
    let links = run.path("links");
    std::fs::create_dir(&links).unwrap();
    std::fs::copy(
        idx.files_dir().join("shared-1.5.0-py3-none-any.whl"),
        links.join("shared-1.5.0-py3-none-any.whl"),
    )
    .unwrap();
    std::fs::write(links.join("localonly-0.1.0-py3-none-any.whl"), b"").unwrap();
    // A package only in the find-links directory: resolved from there (its metadata from the file).
    std::fs::copy(
        idx.files_dir().join("fastdep-0.5.0-py3-none-any.whl"),
        links.join("fastdep-0.5.0-py3-none-any.whl"),
    )
    .unwrap();
    let out = run.lock(
        &idx,
        "fastdep\n",
        &["--target", T312, "--find-links", links.to_str().unwrap()],
    );
    ok(&out);
    assert_eq!(pins(&run.output()), ["fastdep==0.5.0"]);
    // A direct reference to a wheel URL.
    let url = format!("{}/files/lib-1.1.0-py3-none-any.whl", idx.base());
    ok(&run.lock(
        &idx,
        &format!("lib @ {url}\n"),
        &["--target", T312, "--upgrade"],
    ));
    let lock = run.output();
    assert!(lock.contains(&format!("lib @ {url}")), "{lock}");
    assert!(
        lock.contains(&idx.sha256("lib-1.1.0-py3-none-any.whl")),
        "hashed from its bytes: {lock}"
    );
}

#[test]
fn pyproject_extras_groups_and_tool_config() {
    let (idx, run) = fresh();
    let py = run.write(
        "pyproject.toml",
        &format!(
            "[project]\nname = \"svc\"\nversion = \"0\"\ndependencies = [\"lib<1.2\"]\n\
             [project.optional-dependencies]\npg = [\"shared<2\"]\n\
             [dependency-groups]\ndev = [\"fastdep\"]\n\
             [tool.pinwheel]\ntargets = [\"{T312}\"]\nindex-url = \"{}\"\n",
            idx.url()
        ),
    );
    let lock = |args: &[&str]| {
        run.cmd()
            .arg("lock")
            .arg(&py)
            .args(["-o", "requirements.lock", "--no-cache", "--upgrade"])
            .args(args)
            .output()
            .unwrap()
    };
    ok(&lock(&[]));
    assert_eq!(pins(&run.output()), ["lib==1.1.0"]);
    assert!(
        run.output().contains(&format!("# targets: {T312}")),
        "targets from [tool.pinwheel]"
    );
    ok(&lock(&["--extra", "pg", "--group", "dev"]));
    assert_eq!(
        pins(&run.output()),
        ["fastdep==0.5.0", "lib==1.1.0", "shared==1.5.0"]
    );
    // An unknown extra lists the available ones.
    insta::assert_snapshot!(
        "unknown_extra",
        Redactions::new(&idx, run.dir.path()).transcript(&lock(&["--extra", "nope"]))
    );
}

#[test]
fn no_target_means_this_machine_said_aloud() {
    let (idx, run) = fresh();
    let host = host(run.dir.path());
    let said = Redactions::new(&idx, run.dir.path())
        .with(host.clone(), "[HOST TARGET]")
        .transcript(&run.lock(&idx, "lib\n", &[]));
    insta::assert_snapshot!("this_machine", said);
    assert!(run.output().contains(&format!("# targets: {host}")));
    assert!(
        run.output().contains("this machine's"),
        "said in the header too"
    );
}

#[test]
fn a_bad_ca_bundle_is_a_clear_error() {
    let (idx, run) = fresh();
    let bundle = run.write("ca.pem", "not a certificate\n");
    insta::assert_snapshot!(
        "bad_ca_bundle",
        run.transcript(
            &idx,
            "lib\n",
            &["--target", T312, "--cert", bundle.to_str().unwrap()],
        )
    );
}

#[test]
fn vcs_and_editable_requirements_are_refused_with_a_hint() {
    let (idx, run) = fresh();
    let vcs = run.transcript(
        &idx,
        "pkg @ git+https://example.org/pkg.git\n",
        &["--target", T312],
    );
    let editable = run.transcript(&idx, "-e ./src\n", &["--target", T312]);
    insta::assert_snapshot!("vcs_and_editable", format!("{vcs}{editable}"));
}

#[test]
fn an_unsatisfiable_fork_is_named_by_its_targets() {
    // The cp312 target resolves, the cp311 fork does not; under fewest the same.
    let (idx, run) = fresh();
    let targets = ["--target", T312, "--target", T311];
    let newest = run.transcript(&idx, "newpy>=2\n", &targets);
    let fewest = run.transcript(
        &idx,
        "newpy>=2\n",
        &[&targets[..], &["--fork-strategy", "fewest"]].concat(),
    );
    assert_eq!(newest, fewest);
    insta::assert_snapshot!("unsatisfiable_fork", newest);
}

#[test]
fn exact_pins_match_local_version_labels() {
    assert_eq!(
        locked("localver==1.0.0\n", &["--target", T312]),
        ["localver==1.0.0+cpu"]
    );
}

#[test]
fn find_links_html_page() {
    let primary = index(IndexOptions::default());
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("pageonly.toml"),
        "name = \"pageonly\"\n[[release]]\nversion = \"2.0.0\"\nwheels = [\"py3-none-any\"]\n",
    )
    .unwrap();
    let other = FixtureIndex::start_from(
        dir.path(),
        IndexOptions {
            format: Format::Html,
            ..IndexOptions::default()
        },
    );
    let run = Run::new();
    let page = format!("{}pageonly/", other.url());
    assert_eq!(
        run.pins(
            &primary,
            "pageonly\nlib<1.1\n",
            &["--target", T312, "--find-links", &page],
        ),
        ["lib==1.0.0", "pageonly==2.0.0"]
    );
}

#[test]
fn a_pin_needed_on_more_targets_than_first_seen_serves_them_all() {
    // `wide` 2.0.0 only has a CPython 3.11 wheel. gate311 needs it on 3.11 first; the chain
    // reaches gate312 (3.12) later. With one fork for both (fewest) the pin must serve both,
    // so 1.0.0, with its hash; by default each Python takes its newest.
    let (idx, run) = fresh();
    let targets = ["--target", T311, "--target", T312];
    ok(&run.lock(
        &idx,
        "gate311\nchain1\n",
        &[&targets[..], &["--fork-strategy", "fewest"]].concat(),
    ));
    let lock = run.output();
    assert!(pins(&lock).contains(&"wide==1.0.0".to_string()), "{lock}");
    let h = idx.sha256("wide-1.0.0-py3-none-any.whl");
    assert!(lock.contains(&format!("--hash=sha256:{h}")), "{lock}");
    ok(&run.lock(&idx, "gate311\nchain1\n", &[&targets[..], &["-U"]].concat()));
    let lock = run.output();
    let p = pins(&lock);
    assert!(
        p.contains(&"wide==1.0.0 ; python_version == '3.12'".to_string())
            && p.contains(&"wide==2.0.0 ; python_version == '3.11'".to_string()),
        "{lock}"
    );
}

#[test]
fn a_dependency_gated_on_a_target_its_parent_gains_later_is_locked() {
    // gate312 is first needed on 3.11 only (the input's marker), where its `wide` dependency
    // does not apply; chain1 -> chain2 -> gate312 then needs it on 3.12 too, where it does.
    let (idx, run) = fresh();
    ok(&run.lock(
        &idx,
        "gate312; python_version < \"3.12\"\nchain1\n",
        &["--target", T311, "--target", T312],
    ));
    let lock = run.output();
    assert!(
        lock.contains("wide==1.0.0 ; python_version == '3.12'"),
        "{lock}"
    );
}

#[test]
fn a_version_with_invalid_metadata_is_skipped_with_a_warning() {
    let (idx, run) = fresh();
    insta::assert_snapshot!(
        "invalid_metadata_skipped",
        run.transcript(&idx, "badmeta<2\n", &["--target", T312])
    );
    assert_eq!(pins(&run.output()), ["badmeta==1.0.0"]);
}

#[test]
fn yanked_release_admitted_by_a_constraint_or_dependency_pin_keeps_its_hash() {
    let idx = index(IndexOptions::default());
    let h = idx.sha256("yanked-1.1.0-py3-none-any.whl");
    let run = Run::new();
    run.write("constraints.txt", "yanked==1.1.0\n");
    ok(&run.lock(
        &idx,
        "yanked\n",
        &["--target", T312, "-c", "constraints.txt"],
    ));
    let lock = run.output();
    assert_eq!(pins(&lock), ["yanked==1.1.0"]);
    assert!(lock.contains(&format!("--hash=sha256:{h}")), "{lock}");

    let run = Run::new();
    ok(&run.lock(&idx, "pinsyanked\n", &["--target", T312]));
    let lock = run.output();
    assert_eq!(pins(&lock), ["pinsyanked==1.0.0", "yanked==1.1.0"]);
    assert!(lock.contains(&format!("--hash=sha256:{h}")), "{lock}");
}

#[test]
fn less_or_equal_matches_local_version_labels() {
    assert_eq!(
        locked("localver<=1.0.0\n", &["--target", T312]),
        ["localver==1.0.0+cpu"]
    );
}

#[test]
fn excluding_a_pre_release_does_not_enable_pre_releases() {
    assert_eq!(
        locked("lib!=2.0.0a1\n", &["--target", T312]),
        ["lib==1.2.0"]
    );
}

#[test]
fn extras_requiring_extras_of_the_same_release_look_at_no_other_release() {
    let (idx, run) = fresh();
    assert_eq!(
        run.pins(&idx, "selfextra[all]<3\n", &["--target", T312]),
        ["lib==1.2.0", "selfextra==2.0.0", "wide==1.0.0"]
    );
    let newer = requested(&idx, &["selfextra-3.0.0", "selfextra-4.0.0"]);
    assert!(
        newer.is_empty(),
        "looked at releases out of range: {newer:?}"
    );
}

#[test]
fn an_extra_takes_its_projects_version_without_trying_newer_ones() {
    let (idx, run) = fresh();
    assert_eq!(
        run.pins(&idx, "selfextra<3\nselfextra[a]\n", &["--target", T312]),
        ["lib==1.2.0", "selfextra==2.0.0"]
    );
    let newer = requested(&idx, &["selfextra-3.0.0", "selfextra-4.0.0"]);
    assert!(
        newer.is_empty(),
        "looked at releases out of range: {newer:?}"
    );
}

#[test]
fn a_requirement_no_version_matches_says_what_the_index_has() {
    let (idx, run) = fresh();
    insta::assert_snapshot!(
        "no_version_matches",
        run.transcript(&idx, "lib==99.0\n", &["--target", T312])
    );
}

#[test]
fn via_names_the_included_file_a_requirement_was_written_in() {
    let (idx, run) = fresh();
    run.write("base.in", "lib\n");
    ok(&run.lock(&idx, "-r base.in\nyanked\n", &["--target", T312]));
    let lock = run.output();
    let lib = lock.split("lib==").nth(1).unwrap();
    let via = lib.lines().find(|l| l.contains("# via")).unwrap();
    assert!(via.ends_with("base.in"), "{lock}");
    let yanked = lock.split("yanked==").nth(1).unwrap();
    let via = yanked.lines().find(|l| l.contains("# via")).unwrap();
    assert!(via.ends_with("requirements.in"), "{lock}");
}

#[test]
fn a_dependency_naming_a_pre_release_allows_it() {
    assert_eq!(
        locked("wantsbeta\n", &["--target", T312]),
        ["lib==2.0.0b1", "wantsbeta==1.0.0"]
    );
}

#[test]
fn metadata_beyond_the_first_range_is_read_with_more_ranges_or_the_whole_answer() {
    for suffix_only in [false, true] {
        let idx = index(IndexOptions {
            metadata: MetadataMode::Absent,
            suffix_ranges_only: suffix_only,
            ..IndexOptions::default()
        });
        let run = Run::new();
        assert_eq!(
            run.pins(&idx, "bigwheel\n", &["--target", T312]),
            ["bigwheel==1.0.0"]
        );
        let reqs = idx.requests();
        let wheel: Vec<_> = reqs
            .iter()
            .filter(|r| r.path.ends_with("bigwheel-1.0.0-py3-none-any.whl"))
            .collect();
        assert!(wheel.len() >= 2, "a second request for METADATA: {wheel:?}");
        if !suffix_only {
            assert!(wheel.iter().all(|r| r.status == 206), "{wheel:?}");
        }
    }
}

#[test]
fn a_rebuilt_local_wheel_is_read_afresh_not_from_the_metadata_cache() {
    let (idx, run) = fresh();
    let links = run.path("links");
    std::fs::create_dir(&links).unwrap();
    // Two builds of localbuild 1.0.0 with the same file name and different dependencies.
    let build = |deps: &str| {
        let specs = tempfile::tempdir().unwrap();
        std::fs::write(
            specs.path().join("localbuild.toml"),
            format!(
                "name = \"localbuild\"\n[[release]]\nversion = \"1.0.0\"\n\
                 requires-dist = [{deps}]\nwheels = [\"py3-none-any\"]\n"
            ),
        )
        .unwrap();
        let built = FixtureIndex::start_from(specs.path(), IndexOptions::default());
        let name = "localbuild-1.0.0-py3-none-any.whl";
        std::fs::copy(built.files_dir().join(name), links.join(name)).unwrap();
    };
    let args = ["--target", T312, "--find-links", links.to_str().unwrap()];
    build("\"lib<1.1\"");
    assert_eq!(
        run.pins(&idx, "localbuild\n", &args),
        ["lib==1.0.0", "localbuild==1.0.0"]
    );
    build("\"wide\"");
    assert_eq!(
        run.pins(&idx, "localbuild\n", &[&args[..], &["--upgrade"]].concat()),
        ["localbuild==1.0.0", "wide==1.0.0"]
    );
}

#[test]
fn prefetch_follows_the_requirements_of_fetched_metadata_through_extras() {
    // `lib==1.2.0` comes first, so the resolver asks for its page first and waits; the server
    // holds that page until gate312's is asked for. gate312 sits three levels down, behind an
    // extra (eager[deep] -> chain1 -> chain2 -> gate312): only a prefetch that follows the
    // metadata it fetched, with the extra active, asks for it while the resolver waits.
    let idx = index(IndexOptions {
        hold_until: Some(("/simple/lib/".into(), "/simple/gate312/".into())),
        ..IndexOptions::default()
    });
    let run = Run::new();
    assert_eq!(
        run.pins(&idx, "lib==1.2.0\neager[deep]\n", &["--target", T312]),
        [
            "chain1==1.0.0",
            "chain2==1.0.0",
            "eager==1.0.0",
            "gate312==1.0.0",
            "lib==1.2.0",
            "wide==1.0.0"
        ]
    );
    assert!(
        !idx.hold_timed_out(),
        "gate312's page was not asked for while the resolver waited: {:?}",
        idx.requests().iter().map(|r| &r.path).collect::<Vec<_>>()
    );
}

#[test]
fn an_extra_never_reads_metadata_of_a_release_its_project_cannot_take() {
    // The input says kit>=2 and lib>=1.2; hub 2.0.0 asks for kit[x], whose 2.0.0 needs
    // lib<1.2. Once kit[x] 2.0.0 is out, looking for another version of kit[x] must not read
    // kit 1.0.0's metadata (here a failing build: exit 4): kit[x] 1.0.0 needs kit 1.0.0, which
    // the input excludes, so the resolver backtracks to hub 1.0.0 without it.
    let (idx, run) = fresh();
    assert_eq!(
        run.pins(&idx, "lib>=1.2\nkit>=2\nhub\n", &["--target", T312]),
        ["hub==1.0.0", "kit==2.0.0", "lib==1.2.0"]
    );
    let touched = requested(&idx, &["kit-1.0.0"]);
    assert!(touched.is_empty(), "read kit 1.0.0: {touched:?}");
}

#[test]
fn a_pre_release_named_by_a_parent_left_behind_is_not_allowed() {
    // betaparent 2.0.0 names lib>=2.0.0b1 but cannot be used on 3.12 (wide 2.0.0 has no wheel
    // there); betaparent 1.0.0 asks for lib, so lib's newest final release is the answer.
    assert_eq!(
        locked("betaparent\n", &["--target", T312]),
        ["betaparent==1.0.0", "lib==1.2.0"]
    );
}

#[test]
fn input_lines_splitting_a_package_by_target_fork_the_lock() {
    // numpy<2 on old Pythons, numpy>=2 on new ones: a pin per fork, under either strategy.
    let idx = index(IndexOptions::default());
    let input = "arrays<2 ; python_version < '3.12'\narrays>=2 ; python_version >= '3.12'\n";
    for strategy in ["newest", "fewest"] {
        let run = Run::new();
        assert_eq!(
            run.pins(
                &idx,
                input,
                &on(&[T310, T313], &["--fork-strategy", strategy])
            ),
            [
                "arrays==1.26.0 ; python_version == '3.10'",
                "arrays==2.3.0 ; python_version == '3.13'"
            ],
            "{strategy}"
        );
    }
    // fewest forks no more than it must: cp311 and cp313 share the fork that takes arrays>=2.
    let run = Run::new();
    let input = "arrays<2 ; python_version < '3.11'\narrays>=2 ; python_version >= '3.11'\n";
    assert_eq!(
        run.pins(
            &idx,
            input,
            &on(&[T310, T311, T313], &["--fork-strategy", "fewest"]),
        ),
        [
            "arrays==1.26.0 ; python_version == '3.10'",
            "arrays==2.3.0 ; python_version == '3.11' or python_version == '3.13'"
        ]
    );
}

#[test]
fn prefetch_keeps_to_the_inputs_own_ranges() {
    // libuser asks for any lib; the input says lib<1.1, so no guess reads lib 1.1.0 or 1.2.0.
    let (idx, run) = fresh();
    assert_eq!(
        run.pins(&idx, "lib<1.1\nlibuser\n", &["--target", T312]),
        ["lib==1.0.0", "libuser==1.0.0"]
    );
    let newer = requested(&idx, &["lib-1.1.0", "lib-1.2.0"]);
    assert!(newer.is_empty(), "{newer:?}");
}

#[test]
fn backtracking_through_releases_fetches_the_next_older_ones_ahead() {
    // backtrack 5.0.0 fails on lib<1.1; when the resolver comes back for 4.0.0, the metadata of
    // the releases below it is fetched at once. The server holds 4.0.0's metadata until 2.0.0's
    // is asked for, which only that fetch-ahead does while the resolver waits.
    let idx = index(IndexOptions {
        hold_until: Some((
            "backtrack-4.0.0-py3-none-any.whl".into(),
            "backtrack-2.0.0-py3-none-any.whl".into(),
        )),
        ..IndexOptions::default()
    });
    let run = Run::new();
    assert_eq!(
        run.pins(&idx, "lib<1.1\nbacktrack\n", &["--target", T312]),
        ["backtrack==2.0.0", "lib==1.0.0"]
    );
    assert!(
        !idx.hold_timed_out(),
        "backtrack 2.0.0 was not fetched ahead: {:?}",
        idx.requests().iter().map(|r| &r.path).collect::<Vec<_>>()
    );
}
