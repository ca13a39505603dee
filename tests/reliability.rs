//! The reliability guarantees (README "Guarantees"), proven against the real binary: input
//! files as pip reads them, outputs that never overwrite inputs, interruption (SIGINT, SIGTERM,
//! kill -9), concurrent runs, and a loopback index with faults switched on per path (failing
//! statuses, resets and truncation mid-body, trickling, wrong bytes, hostile pages). Each test
//! checks the outcome and the state of the disk afterwards.

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command as StdCommand, Output, Stdio};
use std::time::{Duration, Instant};

use support::cli::{fails, names, ok, pinwheel_std as pinwheel, stderr, Redactions};
use support::{Fault, FixtureIndex, IndexOptions};

const T312: &str = "cp312-manylinux_2_28_x86_64";

/// Waits (polling, at most a minute) until `cond` holds; the condition, not the time, matters.
fn wait_for(what: &str, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "never happened: {what}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn signal(child: &Child, sig: i32) {
    // SAFETY: kill(2) on the pid of a child this test started and has not reaped.
    assert_eq!(unsafe { libc::kill(child.id() as i32, sig) }, 0);
}

/// Locks `input` for T312 into `dir/requirements.lock`.
fn lock(idx: &FixtureIndex, dir: &Path, input: &str) -> PathBuf {
    std::fs::write(dir.join("requirements.in"), input).unwrap();
    ok(&lock_cmd(idx, dir, "requirements.lock", &["--no-cache"])
        .output()
        .unwrap());
    dir.join("requirements.lock")
}

/// `pinwheel lock requirements.in -o OUT` in `dir` against `idx` for T312, `extra` after.
fn lock_cmd(idx: &FixtureIndex, dir: &Path, out: &str, extra: &[&str]) -> StdCommand {
    let mut c = pinwheel(dir);
    c.args(["lock", "requirements.in", "-o", out])
        .args(["--index-url", &idx.url(), "--target", T312])
        .args(extra);
    c
}

/// The exit code and output of `out`, run in `dir` (against `idx`, when given), redacted.
fn transcript(idx: Option<&FixtureIndex>, dir: &Path, out: &Output) -> String {
    match idx {
        Some(idx) => Redactions::new(idx, dir),
        None => Redactions::dir(dir),
    }
    .transcript(out)
}

fn wheelhouse_cmd(idx: &FixtureIndex, dir: &Path, extra: &[&str]) -> StdCommand {
    let mut c = pinwheel(dir);
    c.args(["wheelhouse", "requirements.lock", "-d", "wh", "--no-cache"])
        .args(["--index-url", &idx.url()])
        .args(extra);
    c
}

fn verify(dir: &Path) -> Output {
    pinwheel(dir).args(["verify", "wh"]).output().unwrap()
}

/// The wheelhouse's state: no temporary left, and every distribution file under its final
/// name has the sha256 the lock's index lists for it (nothing unverified).
fn assert_only_verified_files(idx: &FixtureIndex, wh: &Path) {
    for name in names(wh) {
        assert!(!name.ends_with(".part"), "temporary left: {name}");
        if name.ends_with(".whl") || name.ends_with(".tar.gz") {
            let actual = support::build::sha256_file(&wh.join(&name));
            assert_eq!(actual, idx.sha256(&name), "{name} is not the index's file");
        }
    }
}

fn requests_to(idx: &FixtureIndex, path_part: &str) -> usize {
    idx.requests()
        .iter()
        .filter(|r| r.path.contains(path_part) && !r.path.ends_with(".metadata"))
        .count()
}

// ---------------------------------------------------------------------------------------
// Input files

#[test]
fn a_utf8_bom_is_accepted_as_pip_does() {
    let idx = FixtureIndex::start(IndexOptions::default());
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bom.in"), b"\xEF\xBB\xBFshared<2\n").unwrap();
    ok(&pinwheel(dir.path())
        .args(["lock", "bom.in", "-o", "out.lock", "--no-cache"])
        .args(["--index-url", &idx.url(), "--target", T312])
        .output()
        .unwrap());
    let lock = std::fs::read_to_string(dir.path().join("out.lock")).unwrap();
    assert!(lock.contains("shared==1.5.0"), "{lock}");
}

