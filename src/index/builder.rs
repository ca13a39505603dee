//! The seam between the index client and source builds (uv's `BuildContext` idea): when an
//! sdist's metadata must be built (PEP 517), the client hands the verified archive to the
//! [`SdistBuilder`] it was given at construction, passing itself along so that the builder can
//! fetch the build's own requirements through it (indexes, credentials, cache). `index` thus
//! knows nothing of `build`, which implements the trait and may use `index` and `resolve`.

use std::sync::Arc;

use futures::future::BoxFuture;

use super::{IndexClient, IndexError};

/// An sdist whose core metadata must be built, as fetched (its sha256 already checked against
/// the listing's).
#[derive(Debug, Clone)]
pub struct Sdist {
    /// The project's name as the resolver asked for it.
    pub project: String,
    pub filename: String,
    /// The archive, verified, in a temporary file (removed when the last holder drops it).
    pub archive: Arc<tempfile::TempPath>,
}

/// Prepares the core metadata of sdists with their build backends.
pub trait SdistBuilder: Send + Sync + std::fmt::Debug {
    /// The METADATA bytes of `sdist`. A failed build is an [`IndexError::Build`].
    fn prepare_metadata<'a>(
        &'a self,
        client: &'a IndexClient,
        sdist: Sdist,
    ) -> BoxFuture<'a, Result<Vec<u8>, IndexError>>;
}
