//! What users of pip-compile and uv expect of the command line: flag spellings, `-q`/`-v`,
//! `--exclude-newer` as uv reads it, targets from other lockers' headers, honest advice. Whole
//! outputs are snapshots (insta), with the run's variable parts (index URL, temporary
//! directory, times, hashes) replaced by placeholders (`support::cli::Redactions`).

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;

use support::cli::{host, index, names, ok, pinwheel, stderr, stdout, Redactions, Run};
use support::{FixtureIndex, IndexOptions};

const GLIBC: &str = "cp312-manylinux_2_28_x86_64";
const MUSL: &str = "cp312-musllinux_1_2_x86_64";

/// A work directory and the fixture index its commands run against.
fn session() -> (Run, FixtureIndex) {
    (Run::new(), index(IndexOptions::default()))
}

/// What varies in `run`'s outputs against `idx`, redacted.
fn redact(run: &Run, idx: &FixtureIndex) -> Redactions {
    Redactions::new(idx, run.dir.path())
}

/// `pinwheel lock requirements.in -o r.lock -t GLIBC`, `extra` after.
fn lock_with(run: &Run, idx: &FixtureIndex, extra: &[&str]) -> Output {
    let args = ["lock", "requirements.in", "-o", "r.lock", "-t", GLIBC];
    run.against(idx, &[&args[..], extra].concat())
}

/// Locks `requirements.in` for GLIBC into `r.lock`.
fn lock(run: &Run, idx: &FixtureIndex) {
    ok(&lock_with(run, idx, &[]));
}

#[test]
fn lock_to_standard_output_with_the_header_saying_what_hashes_cover() {
    let (run, idx) = session();
    run.write("requirements.in", "app\n");
    let out = run.against(
        &idx,
        &["lock", "requirements.in", "-o", "-", "--target", GLIBC],
    );
    ok(&out);
    assert!(!run.path("-").exists(), "-o - wrote a file named -");
    let r = redact(&run, &idx);
    insta::assert_snapshot!("lock_stdout", r.apply(&stdout(&out)));
    insta::assert_snapshot!("lock_stdout_stderr", r.apply(&stderr(&out)));
}