#[test]
fn non_utf8_files_and_directories_are_named_with_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("latin.in"), b"shared\nidna\xE9>=3\n").unwrap();
    std::fs::create_dir(dir.path().join("reqs")).unwrap();
    std::fs::write(dir.path().join("top.in"), "-r reqs\n").unwrap();
    let mut all = String::new();
    for args in [
        &["lock", "latin.in"][..],
        &["lock", "reqs"],
        &["lock", "top.in"],
        // A lock read by wheelhouse goes through the same reader.
        &["wheelhouse", "latin.in", "-d", "wh"],
    ] {
        let out = pinwheel(dir.path())
            .args(args)
            .args([
                "--target",
                T312,
                "--index-url",
                "http://127.0.0.1:9/simple/",
            ])
            .output()
            .unwrap();
        all += &format!(
            "$ pinwheel {}\n{}\n",
            args.join(" "),
            transcript(None, dir.path(), &out)
        );
    }
    insta::assert_snapshot!("not_text", all);
}

#[test]
fn outputs_never_overwrite_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("top.in"), "-r base.in\n").unwrap();
    std::fs::write(d.join("base.in"), "shared\n").unwrap();
    std::fs::write(d.join("pins.txt"), "shared<2\n").unwrap();
    // A link to the input is the input.
    std::os::unix::fs::symlink(d.join("top.in"), d.join("link.lock")).unwrap();
    // wheelhouse: the lock inside the wheelhouse under the name it writes.
    std::fs::create_dir(d.join("wh")).unwrap();
    let text = "shared==1.5.0 --hash=sha256:0000000000000000000000000000000000000000000000000000000000000000\n";
    std::fs::write(d.join("wh/requirements.txt"), text).unwrap();
    let before = |n: &str| std::fs::read(d.join(n)).unwrap();
    let mut all = String::new();
    for (args, victim) in [
        (&["lock", "top.in", "-o", "top.in"][..], "top.in"),
        (&["lock", "top.in", "-o", "./base.in"], "base.in"),
        (
            &["lock", "top.in", "-c", "pins.txt", "-o", "pins.txt"],
            "pins.txt",
        ),
        (&["lock", "top.in", "-o", "link.lock"], "top.in"),
        (
            &["wheelhouse", "wh/requirements.txt", "-d", "wh"],
            "wh/requirements.txt",
        ),
    ] {
        let was = before(victim);
        let out = pinwheel(d)
            .args(args)
            .args([
                "--target",
                T312,
                "--index-url",
                "http://127.0.0.1:9/simple/",
            ])
            .output()
            .unwrap();
        all += &format!(
            "$ pinwheel {}\n{}\n",
            args.join(" "),
            transcript(None, d, &out)
        );
        assert_eq!(before(victim), was, "{victim} changed");
    }
    insta::assert_snapshot!("outputs_never_overwrite_inputs", all);
}

// ---------------------------------------------------------------------------------------
// Interruption

