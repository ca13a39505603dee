//! What pinwheel refuses to take from an index page, whoever serves it: a filename that could
//! name a path outside the directory it is written to (separators, `..`, absolute paths, drive
//! letters, control characters), a distribution file of another project, and a link whose
//! scheme is not http(s) (or `file:` outside a local page). Such files are left out of the
//! listing with a warning; they are never fetched nor written. Pure.

use url::Url;

use super::IndexFile;
use crate::distribution::filename::{version_part, SdistExtension};

/// Why a listed file is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error(transparent)]
    Name(#[from] UnsafeName),
    /// A wheel or sdist name of another project (the project asked for, normalized).
    #[error("it is not a distribution of {0}")]
    OtherProject(String),
    /// A link of a scheme pinwheel does not follow from this page.
    #[error("its URL has the scheme {0}:")]
    Scheme(String),
}

/// Why a filename is unsafe to write under a directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum UnsafeName {
    #[error("the filename is empty")]
    Empty,
    #[error("the filename holds a path separator")]
    PathSeparator,
    #[error("the filename starts with a dot")]
    Dot,
    #[error("the filename holds control characters")]
    Control,
    #[error("the filename holds a colon (a drive letter or stream name)")]
    Colon,
    #[error("the filename is longer than 255 bytes")]
    TooLong,
}

/// Why `file`, listed for the project whose normalized name is `project` on a page at a URL
/// of scheme `page_scheme`, is refused; `None` when it is acceptable.
pub fn refusal(file: &IndexFile, project: &str, page_scheme: &str) -> Option<Refusal> {
    if let Some(why) = unsafe_filename(&file.filename) {
        return Some(why.into());
    }
    let is_dist = file.filename.to_ascii_lowercase().ends_with(".whl")
        || SdistExtension::split(&file.filename).is_some();
    if is_dist && version_part(&file.filename, project).is_none() {
        return Some(Refusal::OtherProject(project.to_string()));
    }
    scheme_refusal(&file.url(), page_scheme)
}

/// Why a filename is unsafe to write under a directory, if it is.
pub fn unsafe_filename(name: &str) -> Option<UnsafeName> {
    Some(if name.is_empty() {
        UnsafeName::Empty
    } else if name.contains('/') || name.contains('\\') {
        UnsafeName::PathSeparator
    } else if name == "." || name == ".." || name.starts_with('.') {
        UnsafeName::Dot
    } else if name.chars().any(char::is_control) {
        UnsafeName::Control
    } else if name.contains(':') {
        UnsafeName::Colon
    } else if name.len() > 255 {
        UnsafeName::TooLong
    } else {
        return None;
    })
}

/// Why a link is refused for its scheme: http(s) always pass, `file:` only on a local page.
pub fn scheme_refusal(url: &Url, page_scheme: &str) -> Option<Refusal> {
    match url.scheme() {
        "http" | "https" => None,
        "file" if page_scheme == "file" => None,
        other => Some(Refusal::Scheme(other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(filename: &str, url: &str) -> IndexFile {
        let mut f = IndexFile::from_url(&Url::parse(url).unwrap());
        f.filename = filename.to_string();
        f
    }

    #[test]
    fn hostile_names_are_refused() {
        for name in [
            "../evil-1.0-py3-none-any.whl",
            "/etc/evil-1.0.tar.gz",
            "sub/demo-1.0-py3-none-any.whl",
            "..\\demo-1.0-py3-none-any.whl",
            "C:demo-1.0-py3-none-any.whl",
            "..",
            ".bashrc",
            "demo-1.0\n.whl",
            "",
        ] {
            assert!(unsafe_filename(name).is_some(), "{name:?}");
        }
        assert!(unsafe_filename("demo-1.0-py3-none-any.whl").is_none());
    }

    #[test]
    fn other_projects_and_schemes_are_refused() {
        let ok = file(
            "demo-1.0-py3-none-any.whl",
            "https://h/demo-1.0-py3-none-any.whl",
        );
        assert_eq!(refusal(&ok, "demo", "https"), None);
        let other = file("requests-1.0-py3-none-any.whl", "https://h/r.whl");
        assert_eq!(
            refusal(&other, "demo", "https").unwrap().to_string(),
            "it is not a distribution of demo"
        );
        let local = file("demo-1.0.tar.gz", "file:///etc/demo-1.0.tar.gz");
        assert_eq!(
            refusal(&local, "demo", "https").unwrap().to_string(),
            "its URL has the scheme file:"
        );
        assert_eq!(refusal(&local, "demo", "file"), None);
        let ftp = file("demo-1.0.tar.gz", "ftp://h/demo-1.0.tar.gz");
        assert!(refusal(&ftp, "demo", "https").is_some());
        // Files pinwheel does not open (legacy formats) are left to the resolver to pass over.
        let legacy = file("demo-1.0.exe", "https://h/demo-1.0.exe");
        assert_eq!(refusal(&legacy, "demo", "https"), None);
    }
}
