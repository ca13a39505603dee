//! `wheelhouse --index`: the wheelhouse served as a static index by a real web server (nginx,
//! started here on a free loopback port with a configuration of its own): pip installs a lock
//! from it with `--require-hashes`, uv installs from it, and `pinwheel lock` resolves against it
//! to the same pins. Skipped, with a message, where nginx is not installed (`.ci/run` installs
//! it from Debian's packages where it can).

mod support;

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command as StdCommand, Stdio};

use support::cli::pinwheel;
use support::{tools, FixtureIndex, IndexOptions};

fn nginx() -> Option<PathBuf> {
    ["/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

/// nginx serving `root` on a free port; killed when dropped.
struct Nginx {
    child: Child,
    port: u16,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_nginx(bin: &Path, root: &Path, work: &Path) -> Nginx {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    // PEP 691 by content negotiation: index.json for clients that ask for JSON, else the
    // PEP 503 index.html.
    let conf = format!(
        r#"daemon off;
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {work}/body;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;
    types {{
        text/html html;
        application/vnd.pypi.simple.v1+json json;
    }}
    default_type application/octet-stream;
    map $http_accept $simple_page {{
        ~application/vnd\.pypi\.simple\.v1\+json index.json;
        default index.html;
    }}
    server {{
        listen 127.0.0.1:{port};
        root {root};
        location /simple/ {{
            try_files $uri$simple_page $uri/$simple_page =404;
        }}
    }}
}}
"#,
        work = work.display(),
        root = root.display(),
    );
    let path = work.join("nginx.conf");
    std::fs::write(&path, conf).unwrap();
    let mut child = StdCommand::new(bin)
        .arg("-c")
        .arg(&path)
        .arg("-p")
        .arg(work)
        .arg("-e")
        .arg(work.join("error.log"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until it listens (or has exited, which fails the test with its log).
    for _ in 0..200 {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Nginx { child, port };
        }
        if let Ok(Some(st)) = child.try_wait() {
            panic!(
                "nginx exited ({st}): {}",
                std::fs::read_to_string(work.join("error.log")).unwrap_or_default()
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("nginx did not listen on port {port}");
}

fn pins(lock: &str) -> Vec<String> {
    lock.lines()
        .filter(|l| !l.starts_with([' ', '#', '-']) && !l.is_empty())
        .map(|l| l.trim_end_matches(" \\").to_string())
        .collect()
}

#[test]
fn nginx_serves_the_wheelhouse_to_pip_uv_and_pinwheel() {
    let Some(bin) = nginx() else {
        eprintln!("skipped: nginx_serves_the_wheelhouse_to_pip_uv_and_pinwheel: nginx is not installed (.ci/run installs it with apt-get where it can)");
        return;
    };
    let idx = FixtureIndex::start(IndexOptions::default());
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    // nginx's workers may run as another user: they must read the tree.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let host = String::from_utf8(pinwheel(dir).arg("target").output().unwrap().stdout)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    std::fs::write(dir.join("requirements.in"), "app\nnative\nabi3pkg\n").unwrap();
    let out = pinwheel(dir)
        .args([
            "lock",
            "requirements.in",
            "-o",
            "requirements.lock",
            "--no-cache",
        ])
        .args([
            "--index-url",
            &idx.url(),
            "--target",
            &host,
            "--no-emit-index-url",
        ])
        .output()
        .unwrap();
    tools::ok("lock", &out);
    let out = pinwheel(dir)
        .args([
            "wheelhouse",
            "requirements.lock",
            "-d",
            "wh",
            "--index",
            "--no-cache",
        ])
        .args(["--index-url", &idx.url()])
        .output()
        .unwrap();
    tools::ok("wheelhouse --index", &out);
    assert!(dir.join("wh/simple/native/index.html").exists());
    assert!(dir.join("wh/simple/native/index.json").exists());
    // The index pages are not distribution files: the wheelhouse still verifies.
    tools::ok(
        "verify",
        &pinwheel(dir).args(["verify", "wh"]).output().unwrap(),
    );

    let work = dir.join("nginx");
    std::fs::create_dir_all(&work).unwrap();
    let server = start_nginx(&bin, &dir.join("wh"), &work);
    let url = format!("http://127.0.0.1:{}/simple/", server.port);

    // pip, hash-checking, from the served index.
    let py = tools::fresh_venv(&dir.join("venv-pip"));
    let out = StdCommand::new(&py)
        .args(["-m", "pip", "install", "--no-cache-dir", "--require-hashes"])
        .args(["--index-url", &url, "-r"])
        .arg(dir.join("requirements.lock"))
        .env("PIP_NO_INPUT", "1")
        .env_remove("PIP_FIND_LINKS")
        .output()
        .unwrap();
    tools::ok("pip install --require-hashes from nginx", &out);
    let want = pins(&std::fs::read_to_string(dir.join("requirements.lock")).unwrap());
    let installed = tools::installed(&py);
    for p in &want {
        assert!(installed.contains(p), "{p} not in {installed:?}");
    }

    // uv.
    uv_installs(dir, &url, &[], "uv installs from the static index", &want);

    // pinwheel resolves against it to the same pins and hashes.
    lock_again(dir, &url, &host, "lock against nginx");
    let again = std::fs::read_to_string(dir.join("again.lock")).unwrap();
    assert_eq!(pins(&again), want);
    let hashes = |t: &str| -> Vec<String> {
        t.lines()
            .filter(|l| l.trim_start().starts_with("--hash="))
            .map(|l| l.trim().trim_end_matches(" \\").to_string())
            .collect()
    };
    let first = std::fs::read_to_string(dir.join("requirements.lock")).unwrap();
    // The served index has only the host's files, a subset of the fixture index's.
    assert!(!hashes(&again).is_empty());
    assert!(hashes(&again).iter().all(|h| hashes(&first).contains(h)));
    drop(server);
}

fn host(dir: &Path) -> String {
    String::from_utf8(pinwheel(dir).arg("target").output().unwrap().stdout)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

fn sha256(path: &Path) -> String {
    support::build::sha256_file(path)
}

/// `pip install` in a fresh venv at `venv` from the index at `url` with the requirements `reqs`
/// (a path or a URL), hash-checking; what the installed module `module` says of its build.
fn pip_install(py: &Path, url: &str, reqs: &str) {
    let out = StdCommand::new(py)
        .args(["-m", "pip", "install", "--no-cache-dir", "--require-hashes"])
        .args(["--index-url", url, "-r", reqs])
        .env("PIP_NO_INPUT", "1")
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        .env_remove("PIP_FIND_LINKS")
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .unwrap();
    tools::ok(&format!("pip install -r {reqs} from nginx"), &out);
}

/// The `SOURCE_DATE_EPOCH` the installed fixture module was built with: pinwheel builds with
/// 315532800; pip, building from the sdist here, with none.
fn built_with(py: &Path, module: &str) -> String {
    let out = StdCommand::new(py)
        .args([
            "-c",
            &format!("import {module}; print({module}.SOURCE_DATE_EPOCH)"),
        ])
        .output()
        .unwrap();
    tools::ok("import", &out).trim().to_string()
}

fn page(dir: &Path, project: &str) -> serde_json::Value {
    serde_json::from_slice(
        &std::fs::read(dir.join(format!("simple/{project}/index.json"))).unwrap(),
    )
    .unwrap()
}

fn listed<'a>(page: &'a serde_json::Value, filename: &str) -> &'a serde_json::Value {
    page["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["filename"] == filename)
        .unwrap_or_else(|| panic!("{filename} not in {page:#}"))
}

/// A wheel `wheelhouse` built from an sdist is in the static index beside the sdist, with the
/// sha256 and size of its bytes and the `requires-python` of its own METADATA. The lock's hashes
/// name the original files only: pip `--require-hashes -r requirements.lock` from the index
/// passes over the built wheel and builds the sdist (what the lock allows); the
/// `requirements.index.txt` written beside the index carries the built wheel's hash, and pip and
/// uv install the built wheel with it, hash-checked, with no build.
#[test]
fn built_wheels_are_indexed_and_install_hash_checked_from_nginx() {
    let Some(bin) = nginx() else {
        eprintln!("skipped: built_wheels_are_indexed_and_install_hash_checked_from_nginx: nginx is not installed (.ci/run installs it with apt-get where it can)");
        return;
    };
    let idx = FixtureIndex::start(IndexOptions::default());
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let host = host(dir);
    std::fs::write(dir.join("requirements.in"), "rpbuild\nplatbuild\napp\n").unwrap();
    tools::ok(
        "lock",
        &pinwheel(dir)
            .args(["lock", "requirements.in", "-o", "requirements.lock"])
            .args(["--no-cache", "--index-url", &idx.url(), "--target", &host])
            .arg("--no-emit-index-url")
            .output()
            .unwrap(),
    );
    tools::ok(
        "wheelhouse --index",
        &pinwheel(dir)
            .args(["wheelhouse", "requirements.lock", "-d", "wh", "--index"])
            .args(["--cache-dir", "cache", "--index-url", &idx.url()])
            .env_remove("SOURCE_DATE_EPOCH")
            .output()
            .unwrap(),
    );
    let wh = dir.join("wh");
    let wheel = "rpbuild-1.0.0-py3-none-any.whl";
    let sdist = "rpbuild-1.0.0.tar.gz";
    assert!(wh.join(wheel).exists(), "the sdist was not built");
    let p = page(&wh, "rpbuild");
    let w = listed(&p, wheel);
    assert_eq!(w["hashes"]["sha256"], sha256(&wh.join(wheel)).as_str());
    assert_eq!(w["size"], std::fs::metadata(wh.join(wheel)).unwrap().len());
    assert_eq!(w["requires-python"], ">=3.8");
    // Never uploaded anywhere: no upload time (a later --exclude-newer keeps it).
    assert!(w.get("upload-time").is_none(), "{w:#}");
    let s = listed(&p, sdist);
    assert_eq!(s["hashes"]["sha256"], idx.sha256(sdist).as_str());
    assert_eq!(s["upload-time"], "2024-01-01T00:00:00Z");
    let html = std::fs::read_to_string(wh.join("simple/rpbuild/index.html")).unwrap();
    assert!(
        html.contains(&format!(
            "href=\"../../{wheel}#sha256={}\" data-requires-python=\"&gt;=3.8\"",
            sha256(&wh.join(wheel))
        )),
        "{html}"
    );
    let index_reqs = std::fs::read_to_string(wh.join("requirements.index.txt")).unwrap();
    assert!(!index_reqs.contains("--no-index"), "{index_reqs}");
    assert!(
        index_reqs.contains(&sha256(&wh.join(wheel))),
        "{index_reqs}"
    );
    let lock = std::fs::read_to_string(dir.join("requirements.lock")).unwrap();
    assert!(!lock.contains(&sha256(&wh.join(wheel))));
    // platbuild was built here too, but the lock names its sdist: pip builds it from the index,
    // so its build requirement's wheel is listed there as well.
    let buildtool = "buildtool-1.0.0-py3-none-any.whl";
    assert_eq!(
        listed(&page(&wh, "buildtool"), buildtool)["hashes"]["sha256"],
        idx.sha256(buildtool).as_str()
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(wh.join("pinwheel-manifest.json")).unwrap()).unwrap();
    let entry = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["filename"] == buildtool)
        .expect("buildtool in the manifest");
    assert_eq!(entry["build_requirement_of"][0], "platbuild==1.0.0");
    // requirements.index.txt is the wheelhouse's, not a stray file.
    tools::ok(
        "verify",
        &pinwheel(dir).args(["verify", "wh"]).output().unwrap(),
    );

    let work = dir.join("nginx");
    std::fs::create_dir_all(&work).unwrap();
    let server = start_nginx(&bin, &wh, &work);
    let base = format!("http://127.0.0.1:{}", server.port);
    let url = format!("{base}/simple/");

    // The lock's hashes: pip builds the sdist from the index, as it would from the original.
    let py = tools::fresh_venv(&dir.join("venv-lock"));
    pip_install(
        &py,
        &url,
        &dir.join("requirements.lock").display().to_string(),
    );
    assert_eq!(built_with(&py, "rpbuild"), "None");
    assert!(tools::installed(&py).contains(&"platbuild==1.0.0".to_string()));
    // The index's own hashes (the requirements file fetched from the server, as a fleet does):
    // pinwheel's wheel, no build.
    let py = tools::fresh_venv(&dir.join("venv-index"));
    pip_install(&py, &url, &format!("{base}/requirements.index.txt"));
    assert_eq!(built_with(&py, "rpbuild"), "315532800");
    assert!(tools::installed(&py).contains(&"app==1.0.0".to_string()));

    match tools::tool("uv") {
        None => tools::skip(
            "uv installs the built wheel from the static index",
            "uv is not installed",
        ),
        Some(uv) => {
            let py = tools::fresh_venv(&dir.join("venv-uv"));
            let out = StdCommand::new(uv)
                .args(["pip", "install", "--require-hashes", "--python"])
                .arg(&py)
                .args(["--index-url", &url, "-r"])
                .arg(wh.join("requirements.index.txt"))
                .env("UV_CACHE_DIR", dir.join("uv-cache"))
                .env_remove("SOURCE_DATE_EPOCH")
                .output()
                .unwrap();
            tools::ok("uv pip install -r requirements.index.txt from nginx", &out);
            assert_eq!(built_with(&py, "rpbuild"), "315532800");
        }
    }
    drop(server);
}

fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().display().to_string();
                out.push((rel, std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// `pinwheel index DIR` over a directory of distributions made earlier: the same tree as
/// `wheelhouse --index` (upload times kept from it), idempotent, refused whole with the
/// offending files named when one is not a distribution (the served tree stays as it was);
/// nginx serves it to pip --require-hashes, uv and `pinwheel lock --index-url`.
#[test]
fn pinwheel_index_over_a_directory_serves_pip_uv_and_lock() {
    let idx = FixtureIndex::start(IndexOptions::default());
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let host = host(dir);
    std::fs::write(dir.join("requirements.in"), "app\nnative\nstaticsdist\n").unwrap();
    tools::ok(
        "lock",
        &pinwheel(dir)
            .args(["lock", "requirements.in", "-o", "requirements.lock"])
            .args(["--no-cache", "--index-url", &idx.url(), "--target", &host])
            .arg("--no-emit-index-url")
            .output()
            .unwrap(),
    );
    // A wheelhouse made earlier, without an index; and one made with --index, to compare.
    for (dest, extra) in [("wh", None), ("wh-index", Some("--index"))] {
        let mut c = pinwheel(dir);
        c.args(["wheelhouse", "requirements.lock", "-d", dest])
            .args([
                "--cache-dir",
                "cache",
                "--index-url",
                &idx.url(),
                "--no-build",
            ]);
        c.args(extra);
        tools::ok("wheelhouse", &c.output().unwrap());
    }
    let wh = dir.join("wh");
    let out = pinwheel(dir).args(["index", "wh"]).output().unwrap();
    let said = tools::ok("index", &out) + &String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("Wrote wh/simple"), "{said}");
    assert!(wh.join("simple/index.html").exists());
    let first = tree(&wh.join("simple"));
    // Every file of the wheelhouse, sdist included, with its sha256 and requires-python.
    let p = page(&wh, "staticsdist");
    let s = listed(&p, "staticsdist-1.0.0.tar.gz");
    assert_eq!(
        s["hashes"]["sha256"],
        idx.sha256("staticsdist-1.0.0.tar.gz").as_str()
    );
    // No upload time is known for a bare directory.
    assert!(s.get("upload-time").is_none(), "{s:#}");

    // Idempotent: a second run leaves the tree as it is.
    let out = pinwheel(dir).args(["index", "wh"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("is up to date"));
    tools::ok("index again", &out);
    assert_eq!(tree(&wh.join("simple")), first);
    // A later `wheelhouse` into the directory without --index leaves the tree and says so.
    let out = pinwheel(dir)
        .args(["wheelhouse", "requirements.lock", "-d", "wh"])
        .args([
            "--cache-dir",
            "cache",
            "--index-url",
            &idx.url(),
            "--no-build",
        ])
        .output()
        .unwrap();
    tools::ok("wheelhouse again", &out);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("wh/simple is the static index of an earlier `--index` run and was left as it was; pass --index"),
        "{err}"
    );
    assert_eq!(tree(&wh.join("simple")), first);
    // Over the --index wheelhouse: the very pages `wheelhouse --index` wrote, upload times kept.
    let before = tree(&dir.join("wh-index/simple"));
    let out = pinwheel(dir).args(["index", "wh-index"]).output().unwrap();
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("is up to date"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(tree(&dir.join("wh-index/simple")), before);
    assert_eq!(
        listed(
            &page(&dir.join("wh-index"), "staticsdist"),
            "staticsdist-1.0.0.tar.gz"
        )["upload-time"],
        "2024-01-01T00:00:00Z"
    );

    // Not a distribution: named, exit 2, the tree as it was, no temporary left.
    std::fs::write(wh.join("notes.txt"), "x").unwrap();
    std::fs::write(wh.join("broken-1.0-py3-none-any.whl"), "not a zip").unwrap();
    let out = pinwheel(dir).args(["index", "wh"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("2 files in wh are not a distribution"),
        "{err}"
    );
    assert!(err.contains("notes.txt: not a distribution"), "{err}");
    assert!(
        err.contains("broken-1.0-py3-none-any.whl: not a wheel"),
        "{err}"
    );
    assert!(err.contains("hint:"), "{err}");
    assert_eq!(tree(&wh.join("simple")), first);
    let hidden: Vec<String> = std::fs::read_dir(&wh)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(hidden.is_empty(), "{hidden:?}");
    std::fs::remove_file(wh.join("notes.txt")).unwrap();
    std::fs::remove_file(wh.join("broken-1.0-py3-none-any.whl")).unwrap();
    let out = pinwheel(dir).args(["index", "nowhere"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nowhere: not a directory"));

    let Some(bin) = nginx() else {
        eprintln!("skipped: pinwheel_index_over_a_directory_serves_pip_uv_and_lock (serving): nginx is not installed (.ci/run installs it with apt-get where it can)");
        return;
    };
    let work = dir.join("nginx");
    std::fs::create_dir_all(&work).unwrap();
    let server = start_nginx(&bin, &wh, &work);
    let url = format!("http://127.0.0.1:{}/simple/", server.port);
    let want = pins(&std::fs::read_to_string(dir.join("requirements.lock")).unwrap());
    let py = tools::fresh_venv(&dir.join("venv-pip"));
    pip_install(
        &py,
        &url,
        &dir.join("requirements.lock").display().to_string(),
    );
    let installed = tools::installed(&py);
    for p in &want {
        assert!(installed.contains(p), "{p} not in {installed:?}");
    }
    uv_installs(
        dir,
        &url,
        &["--require-hashes"],
        "uv installs from `pinwheel index`",
        &want,
    );
    lock_again(dir, &url, &host, "lock against `pinwheel index`");
    assert_eq!(
        pins(&std::fs::read_to_string(dir.join("again.lock")).unwrap()),
        want
    );
    drop(server);
}

/// uv installs `dir/requirements.lock` from the index at `url` (with `extra` flags) into a
/// fresh venv and gets exactly `want`; skipped, saying so, when uv is not installed.
fn uv_installs(dir: &Path, url: &str, extra: &[&str], what: &str, want: &[String]) {
    let Some(uv) = tools::tool("uv") else {
        tools::skip(what, "uv is not installed");
        return;
    };
    let py = tools::fresh_venv(&dir.join("venv-uv"));
    let out = StdCommand::new(uv)
        .args(["pip", "install"])
        .args(extra)
        .arg("--python")
        .arg(&py)
        .args(["--index-url", url, "-r"])
        .arg(dir.join("requirements.lock"))
        .env("UV_CACHE_DIR", dir.join("uv-cache"))
        .output()
        .unwrap();
    tools::ok(what, &out);
    assert_eq!(tools::installed(&py), want);
}

/// `pinwheel lock requirements.in -o again.lock` against the index at `url` for `host`.
fn lock_again(dir: &Path, url: &str, host: &str, what: &str) {
    let out = pinwheel(dir)
        .args(["lock", "requirements.in", "-o", "again.lock", "--no-cache"])
        .args(["--index-url", url, "--target", host, "--no-emit-index-url"])
        .output()
        .unwrap();
    tools::ok(what, &out);
}
