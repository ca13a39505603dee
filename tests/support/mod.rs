//! Hermetic test infrastructure: a package index generated from TOML fixture specs (real wheels
//! and sdists, built fresh per server), served over loopback HTTP with the behaviours the tests
//! need to switch: PEP 691 JSON or PEP 503 HTML, range requests or not, PEP 658 metadata
//! advertised, unadvertised or absent, basic auth, transient failures, and faults switchable per
//! path ([`Fault`]: failing statuses, resets and truncation mid-body, trickling, wrong bytes,
//! redirects, hostile pages). Every request is logged. With [`IndexOptions::tls`] it is served
//! over https instead, with a certificate of a CA made for that server ([`tls`]).
#![allow(dead_code)]

pub mod build;
pub mod cli;
pub mod tls;
pub mod tools;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

pub use build::{build_index, Built};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// PEP 691 JSON when asked for by Accept, else HTML (as PyPI).
    Json,
    /// PEP 503 HTML only.
    Html,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetadataMode {
    /// PEP 658/714: listed and served.
    Advertised,
    /// Served as `<file>.metadata` but not listed (like the index our machines reach).
    Unadvertised,
    /// Not served.
    Absent,
}

#[derive(Clone, Debug)]
pub struct IndexOptions {
    pub format: Format,
    pub range_requests: bool,
    pub metadata: MetadataMode,
    pub basic_auth: Option<(String, String)>,
    pub cache_control: String,
    /// Answer 503 to the first N GETs of these files.
    pub fail_first: HashMap<String, u32>,
    /// Answer this status (e.g. 403, as object stores do for missing keys) to every
    /// `<file>.metadata` request, whatever `metadata` says.
    pub metadata_status: Option<u16>,
    /// Honour only suffix ranges (`bytes=-N`); answer others with the whole file (200), as
    /// some proxies do.
    pub suffix_ranges_only: bool,
    /// List each file's sha256 (JSON `hashes`, HTML `#sha256=`); off: listings without hashes.
    pub hashes: bool,
    /// Hold the answer to requests whose path contains `.0` until a request whose path
    /// contains `.1` arrives (at most 5 s; `FixtureIndex::hold_timed_out` tells).
    pub hold_until: Option<(String, String)>,
    /// `(seed, max_ms)`: delay every answer by a pseudo-random time in `0..=max_ms`, drawn
    /// from a generator seeded with `seed` (one draw per request, in order of arrival).
    pub latency: Option<(u64, u64)>,
    /// Faults, each for the requests whose path ends with the string (the first that matches
    /// and still has tries left applies).
    pub faults: Vec<(String, Fault)>,
    /// Serve over https (TLS 1.2/1.3, rustls) with a certificate for `127.0.0.1` and
    /// `localhost` signed by a CA made for this server: [`FixtureIndex::ca_pem`].
    pub tls: bool,
}

/// What a faulty server does to a request, `times` times (`None`: every time).
#[derive(Clone, Debug)]
pub enum Fault {
    /// Answer this status (with `Retry-After` when given) instead.
    Status {
        status: u16,
        retry_after: Option<String>,
        times: Option<u32>,
    },
    /// Send the headers with the full length, half the body, then reset the connection.
    Reset { times: Option<u32> },
    /// Send the headers with the full length, half the body, then close the connection.
    Truncate { times: Option<u32> },
    /// Send the body `chunk` bytes at a time, pausing `pause_ms` before each.
    Trickle {
        chunk: usize,
        pause_ms: u64,
        times: Option<u32>,
    },
    /// Serve these bytes as the body (200, any content type kept) instead.
    Bytes { body: Vec<u8>, times: Option<u32> },
    /// Serve this page (200) with this content type instead.
    Page {
        content_type: String,
        body: String,
        times: Option<u32>,
    },
    /// Redirect (302) to this location.
    Redirect {
        location: String,
        times: Option<u32>,
    },
    /// Answer 200 with a body of `bytes` filler bytes, announced by `Content-Length` when
    /// `declared`, else sent chunked (no length); streamed, never held in memory, until the
    /// client hangs up.
    Huge {
        bytes: u64,
        declared: bool,
        times: Option<u32>,
    },
}

impl Fault {
    fn times(&mut self) -> &mut Option<u32> {
        match self {
            Fault::Status { times, .. }
            | Fault::Reset { times }
            | Fault::Truncate { times }
            | Fault::Trickle { times, .. }
            | Fault::Bytes { times, .. }
            | Fault::Page { times, .. }
            | Fault::Redirect { times, .. }
            | Fault::Huge { times, .. } => times,
        }
    }
}

