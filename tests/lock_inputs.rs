//! `pinwheel lock`: how it treats its inputs and the index's quirks (metadata probes that are
//! refused, credentials on the command line, targets of an existing lock, requires-python,
//! source archives pinwheel cannot read, warnings), against the loopback fixture index.

mod support;

use std::path::Path;
use std::process::Output;

use assert_cmd::Command;
use support::cli::{index, ok, pins, stderr, Redactions, Run};
use support::{FixtureIndex, IndexOptions, MetadataMode};

/// `pinwheel lock` in a [`Run`]'s directory.
trait Lock {
    fn lock(&self, idx: &FixtureIndex, input: &str, args: &[&str]) -> Output;
}

impl Lock for Run {
    /// Runs `pinwheel lock requirements.in -o requirements.lock` with a private cache.
    fn lock(&self, idx: &FixtureIndex, input: &str, args: &[&str]) -> Output {
        self.write("requirements.in", input);
        self.cmd()
            .args(["lock", "requirements.in", "-o", "requirements.lock"])
            .args(["--index-url", &idx.url(), "--cache-dir"])
            .arg(self.path("cache"))
            .args(args)
            .output()
            .unwrap()
    }
}

/// The lock's `# targets:` line.
fn targets_line(lock: &str) -> String {
    lock.lines()
        .find(|l| l.starts_with("# targets:"))
        .unwrap_or_default()
        .to_string()
}

const T312: &str = "cp312-manylinux_2_28_x86_64";
const T311: &str = "cp311-manylinux_2_28_x86_64";

#[test]
fn refused_metadata_files_fall_back_to_range_requests() {
    let cases = [401, 403, 404, 410]
        .map(|s| (MetadataMode::Unadvertised, s))
        .into_iter()
        .chain([401, 403, 404].map(|s| (MetadataMode::Advertised, s)));
    for (mode, status) in cases {
        let idx = index(IndexOptions {
            metadata: mode,
            metadata_status: Some(status),
            ..IndexOptions::default()
        });
        let run = Run::new();
        let out = run.lock(&idx, "app[fast]\n", &["--target", T312]);
        ok(&out);
        assert_eq!(
            pins(&run.output()),
            ["app==1.0.0", "fastdep==0.5.0", "lib==1.2.0"],
            "{mode:?} HTTP {status}"
        );
        let reqs = idx.requests();
        assert!(
            reqs.iter()
                .any(|r| r.path.ends_with(".whl.metadata") && r.status == status),
            "the probe was made: {reqs:?}"
        );
        assert!(
            reqs.iter()
                .any(|r| r.path.ends_with(".whl") && r.range.is_some() && r.status == 206),
            "metadata read by range requests instead: {reqs:?}"
        );
    }
}

#[test]
fn credentials_in_any_spelling_stay_out_of_the_lock_header() {
    let idx = index(IndexOptions {
        basic_auth: Some(("alice".into(), "s3cret-token".into())),
        ..IndexOptions::default()
    });
    let run = Run::new();
    let with_creds = idx.url().replace("http://", "http://alice:s3cret-token@");
    run.write("requirements.in", "lib<1.1\n");
    let out = run
        .cmd()
        .args(["lock", "requirements.in", "-o", "requirements.lock"])
        .args(["--no-cache", "--target", T312])
        .arg(format!("--index-url={with_creds}"))
        .arg(format!("--extra-index-url={with_creds}"))
        .arg(format!("--find-links={with_creds}lib/"))
        .output()
        .unwrap();
    ok(&out);
    let lock = run.output();
    assert_eq!(pins(&lock), ["lib==1.0.0"]);
    assert!(lock.contains("#   pinwheel lock"), "{lock}");
    assert!(lock.contains("--index-url=http://****@127.0.0.1"), "{lock}");
    for secret in ["alice", "s3cret-token"] {
        assert!(!lock.contains(secret), "{secret} in the lock:\n{lock}");
        assert!(!stderr(&out).contains(secret), "{secret} printed");
    }
    // `-i URL` (two arguments) and a find-links location that fails: still masked.
    let out = run
        .cmd()
        .args(["lock", "requirements.in", "-o", "requirements.lock"])
        .args(["--no-cache", "--target", T312, "-i", &with_creds])
        .arg("--find-links=http://alice:s3cret-token@127.0.0.1:1/links/")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("127.0.0.1:1"), "{err}");
    for secret in ["alice", "s3cret-token"] {
        assert!(!err.contains(secret), "{secret} printed:\n{err}");
    }
    // A direct reference with credentials: fetched with them, written without them.
    let file = format!("{}/files/lib-1.0.0-py3-none-any.whl", idx.base());
    let with_creds_file = file.replace("http://", "http://alice:s3cret-token@");
    run.write("requirements.in", &format!("lib @ {with_creds_file}\n"));
    let out = run
        .cmd()
        .args(["lock", "requirements.in", "-o", "requirements.lock"])
        .args(["--no-cache", "--target", T312, "-i", &with_creds])
        .output()
        .unwrap();
    ok(&out);
    let lock = run.output();
    assert!(lock.contains(&format!("lib @ {file}")), "{lock}");
    for secret in ["alice", "s3cret-token"] {
        assert!(!lock.contains(secret), "{secret} in the lock:\n{lock}");
        assert!(!stderr(&out).contains(secret), "{secret} printed");
    }
}

