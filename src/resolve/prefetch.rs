//! Speculative prefetch: while the resolver decides one package at a time, fetch ahead what it
//! is most likely to ask for next. For a requirement, that is the project's page and the core
//! metadata of the version the resolver would pick (the preferred pin, else the newest usable
//! release in range); once that metadata arrives, the same is done for its own requirements
//! (those whose markers hold on some target, with the requested extras), and so on down the
//! graph. Resolution stays exact: a wrong guess costs a request, never a different answer,
//! since the resolver asks the memoising client for what it really needs. Only wheels' metadata
//! is fetched ahead: an sdist's may need a PEP 517 build, which waits until the resolver picks
//! that version.
//!
//! The prefetcher sits below the provider: it reads the inputs it is given and warms the shared
//! [`Memo`] and the client's caches, and the provider never asks it anything. Its speculative
//! metadata reads are bounded by [`BUDGET`] per resolution.
//!
//! Without this the resolver's walk is one round trip per level of the dependency graph for
//! the page and one for the metadata; with it the fetches of a level start as soon as its
//! parent's metadata is in, not when the resolver gets round to the parent.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use pep440_rs::Version;
use pep508_rs::{ExtraName, MarkerEnvironment, PackageName};

use super::candidates::{self, Candidate, Policy};
use super::memo::Memo;
use super::options::Settings;
use super::ranges::{range_of, Range};
use crate::distribution::filename::DistFilename;
use crate::distribution::metadata::CoreMetadata;

/// At most this many speculative metadata reads per resolution: a guess that runs away (a
/// backtracking walk, a huge graph) costs requests up to this bound, never more.
pub const BUDGET: usize = 2000;

/// Everything a background fetch needs, shared by all of them (cheap to clone).
#[derive(Clone)]
pub struct Prefetcher {
    inner: Arc<Inner>,
}

struct Inner {
    memo: Arc<Memo>,
    settings: Settings,
    envs: Vec<MarkerEnvironment>,
    /// Ranges every resolution keeps to: the constraints and the input's requirements.
    guides: HashMap<PackageName, Range>,
    /// The (project, version, extras) whose requirements were already followed.
    followed: Mutex<HashSet<(PackageName, Version, Vec<ExtraName>)>>,
    /// The versions whose metadata `start_older` asked for already.
    requested: Mutex<HashSet<(PackageName, Version)>>,
    /// Speculative metadata reads left.
    budget: AtomicUsize,
}

impl Prefetcher {
    pub fn new(
        memo: Arc<Memo>,
        settings: Settings,
        envs: Vec<MarkerEnvironment>,
        guides: HashMap<PackageName, Range>,
    ) -> Self {
        Prefetcher {
            inner: Arc::new(Inner {
                memo,
                settings,
                envs,
                guides,
                followed: Mutex::default(),
                requested: Mutex::default(),
                budget: AtomicUsize::new(BUDGET),
            }),
        }
    }

