//! Verified downloads into the wheelhouse: each file streams into a temporary file in the
//! target directory while being hashed, and is renamed to its final name only when its sha256
//! matches. A killed run leaves at most a `.pinwheel-*.part` file, never a partial file under a
//! real name. Retries transient failures with backoff. IO.

use std::io::Write;
use std::path::{Path, PathBuf};

use futures::StreamExt;
use sha2::{Digest, Sha256};

use crate::index::DisplaySafeUrl;
use crate::index::{IndexClient, IndexError};

/// Prefix of in-flight temporary files in the wheelhouse.
pub const PART_PREFIX: &str = ".pinwheel-";

#[derive(Debug, thiserror::Error)]
pub enum DownloadError {
    #[error("{filename} (from {url}): sha256 mismatch: the lock expects {}; the file has {actual}, and was discarded", one_of(.expected))]
    Hash {
        filename: String,
        /// Where the bytes came from, credentials removed.
        url: DisplaySafeUrl,
        /// The sha256 values the file may have.
        expected: Vec<String>,
        actual: String,
    },
    #[error("{filename}: {source}")]
    Index {
        filename: String,
        #[source]
        source: IndexError,
    },
    #[error("{filename}: writing {path}: {source}")]
    Io {
        filename: String,
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// The outcome for one file.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub filename: String,
    pub size: u64,
    pub sha256: String,
    /// Already present with the right hash: nothing was downloaded.
    pub reused: bool,
    /// Copied from pinwheel's cache (verified): nothing was downloaded.
    pub from_cache: bool,
}

fn one_of(hashes: &[String]) -> String {
    match hashes {
        [] => "no hash at all (its pins' hashes have none in common)".into(),
        [one] => one.clone(),
        many => format!("one of {}", many.join(", ")),
    }
}

/// sha256 and size of a file on disk, streaming.
pub fn hash_file(path: &Path) -> std::io::Result<(String, u64)> {
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    let n = std::io::copy(&mut f, &mut h)?;
    Ok((hex::encode(h.finalize()), n))
}

/// Removes temporary files a killed run left behind. Only under the directory's lock: another
/// run's are live.
pub fn clean_parts(dir: &Path) {
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with(PART_PREFIX) && name.ends_with(".part") {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}

/// Fetches `url` to `dir/filename`. The file's sha256 must be one of `accept` (hex); `None`
/// takes the file unchecked (a lock without hashes) and reports its hash.
/// `on_bytes` is called with each chunk's length (progress).
pub async fn fetch(
    client: &IndexClient,
    url: &url::Url,
    filename: &str,
    accept: Option<&[String]>,
    dir: &Path,
    on_bytes: &(dyn Fn(u64) + Send + Sync),
) -> Result<Fetched, DownloadError> {
    // Whatever the listing said, a file is written inside `dir` or not at all.
    if let Some(why) = crate::index::hostile::unsafe_filename(filename) {
        return Err(DownloadError::Index {
            filename: format!("{filename:?}"),
            source: IndexError::Http {
                url: DisplaySafeUrl::from(url),
                reason: crate::index::Cause::Refused(why),
            },
        });
    }
    let dest = dir.join(filename);
    let io_err = |source: std::io::Error, path: &Path| DownloadError::Io {
        filename: filename.to_string(),
        path: path.display().to_string(),
        source,
    };
    if let Some(accept) = accept {
        if let Ok((actual, size)) = hash_file(&dest) {
            if accept.contains(&actual) {
                return Ok(Fetched {
                    filename: filename.to_string(),
                    size,
                    sha256: actual,
                    reused: true,
                    from_cache: false,
                });
            }
            // Not the locked bytes: never left under the real name.
            std::fs::remove_file(&dest).map_err(|e| io_err(e, &dest))?;
        }
    }
    // The cache is keyed by content: usable only when exactly one hash is acceptable (several
    // are the hashes of the pin's other files, whose bytes would pass under this name).
    let cached = match (accept, client.cache()) {
        (Some([exp]), Some(cache)) => Some(cache.file_path(exp)),
        _ => None,
    };
    let mut from_cache = cached.filter(|p| p.exists());
    let mut attempt = 0;
    loop {
        attempt += 1;
        let mut part = crate::interrupt::temp_file_in(dir, PART_PREFIX, ".part")
            .map_err(|e| io_err(e, dir))?;
        let streamed = match &from_cache {
            // The cache is verified like the network: a corrupt entry fails the hash check below.
            Some(path) => copy_hashing(path, part.as_file_mut(), on_bytes).map_err(StreamError::Io),
            None => stream_to(client, url, part.as_file_mut(), on_bytes).await,
        };
        match streamed {
            Ok((actual, size)) => {
                if accept.is_some_and(|a| !a.contains(&actual)) {
                    if let Some(bad) = from_cache.take() {
                        // A damaged cache entry: drop it and fetch from the index instead.
                        let _ = std::fs::remove_file(bad);
                        continue;
                    }
                    // `part` is deleted when dropped.
                    return Err(DownloadError::Hash {
                        filename: filename.to_string(),
                        url: DisplaySafeUrl::from(url),
                        expected: accept.unwrap_or_default().to_vec(),
                        actual,
                    });
                }
                part.as_file().sync_all().map_err(|e| io_err(e, &dest))?;
                crate::fs::make_readable(part.as_file()).map_err(|e| io_err(e, &dest))?;
                part.persist(&dest).map_err(|e| io_err(e.error, &dest))?;
                // Only verified bytes go in the cache, under their own hash.
                let verified = accept.is_some();
                if let (Some(cache), true, None) = (client.cache(), verified, &from_cache) {
                    let path = cache.file_path(&actual);
                    // Keep a copy for the next wheelhouse; a cache that cannot be written only
                    // costs a download later.
                    if let Some(parent) = path.parent() {
                        let _ = std::fs::create_dir_all(parent);
                    }
                    // An entry already there (another run's) is kept: it is never rewritten in
                    // place, where a run reading it would see it half-written.
                    if !path.exists() && std::fs::hard_link(&dest, &path).is_err() {
                        let _ = copy_atomic(&dest, &path);
                    }
                }
                return Ok(Fetched {
                    filename: filename.to_string(),
                    size,
                    sha256: actual,
                    reused: false,
                    from_cache: from_cache.is_some(),
                });
            }
            // A body cut short (reset, timeout, fewer bytes than announced): the file again,
            // after the client's backoff, until its tries run out.
            Err(StreamError::Transient(cause)) => {
                client
                    .backoff(url, attempt, None, cause.into())
                    .await
                    .map_err(|source| DownloadError::Index {
                        filename: filename.to_string(),
                        source,
                    })?;
            }
            Err(StreamError::Fatal(e)) => {
                return Err(DownloadError::Index {
                    filename: filename.to_string(),
                    source: e,
                })
            }
            Err(StreamError::Io(e)) => return Err(io_err(e, &dest)),
        }
    }
}

/// Copies `from` to `to` through a temporary sibling and a rename.
fn copy_atomic(from: &Path, to: &Path) -> std::io::Result<()> {
    let dir = to.parent().unwrap_or(Path::new("."));
    let mut tmp = crate::interrupt::temp_file_in(dir, ".tmp", "")?;
    std::io::copy(&mut std::fs::File::open(from)?, tmp.as_file_mut())?;
    tmp.persist(to).map_err(|e| e.error)?;
    Ok(())
}

fn copy_hashing(
    from: &Path,
    out: &mut std::fs::File,
    on_bytes: &(dyn Fn(u64) + Send + Sync),
) -> std::io::Result<(String, u64)> {
    let mut f = std::fs::File::open(from)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut size = 0u64;
    loop {
        let n = std::io::Read::read(&mut f, &mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        out.write_all(&buf[..n])?;
        size += n as u64;
        on_bytes(n as u64);
    }
    Ok((hex::encode(hasher.finalize()), size))
}

enum StreamError {
    /// The body was cut short: the cause.
    Transient(reqwest::Error),
    Fatal(IndexError),
    Io(std::io::Error),
}

async fn stream_to(
    client: &IndexClient,
    url: &url::Url,
    out: &mut std::fs::File,
    on_bytes: &(dyn Fn(u64) + Send + Sync),
) -> Result<(String, u64), StreamError> {
    if url.scheme() == "file" {
        let path: PathBuf = url.to_file_path().map_err(|_| {
            StreamError::Fatal(IndexError::Http {
                url: DisplaySafeUrl::from(url),
                reason: crate::index::Cause::NotLocalPath,
            })
        })?;
        return copy_hashing(&path, out, on_bytes).map_err(StreamError::Io);
    }
    let resp = client
        .send(url, || client.get_bulk(url))
        .await
        .map_err(StreamError::Fatal)?;
    let status = resp.status();
    if !status.is_success() {
        // Transient statuses were retried by `send`.
        return Err(StreamError::Fatal(IndexError::Status {
            url: DisplaySafeUrl::from(url),
            status: status.as_u16(),
        }));
    }
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    let mut stream = resp.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(StreamError::Transient)?;
        hasher.update(&chunk);
        out.write_all(&chunk).map_err(StreamError::Io)?;
        size += chunk.len() as u64;
        on_bytes(chunk.len() as u64);
    }
    Ok((hex::encode(hasher.finalize()), size))
}
