//! Why a request, a file or a setting of the index client failed, as data. [`super::IndexError`]
//! is `Clone` (a memoised answer is shared by every caller that asked), so the causes that are
//! errors of other crates are kept behind an `Arc` rather than flattened to text; each variant
//! reads as the words the user has always seen.

use std::sync::Arc;

/// The cause under an [`super::IndexError`].
#[derive(Debug, Clone, thiserror::Error)]
pub enum Cause {
    /// The HTTP client's error, with its chain of causes (connection, TLS, timeout).
    #[error("{}", super::client::error_chain(.0.as_ref()))]
    Transport(Arc<reqwest::Error>),
    /// An error of the HTTP client that reads well alone (a PEM bundle it could not parse).
    #[error("{0}")]
    Client(Arc<reqwest::Error>),
    /// A local file (a `file://` URL, a `--find-links` directory, a CA bundle, an sdist).
    #[error("{0}")]
    Io(Arc<std::io::Error>),
    /// A temporary file for a download could not be written.
    #[error("writing a temporary file: {0}")]
    TempFile(Arc<std::io::Error>),
    /// A transient status seen on a try that was not the last.
    #[error("HTTP {0}")]
    Status(u16),
    /// A transient status on the one try there was.
    #[error("answered HTTP {0}")]
    Answered(u16),
    /// Every try failed; the last one's cause.
    #[error("failed {attempts} times; the last: {last}")]
    Retried { attempts: u32, last: Box<Cause> },
    #[error("not a local path")]
    NotLocalPath,
    #[error("range answer without a Content-Range total")]
    NoContentRangeTotal,
    /// The project's page URL could not be made from the index URL and the name.
    #[error("cannot form the project URL for {0}")]
    ProjectUrl(String),
    /// A file name from a listing that would write outside the wheelhouse (what is wrong).
    #[error("refused: {0}")]
    Refused(super::hostile::UnsafeName),
    /// A redirect the policy did not follow (its target, without credentials).
    #[error(
        "redirected to {0}: not followed (redirects are followed to http(s) URLs only, never \
         from https to http)"
    )]
    RedirectNotFollowed(String),
    /// A range answer with more bytes than the total its `Content-Range` gives.
    #[error("range answer longer than the file's total ({0} bytes)")]
    RangeLongerThanFile(u64),
    #[error("{0}")]
    Url(#[from] url::ParseError),
    #[error("{0}")]
    Zip(Arc<crate::distribution::zip_ranges::ZipError>),
    #[error("{0}")]
    Metadata(Arc<crate::distribution::metadata::MetadataError>),
    #[error("no PEM certificates in the file")]
    NoCertificates,
    /// A CA bundle in DER (binary) form, where PEM is needed.
    #[error(
        "the file is a DER (binary) certificate, not PEM; convert it with \
         `openssl x509 -inform der -in FILE -out FILE.pem`"
    )]
    DerCertificate,
    /// The server's certificate is not trusted (its chain of causes says why).
    #[error("the server's certificate is not trusted ({})", super::client::certificate_fault(.0)
        .map_or_else(|| super::client::error_chain(.0.as_ref()), |tls| tls.to_string()))]
    Untrusted(Arc<reqwest::Error>),
}

impl Cause {
    /// The cause after `attempts` tries: itself after one, else wrapped with the count.
    pub fn after(self, attempts: u32) -> Cause {
        if attempts > 1 {
            Cause::Retried {
                attempts,
                last: Box::new(self),
            }
        } else {
            self
        }
    }
}

impl From<reqwest::Error> for Cause {
    fn from(e: reqwest::Error) -> Self {
        Cause::Transport(Arc::new(e))
    }
}

impl From<std::io::Error> for Cause {
    fn from(e: std::io::Error) -> Self {
        Cause::Io(Arc::new(e))
    }
}

impl From<crate::distribution::zip_ranges::ZipError> for Cause {
    fn from(e: crate::distribution::zip_ranges::ZipError) -> Self {
        Cause::Zip(Arc::new(e))
    }
}

impl From<crate::distribution::metadata::MetadataError> for Cause {
    fn from(e: crate::distribution::metadata::MetadataError) -> Self {
        Cause::Metadata(Arc::new(e))
    }
}

#[cfg(test)]
mod tests {
    use super::Cause;

    #[test]
    fn reads_as_before() {
        assert_eq!(Cause::Status(503).after(1).to_string(), "HTTP 503");
        assert_eq!(
            Cause::Status(503).after(3).to_string(),
            "failed 3 times; the last: HTTP 503"
        );
        assert_eq!(Cause::Answered(502).to_string(), "answered HTTP 502");
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "gone");
        assert_eq!(Cause::from(io).to_string(), "gone");
    }
}
