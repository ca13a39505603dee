//! pinwheel: exact, hash-verified, offline-installable Python dependencies for Docker images.
//!
//! The crate is a thin CLI (`src/main.rs`, `src/cli/`) over a pure core — targets, filenames,
//! core metadata, requirements, resolution decisions, the lock model — and IO at the edges:
//! the index client (`index`), PEP 517 builds (`pep517`) and the downloader (`wheelhouse`).

// The library's surface is what the binary, the benches, the tests and the fuzz targets use:
// `run`, `trace`, and the modules below that are `pub`, whose own submodules are `pub(crate)`
// but for the parsers those callers drive (`index::{auth, cache, simple}`, `lock::pylock`,
// `distribution`'s); what else they use is re-exported where its module is named (e.g.
// `lock::LockOptions`, `resolve::VersionMap`). The rest is the crate's own, so the compiler
// reports what nothing calls.
pub use cli::run;

pub(crate) mod check;
pub(crate) mod cli;
// `distribution` and `index::auth` are public for the property tests and fuzz targets of their
// parsers (tests/properties.rs, fuzz/).
pub mod distribution;
pub(crate) mod fs;
pub mod index;
pub(crate) mod interrupt;
pub mod lock;
pub(crate) mod lockfile;
pub(crate) mod pep517;
pub mod platform;
pub(crate) mod progress;
pub mod requirements;
pub mod resolve;
pub mod trace;
pub(crate) mod wheelhouse;
