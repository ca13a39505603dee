//! pinwheel: exact, hash-verified, offline-installable Python dependencies for Docker images.
//!
//! The crate is a thin CLI (`src/main.rs`, `src/cli/`) over a pure core — targets, filenames,
//! core metadata, requirements, resolution decisions, the lock model — and IO at the edges:
//! the index client (`index`) and the downloader (`wheelhouse`).

pub mod dist;
pub mod requirements;
pub mod target;
