//! The index client: fetches project pages (PEP 691 JSON first, PEP 503 HTML fallback) from the
//! configured indexes in pip's order, `--find-links` directories and pages, and core metadata by
//! the cheapest route the server allows: PEP 658/714 `.metadata`, else HTTP range requests into the
//! wheel's zip, else the whole file; sdists by PKG-INFO (PEP 643) or a PEP 517 build, which the
//! client asks of the [`SdistBuilder`] it was given.
//! Concurrency is bounded by a semaphore; every answer is memoised, so asking twice costs nothing.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::header::{
    HeaderMap, HeaderValue, ACCEPT, CACHE_CONTROL, CONTENT_RANGE, CONTENT_TYPE, ETAG, LAST_MODIFIED,
};
use reqwest::StatusCode;
use sha2::{Digest, Sha256};
use tokio::sync::{OnceCell, Semaphore};
use url::Url;

use super::auth::Credentials;
use super::builder::{Sdist, SdistBuilder};
use super::cache::{digest_key, Cache, CachedPage};
use super::simple::{self, IndexFile, ProjectPage};
use super::DisplaySafeUrl;
use super::{Cause, IndexError};
use crate::distribution::filename::version_part;
use crate::distribution::zip_ranges;

/// How the client is set up; built by the CLI from flags, environment and config.
#[derive(Debug, Clone, Default)]
pub struct ClientOptions {
    /// Indexes in pip's order: the `--index-url` first, then each `--extra-index-url`.
    pub indexes: Vec<Url>,
    /// `--find-links`: local directories or HTML pages listing files.
    pub find_links: Vec<String>,
    pub cache_dir: Option<PathBuf>,
    pub offline: bool,
    /// Extra CA bundle (PEM) to trust besides the operating system's store.
    pub cert: Option<PathBuf>,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// What builds the metadata of source-only releases (PEP 517); without one, such a release
    /// whose PKG-INFO cannot be trusted is an error.
    pub builder: Option<Arc<dyn SdistBuilder>>,
    /// Revalidate every cached index page, however fresh.
    pub refresh: bool,
    /// When and how often requests are tried again.
    pub retry: super::retry::Policy,
    /// The longest wait for the next bytes of an answer (default 60 s).
    pub read_timeout: Option<Duration>,
    /// URLs whose userinfo gives credentials for their host without being asked as indexes
    /// (`$PIP_INDEX_URL` when a lock's own index is used instead).
    pub credential_urls: Vec<Url>,
}

/// A project as pinwheel sees it: the files of the first index that has it, plus find-links files.
#[derive(Debug, Clone)]
pub struct Project {
    /// Shared with the resolver's version maps: listings hold thousands of files.
    pub files: Arc<[IndexFile]>,
    /// The index the files came from (credentials removed), for messages.
    pub source: String,
}

/// The largest index page accepted (PyPI's biggest listings are tens of MiB).
pub const MAX_PAGE: u64 = 256 << 20;
/// The largest core metadata file accepted (`.metadata`, PEP 658).
pub const MAX_METADATA: u64 = 64 << 20;
/// The largest answer to a range request read into memory (a server that ignores ranges
/// sends the whole wheel).
pub const MAX_WHOLE_WHEEL: u64 = 4 << 30;

/// After this many misses with no hit, a host is taken not to serve unadvertised `.metadata`.
const PROBE_MISSES: u32 = 3;

/// What has been learnt of a host's unadvertised `.metadata` files.
#[derive(Default)]
struct Probe {
    hits: AtomicU32,
    misses: AtomicU32,
}

impl Probe {
    fn worth_trying(&self) -> bool {
        self.hits.load(Ordering::Relaxed) > 0 || self.misses.load(Ordering::Relaxed) < PROBE_MISSES
    }
}

/// Freshness given to index pages whose response has no `Cache-Control` (RFC 9111 4.2.2
/// heuristic freshness); PyPI itself sends `max-age=600`. `--refresh` revalidates regardless.
pub const HEURISTIC_MAX_AGE: i64 = 600;

type Memo<T> = Mutex<HashMap<String, Arc<OnceCell<Arc<T>>>>>;

struct Inner {
    http: reqwest::Client,
    bulk: reqwest::Client,
    opts: ClientOptions,
    indexes: Vec<Url>,
    creds: Credentials,
    cache: Option<Cache>,
    limit: Semaphore,
    pages: Memo<Project>,
    metadata: Memo<Vec<u8>>,
    /// Whether unadvertised `.metadata` files exist on each index host (learnt on first try).
    probe: Mutex<HashMap<String, Arc<Probe>>>,
    /// Whether any project was found on an index or in --find-links during this run.
    found_any: std::sync::atomic::AtomicBool,
}

