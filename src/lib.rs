//! pinwheel: exact, hash-verified, offline-installable Python dependencies for Docker images.
//!
//! The crate is a thin CLI (`src/main.rs`, `src/cli/`) over a pure core — targets, filenames,
//! core metadata, requirements, resolution decisions, the lock model — and IO at the edges:
//! the index client (`index`), PEP 517 builds (`build`) and the downloader (`wheelhouse`).

// The library's surface is what the binary, the benches and the tests use: `run`, `trace`,
// and the modules below that are `pub`; the rest is the crate's own.
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
