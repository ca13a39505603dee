//! pinwheel: exact, hash-verified, offline-installable Python dependencies for Docker images.
//!
//! The crate is a thin CLI (`src/main.rs`, `src/cli/`) over a pure core — targets, filenames,
//! core metadata, requirements, resolution decisions, the lock model — and IO at the edges:
//! the index client (`index`), PEP 517 builds (`build`) and the downloader (`wheelhouse`).

pub mod check;
pub mod cli;
pub mod distribution;
pub mod fs;
pub mod index;
pub mod lock;
pub mod pep517;
pub mod platform;
pub mod progress;
pub mod requirements;
pub mod resolve;
pub mod trace;
pub mod wheelhouse;
