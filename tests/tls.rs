//! An index over https (README "Indexes, credentials, TLS, cache", guarantees 6 and 7): the
//! loopback index serves the fixtures with a certificate of a CA made for each server, so the
//! binary trusts it only through the CA's PEM given with `--cert`, with `SSL_CERT_FILE`, or in
//! the operating system's store as OpenSSL finds it (`SSL_CERT_DIR`); an untrusted server, a
//! `--cert` that is not PEM, and a redirect from https down to plain http are refused with a
//! message saying what to do, and nothing is fetched over http.

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;

use support::cli::{fails, names, ok, pinwheel, Redactions};
use support::{Fault, FixtureIndex, IndexOptions};

const T312: &str = "cp312-manylinux_2_28_x86_64";
const SHARED: &str = "shared-1.5.0-py3-none-any.whl";

fn https(faults: Vec<(String, Fault)>) -> FixtureIndex {
    FixtureIndex::start(IndexOptions {
        tls: true,
        faults,
        ..Default::default()
    })
}

/// Writes the server's CA to `dir/ca.pem`.
fn ca_file(idx: &FixtureIndex, dir: &Path) -> PathBuf {
    let path = dir.join("ca.pem");
    std::fs::write(&path, idx.ca_pem().unwrap()).unwrap();
    path
}

/// `pinwheel` in `dir` with no CA bundle from the environment (`SSL_CERT_FILE`,
/// `SSL_CERT_DIR`): only what a test gives is trusted besides the system store.
fn cmd(dir: &Path) -> assert_cmd::Command {
    let mut c = pinwheel(dir);
    c.env_remove("SSL_CERT_FILE").env_remove("SSL_CERT_DIR");
    c
}

/// `lock shared<2` against `idx` into `dir/requirements.lock`, with `extra` arguments and
/// environment.
fn lock(idx: &FixtureIndex, dir: &Path, extra: &[&str], env: &[(&str, &Path)]) -> Output {
    std::fs::write(dir.join("requirements.in"), "shared<2\n").unwrap();
    let mut c = cmd(dir);
    c.args(["lock", "requirements.in", "-o", "requirements.lock"])
        .args(["--no-cache", "--index-url", &idx.url(), "--target", T312])
        .args(extra);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

fn locked(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("requirements.lock")).unwrap()
}

#[test]
fn an_https_index_is_trusted_through_cert_ssl_cert_file_and_the_system_store() {
    let idx = https(vec![]);
    let dir = tempfile::tempdir().unwrap();
    let ca = ca_file(&idx, dir.path());

    // --cert FILE.
    ok(&lock(
        &idx,
        dir.path(),
        &["--cert", ca.to_str().unwrap()],
        &[],
    ));
    assert!(
        locked(dir.path()).contains("shared==1.5.0"),
        "{}",
        locked(dir.path())
    );
    std::fs::remove_file(dir.path().join("requirements.lock")).unwrap();

    // SSL_CERT_FILE.
    ok(&lock(&idx, dir.path(), &[], &[("SSL_CERT_FILE", &ca)]));
    assert!(locked(dir.path()).contains("shared==1.5.0"));
    std::fs::remove_file(dir.path().join("requirements.lock")).unwrap();

    // The operating system's store, found as OpenSSL finds it: a directory of certificates.
    let store = dir.path().join("certs");
    std::fs::create_dir(&store).unwrap();
    std::fs::copy(&ca, store.join("test-ca.pem")).unwrap();
    ok(&lock(&idx, dir.path(), &[], &[("SSL_CERT_DIR", &store)]));
    assert!(locked(dir.path()).contains("shared==1.5.0"));

    // Downloads use their own connections (HTTP/1.1, the bulk client): the same trust.
    let out = cmd(dir.path())
        .args(["wheelhouse", "requirements.lock", "-d", "wh", "--no-cache"])
        .args(["--index-url", &idx.url(), "--cert", ca.to_str().unwrap()])
        .output()
        .unwrap();
    ok(&out);
    assert!(names(&dir.path().join("wh")).contains(SHARED));
    assert!(
        idx.requests().iter().any(|r| r.path.ends_with(SHARED)),
        "the wheel came over https from the index"
    );
}

