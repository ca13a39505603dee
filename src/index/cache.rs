//! The on-disk cache: index pages kept with their HTTP validators (RFC 9111 freshness and
//! revalidation; stored as postcard, a compact binary serde format, because warm runs read
//! megabytes of listings), and immutable artefacts (core metadata, files) kept by content hash.
//! Every write goes to a temporary file in the same directory and is renamed into place, so a
//! killed run never leaves a half-written entry. Every entry is checked when read: pages and
//! metadata carry the sha256 of their bytes in a first line (`pinwheel-sha256:<hex>`), files
//! are named by theirs (their readers re-hash them); an entry that fails its check (a disk
//! error, a truncated copy, a hand edit) is removed and reads as a miss, so it is fetched
//! again.

use crate::fs::write_atomic;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::simple::ProjectPage;

/// The cache's root directory and its layout.
#[derive(Debug, Clone)]
pub struct Cache {
    root: PathBuf,
}

/// An index page as cached: the parsed page and what is needed to revalidate it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CachedPage {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// Unix seconds when the page was last fetched or revalidated.
    pub stored_at: i64,
    /// `Cache-Control: max-age`, seconds; `None` means always revalidate.
    pub max_age: Option<i64>,
    /// `false` when the index answered 404: the package is not on that index.
    pub found: bool,
    pub page: ProjectPage,
}

impl CachedPage {
    pub fn is_fresh(&self, now: i64) -> bool {
        self.max_age.is_some_and(|age| now - self.stored_at < age)
    }
}

/// The default cache root: `$XDG_CACHE_HOME/pinwheel`, else `~/.cache/pinwheel`.
pub fn default_root() -> Option<PathBuf> {
    if let Some(x) = std::env::var_os("XDG_CACHE_HOME").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(x).join("pinwheel"));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache").join("pinwheel"))
}

/// A short, stable, filesystem-safe key for any string (a URL, say).
pub fn digest_key(s: &str) -> String {
    hex::encode(&Sha256::digest(s.as_bytes())[..12])
}

