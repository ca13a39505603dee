//! What the resolution has read from the indexes, memoised for the whole run: each project's
//! version map (its listing grouped by version, after `--exclude-newer`) and each version's
//! parsed core metadata. IO: the async index client is asked on the first read, and later reads,
//! the prefetcher's included, share the answer.
//!
//! Only answers are memoised, never failures: a page or metadata fetch that failed (a prefetch
//! on a slow network, say) is tried again when the resolver itself asks, so what happened to a
//! speculative fetch never decides anything for the resolver.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use pep440_rs::Version;
use pep508_rs::PackageName;
use tokio::sync::OnceCell;

use super::candidates::{self, Candidate, VersionMap};
use crate::distribution::metadata::{CoreMetadata, MetadataError};
use crate::index::{IndexClient, IndexError};
use crate::platform::Target;

/// Errors that stop the resolution (as opposed to versions being unavailable).
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error("invalid metadata in {file}: {reason}")]
    Metadata {
        file: String,
        #[source]
        reason: MetadataFault,
    },
}

/// Why a version's core metadata cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum MetadataFault {
    /// The version has no file to read it from.
    #[error("no files")]
    NoFiles,
    #[error(transparent)]
    Invalid(#[from] MetadataError),
}

type MapCell = Arc<OnceCell<Arc<VersionMap>>>;

/// The fetched state of a resolution, shared by the resolver and its prefetches.
pub struct Memo {
    client: IndexClient,
    rt: tokio::runtime::Handle,
    exclude_newer: Option<i64>,
    /// The targets, for the choice of the file a version's metadata is read from.
    targets: Vec<Target>,
    /// Projects given as direct references (`name @ url`): their one file, no index.
    direct: HashMap<PackageName, Arc<VersionMap>>,
    maps: Mutex<HashMap<PackageName, MapCell>>,
    metadata: Mutex<HashMap<(PackageName, Version), Arc<CoreMetadata>>>,
}

impl Memo {
    pub fn new(
        client: IndexClient,
        rt: tokio::runtime::Handle,
        exclude_newer: Option<i64>,
        targets: Vec<Target>,
        direct: HashMap<PackageName, Arc<VersionMap>>,
    ) -> Self {
        Memo {
            client,
            rt,
            exclude_newer,
            targets,
            direct,
            maps: Mutex::default(),
            metadata: Mutex::default(),
        }
    }

    pub fn client(&self) -> &IndexClient {
        &self.client
    }

    pub fn runtime(&self) -> &tokio::runtime::Handle {
        &self.rt
    }

    /// Whether `name` is a direct reference (nothing to fetch from an index).
    pub fn is_direct(&self, name: &PackageName) -> bool {
        self.direct.contains_key(name)
    }

    /// The direct reference's version map, if `name` is one.
    pub fn direct(&self, name: &PackageName) -> Option<&Arc<VersionMap>> {
        self.direct.get(name)
    }

    /// The version map of a project (async: for prefetches).
    pub async fn versions_async(&self, name: &PackageName) -> Result<Arc<VersionMap>, IndexError> {
        if let Some(m) = self.direct.get(name) {
            return Ok(m.clone());
        }
        let cell = self
            .maps
            .lock()
            .unwrap()
            .entry(name.clone())
            .or_default()
            .clone();
        cell.get_or_try_init(|| async {
            let project = self.client.project(name.as_ref()).await?;
            Ok(Arc::new(VersionMap::from_files(
                name,
                project.files.clone(),
                self.exclude_newer,
            )))
        })
        .await
        .cloned()
    }

    /// The version map of a project (blocking: for the resolver's thread).
    pub fn versions(&self, name: &PackageName) -> Result<Arc<VersionMap>, FetchError> {
        Ok(self.rt.block_on(self.versions_async(name))?)
    }

    /// The file of `files` a version's metadata is read from.
    pub fn metadata_source<'c>(&self, files: &[&'c Candidate]) -> Option<&'c Candidate> {
        candidates::metadata_source(files, &self.targets)
    }

    /// Core metadata of one version, parsed (blocking). `first` tells whether this call read it
    /// (rather than a memoised copy), for the resolver's trace.
    pub fn metadata(
        &self,
        name: &PackageName,
        version: &Version,
    ) -> Result<(Arc<CoreMetadata>, bool), FetchError> {
        if let Some(m) = self
            .metadata
            .lock()
            .unwrap()
            .get(&(name.clone(), version.clone()))
        {
            return Ok((m.clone(), false));
        }
        let map = self.versions(name)?;
        let all = map.get(version).unwrap_or(&[]);
        let refs: Vec<&Candidate> = all.iter().collect();
        let source = self
            .metadata_source(&refs)
            .ok_or_else(|| FetchError::Metadata {
                file: format!("{name} {version}"),
                reason: MetadataFault::NoFiles,
            })?;
        let bytes = self
            .rt
            .block_on(self.client.metadata(name.as_ref(), &source.file))?;
        let meta = CoreMetadata::parse(&bytes).map_err(|e| FetchError::Metadata {
            file: source.file.filename.clone(),
            reason: e.into(),
        })?;
        let meta = Arc::new(meta);
        self.metadata
            .lock()
            .unwrap()
            .insert((name.clone(), version.clone()), meta.clone());
        Ok((meta, true))
    }
}
