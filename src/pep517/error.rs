//! Why a build step failed, as data: what was being done and the error underneath, kept whole
//! (behind an `Arc`, so that a memoised environment's failure can be handed to every build that
//! waited for it). Each variant reads as the words the user sees in a failed build's message.

use std::path::PathBuf;
use std::sync::Arc;

use super::install::InstallError;

/// A failed step of making a build environment or running a build backend.
#[derive(Debug, Clone, thiserror::Error)]
pub enum BuildFailure {
    /// A file or directory could not be read, written, made or removed.
    #[error("{}: {source}", path.display())]
    File {
        path: PathBuf,
        source: Arc<std::io::Error>,
    },
    /// A temporary directory or file for the build could not be made.
    #[error("{0}")]
    Scratch(Arc<std::io::Error>),
    /// A program could not be started.
    #[error("cannot run {}: {source}", program.display())]
    Spawn {
        program: PathBuf,
        source: Arc<std::io::Error>,
    },
    /// A step (`what`) could not start or be waited for.
    #[error("{what}: {source}")]
    Start {
        what: String,
        source: Arc<std::io::Error>,
    },
    /// A step (`what`: making a venv, pip installing) ran and failed: its last lines of stderr.
    #[error("{what} failed:\n{stderr_tail}")]
    Command { what: String, stderr_tail: String },
    /// The build backend's runner could not be talked to (its pipe, its exit status).
    #[error("{0}")]
    Runner(Arc<std::io::Error>),
    /// The backend's hook failed: its last lines of stderr.
    #[error("the build backend {backend} failed:\n{stderr_tail}")]
    Backend {
        backend: String,
        stderr_tail: String,
    },
    #[error(
        "the build backend {backend} returned requirements that are not a list of strings: {source}"
    )]
    BadRequires {
        backend: String,
        source: Arc<serde_json::Error>,
    },
    #[error("the build backend {backend} gave no answer to get_requires_for_build_wheel")]
    NoRequiresAnswer { backend: String },
    #[error("the build backend gave no answer ({}): {source}", answer.display())]
    NoAnswer {
        answer: PathBuf,
        source: Arc<std::io::Error>,
    },
    #[error("the build backend made no {}", path.display())]
    NothingMade { path: PathBuf },
    #[error("the backend wrote no METADATA ({}): {source}", path.display())]
    NoMetadata {
        path: PathBuf,
        source: Arc<std::io::Error>,
    },
    /// The build Python cannot be used: it does not run, or says what no target can be.
    #[error("cannot use {python} to build: {source}")]
    Interpreter {
        python: String,
        source: Arc<crate::platform::TargetError>,
    },
    #[error("{} could not tell its install paths:\n{stderr_tail}", python.display())]
    InstallPathsFailed {
        python: PathBuf,
        stderr_tail: String,
    },
    #[error("{} gave no install paths: {output}", python.display())]
    NoInstallPaths { python: PathBuf, output: String },
    #[error("the venv's install path {} lies outside it ({})", path.display(), root.display())]
    InstallPathOutside { path: PathBuf, root: PathBuf },
    #[error("an environment needs a parent directory")]
    NoParent,
    #[error("cannot move the build environment into {}: {source}", dest.display())]
    Move {
        dest: PathBuf,
        source: Arc<std::io::Error>,
    },
    #[error("cannot open: {0}")]
    OpenSdist(Arc<std::io::Error>),
    #[error("cannot unpack: {0}")]
    Unpack(Arc<std::io::Error>),
    /// The sdist's archive passes a bound, or a member would leave the source tree.
    #[error("refused to unpack: {0}")]
    UnpackRefused(super::source::Refusal),
    #[error("invalid pyproject.toml: {0}")]
    Pyproject(Arc<toml::de::Error>),
    /// A build requirement that is not a PEP 508 requirement.
    #[error("cannot read `{text}`: {}", crate::distribution::pep508::describe(source.as_ref()))]
    Requirement {
        text: String,
        source: Arc<pep508_rs::Pep508Error>,
    },
    /// The build requirements do not resolve (for a build environment, wheels only).
    #[error("{0}")]
    Resolve(Arc<crate::resolve::ResolveError>),
    #[error("{name} {version} has no wheel for {target}")]
    NoWheel {
        name: String,
        version: String,
        target: String,
    },
    #[error("fetching {filename}: {source}")]
    Fetch {
        filename: String,
        source: crate::index::IndexError,
    },
    #[error("{0}")]
    Install(Arc<InstallError>),
    /// A blocking task of the build panicked or was cancelled.
    #[error("{0}")]
    Task(Arc<tokio::task::JoinError>),
}

impl BuildFailure {
    /// A failed file operation on `path`.
    pub fn file(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> BuildFailure {
        let path = path.into();
        move |e| BuildFailure::File {
            path,
            source: Arc::new(e),
        }
    }
}

impl From<tokio::task::JoinError> for BuildFailure {
    fn from(e: tokio::task::JoinError) -> Self {
        BuildFailure::Task(Arc::new(e))
    }
}

impl From<InstallError> for BuildFailure {
    fn from(e: InstallError) -> Self {
        BuildFailure::Install(Arc::new(e))
    }
}