#[test]
fn relock_without_target_keeps_the_existing_locks_targets() {
    let idx = index(IndexOptions::default());
    let run = Run::new();
    let win = "cp311-win_amd64";
    ok(&run.lock(&idx, "app\n", &["--target", T312, "--target", win]));
    let first = run.output();
    assert_eq!(targets_line(&first), format!("# targets: {T312} {win}"));
    // No --target: the lock's targets, not this machine's; said aloud.
    let out = run.lock(&idx, "app\n", &[]);
    insta::assert_snapshot!(
        "relock_keeps_targets",
        Redactions::new(&idx, run.dir.path()).transcript(&out)
    );
    let second = run.output();
    assert_eq!(targets_line(&second), targets_line(&first));
    assert_eq!(pins(&second), pins(&first), "winonly kept for win32");
    assert!(!second.contains("this machine's"), "{second}");
    // Also with --upgrade, which releases the pins, not the targets.
    ok(&run.lock(&idx, "app\n", &["--upgrade"]));
    assert_eq!(targets_line(&run.output()), targets_line(&first));
    // --target still wins.
    ok(&run.lock(&idx, "app\n", &["--target", T311]));
    assert_eq!(targets_line(&run.output()), format!("# targets: {T311}"));
}

#[test]
fn tool_config_targets_win_over_the_existing_lock() {
    let idx = index(IndexOptions::default());
    let run = Run::new();
    ok(&run.lock(&idx, "lib\n", &["--target", T311]));
    run.write(
        "pyproject.toml",
        &format!(
            "[project]\nname = \"svc\"\nversion = \"0\"\ndependencies = [\"lib\"]\n\
             [tool.pinwheel]\ntargets = [\"{T312}\"]\n"
        ),
    );
    let out = run
        .cmd()
        .args(["lock", "pyproject.toml", "-o", "requirements.lock"])
        .args(["--index-url", &idx.url(), "--cache-dir"])
        .arg(run.path("cache"))
        .output()
        .unwrap();
    ok(&out);
    assert_eq!(targets_line(&run.output()), format!("# targets: {T312}"));
}

#[test]
fn tool_config_sets_the_fork_strategy_and_the_flag_wins() {
    let idx = index(IndexOptions::default());
    let run = Run::new();
    let pyproject = |strategy: &str| {
        run.write(
            "pyproject.toml",
            &format!(
                "[project]\nname = \"svc\"\nversion = \"0\"\ndependencies = [\"newpy\"]\n\
                 [tool.pinwheel]\ntargets = [\"{T312}\", \"{T311}\"]\n\
                 fork-strategy = \"{strategy}\"\n"
            ),
        );
    };
    let lock = |extra: &[&str]| {
        run.cmd()
            .args(["lock", "pyproject.toml", "-o", "requirements.lock", "-U"])
            .args(["--index-url", &idx.url(), "--cache-dir"])
            .arg(run.path("cache"))
            .args(extra)
            .output()
            .unwrap()
    };
    pyproject("fewest");
    ok(&lock(&[]));
    assert_eq!(pins(&run.output()), ["newpy==1.0.0"]);
    ok(&lock(&["--fork-strategy", "newest"]));
    assert_eq!(
        pins(&run.output()),
        [
            "newpy==1.0.0 ; python_version == '3.11'",
            "newpy==2.0.0 ; python_version == '3.12'"
        ]
    );
    pyproject("fastest");
    insta::assert_snapshot!(
        "unknown_fork_strategy",
        Redactions::new(&idx, run.dir.path()).transcript(&lock(&[]))
    );
}

#[test]
fn project_requires_python_must_admit_every_target() {
    let idx = index(IndexOptions::default());
    let run = Run::new();
    run.write(
        "pyproject.toml",
        "[project]\nname = \"svc\"\nversion = \"0\"\nrequires-python = \">=3.12\"\n\
         dependencies = [\"lib\"]\n",
    );
    let lock = |targets: &[&str]| {
        let mut c = run.cmd();
        c.args(["lock", "pyproject.toml", "-o", "requirements.lock"])
            .args(["--index-url", &idx.url(), "--cache-dir"])
            .arg(run.path("cache"));
        for t in targets {
            c.args(["--target", t]);
        }
        c.output().unwrap()
    };
    let out = lock(&[T312, T311]);
    // Only the excluded target is named.
    insta::assert_snapshot!(
        "requires_python_excludes_a_target",
        Redactions::new(&idx, run.dir.path()).transcript(&out)
    );
    assert!(!run.path("requirements.lock").exists());
    ok(&lock(&[T312]));
    assert_eq!(pins(&run.output()), ["lib==1.2.0"]);
}