impl Default for IndexOptions {
    fn default() -> Self {
        IndexOptions {
            format: Format::Json,
            range_requests: true,
            metadata: MetadataMode::Unadvertised,
            basic_auth: None,
            cache_control: "max-age=600, public".into(),
            fail_first: HashMap::new(),
            metadata_status: None,
            suffix_ranges_only: false,
            hashes: true,
            hold_until: None,
            latency: None,
            faults: Vec::new(),
            tls: false,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub range: Option<String>,
    pub accept: Option<String>,
    pub status: u16,
}

struct State {
    opts: IndexOptions,
    built: Built,
    log: Mutex<Vec<Request>>,
    failures: Mutex<HashMap<String, u32>>,
    /// Paths in order of arrival (the log records them when answered).
    arrived: Mutex<Vec<String>>,
    arrival: Condvar,
    hold_timed_out: AtomicBool,
    /// State of the latency generator (`IndexOptions::latency`).
    latency_state: Mutex<u64>,
    /// Faults with their tries left.
    faults: Mutex<Vec<(String, Fault)>>,
}

pub struct FixtureIndex {
    port: u16,
    state: Arc<State>,
    /// The CA that signed the server's certificate, PEM (with [`IndexOptions::tls`]).
    ca_pem: Option<String>,
    _dir: tempfile::TempDir,
}

impl FixtureIndex {
    /// Serves the fixtures of `fixtures/index`.
    pub fn start(opts: IndexOptions) -> Self {
        Self::start_from(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/index"),
            opts,
        )
    }

    /// Builds the projects specified in `dir/*.toml` and serves them.
    pub fn start_from(dir: &Path, opts: IndexOptions) -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let built = build_index(dir, tmp.path());
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let authority = opts.tls.then(tls::Authority::new);
        let server_tls = authority.as_ref().map(|a| a.server.clone());
        let state = Arc::new(State {
            failures: Mutex::new(opts.fail_first.clone()),
            faults: Mutex::new(opts.faults.clone()),
            latency_state: Mutex::new(opts.latency.map_or(0, |(seed, _)| seed)),
            opts,
            built,
            log: Mutex::default(),
            arrived: Mutex::default(),
            arrival: Condvar::new(),
            hold_timed_out: AtomicBool::new(false),
        });
        let s = state.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let s = s.clone();
                let server_tls = server_tls.clone();
                std::thread::spawn(move || {
                    let _ = match server_tls {
                        Some(config) => match rustls::ServerConnection::new(config) {
                            Ok(conn) => serve(rustls::StreamOwned::new(conn, stream), &s),
                            Err(_) => Ok(()),
                        },
                        None => serve(stream, &s),
                    };
                });
            }
        });
        FixtureIndex {
            port,
            state,
            ca_pem: authority.map(|a| a.pem),
            _dir: tmp,
        }
    }

    pub fn base(&self) -> String {
        let scheme = if self.state.opts.tls { "https" } else { "http" };
        format!("{scheme}://127.0.0.1:{}", self.port)
    }

    /// The PEM of the CA the server's certificate chains to (`None` over plain http).
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    pub fn url(&self) -> String {
        format!("{}/simple/", self.base())
    }

    pub fn files_dir(&self) -> &Path {
        &self.state.built.files_dir
    }

    pub fn sha256(&self, filename: &str) -> String {
        build::sha256_file(&self.files_dir().join(filename))
    }

    pub fn requests(&self) -> Vec<Request> {
        self.state.log.lock().unwrap().clone()
    }

    /// Whether a held answer (`IndexOptions::hold_until`) was released by the timeout rather
    /// than by the awaited request.
    pub fn hold_timed_out(&self) -> bool {
        self.state.hold_timed_out.load(Ordering::SeqCst)
    }

    pub fn clear_requests(&self) {
        self.state.log.lock().unwrap().clear();
    }
}

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn new(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Response {
            status,
            headers: Vec::new(),
            body: body.into(),
        }
    }

    fn header(mut self, k: &str, v: impl Into<String>) -> Self {
        self.headers.push((k.into(), v.into()));
        self
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        206 => "Partial Content",
        301 => "Moved Permanently",
        304 => "Not Modified",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        410 => "Gone",
        416 => "Range Not Satisfiable",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        302 => "Found",
        503 => "Service Unavailable",
        _ => "Other",
    }
}

/// A connection the server answers on: plain TCP, or TLS over TCP.
trait Conn: Read + Write {
    /// The TCP socket underneath (to reset it).
    fn tcp(&self) -> &TcpStream;
}

