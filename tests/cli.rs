//! What users of pip-compile and uv expect of the command line: flag spellings, `-q`/`-v`,
//! `--exclude-newer` as uv reads it, targets from other lockers' headers, honest advice. Whole
//! outputs are snapshots (insta), with the run's variable parts (index URL, temporary
//! directory, times) replaced by placeholders.

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use support::cli::times;
use support::{FixtureIndex, IndexOptions};

const GLIBC: &str = "cp312-manylinux_2_28_x86_64";
const MUSL: &str = "cp312-musllinux_1_2_x86_64";

struct Run {
    dir: tempfile::TempDir,
    idx: FixtureIndex,
}

impl Run {
    fn new() -> Run {
        Run {
            dir: tempfile::tempdir().unwrap(),
            idx: FixtureIndex::start(IndexOptions::default()),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn write(&self, name: &str, text: &str) {
        std::fs::write(self.path(name), text).unwrap();
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap()
    }

    /// `pinwheel ARGS` in the run's directory, against its index, with a private cache.
    fn pinwheel(&self, args: &[&str]) -> Output {
        let mut c = Command::cargo_bin("pinwheel").unwrap();
        c.current_dir(self.dir.path())
            .env_remove("PIP_INDEX_URL")
            .env_remove("PIP_EXTRA_INDEX_URL")
            .args(args);
        if args[0] != "verify" {
            c.args(["--index-url", &self.idx.url(), "--cache-dir"])
                .arg(self.path("cache"));
        }
        c.output().unwrap()
    }

    /// Output with the index URL, the directory and times replaced by placeholders.
    fn clean(&self, bytes: &[u8]) -> String {
        let s = String::from_utf8_lossy(bytes)
            .replace(&self.idx.url(), "[INDEX]")
            .replace(&self.dir.path().display().to_string(), "[DIR]");
        times(&s)
    }

    fn stdout(&self, o: &Output) -> String {
        self.clean(&o.stdout)
    }

    fn stderr(&self, o: &Output) -> String {
        self.clean(&o.stderr)
    }
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap()
}

fn ok(run: &Run, o: &Output) {
    assert_eq!(code(o), 0, "stderr:\n{}", run.stderr(o));
}

#[test]
fn lock_to_standard_output_with_the_header_saying_what_hashes_cover() {
    let run = Run::new();
    run.write("requirements.in", "app\n");
    let out = run.pinwheel(&["lock", "requirements.in", "-o", "-", "--target", GLIBC]);
    ok(&run, &out);
    assert!(!run.path("-").exists(), "-o - wrote a file named -");
    insta::assert_snapshot!("lock_stdout", run.stdout(&out));
    insta::assert_snapshot!("lock_stdout_stderr", run.stderr(&out));
}

#[test]
fn pip_compile_spellings_are_accepted_with_the_same_meaning() {
    let run = Run::new();
    run.write("requirements.in", "app[fast]\n");
    let plain = run.pinwheel(&["lock", "requirements.in", "-o", "plain.lock", "-t", GLIBC]);
    ok(&run, &plain);
    let habits = run.pinwheel(&[
        "lock",
        "requirements.in",
        "--output-file=habits.lock",
        "-t",
        GLIBC,
        "--generate-hashes",
        "--strip-extras",
    ]);
    ok(&run, &habits);
    let body = |name: &str| {
        run.read(name)
            .lines()
            .filter(|l| !l.starts_with("#   pinwheel lock"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(body("plain.lock"), body("habits.lock"));
    let bare = run.pinwheel(&[
        "lock",
        "requirements.in",
        "-o",
        "bare.lock",
        "-t",
        GLIBC,
        "--no-header",
    ]);
    ok(&run, &bare);
    insta::assert_snapshot!(
        "lock_no_header",
        run.clean(run.read("bare.lock").as_bytes())
    );
}

#[test]
fn flags_that_cannot_hold_are_refused_with_what_to_do() {
    let run = Run::new();
    run.write("requirements.in", "app\n");
    let mut all = String::new();
    for flag in ["--no-deps", "--universal"] {
        let out = run.pinwheel(&["lock", "requirements.in", "-t", GLIBC, flag]);
        assert_eq!(code(&out), 2, "{flag}");
        all.push_str(&format!("$ pinwheel lock ... {flag}\n{}", run.stderr(&out)));
    }
    insta::assert_snapshot!("refused_flags", all);
}

#[test]
fn verbose_lock_prints_its_phases_and_quiet_nothing() {
    let run = Run::new();
    run.write("requirements.in", "app\n");
    let out = run.pinwheel(&[
        "lock",
        "requirements.in",
        "-o",
        "r.lock",
        "-t",
        GLIBC,
        "-v",
        "--exclude-newer",
        "2030-01-01",
    ]);
    ok(&run, &out);
    // The request count depends on what the prefetch guessed: not part of the snapshot.
    let err = run.stderr(&out);
    let err: String = err
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
    let quiet = run.pinwheel(&["lock", "requirements.in", "-o", "r.lock", "-q"]);
    ok(&run, &quiet);
    assert_eq!(run.stderr(&quiet), "");
    // Without a terminal, the default is the final line alone.
    let normal = run.pinwheel(&["lock", "requirements.in", "-o", "r.lock", "-t", GLIBC]);
    insta::assert_snapshot!(
        run.stderr(&normal),
        @"Resolved 2 packages for 1 target in [TIME]"
    );
}

#[test]
fn python_version_sets_the_targets_python() {
    let run = Run::new();
    run.write("requirements.in", "lib\n");
    // Targets from the existing lock take the Python given.
    ok(
        &run,
        &run.pinwheel(&["lock", "requirements.in", "-o", "r.lock", "-t", GLIBC]),
    );
    let out = run.pinwheel(&[
        "lock",
        "requirements.in",
        "-o",
        "r.lock",
        "--python-version",
        "3.11",
    ]);
    ok(&run, &out);
    assert!(
        run.read("r.lock")
            .contains("# targets: cp311-manylinux_2_28_x86_64\n"),
        "{}",
        run.read("r.lock")
    );
    let clash = run.pinwheel(&[
        "lock",
        "requirements.in",
        "-t",
        GLIBC,
        "--python-version",
        "3.11",
    ]);
    assert_eq!(code(&clash), 2);
    insta::assert_snapshot!("python_version_clash", run.stderr(&clash));
}

#[test]
fn exclude_newer_date_keeps_the_whole_day_and_a_timestamp_what_came_before() {
    let run = Run::new();
    run.write("requirements.in", "daytime\n");
    let pin = |cut: &str| {
        let out = run.pinwheel(&[
            "lock",
            "requirements.in",
            "-o",
            "-",
            "-t",
            GLIBC,
            "--exclude-newer",
            cut,
        ]);
        ok(&run, &out);
        let text = run.stdout(&out);
        text.lines()
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
    let run = Run::new();
    run.write("requirements.in", "lib\n");
    let before = jiff::Timestamp::now();
    let out = run.pinwheel(&[
        "lock",
        "requirements.in",
        "-o",
        "r.lock",
        "-t",
        GLIBC,
        "--exclude-newer",
        "7 days",
    ]);
    let after = jiff::Timestamp::now();
    ok(&run, &out);
    let lock = run.read("r.lock");
    let line = lock
        .lines()
        .find(|l| l.starts_with("# --exclude-newer \"7 days\" resolved to "))
        .unwrap_or_else(|| panic!("no exclude-newer line:\n{lock}"));
    let at: jiff::Timestamp = line.rsplit(' ').next().unwrap().parse().unwrap();
    let week = 7 * 86_400;
    assert!(
        at.as_second() >= before.as_second() - week && at.as_second() <= after.as_second() - week,
        "{at} is not a week before the run ({before}..{after})"
    );
    let bad = run.pinwheel(&[
        "lock",
        "requirements.in",
        "-t",
        GLIBC,
        "--exclude-newer",
        "soon",
    ]);
    assert_eq!(code(&bad), 2);
    insta::assert_snapshot!("exclude_newer_bad", run.stderr(&bad));
}

/// A lock with pins of every status for `check`.
const MIXED: &str = "# targets: cp312-manylinux_2_28_x86_64 cp312-musllinux_1_2_x86_64\n\
native==1.0.0\napp==1.0.0\nstaticsdist==1.0.0\nglibconly==2.0.0\n";

#[test]
fn check_prints_problems_by_default_the_table_with_verbose_and_failures_with_quiet() {
    let run = Run::new();
    run.write("mixed.lock", MIXED);
    let mut all = String::new();
    for flags in [&[][..], &["-v"], &["-q"]] {
        let mut args = vec!["check", "mixed.lock"];
        args.extend_from_slice(flags);
        let out = run.pinwheel(&args);
        assert_eq!(code(&out), 1);
        all.push_str(&format!(
            "$ pinwheel check mixed.lock {}\n{}{}\n",
            flags.join(" "),
            run.stdout(&out),
            run.stderr(&out)
        ));
    }
    let clean = "# targets: cp312-manylinux_2_28_x86_64\nnative==1.0.0\napp==1.0.0\n";
    run.write("clean.lock", clean);
    for flags in [&[][..], &["-q"]] {
        let mut args = vec!["check", "clean.lock"];
        args.extend_from_slice(flags);
        let out = run.pinwheel(&args);
        assert_eq!(code(&out), 0);
        all.push_str(&format!(
            "$ pinwheel check clean.lock {}\n{}{}\n",
            flags.join(" "),
            run.stdout(&out),
            run.stderr(&out)
        ));
    }
    insta::assert_snapshot!("check_verbosity", all);
}

#[test]
fn check_on_a_target_the_hashes_do_not_cover_says_so() {
    let run = Run::new();
    run.write("requirements.in", "native\napp\n");
    ok(
        &run,
        &run.pinwheel(&["lock", "requirements.in", "-o", "r.lock", "-t", GLIBC]),
    );
    let out = run.pinwheel(&["check", "r.lock", "--target", MUSL]);
    assert_eq!(code(&out), 1);
    insta::assert_snapshot!("check_uncovered_target", run.stdout(&out));
}

fn fixture_lock(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/locks")
        .join(name)
}

#[test]
fn locks_without_targets_take_those_their_header_records() {
    let run = Run::new();
    let uv = fixture_lock("uv.lock");
    let out = run.pinwheel(&["check", uv.to_str().unwrap()]);
    insta::assert_snapshot!("uv_header_targets", run.stderr(&out));
    // pip-compile records its Python; the platform is this machine's.
    let pc = fixture_lock("pip-compile.lock");
    let out = run.pinwheel(&["check", pc.to_str().unwrap()]);
    let host = Command::cargo_bin("pinwheel")
        .unwrap()
        .arg("target")
        .output()
        .unwrap();
    let host = String::from_utf8_lossy(&host.stdout).into_owned();
    let platform = host
        .split_whitespace()
        .next()
        .unwrap()
        .split_once('-')
        .unwrap()
        .1;
    insta::assert_snapshot!(
        "pip_compile_header_targets",
        run.stderr(&out).replace(platform, "[HOST PLATFORM]")
    );
}

#[test]
fn a_misspelt_package_gets_the_nearest_name_of_the_existing_lock() {
    let run = Run::new();
    run.write("requirements.in", "lib\nshared\n");
    ok(
        &run,
        &run.pinwheel(&["lock", "requirements.in", "-o", "r.lock", "-t", GLIBC]),
    );
    run.write("requirements.in", "lib\nshraed\n");
    let out = run.pinwheel(&["lock", "requirements.in", "-o", "r.lock", "-t", GLIBC]);
    assert_eq!(code(&out), 3);
    insta::assert_snapshot!("did_you_mean", run.stderr(&out));
}

#[test]
fn wheelhouse_piped_prints_what_it_added_and_a_summary() {
    let run = Run::new();
    run.write("requirements.in", "app\nnative\n");
    ok(
        &run,
        &run.pinwheel(&["lock", "requirements.in", "-o", "r.lock", "-t", GLIBC]),
    );
    let first = run.pinwheel(&["wheelhouse", "r.lock", "-d", "wh", "-j", "1"]);
    ok(&run, &first);
    let again = run.pinwheel(&["wheelhouse", "r.lock", "-d", "wh", "-j", "1"]);
    ok(&run, &again);
    let verbose = run.pinwheel(&["wheelhouse", "r.lock", "-d", "wh", "-j", "1", "-v"]);
    ok(&run, &verbose);
    insta::assert_snapshot!(
        "wheelhouse_piped",
        format!(
            "$ pinwheel wheelhouse r.lock -d wh\n{}\n$ (again)\n{}\n$ (again, -v)\n{}",
            run.stderr(&first),
            run.stderr(&again),
            run.stderr(&verbose)
        )
    );
}

#[test]
fn verify_is_quiet_with_q_and_its_hint_for_extra_files_names_prune() {
    let run = Run::new();
    run.write("requirements.in", "app\n");
    ok(
        &run,
        &run.pinwheel(&["lock", "requirements.in", "-o", "r.lock", "-t", GLIBC]),
    );
    ok(
        &run,
        &run.pinwheel(&["wheelhouse", "r.lock", "-d", "wh", "-q"]),
    );
    let quiet = run.pinwheel(&["verify", "wh", "-q"]);
    ok(&run, &quiet);
    assert_eq!(run.stderr(&quiet), "");
    run.write("wh/stray-1.0-py3-none-any.whl", "not in the manifest");
    let out = run.pinwheel(&["verify", "wh", "-q"]);
    assert_eq!(code(&out), 5);
    insta::assert_snapshot!("verify_extra_file", run.stderr(&out));
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
        let out = Command::cargo_bin("pinwheel")
            .unwrap()
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

fn bare(args: &[&str]) -> Output {
    Command::cargo_bin("pinwheel")
        .unwrap()
        .args(args)
        .output()
        .unwrap()
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
        assert_eq!(code(&out), 0, "{shell}");
        let script = String::from_utf8_lossy(&out.stdout);
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
    assert_eq!(code(&bad), 2);
}

#[test]
fn man_pages_for_the_tool_and_each_command() {
    let out = bare(&["man"]);
    assert_eq!(code(&out), 0);
    let page = String::from_utf8_lossy(&out.stdout);
    assert!(page.contains("\n.TH pinwheel 1 "), "{page}");
    assert!(page.contains(r"pinwheel\-lock(1)"), "{page}");
    let dir = tempfile::tempdir().unwrap();
    let out = bare(&["man", "--dir", dir.path().to_str().unwrap()]);
    assert_eq!(code(&out), 0);
    let mut pages: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    pages.sort();
    assert_eq!(
        pages,
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
    );
    let lock = std::fs::read_to_string(dir.path().join("pinwheel-lock.1")).unwrap();
    assert!(lock.contains("\\-\\-exclude\\-newer"), "{lock}");
}