impl Cache {
    pub fn new(root: PathBuf) -> Self {
        Cache { root }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn page_path(&self, index_url: &str, name: &str) -> PathBuf {
        self.root
            .join("simple-v3")
            .join(digest_key(index_url))
            .join(format!("{name}.pc"))
    }

    pub fn read_page(&self, index_url: &str, name: &str) -> Option<CachedPage> {
        let path = self.page_path(index_url, name);
        let bytes = read_sealed(&path)?;
        let page = postcard::from_bytes(&bytes).ok();
        if page.is_none() {
            discard(&path, "does not decode");
        }
        page
    }

    pub fn write_page(
        &self,
        index_url: &str,
        name: &str,
        page: &CachedPage,
    ) -> std::io::Result<()> {
        let bytes = postcard::to_stdvec(page).map_err(std::io::Error::other)?;
        write_atomic(&self.page_path(index_url, name), &seal(&bytes))
    }

    fn metadata_path(&self, key: &str) -> PathBuf {
        self.root
            .join("metadata-v2")
            .join(format!("{key}.METADATA"))
    }

    /// Core metadata by key: the file's sha256, or a digest of its URL when the index gave none.
    /// `None` when absent, or when the entry fails its check (it is then removed).
    pub fn read_metadata(&self, key: &str) -> Option<Vec<u8>> {
        read_sealed(&self.metadata_path(key))
    }

    pub fn write_metadata(&self, key: &str, bytes: &[u8]) -> std::io::Result<()> {
        write_atomic(&self.metadata_path(key), &seal(bytes))
    }

    /// Where a downloaded file with this sha256 is kept (for `wheelhouse` re-use).
    pub fn file_path(&self, sha256: &str) -> PathBuf {
        self.root
            .join("files-v1")
            .join(&sha256[..2.min(sha256.len())])
            .join(sha256)
    }
}

const SEAL: &[u8] = b"pinwheel-sha256:";

/// `pinwheel-sha256:<hex of bytes>\n` then the bytes.
fn seal(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(SEAL.len() + 65 + bytes.len());
    out.extend_from_slice(SEAL);
    out.extend_from_slice(hex::encode(Sha256::digest(bytes)).as_bytes());
    out.push(b'\n');
    out.extend_from_slice(bytes);
    out
}

/// The bytes of a sealed entry; `None` when absent, and when it fails its check (removed).
fn read_sealed(path: &Path) -> Option<Vec<u8>> {
    let mut bytes = std::fs::read(path).ok()?;
    let body = SEAL.len() + 65;
    let sealed = bytes.len() >= body
        && bytes.starts_with(SEAL)
        && bytes[body - 1] == b'\n'
        && bytes[SEAL.len()..body - 1] == *hex::encode(Sha256::digest(&bytes[body..])).as_bytes();
    if !sealed {
        discard(path, "fails its sha256 check");
        return None;
    }
    bytes.drain(..body);
    Some(bytes)
}

/// Removes a damaged entry: the caller fetches it again.
fn discard(path: &Path, why: &str) {
    tracing::debug!(target: "cache", "{} {why}: removed, fetched again", path.display());
    let _ = std::fs::remove_file(path);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_round_trip_and_freshness() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path().to_path_buf());
        let page = CachedPage {
            etag: Some("\"x\"".into()),
            last_modified: None,
            stored_at: 1000,
            max_age: Some(600),
            found: true,
            page: ProjectPage::default(),
        };
        cache
            .write_page("https://i/simple/", "demo", &page)
            .unwrap();
        let back = cache.read_page("https://i/simple/", "demo").unwrap();
        assert_eq!(back.etag.as_deref(), Some("\"x\""));
        assert!(back.is_fresh(1599));
        assert!(!back.is_fresh(1600));
        assert!(cache.read_page("https://other/simple/", "demo").is_none());
    }

    #[cfg(unix)]
    #[test]
    fn written_files_are_world_readable() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.txt");
        write_atomic(&p, b"x").unwrap();
        assert_eq!(
            std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o644
        );
    }

    #[test]
    fn metadata_by_key() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path().to_path_buf());
        assert!(cache.read_metadata("abc").is_none());
        cache.write_metadata("abc", b"Name: x").unwrap();
        assert_eq!(cache.read_metadata("abc").unwrap(), b"Name: x");
    }

    #[test]
    fn damaged_entries_read_as_misses_and_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path().to_path_buf());
        let meta = b"Metadata-Version: 2.1\nName: x\nVersion: 1.0\n";
        let page = CachedPage {
            etag: None,
            last_modified: None,
            stored_at: 1000,
            max_age: Some(600),
            found: true,
            page: ProjectPage::default(),
        };
        type Damage = fn(&mut Vec<u8>);
        let damages: [(&str, Damage); 4] = [
            ("truncated", |b| b.truncate(b.len() - 3)),
            ("a byte flipped", |b| {
                let i = b.len() - 2;
                b[i] ^= 0x20
            }),
            ("emptied", |b| b.clear()),
            ("unsealed (an older layout)", |b| {
                b.drain(..SEAL.len() + 65);
            }),
        ];
        for (what, damage) in damages {
            cache.write_metadata("k", meta).unwrap();
            cache.write_page("https://i/simple/", "x", &page).unwrap();
            for path in [
                cache.metadata_path("k"),
                cache.page_path("https://i/simple/", "x"),
            ] {
                let mut bytes = std::fs::read(&path).unwrap();
                damage(&mut bytes);
                std::fs::write(&path, bytes).unwrap();
            }
            assert_eq!(cache.read_metadata("k"), None, "{what}");
            assert!(
                cache.read_page("https://i/simple/", "x").is_none(),
                "{what}"
            );
            assert!(!cache.metadata_path("k").exists(), "{what}: removed");
            assert!(
                !cache.page_path("https://i/simple/", "x").exists(),
                "{what}: removed"
            );
        }
    }
}