#[test]
fn pip_compile_spellings_are_accepted_with_the_same_meaning() {
    let (run, idx) = session();
    run.write("requirements.in", "app[fast]\n");
    let lock = |args: &[&str]| {
        ok(&run.against(
            &idx,
            &[&["lock", "requirements.in", "-t", GLIBC][..], args].concat(),
        ))
    };
    lock(&["-o", "plain.lock"]);
    lock(&[
        "--output-file=habits.lock",
        "--generate-hashes",
        "--strip-extras",
    ]);
    let body = |name: &str| {
        run.read(name)
            .lines()
            .filter(|l| !l.starts_with("#   pinwheel lock"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(body("plain.lock"), body("habits.lock"));
    lock(&["-o", "bare.lock", "--no-header"]);
    insta::assert_snapshot!(
        "lock_no_header",
        redact(&run, &idx).apply(&run.read("bare.lock"))
    );
}

#[test]
fn flags_that_cannot_hold_are_refused_with_what_to_do() {
    let (run, idx) = session();
    run.write("requirements.in", "app\n");
    let r = redact(&run, &idx);
    let mut all = String::new();
    for flag in ["--no-deps", "--universal"] {
        let out = run.against(&idx, &["lock", "requirements.in", "-t", GLIBC, flag]);
        all.push_str(&format!(
            "$ pinwheel lock ... {flag}\n{}",
            r.transcript(&out)
        ));
    }
    insta::assert_snapshot!("refused_flags", all);
}

#[test]
fn verbose_lock_prints_its_phases_and_quiet_nothing() {
    let (run, idx) = session();
    run.write("requirements.in", "app\n");
    let r = redact(&run, &idx);
    let out = lock_with(&run, &idx, &["-v", "--exclude-newer", "2030-01-01"]);
    // The request count depends on what the prefetch guessed: not part of the snapshot.
    let err: String = r
        .apply(&ok(&out))
        .lines()
        .map(|l| match l.find(" (") {
            Some(i) if l.ends_with("sent in all)") => {
                format!("{} ([N] requests sent in all)", &l[..i])
            }
            _ => l.to_string(),
        })
        .map(|l| l + "\n")
        .collect();
    insta::assert_snapshot!("lock_verbose", err);
    let quiet = run.against(&idx, &["lock", "requirements.in", "-o", "r.lock", "-q"]);
    assert_eq!(ok(&quiet), "");
    // Without a terminal, the default is the final line alone.
    let normal = lock_with(&run, &idx, &[]);
    insta::assert_snapshot!(
        r.apply(&ok(&normal)),
        @"Resolved 2 packages for 1 target in [TIME]"
    );
}

#[test]
fn python_version_sets_the_targets_python() {
    let (run, idx) = session();
    run.write("requirements.in", "lib\n");
    // Targets from the existing lock take the Python given.
    lock(&run, &idx);
    ok(&run.against(
        &idx,
        &[
            "lock",
            "requirements.in",
            "-o",
            "r.lock",
            "--python-version",
            "3.11",
        ],
    ));
    assert!(
        run.read("r.lock")
            .contains("# targets: cp311-manylinux_2_28_x86_64\n"),
        "{}",
        run.read("r.lock")
    );
    let clash = run.against(
        &idx,
        &[
            "lock",
            "requirements.in",
            "-t",
            GLIBC,
            "--python-version",
            "3.11",
        ],
    );
    insta::assert_snapshot!(
        "python_version_clash",
        redact(&run, &idx).transcript(&clash)
    );
}

#[test]
fn exclude_newer_date_keeps_the_whole_day_and_a_timestamp_what_came_before() {
    let (run, idx) = session();
    run.write("requirements.in", "daytime\n");
    let pin = |cut: &str| {
        let out = run.against(
            &idx,
            &[
                "lock",
                "requirements.in",
                "-o",
                "-",
                "-t",
                GLIBC,
                "--exclude-newer",
                cut,
            ],
        );
        ok(&out);
        stdout(&out)
            .lines()
            .find(|l| l.starts_with("daytime=="))
            .unwrap_or_default()
            .trim_end_matches(" \\")
            .to_string()
    };
    // 1.1.0 was uploaded at 2024-05-02T15:30:00Z.
    assert_eq!(pin("2024-05-01"), "daytime==1.0.0");
    assert_eq!(pin("2024-05-02"), "daytime==1.1.0");
    assert_eq!(pin("2024-05-02T15:30:00Z"), "daytime==1.0.0");
    assert_eq!(pin("2024-05-02T15:30:01Z"), "daytime==1.1.0");
}

#[test]
fn a_relative_exclude_newer_is_recorded_as_the_moment_it_meant() {
    let (run, idx) = session();
    run.write("requirements.in", "lib\n");
    let lock = |cut: &str| lock_with(&run, &idx, &["--exclude-newer", cut]);
    let before = jiff::Timestamp::now();
    let out = lock("7 days");
    let after = jiff::Timestamp::now();
    ok(&out);
    let text = run.read("r.lock");
    let line = text
        .lines()
        .find(|l| l.starts_with("# --exclude-newer \"7 days\" resolved to "))
        .unwrap_or_else(|| panic!("no exclude-newer line:\n{text}"));
    let at: jiff::Timestamp = line.rsplit(' ').next().unwrap().parse().unwrap();
    let week = 7 * 86_400;
    assert!(
        at.as_second() >= before.as_second() - week && at.as_second() <= after.as_second() - week,
        "{at} is not a week before the run ({before}..{after})"
    );
    insta::assert_snapshot!(
        "exclude_newer_bad",
        redact(&run, &idx).transcript(&lock("soon"))
    );
}

/// A lock with pins of every status for `check`.
const MIXED: &str = "# targets: cp312-manylinux_2_28_x86_64 cp312-musllinux_1_2_x86_64\n\
native==1.0.0\napp==1.0.0\nstaticsdist==1.0.0\nglibconly==2.0.0\n";

#[test]
fn check_prints_problems_by_default_the_table_with_verbose_and_failures_with_quiet() {
    let (run, idx) = session();
    let r = redact(&run, &idx);
    run.write("mixed.lock", MIXED);
    run.write(
        "clean.lock",
        "# targets: cp312-manylinux_2_28_x86_64\nnative==1.0.0\napp==1.0.0\n",
    );
    let mut all = String::new();
    for (lock, flags) in [
        ("mixed.lock", &[][..]),
        ("mixed.lock", &["-v"]),
        ("mixed.lock", &["-q"]),
        ("clean.lock", &[]),
        ("clean.lock", &["-q"]),
    ] {
        let out = run.against(&idx, &[&["check", lock][..], flags].concat());
        all.push_str(&format!(
            "$ pinwheel check {lock} {}\n{}\n",
            flags.join(" "),
            r.transcript(&out)
        ));
    }
    insta::assert_snapshot!("check_verbosity", all);
}

#[test]
fn check_on_a_target_the_hashes_do_not_cover_says_so() {
    let (run, idx) = session();
    run.write("requirements.in", "native\napp\n");
    lock(&run, &idx);
    let out = run.against(&idx, &["check", "r.lock", "--target", MUSL]);
    insta::assert_snapshot!(
        "check_uncovered_target",
        redact(&run, &idx).transcript(&out)
    );
}

fn fixture_lock(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/locks")
        .join(name)
}

#[test]
fn locks_without_targets_take_those_their_header_records() {
    let (run, idx) = session();
    let uv = fixture_lock("uv.lock");
    let out = run.against(&idx, &["check", uv.to_str().unwrap()]);
    insta::assert_snapshot!("uv_header_targets", redact(&run, &idx).apply(&stderr(&out)));
    // pip-compile records its Python; the platform is this machine's.
    let pc = fixture_lock("pip-compile.lock");
    let out = run.against(&idx, &["check", pc.to_str().unwrap()]);
    let host = host(run.dir.path());
    let platform = host.split_once('-').unwrap().1;
    insta::assert_snapshot!(
        "pip_compile_header_targets",
        redact(&run, &idx)
            .with(platform, "[HOST PLATFORM]")
            .apply(&stderr(&out))
    );
}

#[test]
fn a_misspelt_package_gets_the_nearest_name_of_the_existing_lock() {
    let (run, idx) = session();
    run.write("requirements.in", "lib\nshared\n");
    lock(&run, &idx);
    run.write("requirements.in", "lib\nshraed\n");
    let out = lock_with(&run, &idx, &[]);
    insta::assert_snapshot!("did_you_mean", redact(&run, &idx).transcript(&out));
}

#[test]
fn wheelhouse_piped_prints_what_it_added_and_a_summary() {
    let (run, idx) = session();
    run.write("requirements.in", "app\nnative\n");
    lock(&run, &idx);
    let r = redact(&run, &idx);
    let mut all = String::new();
    for (what, extra) in [("", &[][..]), (" (again)", &[]), (" (again, -v)", &["-v"])] {
        let out = run.against(
            &idx,
            &[&["wheelhouse", "r.lock", "-d", "wh", "-j", "1"][..], extra].concat(),
        );
        all.push_str(&format!(
            "$ pinwheel wheelhouse r.lock -d wh{what}\n{}\n",
            r.transcript(&out)
        ));
    }
    insta::assert_snapshot!("wheelhouse_piped", all);
}

#[test]
fn verify_is_quiet_with_q_and_its_hint_for_extra_files_names_prune() {
    let (run, idx) = session();
    run.write("requirements.in", "app\n");
    lock(&run, &idx);
    ok(&run.against(&idx, &["wheelhouse", "r.lock", "-d", "wh", "-q"]));
    assert_eq!(ok(&run.against(&idx, &["verify", "wh", "-q"])), "");
    run.write("wh/stray-1.0-py3-none-any.whl", "not in the manifest");
    let out = run.against(&idx, &["verify", "wh", "-q"]);
    insta::assert_snapshot!("verify_extra_file", redact(&run, &idx).transcript(&out));
}

#[test]
fn help_texts_fit_in_100_columns() {
    for cmd in [
        &["--help"][..],
        &["lock", "--help"],
        &["wheelhouse", "--help"],
        &["check", "--help"],
        &["verify", "--help"],
        &["target", "--help"],
        &["completions", "--help"],
        &["man", "--help"],
    ] {
        let dir = tempfile::tempdir().unwrap();
        let out = pinwheel(dir.path())
            .env("COLUMNS", "100")
            .args(cmd)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        for line in text.lines() {
            assert!(line.chars().count() <= 100, "{cmd:?}: {line}");
        }
    }
}

/// `pinwheel ARGS` with no index, in a directory of its own.
fn bare(args: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    pinwheel(dir.path()).args(args).output().unwrap()
}

#[test]
fn completion_scripts_for_each_shell_know_every_command() {
    for (shell, opening) in [
        ("bash", "_pinwheel() {"),
        ("zsh", "#compdef pinwheel"),
        ("fish", "# Print an optspec for argparse"),
        (
            "powershell",
            "\nusing namespace System.Management.Automation",
        ),
    ] {
        let out = bare(&["completions", shell]);
        ok(&out);
        let script = stdout(&out);
        assert!(
            script.starts_with(opening),
            "{shell}: {}",
            &script[..80.min(script.len())]
        );
        for word in [
            "lock",
            "wheelhouse",
            "check",
            "verify",
            "exclude-newer",
            "output-file",
        ] {
            assert!(script.contains(word), "{shell} completions lack {word}");
        }
    }
    // bash reads the script and registers it for pinwheel.
    let out = std::process::Command::new("bash")
        .args([
            "-c",
            "source <(\"$0\" completions bash) && complete -p pinwheel",
        ])
        .arg(env!("CARGO_BIN_EXE_pinwheel"))
        .output()
        .unwrap();
    let registered = String::from_utf8_lossy(&out.stdout);
    assert!(
        registered.contains(" -F _pinwheel ") && registered.trim_end().ends_with(" pinwheel"),
        "{registered}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bad = bare(&["completions", "tcsh"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn man_pages_for_the_tool_and_each_command() {
    let out = bare(&["man"]);
    ok(&out);
    let page = stdout(&out);
    assert!(page.contains("\n.TH pinwheel 1 "), "{page}");
    assert!(page.contains(r"pinwheel\-lock(1)"), "{page}");
    let dir = tempfile::tempdir().unwrap();
    ok(&bare(&["man", "--dir", dir.path().to_str().unwrap()]));
    assert_eq!(
        names(dir.path()),
        [
            "pinwheel-check.1",
            "pinwheel-completions.1",
            "pinwheel-dockerfile.1",
            "pinwheel-index.1",
            "pinwheel-lock.1",
            "pinwheel-man.1",
            "pinwheel-target.1",
            "pinwheel-verify.1",
            "pinwheel-wheelhouse.1",
            "pinwheel.1"
        ]
        .map(String::from)
        .into()
    );
    let lock = std::fs::read_to_string(dir.path().join("pinwheel-lock.1")).unwrap();
    assert!(lock.contains("\\-\\-exclude\\-newer"), "{lock}");
}