/// The README's meaning of an exit code (its row of the exit-code table).
fn readme_exit_code(code: i32) -> String {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    readme
        .lines()
        .find(|l| l.starts_with(&format!("| {code} |")))
        .unwrap_or_else(|| panic!("exit code {code} is not in the README"))
        .to_string()
}

/// Every `--flag` a message mentions is a flag of `pinwheel lock`.
fn assert_flags_exist(message: &str) {
    let help = String::from_utf8(
        Command::cargo_bin("pinwheel")
            .unwrap()
            .args(["lock", "--help"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    for word in message.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-')) {
        if word.starts_with("--") && word.len() > 2 {
            assert!(
                help.contains(&format!("{word} ")) || help.contains(&format!("{word}\n")),
                "the message mentions {word}, which `pinwheel lock` does not have:\n{message}"
            );
        }
    }
}

#[test]
fn failed_metadata_build_has_a_documented_code_and_a_true_hint() {
    let idx = index(IndexOptions::default());
    let run = Run::new();
    let out = run.lock(&idx, "failbuild\n", &["--target", T312]);
    let code = out.status.code().unwrap();
    let err = stderr(&out);
    assert!(
        readme_exit_code(code).contains("build"),
        "the README documents build failures under exit {code}: {}",
        readme_exit_code(code)
    );
    assert_eq!(code, 4, "{err}");
    // The backend's traceback names this machine's paths: checked fact by fact.
    assert!(
        err.contains("failbuild-1.0.0.tar.gz"),
        "names the file: {err}"
    );
    assert!(
        err.contains("fixture backend fails on purpose"),
        "shows the backend's error: {err}"
    );
    assert!(err.contains("hint:"), "{err}");
    assert_flags_exist(&err);
    assert!(!run.path("requirements.lock").exists());
}

#[test]
fn legacy_sdist_archives_are_read_or_passed_over() {
    let idx = index(IndexOptions::default());
    let run = Run::new();
    // 2.0.0 is only a .tar.bz2: passed over, not a failed lock. 1.1.0's .tgz is built.
    let out = run.lock(&idx, "oldsdist\n", &["--target", T312]);
    ok(&out);
    let lock = run.output();
    assert_eq!(pins(&lock), ["lib==1.1.0", "oldsdist==1.1.0"], "{lock}");
    assert!(lock.contains(&idx.sha256("oldsdist-1.1.0.tgz")), "{lock}");
    // A .zip sdist: static PKG-INFO read from the zip.
    ok(&run.lock(&idx, "oldsdist<1.1\n", &["--target", T312]));
    assert_eq!(pins(&run.output()), ["lib==1.0.0", "oldsdist==1.0.0"]);
    // A plain .tar sdist, built by its backend.
    ok(&run.lock(&idx, "oldsdist<1.0\n", &["--target", T312]));
    assert_eq!(pins(&run.output()), ["lib==1.0.0", "oldsdist==0.9.0"]);
    // Asking for the unreadable release: no solution, and the reason.
    let out = run.lock(&idx, "oldsdist==2.0.0\n", &["--target", T312]);
    insta::assert_snapshot!(
        "unreadable_sdist_archive",
        Redactions::new(&idx, run.dir.path()).transcript(&out)
    );
}

#[test]
fn messages_count_in_words_and_spell_out_empty_ranges() {
    let idx = index(IndexOptions::default());
    let run = Run::new();
    run.write("constraints.txt", "lib>=1.2\n");
    let r = Redactions::new(&idx, run.dir.path());
    let mut all = String::new();
    for (input, args) in [
        ("lib<1.1\n", &["--target", T312][..]),
        ("app\n", &["--target", T312, "--target", T311]),
        // Specifiers that exclude one another, alone and against a constraint.
        ("lib>2,<1\n", &["--target", T312]),
        ("lib<1.1\n", &["--target", T312, "-c", "constraints.txt"]),
    ] {
        let out = run.lock(&idx, input, args);
        all += &format!(
            "$ {} {}\n{}\n",
            input.trim(),
            args.join(" "),
            r.transcript(&out)
        );
    }
    insta::assert_snapshot!("counted_in_words", all);
}

#[test]
fn misspelt_upgrade_package_is_a_warning() {
    let idx = index(IndexOptions::default());
    let run = Run::new();
    ok(&run.lock(&idx, "app\nshared<2\n", &["--target", T312]));
    let out = run.lock(
        &idx,
        "app\nshared<2\n",
        &["--target", T312, "--upgrade-package", "shraed"],
    );
    insta::assert_snapshot!(
        "misspelt_upgrade_package",
        Redactions::new(&idx, run.dir.path()).transcript(&out)
    );
    // Names of the input, of the lock (a dependency) and new ones: no warning.
    let out = run.lock(
        &idx,
        "app\nshared<2\n",
        &[
            "--target",
            T312,
            "--upgrade-package",
            "shared",
            "--upgrade-package",
            "lib",
        ],
    );
    ok(&out);
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
}

#[test]
fn unknown_extras_are_warned_about_like_pip() {
    let idx = index(IndexOptions::default());
    let run = Run::new();
    let out = run.lock(&idx, "app[fast,nosuch]\n", &["--target", T312]);
    ok(&out);
    assert_eq!(
        pins(&run.output()),
        ["app==1.0.0", "fastdep==0.5.0", "lib==1.2.0"]
    );
    // Once, and only for the extra that does not exist.
    insta::assert_snapshot!(
        "unknown_extra",
        Redactions::new(&idx, run.dir.path()).transcript(&out)
    );
}

#[test]
fn metadata_builds_install_build_requirements_from_an_index_that_needs_credentials() {
    let idx = index(IndexOptions {
        basic_auth: Some(("alice".into(), "s3cret-token".into())),
        ..IndexOptions::default()
    });
    let run = Run::new();
    let with_creds = idx.url().replace("http://", "http://alice:s3cret-token@");
    run.write("requirements.in", "authbuild\n");
    let out = run
        .cmd()
        .args(["lock", "requirements.in", "-o", "requirements.lock"])
        .args(["--no-cache", "--target", T312, "--index-url", &with_creds])
        .output()
        .unwrap();
    ok(&out);
    let lock = std::fs::read_to_string(run.path("requirements.lock")).unwrap();
    assert_eq!(pins(&lock), ["authbuild==1.0.0", "shared==1.5.0"], "{lock}");
    // The build requirement was fetched for the build environment, authenticated.
    assert!(
        idx.requests()
            .iter()
            .any(|r| r.path.contains("lib-1.0.0-py3-none-any.whl") && r.status == 200),
        "{:?}",
        idx.requests()
    );
    assert!(!lock.contains("s3cret") && !stderr(&out).contains("s3cret"));
}

#[test]
fn a_direct_reference_to_no_distribution_is_a_usage_error() {
    let idx = index(IndexOptions::default());
    let run = Run::new();
    run.write(
        "requirements.in",
        "lib @ https://alice:s3cret@files.example/readme.txt\n",
    );
    let out = run
        .cmd()
        .args(["lock", "requirements.in", "-o", "requirements.lock"])
        .args(["--no-cache", "--target", T312, "-i", &idx.url()])
        .output()
        .unwrap();
    insta::assert_snapshot!(
        "direct_reference_to_no_distribution",
        Redactions::new(&idx, run.dir.path()).transcript(&out)
    );
    assert!(!stderr(&out).contains("s3cret"), "{}", stderr(&out));
    assert!(!run.path("requirements.lock").exists());
}

#[test]
fn an_output_that_is_a_directory_is_refused_before_resolving() {
    let idx = index(IndexOptions::default());
    let run = Run::new();
    std::fs::create_dir(run.path("requirements.lock")).unwrap();
    for extra in [&[][..], &["--upgrade"][..]] {
        let mut args = vec!["--target", T312];
        args.extend_from_slice(extra);
        let out = run.lock(&idx, "lib\n", &args);
        insta::assert_snapshot!(
            "output_is_a_directory",
            Redactions::new(&idx, run.dir.path()).transcript(&out)
        );
    }
    // Nothing was asked of the index: the error comes before the resolution.
    assert!(idx.requests().is_empty(), "{:?}", idx.requests());
}

#[test]
fn a_wrong_index_url_is_suggested_when_nothing_is_found() {
    let idx = index(IndexOptions::default());
    let run = Run::new();
    run.write("requirements.in", "lib\n");
    let out = run
        .cmd()
        .args(["lock", "requirements.in", "-o", "requirements.lock"])
        .args([
            "--index-url",
            &format!("{}/simpel/", idx.base()),
            "--no-cache",
        ])
        .args(["--target", T312])
        .output()
        .unwrap();
    insta::assert_snapshot!(
        "wrong_index_url",
        Redactions::new(&idx, run.dir.path()).transcript(&out)
    );
    // With the right index, a misspelt name among found ones gets the usual hint.
    let out = run.lock(&idx, "lib\nlbi\n", &["--target", T312]);
    insta::assert_snapshot!(
        "misspelt_name_on_the_right_index",
        Redactions::new(&idx, run.dir.path()).transcript(&out)
    );
}