impl Conn for TcpStream {
    fn tcp(&self) -> &TcpStream {
        self
    }
}

impl Conn for rustls::StreamOwned<rustls::ServerConnection, TcpStream> {
    fn tcp(&self) -> &TcpStream {
        &self.sock
    }
}

fn serve(stream: impl Conn, state: &State) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or("").to_string();
        let target = parts.next().unwrap_or("/").to_string();
        let mut headers: HashMap<String, String> = HashMap::new();
        loop {
            let mut h = String::new();
            reader.read_line(&mut h)?;
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
            }
        }
        if let Some(n) = headers
            .get("content-length")
            .and_then(|n| n.parse::<usize>().ok())
        {
            let mut body = vec![0; n];
            reader.read_exact(&mut body)?;
        }
        let path = target.split('?').next().unwrap_or("/").to_string();
        arrive(state, &path);
        delay(state);
        let fault = take_fault(state, &path);
        let mut resp = handle(state, &method, &path, &headers);
        match &fault {
            Some(Fault::Status {
                status,
                retry_after,
                ..
            }) => {
                resp = Response::new(*status, "fault");
                if let Some(r) = retry_after {
                    resp = resp.header("Retry-After", r.clone());
                }
            }
            Some(Fault::Bytes { body, .. }) => {
                resp.status = 200;
                resp.body = body.clone();
                resp.headers.retain(|(k, _)| k != "Content-Range");
            }
            Some(Fault::Page {
                content_type, body, ..
            }) => {
                resp =
                    Response::new(200, body.clone()).header("Content-Type", content_type.clone());
            }
            Some(Fault::Redirect { location, .. }) => {
                resp = Response::new(302, "").header("Location", location.clone());
            }
            _ => {}
        }
        state.log.lock().unwrap().push(Request {
            method: method.clone(),
            path,
            range: headers.get("range").cloned(),
            accept: headers.get("accept").cloned(),
            status: resp.status,
        });
        let out = reader.get_mut();
        if let Some(Fault::Huge {
            bytes, declared, ..
        }) = &fault
        {
            return send_huge(out, *bytes, *declared);
        }
        let mut head = format!("HTTP/1.1 {} {}\r\n", resp.status, reason(resp.status));
        for (k, v) in &resp.headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str(&format!("Content-Length: {}\r\n", resp.body.len()));
        let close = headers
            .get("connection")
            .is_some_and(|c| c.eq_ignore_ascii_case("close"));
        head.push_str(if close {
            "Connection: close\r\n\r\n"
        } else {
            "Connection: keep-alive\r\n\r\n"
        });
        out.write_all(head.as_bytes())?;
        if method != "HEAD" {
            match &fault {
                Some(Fault::Reset { .. }) => {
                    out.write_all(&resp.body[..resp.body.len() / 2])?;
                    out.flush()?;
                    reset(out.tcp());
                    return Ok(());
                }
                Some(Fault::Truncate { .. }) => {
                    out.write_all(&resp.body[..resp.body.len() / 2])?;
                    out.flush()?;
                    return Ok(());
                }
                Some(Fault::Trickle {
                    chunk, pause_ms, ..
                }) => {
                    for part in resp.body.chunks((*chunk).max(1)) {
                        std::thread::sleep(Duration::from_millis(*pause_ms));
                        out.write_all(part)?;
                        out.flush()?;
                    }
                }
                _ => out.write_all(&resp.body)?,
            }
        }
        out.flush()?;
        if close {
            return Ok(());
        }
    }
}

/// Streams `bytes` filler bytes (`Fault::Huge`), then closes the connection.
fn send_huge(out: &mut impl Write, bytes: u64, declared: bool) -> std::io::Result<()> {
    let framing = if declared {
        format!("Content-Length: {bytes}")
    } else {
        "Transfer-Encoding: chunked".to_string()
    };
    write!(
        out,
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n{framing}\r\nConnection: close\r\n\r\n"
    )?;
    let chunk = vec![b'a'; 1 << 20];
    let mut left = bytes;
    while left > 0 {
        let n = left.min(chunk.len() as u64) as usize;
        if declared {
            out.write_all(&chunk[..n])?;
        } else {
            write!(out, "{n:x}\r\n")?;
            out.write_all(&chunk[..n])?;
            out.write_all(b"\r\n")?;
        }
        left -= n as u64;
    }
    if !declared {
        out.write_all(b"0\r\n\r\n")?;
    }
    out.flush()
}