/// Cheap to clone; share one per run.
#[derive(Clone)]
pub struct IndexClient {
    inner: Arc<Inner>,
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Builds an HTTP client: rustls with the operating system's trust store, plus `--cert` and
/// `SSL_CERT_FILE` bundles. `bulk` clients speak HTTP/1.1 over parallel connections (for large
/// files: one HTTP/2 connection carrying every download measured ~1.5x slower than parallel
/// HTTP/1.1 connections here); the others use HTTP/2 where the server offers it, which suits
/// the many small index and metadata requests.
pub fn http_client(
    cert: Option<&std::path::Path>,
    bulk: bool,
    resolver: Arc<super::dns::SharedResolver>,
    read_timeout: Duration,
) -> Result<reqwest::Client, IndexError> {
    let mut b = reqwest::Client::builder().dns_resolver(resolver);
    if bulk {
        b = b.http1_only();
    }
    let mut b = b
        .user_agent(concat!("pinwheel/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(15))
        .read_timeout(read_timeout)
        // Only http(s) redirects, never from https down to http (the redirect policy below).
        .redirect(redirect_policy())
        .pool_max_idle_per_host(32)
        .tls_built_in_native_certs(true);
    let mut bundles: Vec<(PathBuf, &'static str)> = cert
        .map(|c| vec![(c.to_path_buf(), "--cert")])
        .unwrap_or_default();
    if let Some(p) = std::env::var_os("SSL_CERT_FILE").filter(|v| !v.is_empty()) {
        bundles.push((PathBuf::from(p), "SSL_CERT_FILE"));
    }
    for (path, given_by) in bundles {
        let refused = |reason: Cause| IndexError::Cert {
            path: path.display().to_string(),
            given_by,
            reason,
        };
        let pem = std::fs::read(&path).map_err(|e| refused(e.into()))?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem)
            .map_err(|e| refused(Cause::Client(Arc::new(e))))?;
        if certs.is_empty() {
            // A DER certificate is an ASN.1 SEQUENCE: 0x30, then a long-form length.
            let der = pem.len() > 4 && pem[0] == 0x30 && (0x81..=0x84).contains(&pem[1]);
            return Err(refused(if der {
                Cause::DerCertificate
            } else {
                Cause::NoCertificates
            }));
        }
        for c in certs {
            b = b.add_root_certificate(c);
        }
    }
    b.build().map_err(|e| IndexError::Client {
        reason: Cause::Client(Arc::new(e)),
    })
}

impl IndexClient {
    pub fn new(opts: ClientOptions) -> Result<Self, IndexError> {
        let mut creds = Credentials::default();
        creds.load_netrc();
        for u in &opts.credential_urls {
            creds.take_from_url(u);
        }
        let indexes = opts
            .indexes
            .iter()
            .map(|u| {
                let mut u = creds.take_from_url(u);
                if !u.path().ends_with('/') {
                    let p = format!("{}/", u.path());
                    u.set_path(&p);
                }
                u
            })
            .collect();
        let resolver = Arc::new(super::dns::SharedResolver::default());
        let timeout = opts.read_timeout.unwrap_or(Duration::from_secs(60));
        let http = http_client(opts.cert.as_deref(), false, resolver.clone(), timeout)?;
        let bulk = http_client(opts.cert.as_deref(), true, resolver, timeout)?;
        let cache = opts.cache_dir.clone().map(Cache::new);
        let limit = Semaphore::new(opts.concurrency.max(1));
        Ok(IndexClient {
            inner: Arc::new(Inner {
                http,
                bulk,
                indexes,
                creds,
                cache,
                limit,
                pages: Mutex::default(),
                metadata: Mutex::default(),
                probe: Mutex::default(),
                found_any: Default::default(),
                opts,
            }),
        })
    }

    pub fn cache(&self) -> Option<&Cache> {
        self.inner.cache.as_ref()
    }

    /// Whether any project was found so far (a run where none is suggests a wrong index URL).
    pub fn found_any(&self) -> bool {
        self.inner.found_any.load(Ordering::Relaxed)
    }

    /// The indexes asked, credentials removed, for messages.
    pub fn index_names(&self) -> Vec<String> {
        self.inner
            .indexes
            .iter()
            .map(|u| DisplaySafeUrl::from(u).to_string())
            .collect()
    }

    /// The `--find-links` locations asked, as given.
    pub fn find_links(&self) -> &[String] {
        &self.inner.opts.find_links
    }

    /// A GET with this client's credentials for the URL's host.
    pub fn get(&self, url: &Url) -> reqwest::RequestBuilder {
        self.with_auth(self.inner.http.get(url.clone()), url)
    }

    /// A GET for a large file download (HTTP/1.1, its own connection).
    pub fn get_bulk(&self, url: &Url) -> reqwest::RequestBuilder {
        self.with_auth(self.inner.bulk.get(url.clone()), url)
    }

    fn with_auth(&self, req: reqwest::RequestBuilder, url: &Url) -> reqwest::RequestBuilder {
        match self.inner.creds.for_url(url) {
            Some((u, p)) => req.basic_auth(u, p),
            None => req,
        }
    }

    /// The retry policy (see [`super::retry`]).
    pub fn retry_policy(&self) -> super::retry::Policy {
        self.inner.opts.retry
    }

    /// Waits before try `attempt + 1`, or gives up: `Err` carries the last cause, named with
    /// the URL (no credentials) and the number of tries.
    pub async fn backoff(
        &self,
        url: &Url,
        attempt: u32,
        retry_after: Option<Duration>,
        cause: Cause,
    ) -> Result<(), IndexError> {
        match self
            .retry_policy()
            .wait(attempt, retry_after, fastrand::f64())
        {
            Some(wait) => {
                tracing::debug!(target: "http", "{}: {cause}; try {} in {:.0} ms",
                    DisplaySafeUrl::from(url),
                    attempt + 1,
                    wait.as_secs_f64() * 1000.0
                );
                tokio::time::sleep(wait).await;
                Ok(())
            }
            None => Err(IndexError::Http {
                url: DisplaySafeUrl::from(url),
                reason: cause.after(attempt),
            }),
        }
    }

    /// Sends a request, trying again on transient failures (connection errors, timeouts, 429
    /// and 5xx answers, see [`super::retry`]); 401/403 are an authentication error. The answer
    /// is returned whatever its status once it is not transient, or tries run out.
    pub async fn send(
        &self,
        url: &Url,
        make: impl Fn() -> reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, IndexError> {
        let _permit = self.inner.limit.acquire().await.expect("semaphore open");
        let _in_flight = crate::progress::request();
        let mut attempt = 0;
        loop {
            attempt += 1;
            let started = std::time::Instant::now();
            let sent = make().send().await;
            if tracing::enabled!(target: "http", tracing::Level::DEBUG) {
                let status = match &sent {
                    Ok(r) => r.status().as_u16().to_string(),
                    Err(e) => format!("error: {}", error_chain(e)),
                };
                tracing::debug!(
                    target: "http",
                    "{} {} {:.0} ms",
                    DisplaySafeUrl::from(url),
                    status,
                    started.elapsed().as_secs_f64() * 1000.0
                );
            }
            match sent {
                Ok(r)
                    if r.status() == StatusCode::UNAUTHORIZED
                        || r.status() == StatusCode::FORBIDDEN =>
                {
                    return Err(IndexError::Auth {
                        url: DisplaySafeUrl::from(url),
                        status: r.status().as_u16(),
                    })
                }
                Ok(r) if super::retry::transient_status(r.status().as_u16()) => {
                    let retry_after = r
                        .headers()
                        .get(reqwest::header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| super::retry::parse_retry_after(v, now()));
                    let status = r.status().as_u16();
                    if self.retry_policy().wait(attempt, None, 0.0).is_none() {
                        // Out of tries: the caller reports the status, with the count.
                        return Err(IndexError::Http {
                            url: DisplaySafeUrl::from(url),
                            reason: if attempt > 1 {
                                Cause::Status(status).after(attempt)
                            } else {
                                Cause::Answered(status)
                            },
                        });
                    }
                    self.backoff(url, attempt, retry_after, Cause::Status(status))
                        .await?;
                }
                // A redirect the policy did not follow (reqwest hands back redirects to
                // schemes it cannot fetch, such as file:): refused, with where it pointed.
                Ok(r)
                    if r.status().is_redirection()
                        && r.status() != StatusCode::NOT_MODIFIED
                        && r.headers().contains_key(reqwest::header::LOCATION) =>
                {
                    let to = r
                        .headers()
                        .get(reqwest::header::LOCATION)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("");
                    // Relative to the URL that answered (after any redirects followed).
                    let shown = r
                        .url()
                        .join(to)
                        .map(|u| DisplaySafeUrl::from(&u).to_string())
                        .unwrap_or_else(|_| simple::redact_text(to));
                    return Err(IndexError::Http {
                        url: DisplaySafeUrl::from(url),
                        reason: Cause::RedirectNotFollowed(shown),
                    });
                }
                Ok(r) => return Ok(r),
                // A certificate the client does not trust will not be trusted on a later try.
                Err(e) if certificate_fault(&e).is_some() => {
                    return Err(IndexError::Http {
                        url: DisplaySafeUrl::from(url),
                        reason: Cause::Untrusted(Arc::new(e)),
                    })
                }
                Err(e) if transient_error(&e) => {
                    self.backoff(url, attempt, None, e.into()).await?;
                }
                Err(e) => {
                    return Err(IndexError::Http {
                        url: DisplaySafeUrl::from(url),
                        reason: e.into(),
                    })
                }
            }
        }
    }

    /// A request's answer with its whole body, no longer than `limit` bytes; a body cut short
    /// (reset, timeout, fewer bytes than announced) is asked for again like any transient
    /// failure. Bodies are held in memory: for pages and metadata, not for distribution files.
    pub async fn get_whole(
        &self,
        url: &Url,
        limit: u64,
        make: impl Fn() -> reqwest::RequestBuilder,
    ) -> Result<Whole, IndexError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut resp = self.send(url, &make).await?;
            let too_big = || IndexError::TooLarge {
                url: DisplaySafeUrl::from(url),
                limit,
            };
            if resp.content_length().is_some_and(|n| n > limit) {
                return Err(too_big());
            }
            let status = resp.status();
            let headers = resp.headers().clone();
            let final_url = resp.url().clone();
            let mut body = Vec::with_capacity(resp.content_length().unwrap_or(0) as usize);
            let read = async {
                while let Some(chunk) = resp.chunk().await? {
                    if body.len() as u64 + chunk.len() as u64 > limit {
                        return Ok(false);
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok::<bool, reqwest::Error>(true)
            };
            match read.await {
                Ok(true) => {
                    return Ok(Whole {
                        status,
                        headers,
                        url: final_url,
                        body,
                    })
                }
                Ok(false) => return Err(too_big()),
                Err(e) => self.backoff(url, attempt, None, e.into()).await?,
            }
        }
    }

    /// The project's files: from the first index that has it (pip's order), plus find-links.
    pub async fn project(&self, name: &str) -> Result<Arc<Project>, IndexError> {
        let cell = {
            let mut map = self.inner.pages.lock().unwrap();
            map.entry(name.to_string()).or_default().clone()
        };
        // Failures are not memoised: a fetch that failed for a prefetch is tried again when
        // the resolver asks, so a speculative request never decides the outcome.
        cell.get_or_try_init(|| async { self.fetch_project(name).await.map(Arc::new) })
            .await
            .cloned()
    }

    async fn fetch_project(&self, name: &str) -> Result<Project, IndexError> {
        let mut project = None;
        for index in &self.inner.indexes {
            if let Some(page) = self.fetch_page(index, name).await? {
                let files = refuse_hostile(page.files, name, index);
                project = Some((files, DisplaySafeUrl::from(index).to_string()));
                break;
            }
        }
        let mut links = Vec::new();
        for fl in &self.inner.opts.find_links {
            links.extend(self.find_links_files(fl, name).await?);
        }
        if project.is_some() || !links.is_empty() {
            self.inner.found_any.store(true, Ordering::Relaxed);
        }
        match project {
            Some((mut files, source)) => {
                files.extend(links);
                Ok(Project {
                    files: files.into(),
                    source,
                })
            }
            None if !links.is_empty() => Ok(Project {
                files: links.into(),
                source: "--find-links".into(),
            }),
            None => Err(IndexError::NotFound {
                package: name.to_string(),
                indexes: self
                    .index_names()
                    .into_iter()
                    .chain(
                        self.inner
                            .opts
                            .find_links
                            .iter()
                            .map(|l| simple::redact_text(l)),
                    )
                    .collect(),
                offline: self.inner.opts.offline,
            }),
        }
    }

    /// One index's page for `name`; `None` when the index does not have the project.
    async fn fetch_page(&self, index: &Url, name: &str) -> Result<Option<ProjectPage>, IndexError> {
        let url = index
            .join(&format!("{name}/"))
            .map_err(|_| IndexError::Http {
                url: DisplaySafeUrl::from(index),
                reason: Cause::ProjectUrl(name.to_string()),
            })?;
        let key = index.as_str();
        let cached = self
            .inner
            .cache
            .as_ref()
            .and_then(|c| c.read_page(key, name));
        let cached = match cached {
            Some(c)
                if self.inner.opts.offline || (!self.inner.opts.refresh && c.is_fresh(now())) =>
            {
                return Ok(c.found.then_some(c.page));
            }
            other => other,
        };
        if self.inner.opts.offline {
            return Err(IndexError::Offline {
                what: format!("the index page of {name} ({})", DisplaySafeUrl::from(&url)),
            });
        }
        let resp = self
            .get_whole(&url, MAX_PAGE, || {
                let mut req = self.get(&url).header(ACCEPT, simple::ACCEPT);
                if let Some(c) = &cached {
                    if let Some(e) = &c.etag {
                        req = req.header(reqwest::header::IF_NONE_MATCH, e.as_str());
                    }
                    if let Some(m) = &c.last_modified {
                        req = req.header(reqwest::header::IF_MODIFIED_SINCE, m.as_str());
                    }
                }
                req
            })
            .await?;
        let Whole {
            status,
            headers,
            url: final_url,
            body,
        } = resp;
        let max_age = max_age(&headers).or(Some(HEURISTIC_MAX_AGE));
        if status == StatusCode::NOT_MODIFIED {
            if let Some(mut c) = cached {
                c.stored_at = now();
                c.max_age = max_age;
                self.store_page(key, name, &c);
                return Ok(c.found.then_some(c.page));
            }
        }
        if status == StatusCode::NOT_FOUND {
            let entry = CachedPage {
                etag: None,
                last_modified: None,
                stored_at: now(),
                max_age,
                found: false,
                page: ProjectPage::default(),
            };
            self.store_page(key, name, &entry);
            return Ok(None);
        }
        if !status.is_success() {
            return Err(IndexError::Status {
                url: DisplaySafeUrl::from(&url),
                status: status.as_u16(),
            });
        }
        let ctype = headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        let page = if ctype.contains("json") {
            simple::parse_json(&body, &final_url)?
        } else {
            simple::parse_html(&String::from_utf8_lossy(&body), &final_url)?
        };
        let entry = CachedPage {
            etag: header_str(&headers, ETAG),
            last_modified: header_str(&headers, LAST_MODIFIED),
            stored_at: now(),
            max_age,
            found: true,
            page,
        };
        self.store_page(key, name, &entry);
        Ok(Some(entry.page))
    }

    fn store_page(&self, key: &str, name: &str, page: &CachedPage) {
        if let Some(c) = &self.inner.cache {
            // A cache that cannot be written slows the next run; it does not fail this one.
            let _ = c.write_page(key, name, page);
        }
    }

    /// Files for `name` from one `--find-links` location (a directory or an HTML page).
    async fn find_links_files(
        &self,
        location: &str,
        name: &str,
    ) -> Result<Vec<IndexFile>, IndexError> {
        let files = if let Some(dir) = local_dir(location) {
            let mut out = Vec::new();
            let entries = std::fs::read_dir(&dir).map_err(|e| IndexError::FindLinks {
                location: simple::redact_text(location),
                reason: e.into(),
            })?;
            for entry in entries.flatten() {
                let path = entry.path();
                let Some(filename) = path
                    .file_name()
                    .and_then(|f| f.to_str())
                    .map(str::to_string)
                else {
                    continue;
                };
                let Ok(abs) = std::fs::canonicalize(&path) else {
                    continue;
                };
                let Ok(url) = Url::from_file_path(&abs) else {
                    continue;
                };
                out.push(IndexFile {
                    filename,
                    url: url.into(),
                    sha256: None,
                    requires_python: None,
                    yanked: None,
                    upload_time: None,
                    size: entry.metadata().ok().map(|m| m.len()),
                    core_metadata: None,
                });
            }
            out.sort_by(|a, b| a.filename.cmp(&b.filename));
            out
        } else {
            let url = Url::parse(location).map_err(|e| IndexError::FindLinks {
                location: simple::redact_text(location),
                reason: e.into(),
            })?;
            let bytes = self.fetch_bytes(&url).await?;
            let files = simple::parse_html(&String::from_utf8_lossy(&bytes), &url)?.files;
            refuse_hostile(files, name, &url)
        };
        let normalized = crate::index::normalize(name);
        Ok(files
            .into_iter()
            .filter(|f| version_part(&f.filename, &normalized).is_some_and(|v| !v.is_empty()))
            .collect())
    }

    /// A whole file's bytes (file:// or http), in memory. For small files: pages, sdists.
    pub async fn fetch_bytes(&self, url: &Url) -> Result<Vec<u8>, IndexError> {
        if url.scheme() == "file" {
            let path = url.to_file_path().map_err(|_| IndexError::Http {
                url: DisplaySafeUrl::from(url),
                reason: Cause::NotLocalPath,
            })?;
            return std::fs::read(&path).map_err(|e| IndexError::Http {
                url: DisplaySafeUrl::from(url),
                reason: e.into(),
            });
        }
        if self.inner.opts.offline {
            return Err(IndexError::Offline {
                what: DisplaySafeUrl::from(url).to_string(),
            });
        }
        let resp = self.get_whole(url, MAX_PAGE, || self.get(url)).await?;
        if !resp.status.is_success() {
            return Err(IndexError::Status {
                url: DisplaySafeUrl::from(url),
                status: resp.status.as_u16(),
            });
        }
        Ok(resp.body)
    }

    /// A distribution file's bytes, in memory, checked against `sha256` (hex) when given: a
    /// large download (HTTP/1.1, its own connection) hashed as it streams.
    pub async fn fetch_file(&self, url: &Url, sha256: Option<&str>) -> Result<Vec<u8>, IndexError> {
        let (bytes, actual) = if url.scheme() == "file" || self.inner.opts.offline {
            let bytes = self.fetch_bytes(url).await?;
            let actual = hex::encode(Sha256::digest(&bytes));
            (bytes, actual)
        } else {
            let mut attempt = 0;
            loop {
                attempt += 1;
                let mut resp = self.send(url, || self.get_bulk(url)).await?;
                if !resp.status().is_success() {
                    return Err(IndexError::Status {
                        url: DisplaySafeUrl::from(url),
                        status: resp.status().as_u16(),
                    });
                }
                let mut bytes = Vec::with_capacity(resp.content_length().unwrap_or(0) as usize);
                let mut hasher = Sha256::new();
                let read = async {
                    while let Some(chunk) = resp.chunk().await? {
                        hasher.update(&chunk);
                        bytes.extend_from_slice(&chunk);
                    }
                    Ok::<(), reqwest::Error>(())
                };
                match read.await {
                    Ok(()) => break (bytes, hex::encode(hasher.finalize())),
                    // Cut short: the whole file again.
                    Err(e) => self.backoff(url, attempt, None, e.into()).await?,
                }
            }
        };
        match sha256 {
            Some(expected) if expected != actual => Err(IndexError::Hash {
                url: DisplaySafeUrl::from(url),
                expected: expected.to_string(),
                actual,
            }),
            _ => Ok(bytes),
        }
    }

    /// Like [`IndexClient::fetch_file`], into a temporary file: the body streams to disk and is
    /// hashed on the way, so memory stays flat whatever the file's size.
    pub async fn fetch_file_to_disk(
        &self,
        url: &Url,
        sha256: Option<&str>,
    ) -> Result<tempfile::TempPath, IndexError> {
        use tokio::io::AsyncWriteExt;
        let io_err = |e: std::io::Error| IndexError::Http {
            url: DisplaySafeUrl::from(url),
            reason: Cause::TempFile(Arc::new(e)),
        };
        let tmp = crate::interrupt::temp_file().map_err(io_err)?;
        let (std_file, path) = tmp.into_parts();
        let mut out = tokio::fs::File::from_std(std_file);
        let actual = if url.scheme() == "file" || self.inner.opts.offline {
            let bytes = self.fetch_bytes(url).await?;
            out.write_all(&bytes).await.map_err(io_err)?;
            hex::encode(Sha256::digest(&bytes))
        } else {
            let mut attempt = 0;
            loop {
                attempt += 1;
                let mut resp = self.send(url, || self.get_bulk(url)).await?;
                if !resp.status().is_success() {
                    return Err(IndexError::Status {
                        url: DisplaySafeUrl::from(url),
                        status: resp.status().as_u16(),
                    });
                }
                let mut hasher = Sha256::new();
                let cut = loop {
                    match resp.chunk().await {
                        Ok(Some(chunk)) => {
                            hasher.update(&chunk);
                            out.write_all(&chunk).await.map_err(io_err)?;
                        }
                        Ok(None) => break None,
                        Err(e) => break Some(e),
                    }
                };
                match cut {
                    None => break hex::encode(hasher.finalize()),
                    Some(e) => {
                        // Cut short: start the file again.
                        use tokio::io::AsyncSeekExt;
                        out.set_len(0).await.map_err(io_err)?;
                        out.seek(std::io::SeekFrom::Start(0))
                            .await
                            .map_err(io_err)?;
                        self.backoff(url, attempt, None, e.into()).await?;
                    }
                }
            }
        };
        out.flush().await.map_err(io_err)?;
        match sha256 {
            Some(expected) if expected != actual => Err(IndexError::Hash {
                url: DisplaySafeUrl::from(url),
                expected: expected.to_string(),
                actual,
            }),
            _ => Ok(path),
        }
    }

    /// Core metadata (METADATA / PKG-INFO bytes) of one file, by the cheapest route; memoised
    /// and cached on disk by the file's sha256.
    pub async fn metadata(
        &self,
        project: &str,
        file: &IndexFile,
    ) -> Result<Arc<Vec<u8>>, IndexError> {
        let key = file
            .sha256
            .clone()
            .unwrap_or_else(|| format!("url-{}", digest_key(file.url.as_str())));
        let cell = {
            let mut map = self.inner.metadata.lock().unwrap();
            map.entry(key.clone()).or_default().clone()
        };
        // A local file without a listed hash can change under the same name: read it afresh
        // (cheap) rather than trust a cache keyed by its path.
        let disk_cache = self
            .inner
            .cache
            .as_ref()
            .filter(|_| file.sha256.is_some() || file.url().scheme() != "file");
        cell.get_or_try_init(|| async {
            if let Some(bytes) = disk_cache.and_then(|c| c.read_metadata(&key)) {
                return Ok(Arc::new(bytes));
            }
            if self.inner.opts.offline && file.url().scheme() != "file" {
                return Err(IndexError::Offline {
                    what: format!("the metadata of {}", file.filename),
                });
            }
            let bytes = self.fetch_metadata(project, file).await?;
            if let Some(c) = disk_cache {
                let _ = c.write_metadata(&key, &bytes);
            }
            Ok(Arc::new(bytes))
        })
        .await
        .cloned()
    }

    async fn fetch_metadata(&self, project: &str, file: &IndexFile) -> Result<Vec<u8>, IndexError> {
        let is_wheel = file.filename.ends_with(".whl");
        if !is_wheel {
            return self.sdist_metadata(project, file).await;
        }
        let prefix = file
            .filename
            .split('-')
            .take(2)
            .collect::<Vec<_>>()
            .join("-");
        if file.url().scheme() == "file" {
            let bytes = self.fetch_bytes(&file.url()).await?;
            return zip_ranges::read_metadata_from_whole(&bytes, Some(&prefix))
                .map_err(|e| zip_err(file, e));
        }
        // 1. PEP 658/714, advertised or (learnt per host) unadvertised.
        let host = file.url().host_str().unwrap_or("").to_string();
        let probe = {
            let mut m = self.inner.probe.lock().unwrap();
            m.entry(host).or_default().clone()
        };
        let advertised = file.core_metadata.is_some();
        if advertised || probe.worth_trying() {
            let murl = Url::parse(&format!("{}.metadata", file.url)).expect("valid URL");
            let resp = match self
                .get_whole(&murl, MAX_METADATA, || self.get(&murl))
                .await
            {
                Ok(resp) => Some(resp),
                // Object stores and proxies answer 401/403 for keys they do not have (and some
                // indexes list metadata files they then refuse). A miss: the wheel itself,
                // fetched with the same credentials, says whether they are wrong.
                Err(IndexError::Auth { .. }) => None,
                Err(e) => return Err(e),
            };
            if let Some(resp) = resp.filter(|r| r.status.is_success()) {
                let bytes = resp.body;
                if let Some(Some(expected)) = &file.core_metadata {
                    let actual = hex::encode(Sha256::digest(&bytes));
                    if &actual != expected {
                        return Err(IndexError::Hash {
                            url: DisplaySafeUrl::from(&murl),
                            expected: expected.clone(),
                            actual,
                        });
                    }
                }
                if !advertised {
                    probe.hits.fetch_add(1, Ordering::Relaxed);
                }
                return Ok(bytes);
            }
            if !advertised {
                probe.misses.fetch_add(1, Ordering::Relaxed);
            }
        }
        // 2. Range requests into the zip; 3. the whole file when the server ignores ranges.
        self.range_metadata(file, &prefix).await
    }

    async fn range_get(
        &self,
        url: &Url,
        range: String,
    ) -> Result<(StatusCode, HeaderMap, Vec<u8>), IndexError> {
        // A server that ignores the range sends the whole wheel.
        let resp = self
            .get_whole(url, MAX_WHOLE_WHEEL, || {
                self.get(url).header(reqwest::header::RANGE, range.as_str())
            })
            .await?;
        let Whole {
            status,
            headers,
            body,
            ..
        } = resp;
        if !status.is_success() {
            return Err(IndexError::Status {
                url: DisplaySafeUrl::from(url),
                status: status.as_u16(),
            });
        }
        Ok((status, headers, body))
    }

    async fn range_metadata(&self, file: &IndexFile, prefix: &str) -> Result<Vec<u8>, IndexError> {
        let url = &file.url();
        let (status, headers, tail) = self
            .range_get(url, format!("bytes=-{}", zip_ranges::TAIL_GUESS))
            .await?;
        if status != StatusCode::PARTIAL_CONTENT {
            // The server ignored the range and sent the whole wheel.
            return zip_ranges::read_metadata_from_whole(&tail, Some(prefix))
                .map_err(|e| zip_err(file, e));
        }
        let total = headers
            .get(CONTENT_RANGE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit('/').next())
            .and_then(|t| t.parse::<u64>().ok())
            .ok_or_else(|| IndexError::Http {
                url: DisplaySafeUrl::from(url),
                reason: Cause::NoContentRangeTotal,
            })?;
        let mut tail_start =
            total
                .checked_sub(tail.len() as u64)
                .ok_or_else(|| IndexError::Http {
                    url: DisplaySafeUrl::from(url),
                    reason: Cause::RangeLongerThanFile(total),
                })?;
        let mut tail = tail;
        let cd = zip_ranges::locate_central_directory(&tail, tail_start)
            .map_err(|e| zip_err(file, e))?;
        // A server may honour the first (suffix) range and answer later ones with the whole
        // file (200): read that instead of taking it for the bytes asked for.
        let whole = |bytes: &[u8]| {
            zip_ranges::read_metadata_from_whole(bytes, Some(prefix)).map_err(|e| zip_err(file, e))
        };
        if cd.offset < tail_start {
            let (status, _, head) = self
                .range_get(url, format!("bytes={}-{}", cd.offset, tail_start - 1))
                .await?;
            if status != StatusCode::PARTIAL_CONTENT {
                return whole(&head);
            }
            let mut joined = head;
            joined.extend_from_slice(&tail);
            tail = joined;
            tail_start = cd.offset;
        }
        let cd_rel = (cd.offset - tail_start) as usize;
        let cd_bytes = tail.get(cd_rel..cd_rel + cd.size as usize).ok_or_else(|| {
            zip_err(
                file,
                zip_ranges::ZipError::Corrupt("central directory out of range"),
            )
        })?;
        let entries =
            zip_ranges::parse_central_directory(cd_bytes).map_err(|e| zip_err(file, e))?;
        let entry = zip_ranges::find_metadata(&entries, Some(prefix))
            .ok_or_else(|| {
                zip_err(
                    file,
                    zip_ranges::ZipError::Corrupt("no .dist-info/METADATA in wheel"),
                )
            })?
            .clone();
        // A member that claims more than the bound is refused before any byte of it is fetched.
        zip_ranges::check_member_size(&entry).map_err(|e| zip_err(file, e))?;
        if entry.local_header_offset >= tail_start {
            let rel = (entry.local_header_offset - tail_start) as usize;
            if let Ok(Ok(bytes)) = zip_ranges::read_member(&entry, &tail[rel..]) {
                return Ok(bytes);
            }
        }
        let mut len = zip_ranges::member_fetch_len(&entry);
        for _ in 0..2 {
            let end = entry
                .local_header_offset
                .saturating_add(len - 1)
                .min(total.saturating_sub(1));
            let (status, _, bytes) = self
                .range_get(url, format!("bytes={}-{}", entry.local_header_offset, end))
                .await?;
            if status != StatusCode::PARTIAL_CONTENT {
                return whole(&bytes);
            }
            match zip_ranges::read_member(&entry, &bytes).map_err(|e| zip_err(file, e))? {
                Ok(m) => return Ok(m),
                Err(need) => len = need,
            }
        }
        Err(zip_err(
            file,
            zip_ranges::ZipError::Corrupt("member data out of range"),
        ))
    }

    async fn sdist_metadata(&self, project: &str, file: &IndexFile) -> Result<Vec<u8>, IndexError> {
        // To disk, not memory: sdists run to hundreds of megabytes (pyspark's is 317 MB).
        let archive = self
            .fetch_file_to_disk(&file.url(), file.sha256.as_deref())
            .await?;
        let pkg_info = std::fs::File::open(&archive)
            .map_err(Cause::from)
            .and_then(|f| {
                crate::distribution::metadata::read_sdist_file_from(f, &file.filename, "PKG-INFO")
                    .map_err(Cause::from)
            })
            .map_err(|reason| IndexError::Metadata {
                file: file.filename.clone(),
                reason,
            })?;
        if let Some(info) = pkg_info {
            if let Ok(meta) = crate::distribution::metadata::CoreMetadata::parse(&info) {
                if meta.has_static_requires_dist() {
                    return Ok(info);
                }
            }
        }
        let Some(builder) = &self.inner.opts.builder else {
            return Err(IndexError::NoBuilder {
                file: file.filename.clone(),
            });
        };
        let sdist = Sdist {
            project: project.to_string(),
            filename: file.filename.clone(),
            archive: Arc::new(archive),
        };
        builder.prepare_metadata(self, sdist).await
    }

    /// `PIP_INDEX_URL` and `PIP_EXTRA_INDEX_URL` with the credentials pinwheel took out of the
    /// URLs, for a pip that must reach the same indexes: they go in its environment, never on a
    /// command line, where other users of the machine could read them.
    pub fn pip_index_env(&self) -> Vec<(&'static str, String)> {
        let with_creds: Vec<String> = self
            .inner
            .indexes
            .iter()
            .map(|u| {
                let mut u = u.clone();
                if let Some((user, pass)) = self.inner.creds.for_url(&u) {
                    let _ = u.set_username(&user);
                    let _ = u.set_password(pass.as_deref());
                }
                u.to_string()
            })
            .collect();
        match with_creds.split_first() {
            Some((first, rest)) => vec![
                ("PIP_INDEX_URL", first.clone()),
                ("PIP_EXTRA_INDEX_URL", rest.join(" ")),
            ],
            None => Vec::new(),
        }
    }
}

fn zip_err(file: &IndexFile, e: zip_ranges::ZipError) -> IndexError {
    IndexError::Metadata {
        file: file.filename.clone(),
        reason: e.into(),
    }
}

fn header_str(h: &HeaderMap, name: reqwest::header::HeaderName) -> Option<String> {
    h.get(name)
        .and_then(|v: &HeaderValue| v.to_str().ok())
        .map(str::to_string)
}

/// `Cache-Control: max-age=N` (and `no-cache`/`no-store` as zero).
fn max_age(h: &HeaderMap) -> Option<i64> {
    let v = h.get(CACHE_CONTROL)?.to_str().ok()?.to_ascii_lowercase();
    if v.contains("no-cache") || v.contains("no-store") {
        return Some(0);
    }
    v.split(',').find_map(|d| {
        d.trim()
            .strip_prefix("max-age=")
            .and_then(|n| n.trim().parse().ok())
    })
}

fn local_dir(location: &str) -> Option<PathBuf> {
    if let Ok(url) = Url::parse(location) {
        if url.scheme() == "file" {
            return url.to_file_path().ok();
        }
        if url.scheme().len() > 1 {
            return None;
        }
    }
    Some(PathBuf::from(location))
}

/// `files` without those [`super::hostile`] refuses, each named in a warning.
fn refuse_hostile(files: Vec<IndexFile>, name: &str, page: &Url) -> Vec<IndexFile> {
    let normalized = crate::index::normalize(name);
    files
        .into_iter()
        .filter(
            |f| match super::hostile::refusal(f, &normalized, page.scheme()) {
                None => true,
                Some(why) => {
                    eprintln!(
                        "warning: {} lists {:?} for {name}, refused: {why}",
                        DisplaySafeUrl::from(page),
                        f.filename
                    );
                    false
                }
            },
        )
        .collect()
}

/// A request's answer, body read whole.
#[derive(Debug)]
pub struct Whole {
    pub status: StatusCode,
    pub headers: HeaderMap,
    /// The URL answered, after redirects.
    pub url: Url,
    pub body: Vec<u8>,
}

/// Whether a failed request (no answer, or a body cut short) is worth another try.
pub fn transient_error(e: &reqwest::Error) -> bool {
    e.is_connect() || e.is_timeout() || e.is_request() || e.is_body() || e.is_decode()
}

/// The TLS error under a failed request when it failed because the server's certificate is
/// not trusted (unknown issuer, expired, another name): no later try would pass.
pub fn certificate_fault(e: &reqwest::Error) -> Option<&rustls::Error> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        // std's io::Error hands out its inner error's source, not the inner error itself, and
        // the TLS stack wraps io::Errors in io::Errors: look inside each layer.
        let mut layer = err;
        loop {
            if let Some(tls @ rustls::Error::InvalidCertificate(_)) = layer.downcast_ref() {
                return Some(tls);
            }
            match layer
                .downcast_ref::<std::io::Error>()
                .and_then(|io| io.get_ref())
            {
                Some(inner) => layer = inner,
                None => break,
            }
        }
        cur = err.source();
    }
    None
}

/// Redirects are followed (up to 10) to http(s) URLs only, and never from https to http: an
/// index reached over TLS must not hand its answers (or the credentials) to plain HTTP. A
/// redirect refused for its scheme is handed back unfollowed, so that [`IndexClient::send`]
/// names where it pointed.
fn redirect_policy() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let from = attempt.previous().last().map(|u| u.scheme().to_string());
        let hops = attempt.previous().len();
        match redirect_refusal(from.as_deref(), attempt.url().scheme(), hops) {
            Some(_) if hops < 10 => attempt.stop(),
            Some(why) => attempt.error(why),
            None => attempt.follow(),
        }
    })
}