#[test]
fn an_untrusted_https_index_fails_naming_the_url_and_the_ca_options() {
    let idx = https(vec![]);
    let dir = tempfile::tempdir().unwrap();
    let out = lock(&idx, dir.path(), &[], &[]);
    fails(&out, 4);
    assert!(!dir.path().join("requirements.lock").exists());
    insta::assert_snapshot!(
        "untrusted_https_index",
        Redactions::new(&idx, dir.path()).transcript(&out)
    );
}

#[test]
fn a_cert_that_is_not_pem_is_a_clear_error() {
    let idx = https(vec![]);
    let dir = tempfile::tempdir().unwrap();
    let ca = ca_file(&idx, dir.path());
    // Text that is no certificate, and the CA in DER (a common slip).
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "not a certificate\n").unwrap();
    let pem = std::fs::read_to_string(&ca).unwrap();
    let der = dir.path().join("ca.der");
    std::fs::write(&der, pem_body(&pem)).unwrap();
    let redact = Redactions::new(&idx, dir.path());
    for (name, path) in [("cert_not_pem_text", &text), ("cert_not_pem_der", &der)] {
        let out = lock(&idx, dir.path(), &["--cert", path.to_str().unwrap()], &[]);
        fails(&out, 2);
        insta::assert_snapshot!(name, redact.transcript(&out));
        // The same file given by SSL_CERT_FILE is named the same way.
        let out = lock(&idx, dir.path(), &[], &[("SSL_CERT_FILE", path)]);
        let err = fails(&out, 2);
        assert!(
            err.contains(&format!("cannot use the CA bundle {}", path.display())),
            "{err}"
        );
    }
    assert!(!dir.path().join("requirements.lock").exists());
    assert!(
        idx.requests().is_empty(),
        "nothing asked before the bundle was read"
    );
}

/// The DER bytes of a one-certificate PEM.
fn pem_body(pem: &str) -> Vec<u8> {
    use base64::Engine;
    let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap()
}

#[test]
fn redirects_from_https_to_http_are_refused_and_nothing_goes_over_http() {
    // A plain-http copy of the index, where the redirects point: it must never be asked.
    let plain = FixtureIndex::start(IndexOptions::default());

    // A project page.
    let idx = https(vec![(
        "/simple/shared/".into(),
        Fault::Redirect {
            location: format!("{}/simple/shared/", plain.base()),
            times: None,
        },
    )]);
    let dir = tempfile::tempdir().unwrap();
    let ca = ca_file(&idx, dir.path());
    let out = lock(&idx, dir.path(), &["--cert", ca.to_str().unwrap()], &[]);
    fails(&out, 4);
    assert!(!dir.path().join("requirements.lock").exists());
    insta::assert_snapshot!(
        "https_page_redirected_to_http",
        Redactions::new(&idx, dir.path())
            .with(plain.base(), "[PLAIN-HTTP]")
            .transcript(&out)
    );
    assert!(plain.requests().is_empty(), "{:?}", plain.requests());

    // A file: locked over https, then the download is redirected.
    let idx = https(vec![(
        format!("/files/{SHARED}"),
        Fault::Redirect {
            location: format!("{}/files/{SHARED}", plain.base()),
            times: None,
        },
    )]);
    let dir = tempfile::tempdir().unwrap();
    let ca = ca_file(&idx, dir.path());
    ok(&lock(
        &idx,
        dir.path(),
        &["--cert", ca.to_str().unwrap()],
        &[],
    ));
    let out = cmd(dir.path())
        .args(["wheelhouse", "requirements.lock", "-d", "wh", "--no-cache"])
        .args(["--index-url", &idx.url(), "--cert", ca.to_str().unwrap()])
        .output()
        .unwrap();
    let err = fails(&out, 4);
    let redact = Redactions::new(&idx, dir.path()).with(plain.base(), "[PLAIN-HTTP]");
    assert!(
        redact.apply(&err).contains(&format!(
            "[HOST]/files/{SHARED}: redirected to [PLAIN-HTTP]/files/{SHARED}: not followed"
        )),
        "{err}"
    );
    insta::assert_snapshot!("https_file_redirected_to_http", redact.transcript(&out));
    // Nothing under a final name, no temporary left (downloads stream to `.pinwheel-*`).
    let left = names(&dir.path().join("wh"));
    assert!(
        left.iter()
            .all(|n| !n.starts_with(".pinwheel-") && !n.ends_with(".whl")),
        "{left:?}"
    );
    assert!(plain.requests().is_empty(), "{:?}", plain.requests());
}