/// The fault for this path, if one applies; counts its use.
fn take_fault(state: &State, path: &str) -> Option<Fault> {
    let mut faults = state.faults.lock().unwrap();
    let (_, fault) = faults
        .iter_mut()
        .find(|(p, f)| path.ends_with(p.as_str()) && f.clone().times().is_none_or(|n| n > 0))?;
    if let Some(n) = fault.times() {
        *n -= 1;
    }
    Some(fault.clone())
}

/// Closes the connection with a TCP reset (SO_LINGER 0) rather than an orderly FIN.
fn reset(stream: &TcpStream) {
    use std::os::unix::io::AsRawFd;
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: setsockopt on a socket this stream owns, with a correctly sized value.
    unsafe {
        libc::setsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            &linger as *const libc::linger as *const libc::c_void,
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        );
    }
    let _ = stream.shutdown(std::net::Shutdown::Read);
}

/// Sleeps for the next draw of the seeded latency generator (splitmix64), if one is set.
fn delay(state: &State) {
    let Some((_, max_ms)) = state.opts.latency else {
        return;
    };
    let ms = {
        let mut x = state.latency_state.lock().unwrap();
        *x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = *x;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % (max_ms + 1)
    };
    std::thread::sleep(Duration::from_millis(ms));
}

/// Records an arrival and, for a held path, waits for the awaited one.
fn arrive(state: &State, path: &str) {
    let mut arrived = state.arrived.lock().unwrap();
    arrived.push(path.to_string());
    state.arrival.notify_all();
    let Some((held, until)) = &state.opts.hold_until else {
        return;
    };
    if !path.contains(held.as_str()) {
        return;
    }
    let (guard, wait) = state
        .arrival
        .wait_timeout_while(arrived, Duration::from_secs(5), |a| {
            !a.iter().any(|p| p.contains(until.as_str()))
        })
        .unwrap();
    drop(guard);
    if wait.timed_out() {
        state.hold_timed_out.store(true, Ordering::SeqCst);
    }
}

fn normalize(name: &str) -> String {
    build::escape(name).replace('_', "-")
}

fn authorized(state: &State, headers: &HashMap<String, String>) -> bool {
    let Some((u, p)) = &state.opts.basic_auth else {
        return true;
    };
    let expected = format!("Basic {}", build::base64(format!("{u}:{p}").as_bytes()));
    headers.get("authorization") == Some(&expected)
}

fn handle(state: &State, method: &str, path: &str, headers: &HashMap<String, String>) -> Response {
    if !authorized(state, headers) {
        return Response::new(401, "unauthorized")
            .header("WWW-Authenticate", "Basic realm=\"fixture\"");
    }
    let built = &state.built;
    if path == "/simple/" {
        let names: Vec<&String> = built.projects.keys().collect();
        let body = names
            .iter()
            .map(|n| format!("<a href=\"{n}/\">{n}</a>"))
            .collect::<Vec<_>>()
            .join("\n");
        return Response::new(200, format!("<html><body>{body}</body></html>"))
            .header("Content-Type", "text/html");
    }
    if let Some(rest) = path.strip_prefix("/simple/") {
        let name = rest.trim_end_matches('/');
        let norm = normalize(name);
        if (norm != name || !rest.ends_with('/')) && built.projects.contains_key(&norm) {
            return Response::new(301, "").header("Location", format!("/simple/{norm}/"));
        }
        let Some(files) = built.projects.get(&norm) else {
            return Response::new(404, "not found");
        };
        let json = state.opts.format == Format::Json
            && headers
                .get("accept")
                .is_some_and(|a| a.contains("application/vnd.pypi.simple.v1+json"));
        let (body, ctype) = if json {
            (
                project_json(built, files, &state.opts),
                "application/vnd.pypi.simple.v1+json",
            )
        } else {
            (project_html(built, files, &state.opts), "text/html")
        };
        let etag = format!("\"{}\"", &build::sha256_bytes(body.as_bytes())[..16]);
        if headers.get("if-none-match") == Some(&etag) {
            return Response::new(304, "")
                .header("ETag", etag)
                .header("Cache-Control", state.opts.cache_control.clone());
        }
        return Response::new(200, body)
            .header("Content-Type", ctype)
            .header("ETag", etag)
            .header("Cache-Control", state.opts.cache_control.clone());
    }
    if let Some(name) = path.strip_prefix("/files/") {
        let name = percent_decode(name);
        if let Some(wheel) = name.strip_suffix(".metadata") {
            if let Some(status) = state.opts.metadata_status {
                return Response::new(status, "no metadata for you");
            }
            if state.opts.metadata == MetadataMode::Absent {
                return Response::new(404, "no metadata");
            }
            return match built.files.get(wheel).and_then(|f| f.metadata.clone()) {
                Some(m) => Response::new(200, m),
                None => Response::new(404, "no metadata"),
            };
        }
        if !built.files.contains_key(&name) {
            return Response::new(404, "no such file");
        }
        if method == "GET" {
            let mut failures = state.failures.lock().unwrap();
            if let Some(n) = failures.get_mut(&name) {
                if *n > 0 {
                    *n -= 1;
                    return Response::new(503, "try again");
                }
            }
        }
        // Read from disk each time: tests may corrupt or remove files.
        let Ok(bytes) = std::fs::read(built.files_dir.join(&name)) else {
            return Response::new(404, "gone");
        };
        if state.opts.range_requests {
            if let Some(range) = headers.get("range") {
                let suffix = range.trim().starts_with("bytes=-");
                if suffix || !state.opts.suffix_ranges_only {
                    return ranged(&bytes, range);
                }
            }
            return Response::new(200, bytes).header("Accept-Ranges", "bytes");
        }
        return Response::new(200, bytes);
    }
    Response::new(404, "not found")
}

