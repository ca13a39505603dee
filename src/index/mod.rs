//! Package indexes: the Simple Repository API (PEP 503 HTML, PEP 691 JSON), core metadata
//! retrieval (PEP 658/714, range requests, PEP 643, PEP 517), credentials and the HTTP cache.
//! This is IO: everything here talks to the network or the disk; the parsing it relies on is pure.

pub mod auth;
pub(crate) mod builder;
pub mod cache;
pub(crate) mod cause;
pub(crate) mod client;
pub(crate) mod dns;
pub(crate) mod hostile;
pub(crate) mod retry;
pub mod simple;
pub(crate) mod url;

pub use builder::{Sdist, SdistBuilder};
pub use cause::Cause;
pub use client::{ClientOptions, IndexClient, Project};
pub use simple::IndexFile;
pub use url::DisplaySafeUrl;

pub use crate::distribution::filename::normalize;

/// What can go wrong talking to an index. Cloneable so a memoised answer can be shared.
#[derive(Debug, Clone, thiserror::Error)]
pub enum IndexError {
    #[error("package `{package}` was not found on {}", if indexes.is_empty() { "any index (none configured)".to_string() } else { indexes.join(", ") })]
    NotFound {
        package: String,
        indexes: Vec<String>,
        offline: bool,
    },
    #[error("could not set up the HTTP client: {reason}")]
    Client { reason: Cause },
    #[error("{url}: {reason}")]
    Http { url: DisplaySafeUrl, reason: Cause },
    #[error("{url} answered HTTP {status}")]
    Status { url: DisplaySafeUrl, status: u16 },
    #[error("{url} refused the credentials (HTTP {status})")]
    Auth { url: DisplaySafeUrl, status: u16 },
    #[error("--offline: {what} is not in the cache")]
    Offline { what: String },
    #[error("hash mismatch for {url}: expected sha256 {expected}, got {actual}")]
    Hash {
        url: DisplaySafeUrl,
        expected: String,
        actual: String,
    },
    #[error("cannot read the metadata of {file}: {reason}")]
    Metadata { file: String, reason: Cause },
    /// The injected [`SdistBuilder`] failed; its own error, typed by the builder.
    #[error("building the metadata of {file} failed: {reason}")]
    Build {
        file: String,
        reason: std::sync::Arc<dyn std::error::Error + Send + Sync>,
        /// The Python that ran (or was to run) the build backend.
        python: String,
    },
    #[error(
        "building the metadata of {file} failed: no PEP 517 builder is set up for this command"
    )]
    NoBuilder { file: String },
    #[error("{url}: the answer is larger than {} MiB; refused", limit >> 20)]
    TooLarge { url: DisplaySafeUrl, limit: u64 },
    #[error("cannot use the CA bundle {path} ({given_by}): {reason}")]
    Cert {
        path: String,
        /// Where the path came from: `--cert` or `SSL_CERT_FILE`.
        given_by: &'static str,
        reason: Cause,
    },
    #[error("--find-links {location}: {reason}")]
    FindLinks { location: String, reason: Cause },
    #[error(transparent)]
    Simple(#[from] std::sync::Arc<simple::SimpleError>),
}

impl From<simple::SimpleError> for IndexError {
    fn from(e: simple::SimpleError) -> Self {
        IndexError::Simple(std::sync::Arc::new(e))
    }
}

impl IndexError {
    /// One line telling the user what to try.
    pub fn hint(&self) -> Option<String> {
        Some(match self {
            IndexError::NotFound { offline: true, .. } | IndexError::Offline { .. } => {
                "run once without --offline to fill the cache".into()
            }
            IndexError::NotFound { .. } => {
                "check the spelling, or add the index that has it with --extra-index-url".into()
            }
            IndexError::Auth { .. } => "give credentials in the index URL, as `user:token@` before its host, or in ~/.netrc".into(),
            IndexError::Http {
                reason: Cause::Untrusted(_),
                ..
            } => "give the CA that signed the index's certificate, as PEM, with --cert FILE or \
                  SSL_CERT_FILE=FILE (the operating system's store is used as well)"
                .into(),
            IndexError::Http {
                reason: Cause::RedirectNotFollowed(_),
                ..
            } => "the server redirects where pinwheel does not follow (another scheme, or https \
                  down to http): give the index's own https URL, or have the server redirect to \
                  https"
                .into(),
            IndexError::Http { .. } => {
                "check the network, the index URL, and for TLS errors the CA bundle (--cert or SSL_CERT_FILE)".into()
            }
            IndexError::Cert { .. } => {
                "--cert and SSL_CERT_FILE take a PEM file of one or more CA certificates \
                 (-----BEGIN CERTIFICATE-----)"
                    .into()
            }
            IndexError::Build { python, .. } if !python.is_empty() => format!(
                "this version has no wheel, so its metadata is built by its PEP 517 backend, run with \
                 `{python}` in a fresh venv: make that build work there, or lock a version with \
                 wheels (a constraint, or --only-binary NAME)"
            ),
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn pep503_normalize() {
        assert_eq!(super::normalize("Foo.Bar__baz-Qux"), "foo-bar-baz-qux");
        assert_eq!(super::normalize("typing_extensions"), "typing-extensions");
    }
}
