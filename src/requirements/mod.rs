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
//! Both give [`RequirementLine`]s: the requirement, its `--hash` options and the [`FileLine`]
//! (file and line) it was written on, which every error of these readers names.
//!
//! Everything here is synchronous and offline: includes are read from the local disk only.

mod error;
mod pip;
mod pyproject;
pub(crate) mod text;

use std::fmt;
use std::path::PathBuf;

use crate::distribution::HashDigest;

pub use error::{NotText, PyProjectProblem, RequirementsError};
pub use pip::{expand_env_vars as expand_env, RequirementsFile};
pub use pyproject::{PyProject, ToolConfig};
pub use text::{decode as decode_text, TextError};

/// A place in an input file: the file and a 1-based line number (where a requirement, an option
/// or a problem was written).
///
/// Displays as `path:line`, the form editors and terminals understand.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileLine {
    /// The file, as it was named (includes are joined to the including file's directory).
    pub path: PathBuf,
    /// 1-based line number of the first physical line of the (possibly continued) line.
    pub line: usize,
}

impl FileLine {
    /// A path and a 1-based line number.
    pub fn new(path: impl Into<PathBuf>, line: usize) -> Self {
        Self {
            path: path.into(),
            line,
        }
    }
}

impl fmt::Display for FileLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.path.display(), self.line)
    }
}

/// One requirement line of an input file, parsed: the PEP 508 requirement with its per-requirement
/// options (`--hash`) and where it was written (a requirements file's line, or the line of a
/// pyproject.toml dependency).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequirementLine {
    /// Name, extras, version specifiers or direct URL, and marker.
    pub requirement: pep508_rs::Requirement,
    /// Hashes from `--hash` options, in the order written.
    pub hashes: Vec<HashDigest>,
    /// File and line of the requirement.
    pub origin: FileLine,
}