#[test]
fn sigint_during_a_metadata_build_removes_its_temporaries_and_says_so() {
    let idx = FixtureIndex::start(IndexOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let tmp = d.join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    std::fs::write(d.join("requirements.in"), "dynsdist\n").unwrap();
    std::fs::write(d.join("requirements.lock"), "# the earlier lock\n").unwrap();
    let child = lock_cmd(
        &idx,
        d,
        "requirements.lock",
        &["--upgrade", "--cache-dir", "cache"],
    )
    .env("TMPDIR", &tmp)
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    // The build's scratch directory and its environment under construction exist.
    let envs = d.join("cache/build-envs-v1");
    wait_for("a build environment under construction", || {
        names(&envs).iter().any(|n| n.starts_with(".tmp-"))
            && names(&tmp).iter().any(|n| n.starts_with("pinwheel-build-"))
    });
    signal(&child, libc::SIGINT);
    let out = child.wait_with_output().unwrap();
    let err = fails(&out, 130);
    assert!(
        err.contains("pinwheel lock: interrupted by SIGINT while locking requirements.in (requirements.lock is left as it was)"),
        "{err}"
    );
    assert!(err.contains("removed"), "{err}");
    assert_eq!(names(&tmp), BTreeSet::new(), "temporaries left in TMPDIR");
    assert!(
        !names(&envs).iter().any(|n| n.starts_with(".tmp-")),
        "{:?}",
        names(&envs)
    );
    assert_eq!(
        std::fs::read_to_string(d.join("requirements.lock")).unwrap(),
        "# the earlier lock\n"
    );
}

/// An index whose `filename` trickles (4 KiB every 60 ms: the 200 KiB wheel takes 3 s) the
/// first `times` times.
fn slow_index(filename: &str, times: Option<u32>) -> FixtureIndex {
    FixtureIndex::start(IndexOptions {
        faults: vec![(
            format!("/files/{filename}"),
            Fault::Trickle {
                chunk: 4096,
                pause_ms: 60,
                times,
            },
        )],
        ..IndexOptions::default()
    })
}

const SLOW: &str = "bigwheel-1.0.0-py3-none-any.whl";

#[test]
fn sigterm_during_wheelhouse_removes_partial_downloads_and_says_what_is_done() {
    let idx = slow_index(SLOW, None);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    lock(&idx, d, "bigwheel\nshared<2\n");
    let child = wheelhouse_cmd(&idx, d, &[])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let wh = d.join("wh");
    wait_for("a partial download", || {
        names(&wh).iter().any(|n| n.ends_with(".part"))
    });
    signal(&child, libc::SIGTERM);
    let err = fails(&child.wait_with_output().unwrap(), 143);
    assert!(
        err.contains("pinwheel wheelhouse: interrupted by SIGTERM while filling wh:"),
        "{err}"
    );
    assert!(err.contains("re-run to finish"), "{err}");
    assert!(!names(&wh).contains(SLOW));
    assert!(!names(&wh).contains("requirements.txt"));
    assert_only_verified_files(&idx, &wh);
}

const HUGE: &str = "hugewheel-1.0.0-py3-none-any.whl";

#[test]
fn kill_9_mid_download_leaves_only_verified_files_and_a_rerun_completes() {
    // A 32 MiB wheel (fixtures/large) trickled at 64 KiB per 20 ms (some 10 s), the first time.
    let idx = FixtureIndex::start_from(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/large"),
        IndexOptions {
            faults: vec![(
                format!("/files/{HUGE}"),
                Fault::Trickle {
                    chunk: 64 << 10,
                    pause_ms: 20,
                    times: Some(1),
                },
            )],
            ..IndexOptions::default()
        },
    );
    let size = std::fs::metadata(idx.files_dir().join(HUGE)).unwrap().len();
    assert!(size > 32 << 20, "{size}");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    lock(&idx, d, "hugewheel\ntiny\n");
    let mut child = wheelhouse_cmd(&idx, d, &[])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let wh = d.join("wh");
    // Mid-download: the small wheel done, the large one's temporary holding some MiB of it.
    let part_len = || {
        names(&wh)
            .iter()
            .filter(|n| n.ends_with(".part"))
            .filter_map(|n| std::fs::metadata(wh.join(n)).ok())
            .map(|m| m.len())
            .max()
            .unwrap_or(0)
    };
    wait_for("the large wheel half-way", || {
        names(&wh).contains("tiny-1.0.0-py3-none-any.whl") && part_len() > 4 << 20
    });
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let left = part_len();
    assert!(
        left > 4 << 20 && left < size,
        "killed mid-download: {left} of {size}"
    );
    // What a kill -9 leaves: a temporary, never a file under its final name unverified.
    assert!(!names(&wh).contains(HUGE), "{:?}", names(&wh));
    assert!(!names(&wh).contains("requirements.txt"));
    for name in names(&wh) {
        if name.ends_with(".whl") {
            assert_eq!(
                support::build::sha256_file(&wh.join(&name)),
                idx.sha256(&name),
                "{name}"
            );
        }
    }
    ok(&wheelhouse_cmd(&idx, d, &[]).output().unwrap());
    assert_only_verified_files(&idx, &wh);
    assert!(names(&wh).contains(HUGE));
    ok(&verify(d));
}

// ---------------------------------------------------------------------------------------
// Concurrent runs

#[test]
fn two_wheelhouses_into_one_directory_both_succeed() {
    let idx = slow_index(SLOW, Some(1));
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    lock(&idx, d, "bigwheel\nshared<2\nabi3pkg\n");
    let first = wheelhouse_cmd(&idx, d, &[])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let wh = d.join("wh");
    // The second starts while the first is mid-download.
    wait_for("the first run's partial download", || {
        names(&wh).iter().any(|n| n.ends_with(".part"))
    });
    let second = wheelhouse_cmd(&idx, d, &[])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    ok(&first.wait_with_output().unwrap());
    ok(&second.wait_with_output().unwrap());
    assert_only_verified_files(&idx, &wh);
    ok(&verify(d));
}

#[test]
fn two_locks_sharing_a_cache_both_succeed_with_the_same_lock() {
    let idx = FixtureIndex::start(IndexOptions {
        latency: Some((7, 30)),
        ..IndexOptions::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("requirements.in"),
        "dynsdist\nbigwheel\nabi3pkg\nnative\n",
    )
    .unwrap();
    let start = |out: &str| {
        lock_cmd(&idx, d, out, &["--cache-dir", "cache"])
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (start("a.lock"), start("b.lock"));
    ok(&a.wait_with_output().unwrap());
    ok(&b.wait_with_output().unwrap());
    let body = |n: &str| {
        std::fs::read_to_string(d.join(n))
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(body("a.lock"), body("b.lock"));
    assert!(body("a.lock").contains("dynsdist==1.0.0"));
    // Nothing half-written in the shared cache.
    let mut stack = vec![d.join("cache")];
    while let Some(p) = stack.pop() {
        for e in std::fs::read_dir(&p).unwrap().flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            assert!(
                !name.starts_with(".tmp"),
                "temporary left in the cache: {}",
                e.path().display()
            );
            if e.file_type().unwrap().is_dir() && !p.ends_with("build-envs-v1") {
                stack.push(e.path());
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Transient failures

const SHARED: &str = "shared-1.5.0-py3-none-any.whl";
const ABI3: &str = "abi3pkg-2.1.0-cp38-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl";

fn faulty(faults: Vec<(String, Fault)>) -> FixtureIndex {
    FixtureIndex::start(IndexOptions {
        faults,
        ..IndexOptions::default()
    })
}

fn status(status: u16, times: Option<u32>) -> Fault {
    Fault::Status {
        status,
        retry_after: None,
        times,
    }
}

#[test]
fn transient_failures_are_retried_until_they_pass() {
    let idx = faulty(vec![
        ("/simple/shared/".into(), status(500, Some(2))),
        (
            format!("/files/{SHARED}.metadata"),
            Fault::Status {
                status: 429,
                retry_after: Some("1".into()),
                times: Some(1),
            },
        ),
        (format!("/files/{SHARED}"), status(503, Some(1))),
        (format!("/files/{SLOW}"), Fault::Reset { times: Some(1) }),
        (format!("/files/{ABI3}"), Fault::Truncate { times: Some(1) }),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    lock(&idx, d, "shared<2\nbigwheel\nabi3pkg\n");
    ok(&wheelhouse_cmd(&idx, d, &[]).output().unwrap());
    let wh = d.join("wh");
    assert_only_verified_files(&idx, &wh);
    for f in [SHARED, SLOW, ABI3] {
        assert!(names(&wh).contains(f), "{f} missing");
        assert_eq!(requests_to(&idx, &format!("/files/{f}")), 2, "{f}");
    }
    // Three tries by the lock, one by the wheelhouse (no cache).
    assert_eq!(requests_to(&idx, "/simple/shared/"), 4);
    let metadata = idx
        .requests()
        .iter()
        .filter(|r| r.path.ends_with(&format!("{SHARED}.metadata")))
        .count();
    assert_eq!(metadata, 2);
    ok(&verify(d));
}

#[test]
fn retries_run_out_with_the_url_and_the_last_cause_and_no_credentials() {
    let idx = FixtureIndex::start(IndexOptions {
        basic_auth: Some(("ci".into(), "s3cret".into())),
        faults: vec![("/simple/shared/".into(), status(503, None))],
        ..IndexOptions::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("requirements.in"), "shared\n").unwrap();
    let url = idx.url().replace("http://", "http://ci:s3cret@");
    let out = pinwheel(d)
        .args([
            "lock",
            "requirements.in",
            "-o",
            "out.lock",
            "--no-cache",
            "--retries",
            "2",
        ])
        .args(["--index-url", &url, "--target", T312])
        .output()
        .unwrap();
    assert!(!stderr(&out).contains("s3cret"), "{}", stderr(&out));
    insta::assert_snapshot!("retries_run_out", transcript(Some(&idx), d, &out));
    // Three tries per fetch (the message counts them); a prefetch that failed is fetched again
    // when the resolver asks, and that second fetch may be cut short by the first's error.
    let tries = requests_to(&idx, "/simple/shared/");
    assert!((3..=6).contains(&tries), "{tries} requests");
    assert!(!d.join("out.lock").exists());
}

#[test]
fn a_trickle_slower_than_the_read_timeout_is_tried_again() {
    let idx = faulty(vec![(
        format!("/files/{SHARED}"),
        Fault::Trickle {
            chunk: 1 << 20,
            pause_ms: 3000,
            times: Some(1),
        },
    )]);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    lock(&idx, d, "shared<2\n");
    ok(&wheelhouse_cmd(&idx, d, &["--timeout", "0.5"])
        .output()
        .unwrap());
    assert_eq!(requests_to(&idx, &format!("/files/{SHARED}")), 2);
    assert_only_verified_files(&idx, &d.join("wh"));
}

#[test]
fn not_found_forbidden_and_wrong_bytes_are_not_retried_and_earlier_outputs_stay() {
    for (fault, code, says) in [
        (status(404, None), 4, "answered HTTP 404"),
        (status(403, None), 4, "refused the credentials (HTTP 403)"),
        (
            Fault::Bytes {
                body: b"not the wheel".to_vec(),
                times: None,
            },
            5,
            "sha256 mismatch",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let idx = FixtureIndex::start(IndexOptions::default());
        lock(&idx, d, "shared<2\nabi3pkg\n");
        ok(&wheelhouse_cmd(&idx, d, &[]).output().unwrap());
        let wh = d.join("wh");
        let reqs = std::fs::read(wh.join("requirements.txt")).unwrap();
        let manifest = std::fs::read(wh.join("pinwheel-manifest.json")).unwrap();
        std::fs::remove_file(wh.join(SHARED)).unwrap();

        let bad = faulty(vec![(format!("/files/{SHARED}"), fault)]);
        let err = fails(&wheelhouse_cmd(&bad, d, &[]).output().unwrap(), code);
        assert!(err.contains(says), "{err}");
        assert_eq!(requests_to(&bad, &format!("/files/{SHARED}")), 1, "{err}");
        // Nothing under the final name, no temporary, the earlier outputs as they were.
        assert!(!names(&wh).contains(SHARED));
        assert!(names(&wh).contains(ABI3));
        assert_only_verified_files(&idx, &wh);
        assert_eq!(std::fs::read(wh.join("requirements.txt")).unwrap(), reqs);
        assert_eq!(
            std::fs::read(wh.join("pinwheel-manifest.json")).unwrap(),
            manifest
        );
    }
}

// ---------------------------------------------------------------------------------------
// Hostile index data

#[test]
fn hostile_listings_are_refused_with_a_warning_and_never_followed() {
    let plain = FixtureIndex::start(IndexOptions::default());
    let good = plain.sha256(SHARED);
    let real = format!("../../files/{SHARED}");
    let json = serde_json::json!({"meta": {"api-version": "1.1"}, "files": [
        {"filename": "../../evil-1.0-py3-none-any.whl", "url": real, "hashes": {"sha256": good}},
        {"filename": "/tmp/abs-1.0.tar.gz", "url": real, "hashes": {"sha256": good}},
        {"filename": "requests-9.0-py3-none-any.whl", "url": real, "hashes": {"sha256": good}},
        {"filename": "shared-9.0-py3-none-any.whl", "url": "ftp://127.0.0.1/shared-9.0-py3-none-any.whl", "hashes": {}},
        {"filename": "shared-8.0-py3-none-any.whl", "url": "file:///etc/passwd", "hashes": {}},
        {"filename": SHARED, "url": real, "hashes": {"sha256": good}},
    ]})
    .to_string();
    let html = format!(
        "<html><body>\
         <a href=\"{real}#sha256={good}\">..\\evil-1.0-py3-none-any.whl</a>\
         <a href=\"file:///etc/passwd\">shared-8.0-py3-none-any.whl</a>\
         <a href=\"{real}#sha256={good}\">{SHARED}</a></body></html>"
    );
    for (content_type, body) in [
        ("application/vnd.pypi.simple.v1+json", json),
        ("text/html", html),
    ] {
        let idx = faulty(vec![(
            "/simple/shared/".into(),
            Fault::Page {
                content_type: content_type.into(),
                body,
                times: None,
            },
        )]);
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir(d.join("work")).unwrap();
        let work = d.join("work");
        std::fs::write(work.join("requirements.in"), "shared\n").unwrap();
        let out = lock_cmd(&idx, &work, "requirements.lock", &["--no-cache"])
            .output()
            .unwrap();
        ok(&out);
        let name = content_type.replace(['/', '.', '+'], "_");
        insta::assert_snapshot!(
            format!("hostile_listing_{name}"),
            transcript(Some(&idx), &work, &out)
        );
        let lock = std::fs::read_to_string(work.join("requirements.lock")).unwrap();
        assert!(lock.contains("shared==1.5.0"), "{lock}");
        ok(&wheelhouse_cmd(&idx, &work, &[]).output().unwrap());
        assert_eq!(
            names(&work.join("wh")),
            [SHARED, "pinwheel-manifest.json", "requirements.txt"]
                .map(String::from)
                .into()
        );
        assert_eq!(names(d), ["work".to_string()].into(), "written outside");
    }
}

// ---------------------------------------------------------------------------------------
// Bounded sizes, redirects and zip bombs (guarantee 6)

/// Locks `input` for T312 against `idx`, without a cache; the output.
fn lock_against(idx: &FixtureIndex, input: &str) -> (tempfile::TempDir, Output) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("requirements.in"), input).unwrap();
    let out = lock_cmd(
        idx,
        dir.path(),
        "requirements.lock",
        &["--no-cache", "--retries", "1"],
    )
    .output()
    .unwrap();
    (dir, out)
}

#[test]
fn oversized_index_pages_and_metadata_are_refused_with_their_bound() {
    // A page past 256 MiB and a metadata file past 64 MiB, each once announced by its length
    // and once sent chunked with no length (so the bound must stop the stream itself).
    let mut all = String::new();
    for (path, bytes) in [
        ("/simple/shared/", (256u64 << 20) + 1),
        (&format!("/files/{SHARED}.metadata"), (64u64 << 20) + 1),
    ] {
        for declared in [true, false] {
            let idx = faulty(vec![(
                path.to_string(),
                Fault::Huge {
                    bytes,
                    declared,
                    times: None,
                },
            )]);
            let (dir, out) = lock_against(&idx, "shared<2\n");
            all += &format!(
                "{path}, length declared: {declared}\n{}\n",
                transcript(Some(&idx), dir.path(), &out)
            );
            assert!(
                !dir.path().join("requirements.lock").exists(),
                "nothing written"
            );
        }
    }
    insta::assert_snapshot!("oversized", all);
}

#[test]
fn redirects_to_other_schemes_and_redirect_loops_are_refused() {
    // To a file: URL (a page that would read the machine's files), and a loop past 10 hops.
    let mut all = String::new();
    for location in ["file:///etc/passwd", "/simple/shared/"] {
        let idx = faulty(vec![(
            "/simple/shared/".into(),
            Fault::Redirect {
                location: location.into(),
                times: None,
            },
        )]);
        let (dir, out) = lock_against(&idx, "shared<2\n");
        all += &format!(
            "redirected to {location}\n{}\n",
            transcript(Some(&idx), dir.path(), &out)
        );
        assert!(!dir.path().join("requirements.lock").exists());
        let hops = idx
            .requests()
            .iter()
            .filter(|r| r.path == "/simple/shared/")
            .count();
        // At most 10 hops per fetch; a page whose fetch failed may be asked for twice (by the
        // prefetch and by the resolver: failures are not memoised).
        assert!(hops <= 2 * 11, "followed {hops} redirects");
    }
    insta::assert_snapshot!("redirects_refused", all);
    // A few redirects within http are followed.
    let idx = faulty(vec![(
        "/simple/shared/".into(),
        Fault::Redirect {
            location: "/simple/shared/".into(),
            times: Some(3),
        },
    )]);
    let (dir, out) = lock_against(&idx, "shared<2\n");
    ok(&out);
    let lock = std::fs::read_to_string(dir.path().join("requirements.lock")).unwrap();
    assert!(lock.contains("shared==1.5.0"), "{lock}");
}

/// A wheel whose METADATA inflates past 64 MiB (about 65 KiB on the wire).
fn zip_bomb_wheel() -> Vec<u8> {
    use std::io::Write;
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true);
        z.start_file("shared-1.5.0.dist-info/METADATA", opts)
            .unwrap();
        z.write_all(b"Metadata-Version: 2.1\nName: shared\nVersion: 1.5.0\n\n")
            .unwrap();
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..65 {
            z.write_all(&zeros).unwrap();
        }
        z.finish().unwrap();
    }
    buf.into_inner()
}

#[test]
fn a_wheel_whose_metadata_expands_past_the_bound_is_refused() {
    let bomb = zip_bomb_wheel();
    assert!(bomb.len() < 1 << 20);
    // No PEP 658 file: the metadata is read out of the wheel (the server ignores ranges and
    // sends these bytes whole).
    let idx = FixtureIndex::start(IndexOptions {
        metadata: support::MetadataMode::Absent,
        faults: vec![(
            format!("/files/{SHARED}"),
            Fault::Bytes {
                body: bomb,
                times: None,
            },
        )],
        ..IndexOptions::default()
    });
    let (dir, out) = lock_against(&idx, "shared==1.5.0\n");
    insta::assert_snapshot!("zip_bomb", transcript(Some(&idx), dir.path(), &out));
    assert!(!dir.path().join("requirements.lock").exists());
}

/// A real `.tar.gz` sdist bomb, `NAME-1.0`: PKG-INFO (static metadata, PEP 643, so a lock
/// trusts it without a build), pyproject.toml, then `zeros` of `mib` MiB and 64 KiB of zeros;
/// about 1 KiB on the wire per MiB unpacked. A deflate block of zeros that follows zeros refers
/// only to them, so the compressor makes one block of a MiB, which is repeated, and the gzip
/// trailer (CRC-32, length) is computed over the whole stream.
fn sdist_bomb(name: &str, mib: u64) -> Vec<u8> {
    use std::io::Write;
    const MIB: usize = 1 << 20;
    let top = format!("{name}-1.0");
    let mut tar = tar::Builder::new(Vec::new());
    let pkg_info = format!("Metadata-Version: 2.2\nName: {name}\nVersion: 1.0\n\n");
    let pyproject = "[build-system]\nrequires = []\nbuild-backend = \"backend\"\n";
    for (path, body) in [
        ("PKG-INFO", pkg_info.as_str()),
        ("pyproject.toml", pyproject),
    ] {
        let mut h = tar::Header::new_gnu();
        h.set_size(body.len() as u64);
        h.set_mode(0o644);
        tar.append_data(&mut h, format!("{top}/{path}"), body.as_bytes())
            .unwrap();
    }
    let mut head = tar.get_ref().clone();
    let mut h = tar::Header::new_gnu();
    h.set_path(format!("{top}/zeros")).unwrap();
    h.set_size((mib << 20) + (64 << 10));
    h.set_mode(0o644);
    h.set_cksum();
    head.extend_from_slice(h.as_bytes());

    let mut deflate = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    deflate.write_all(&head).unwrap();
    deflate.write_all(&[0; 64 << 10]).unwrap();
    deflate.flush().unwrap(); // a sync flush: byte-aligned, the window all zeros
    let before = deflate.get_ref().len();
    deflate.write_all(&vec![0; MIB]).unwrap();
    deflate.flush().unwrap();
    let block = deflate.get_ref()[before..].to_vec();
    deflate.write_all(&[0; 1024]).unwrap(); // the end of the archive: two zero blocks
    let stream = deflate.finish().unwrap();
    let (prefix, tail) = (&stream[..before], &stream[before + block.len()..]);

    let mut crc = crc32fast::Hasher::new();
    crc.update(&head);
    crc.update(&[0; 64 << 10]);
    let zeros = vec![0; MIB];
    for _ in 0..mib {
        crc.update(&zeros);
    }
    crc.update(&[0; 1024]);
    let len = head.len() as u64 + (64 << 10) + (mib << 20) + 1024;

    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];
    out.extend_from_slice(prefix);
    for _ in 0..mib {
        out.extend_from_slice(&block);
    }
    out.extend_from_slice(tail);
    out.extend_from_slice(&crc.finalize().to_le_bytes());
    out.extend_from_slice(&(len as u32).to_le_bytes());
    out
}

#[test]
fn the_sdist_bomb_is_a_valid_tar_gz() {
    // A small one, read back whole: gzip's CRC and length check, every member its size.
    let bomb = sdist_bomb("bomb", 3);
    let mut ar = tar::Archive::new(flate2::read::GzDecoder::new(&bomb[..]));
    let mut seen = Vec::new();
    for e in ar.entries().unwrap() {
        let mut e = e.unwrap();
        let n = std::io::copy(&mut e, &mut std::io::sink()).unwrap();
        seen.push((e.path().unwrap().display().to_string(), n));
    }
    assert_eq!(
        seen[2],
        ("bomb-1.0/zeros".to_string(), (3 << 20) + (64 << 10))
    );
    assert_eq!(seen.len(), 3);
    let mut all = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&bomb[..]), &mut all).unwrap();
}

#[test]
fn an_sdist_expanding_past_the_unpack_bound_is_refused_and_leaves_no_temporary() {
    // 1.06 GiB unpacked from about 1 MiB: past the bound for an archive of that size (1 GiB).
    let bomb = sdist_bomb("bomb", 1088);
    assert!(bomb.len() < 2 << 20, "{}", bomb.len());
    let idx = FixtureIndex::start(IndexOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let links = dir.path().join("links");
    std::fs::create_dir(&links).unwrap();
    std::fs::write(links.join("bomb-1.0.tar.gz"), &bomb).unwrap();
    std::fs::write(dir.path().join("requirements.in"), "bomb\n").unwrap();
    let host = support::cli::host(dir.path());
    let find_links = ["--find-links", links.to_str().unwrap()];
    ok(&pinwheel(dir.path())
        .args([
            "lock",
            "requirements.in",
            "-o",
            "requirements.lock",
            "--no-cache",
        ])
        .args(["--index-url", &idx.url(), "--target", &host])
        .args(find_links)
        .output()
        .unwrap());
    let tmp = dir.path().join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let out = pinwheel(dir.path())
        .args(["wheelhouse", "requirements.lock", "-d", "wh", "--no-cache"])
        .args(["--index-url", &idx.url()])
        .args(find_links)
        .env("TMPDIR", &tmp)
        .output()
        .unwrap();
    let err = fails(&out, 7);
    assert!(
        err.contains("bomb-1.0.tar.gz")
            && err.contains("refused to unpack: it expands past 1024 MiB"),
        "{err}"
    );
    assert_eq!(names(&tmp), BTreeSet::new(), "temporaries left");
    // The sdist stays in the wheelhouse, verified, in place of the wheel it could not build.
    let wh = names(&dir.path().join("wh"));
    assert!(wh.contains("bomb-1.0.tar.gz"), "{wh:?}");
    assert!(
        wh.iter()
            .all(|n| !n.ends_with(".whl") && !n.starts_with(".pinwheel-")),
        "{wh:?}"
    );
}

// ---------------------------------------------------------------------------------------
// The cache is checked when read (guarantee 2)

fn cache_files(root: &Path, sub: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.join(sub)];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            if e.path().is_dir() {
                stack.push(e.path());
            } else {
                out.push(e.path());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn damaged_cache_entries_are_discarded_and_fetched_again() {
    let idx = FixtureIndex::start(IndexOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("requirements.in"), "app\n").unwrap();
    let run_lock = || {
        lock_cmd(&idx, d, "requirements.lock", &["--cache-dir", "cache"])
            .output()
            .unwrap()
    };
    ok(&run_lock());
    let first = std::fs::read_to_string(d.join("requirements.lock")).unwrap();
    assert!(first.contains("lib==1.2.0"), "{first}");
    let cache = d.join("cache");
    let metadata = cache_files(&cache, "metadata-v2");
    let pages = cache_files(&cache, "simple-v3");
    assert!(!metadata.is_empty() && !pages.is_empty());

    // A warm run reads everything from the cache: no request at all.
    idx.clear_requests();
    ok(&run_lock());
    assert_eq!(idx.requests().len(), 0, "{:?}", idx.requests());

    // Damage every entry: metadata truncated or rewritten (app's without its dependency on
    // lib), pages with a byte flipped or cut short.
    for (i, m) in metadata.iter().enumerate() {
        let text = std::fs::read_to_string(m).unwrap();
        let damaged = if text.contains("Name: app") {
            text.replace("Requires-Dist: lib>=1.0", "Requires-Dist: shared<2")
        } else if i % 2 == 0 {
            text[..text.len() / 2].to_string()
        } else {
            text.replace("Version: ", "Version: 9")
        };
        std::fs::write(m, damaged).unwrap();
    }
    for (i, p) in pages.iter().enumerate() {
        let mut bytes = std::fs::read(p).unwrap();
        if i % 2 == 0 {
            let n = bytes.len() - 5;
            bytes[n] ^= 0x01;
        } else {
            bytes.truncate(bytes.len() / 2);
        }
        std::fs::write(p, bytes).unwrap();
    }
    idx.clear_requests();
    std::fs::remove_file(d.join("requirements.lock")).unwrap();
    ok(&run_lock());
    let again = std::fs::read_to_string(d.join("requirements.lock")).unwrap();
    assert_eq!(again, first, "the damaged entries were used");
    let asked: Vec<String> = idx.requests().iter().map(|r| r.path.clone()).collect();
    for page in ["/simple/app/", "/simple/lib/"] {
        assert!(
            asked.iter().any(|p| p == page),
            "{page} fetched again: {asked:?}"
        );
    }
    assert!(
        asked
            .iter()
            .any(|p| p.ends_with("app-1.0.0-py3-none-any.whl.metadata")),
        "app's metadata fetched again: {asked:?}"
    );
    // Written whole again: the next run is warm.
    idx.clear_requests();
    ok(&run_lock());
    assert_eq!(idx.requests().len(), 0, "{:?}", idx.requests());

    // Downloaded files: a damaged entry of the file cache is fetched again, never used.
    let wh = |to: &str| {
        pinwheel(d)
            .args(["wheelhouse", "requirements.lock", "-d", to])
            .args(["--cache-dir", "cache", "--index-url", &idx.url()])
            .output()
            .unwrap()
    };
    ok(&wh("wh1"));
    let files = cache_files(&cache, "files-v1");
    assert!(!files.is_empty());
    for f in &files {
        let mut bytes = std::fs::read(f).unwrap();
        bytes.truncate(bytes.len() - 1);
        std::fs::write(f, bytes).unwrap();
    }
    idx.clear_requests();
    ok(&wh("wh2"));
    assert!(
        idx.requests().iter().any(|r| r.path.ends_with(".whl")),
        "files fetched again"
    );
    ok(&pinwheel(d).args(["verify", "wh2"]).output().unwrap());
}