fn ranged(bytes: &[u8], range: &str) -> Response {
    let len = bytes.len() as u64;
    let spec = range.trim().strip_prefix("bytes=").unwrap_or("");
    let (start, end) = match spec.split_once('-') {
        Some(("", n)) => {
            let n: u64 = n.parse().unwrap_or(0);
            (len.saturating_sub(n), len.saturating_sub(1))
        }
        Some((a, "")) => (a.parse().unwrap_or(len), len.saturating_sub(1)),
        Some((a, b)) => (
            a.parse().unwrap_or(len),
            b.parse::<u64>().unwrap_or(0).min(len.saturating_sub(1)),
        ),
        None => (len, 0),
    };
    if start >= len || start > end {
        return Response::new(416, "").header("Content-Range", format!("bytes */{len}"));
    }
    Response::new(206, bytes[start as usize..=end as usize].to_vec())
        .header("Content-Range", format!("bytes {start}-{end}/{len}"))
        .header("Accept-Ranges", "bytes")
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn project_json(built: &Built, files: &[String], opts: &IndexOptions) -> String {
    let mode = opts.metadata;
    let entries: Vec<serde_json::Value> = files
        .iter()
        .map(|f| {
            let info = &built.files[f];
            let mut v = serde_json::json!({
                "filename": f,
                "url": format!("../../files/{f}"),
                "hashes": if opts.hashes { serde_json::json!({"sha256": info.sha256}) } else { serde_json::json!({}) },
                "requires-python": info.requires_python,
                "yanked": match &info.yanked { Some(r) if r.is_empty() => serde_json::json!(true), Some(r) => serde_json::json!(r), None => serde_json::json!(false) },
                "upload-time": info.upload_time,
                "size": info.size,
            });
            if mode == MetadataMode::Advertised {
                if let Some(m) = &info.metadata {
                    v["core-metadata"] = serde_json::json!({"sha256": build::sha256_bytes(m)});
                }
            }
            v
        })
        .collect();
    serde_json::json!({"meta": {"api-version": "1.1"}, "files": entries}).to_string()
}

fn project_html(built: &Built, files: &[String], opts: &IndexOptions) -> String {
    let mode = opts.metadata;
    let mut out = String::from("<!DOCTYPE html>\n<html><body>\n");
    for f in files {
        let info = &built.files[f];
        let mut attrs = if opts.hashes {
            format!("href=\"../../files/{f}#sha256={}\"", info.sha256)
        } else {
            format!("href=\"../../files/{f}\"")
        };
        if let Some(rp) = &info.requires_python {
            attrs.push_str(&format!(" data-requires-python=\"{}\"", html_escape(rp)));
        }
        if let Some(y) = &info.yanked {
            attrs.push_str(&format!(" data-yanked=\"{}\"", html_escape(y)));
        }
        if mode == MetadataMode::Advertised {
            if let Some(m) = &info.metadata {
                let h = build::sha256_bytes(m);
                attrs.push_str(&format!(
                    " data-core-metadata=\"sha256={h}\" data-dist-info-metadata=\"sha256={h}\""
                ));
            }
        }
        out.push_str(&format!("<a {attrs}>{f}</a><br/>\n"));
    }
    out.push_str("</body></html>\n");
    out
}
