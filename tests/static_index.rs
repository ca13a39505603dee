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
    match tools::tool("uv") {
        None => tools::skip("uv installs from the static index", "uv is not installed"),
        Some(uv) => {
            let py = tools::fresh_venv(&dir.join("venv-uv"));
            let out = StdCommand::new(uv)
                .args(["pip", "install", "--python"])
                .arg(&py)
                .args(["--index-url", &url, "-r"])
                .arg(dir.join("requirements.lock"))
                .env("UV_CACHE_DIR", dir.join("uv-cache"))
                .output()
                .unwrap();
            tools::ok("uv pip install from nginx", &out);
            assert_eq!(tools::installed(&py), want);
        }
    }

    // pinwheel resolves against it to the same pins and hashes.
    let out = pinwheel(dir)
        .args(["lock", "requirements.in", "-o", "again.lock", "--no-cache"])
        .args([
            "--index-url",
            &url,
            "--target",
            &host,
            "--no-emit-index-url",
        ])
        .output()
        .unwrap();
    tools::ok("lock against nginx", &out);
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