/// Why a redirect is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RedirectRefusal {
    #[error("more than 10 redirects")]
    TooMany,
    /// To a URL of another scheme than http(s).
    #[error("refused a redirect to a {0}: URL")]
    Scheme(String),
    #[error("refused a redirect from https to plain http")]
    Downgrade,
}

/// Why a redirect from a URL of scheme `from` to one of scheme `to` is refused, if it is.
/// `hops` counts the redirects followed so far. Pure.
pub fn redirect_refusal(from: Option<&str>, to: &str, hops: usize) -> Option<RedirectRefusal> {
    if hops >= 10 {
        return Some(RedirectRefusal::TooMany);
    }
    if to != "http" && to != "https" {
        return Some(RedirectRefusal::Scheme(to.to_string()));
    }
    if from == Some("https") && to == "http" {
        return Some(RedirectRefusal::Downgrade);
    }
    None
}

/// The full cause chain of an error, one line.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        let m = c.to_string();
        if !s.contains(&m) {
            s.push_str(": ");
            s.push_str(&m);
        }
        cur = c.source();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirects_stay_on_http_and_never_drop_tls() {
        assert_eq!(redirect_refusal(Some("https"), "https", 0), None);
        assert_eq!(redirect_refusal(Some("http"), "https", 0), None);
        assert_eq!(redirect_refusal(Some("http"), "http", 3), None);
        assert_eq!(
            redirect_refusal(Some("https"), "http", 0),
            Some(RedirectRefusal::Downgrade)
        );
        assert_eq!(
            redirect_refusal(Some("https"), "file", 0)
                .unwrap()
                .to_string(),
            "refused a redirect to a file: URL"
        );
        assert!(redirect_refusal(Some("https"), "https", 10).is_some());
    }

    #[test]
    fn max_age_directives() {
        let mut h = HeaderMap::new();
        h.insert(
            CACHE_CONTROL,
            HeaderValue::from_static("max-age=600, public"),
        );
        assert_eq!(max_age(&h), Some(600));
        h.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        assert_eq!(max_age(&h), Some(0));
        assert_eq!(max_age(&HeaderMap::new()), None);
    }
}