    /// Whether the metadata of `name` `version` may be read ahead: a version asked for before
    /// costs nothing more (the client shares the read); a new one takes one read from the
    /// budget, and none is left once it is spent.
    fn claim(&self, name: &PackageName, version: &Version) -> bool {
        let mut requested = self.inner.requested.lock().unwrap();
        if requested.contains(&(name.clone(), version.clone())) {
            return true;
        }
        let took = self
            .inner
            .budget
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |b| b.checked_sub(1))
            .is_ok();
        if took {
            requested.insert((name.clone(), version.clone()));
        }
        took
    }

    /// Starts fetching, in the background, the page of `name`, the metadata of the version the
    /// resolver is most likely to pick within `range`, and then the same for its requirements
    /// (with `extras` active).
    pub fn start(&self, name: &PackageName, range: &Range, extras: &[ExtraName]) {
        if self.inner.memo.is_direct(name) {
            return;
        }
        let this = self.clone();
        let name = name.clone();
        let range = range.clone();
        let mut extras = extras.to_vec();
        extras.sort();
        self.inner.memo.runtime().spawn(async move {
            this.run(name, range, extras).await;
        });
    }

    async fn run(&self, name: PackageName, range: Range, extras: Vec<ExtraName>) {
        let inner = &self.inner;
        let range = match inner.guides.get(&name) {
            Some(g) => range.intersection(g),
            None => range,
        };
        let Ok(map) = inner.memo.versions_async(&name).await else {
            return;
        };
        let Some(v) = self.likely_pick(&name, &map, &range) else {
            return;
        };
        let files: Vec<&Candidate> = map.get(&v).unwrap_or(&[]).iter().collect();
        let Some(src) = inner.memo.metadata_source(&files) else {
            return;
        };
        // Reading an sdist's metadata may mean a PEP 517 build: it runs the project's code and
        // takes seconds, so only the resolver, for a version it has chosen, asks for one. A
        // guess never does (it could be a release the input excludes).
        if !matches!(src.filename, DistFilename::Wheel(_)) {
            return;
        }
        if !self.claim(&name, &v) {
            return;
        }
        let Ok(bytes) = inner.memo.client().metadata(name.as_ref(), &src.file).await else {
            return;
        };
        let key = (name.clone(), v.clone(), extras.clone());
        if !inner.followed.lock().unwrap().insert(key) {
            return;
        }
        let Ok(meta) = CoreMetadata::parse(&bytes) else {
            return;
        };
        for req in &meta.requires_dist {
            if req.name == name && req.extras.is_empty() {
                continue;
            }
            if !inner.envs.iter().any(|e| req.marker.evaluate(e, &extras)) {
                continue;
            }
            let mut range = range_of(req);
            // `pkg[all]` requiring `pkg[a]`: the same release's extra.
            if req.name == name {
                range = Range::singleton(v.clone());
            }
            self.start(&req.name, &range, &req.extras);
        }
    }

    /// Starts fetching the metadata of the `count` releases in `range` just below `below`: what
    /// the resolver asks for next while it backtracks through a package's versions.
    pub fn start_older(&self, name: &PackageName, range: &Range, below: &Version, count: usize) {
        if self.inner.memo.is_direct(name) {
            return;
        }
        let this = self.clone();
        let name = name.clone();
        let range = range.clone();
        let below = below.clone();
        self.inner.memo.runtime().spawn(async move {
            let inner = &this.inner;
            let Ok(map) = inner.memo.versions_async(&name).await else {
                return;
            };
            let pre = below.any_prerelease();
            let older: Vec<&Version> = {
                let requested = inner.requested.lock().unwrap();
                map.versions
                    .keys()
                    .rev()
                    .filter(|v| **v < below && range.contains(*v) && (pre || !v.any_prerelease()))
                    .take(count)
                    .filter(|v| !requested.contains(&(name.clone(), (*v).clone())))
                    .collect()
            };
            tracing::debug!(target: "prefetch",
                "{name}: metadata of {} releases below {below}",
                older.len()
            );
            let fetches = older.into_iter().filter_map(|v| {
                let files: Vec<&Candidate> = map.get(v).unwrap_or(&[]).iter().collect();
                inner
                    .memo
                    .metadata_source(&files)
                    .filter(|src| matches!(src.filename, DistFilename::Wheel(_)))
                    .filter(|_| this.claim(&name, v))
                    .map(|src| inner.memo.client().metadata(name.as_ref(), &src.file))
            });
            futures::future::join_all(fetches).await;
        });
    }

    /// The version `choose` would most likely take: the preferred pin when it is in range,
    /// else the newest final release in range whose files pass the policy on every target.
    fn likely_pick(
        &self,
        name: &PackageName,
        map: &candidates::VersionMap,
        range: &Range,
    ) -> Option<Version> {
        let settings = &self.inner.settings;
        if let Some(p) = settings.preferences.get(name) {
            if range.contains(p) && map.get(p).is_some() {
                return Some(p.clone());
            }
        }
        let policy = Policy {
            targets: &settings.targets,
            allow_yanked: false,
            only_binary: settings.only_binary(name),
            no_binary: settings.no_binary(name),
        };
        map.versions
            .keys()
            .rev()
            .filter(|v| range.contains(*v) && !v.any_prerelease())
            .find(|v| candidates::usable(map.get(v).unwrap_or(&[]), &policy).is_ok())
            .cloned()
    }
}
