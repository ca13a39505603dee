//! Input requirements: pip requirements files and pyproject.toml (PEP 621, PEP 735).
//!
//! This is the user's input to `pinwheel lock` and also the reader of hash-pinned lock files
//! (from pinwheel, `uv pip compile --generate-hashes` or `pip-compile --generate-hashes`) for
//! `wheelhouse` and `check`.
//!
//! - [`RequirementsFile`] implements the pip requirements-file format (the layer pip adds
//!   around PEP 508: comments, line continuations, `-r`/`-c` includes, index options,
//!   per-requirement `--hash` options, `${VAR}` expansion). PEP 508 itself is parsed by
//!   `pep508_rs`.
//! - [`PyProject`] reads `[project].dependencies` and `[project.optional-dependencies]`
//!   (PEP 621), `[dependency-groups]` (PEP 735) and pinwheel's own `[tool.pinwheel]` table.
//!
//! Everything here is synchronous and offline: includes are read from the local disk only.

mod error;
mod pip;
mod pyproject;

use std::fmt;
use std::path::PathBuf;

use crate::distribution::HashDigest;

pub use error::RequirementsError;
pub use pip::{expand_env_vars as expand_env, RequirementsFile};
pub use pyproject::{PyProject, ToolConfig};

/// Where a requirement came from: a file and a 1-based line number.
///
/// Displays as `path:line`, the form editors and terminals understand.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Origin {
    /// The file, as it was named (includes are joined to the including file's directory).
    pub path: PathBuf,
    /// 1-based line number of the first physical line of the (possibly continued) line.
    pub line: usize,
}

impl Origin {
    /// Build an origin from a path and a 1-based line number.
    pub fn new(path: impl Into<PathBuf>, line: usize) -> Self {
        Self {
            path: path.into(),
            line,
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.path.display(), self.line)
    }
}

/// One requirement with its per-requirement options and where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Name, extras, version specifiers or direct URL, and marker.
    pub requirement: pep508_rs::Requirement,
    /// Hashes from `--hash` options, in the order written.
    pub hashes: Vec<HashDigest>,
    /// File and line of the requirement.
    pub origin: Origin,
}

impl Entry {
    /// For a direct reference with a `#sha256=<hex>` (or sha384/sha512) URL fragment, that hash.
    /// `None` for version requirements and URLs without a hash fragment.
    pub fn url_fragment_hash(&self) -> Option<HashDigest> {
        let Some(pep508_rs::VersionOrUrl::Url(url)) = &self.requirement.version_or_url else {
            return None;
        };
        HashDigest::from_fragment(url.fragment()?)
    }
}
