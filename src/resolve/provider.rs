//! The pubgrub `DependencyProvider`: packages are projects and their extras (a `pkg[x]` node
//! depends on `pkg` at the same version plus the extra's requirements), versions are PEP 440
//! versions, ranges come from PEP 440 specifiers. The provider runs on a blocking thread.
//!
//! It holds three kinds of state, kept apart:
//! - [`Inputs`]: what the resolution was asked (fixed);
//! - the [`Memo`] of what has been fetched (shared with the prefetcher, which sits below the
//!   provider and only warms it), and the [`Conflicts`] learnt so far (kept across attempts);
//! - [`Search`]: the state of one pubgrub attempt, created fresh for each.
//!
//! Every answer the provider gives pubgrub is a function of the inputs, the index's data and
//! the calls pubgrub made before: what is cached or prefetched, and how long answers take,
//! change how long the resolution takes, never its path. `PINWHEEL_LOG=resolve` traces it.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use pep440_rs::Version;
use pep508_rs::{ExtraName, MarkerEnvironment, MarkerTree, PackageName, Requirement};
use pubgrub::{Dependencies, DependencyProvider, PackageResolutionStatistics};

use super::candidates::{self, Candidate, Policy, Skip, VersionMap};
use super::conflicts::{Class, Conflicts, Decisions, Verdict};
use super::memo::{FetchError, Memo};
use super::options::{Root, Settings};
use super::prefetch::Prefetcher;
use super::ranges::{exact_range, range_names_prerelease, range_of, Range};
use crate::distribution::metadata::CoreMetadata;
use crate::index::IndexError;
use crate::platform::Target;

/// A node of the resolution graph.
///
/// An extra is two nodes. `Extra(n, e)` at version v depends on `Package(n)` == v and on
/// `ExtraRequires(n, e)` == v, which holds the extra's requirements (read from v's metadata).
/// Choosing a version for the extra thus reads no metadata: when the project is already
/// decided at another version, the conflict is found at once, without fetching (or building)
/// the metadata of a release the project cannot take.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Node {
    Root,
    Package(PackageName),
    Extra(PackageName, ExtraName),
    ExtraRequires(PackageName, ExtraName),
}

impl Node {
    /// The project a node belongs to (none for the root).
    pub fn project(&self) -> Option<&PackageName> {
        match self {
            Node::Root => None,
            Node::Package(n) | Node::Extra(n, _) | Node::ExtraRequires(n, _) => Some(n),
        }
    }
}

impl std::fmt::Display for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Node::Root => write!(f, "your requirements"),
            Node::Package(n) => write!(f, "{n}"),
            Node::Extra(n, e) | Node::ExtraRequires(n, e) => write!(f, "{n}[{e}]"),
        }
    }
}

/// How many older releases' metadata is fetched ahead when the resolver backtracks a package
/// the first time; the batch doubles with each further backtrack of it, up to
/// [`BACKTRACK_PREFETCH_MAX`], so a long walk down one package's releases (pubgrub cannot
/// always merge their incompatibilities) costs a few round trips, not one per release.
const BACKTRACK_PREFETCH: usize = 4;
const BACKTRACK_PREFETCH_MAX: usize = 64;

/// What the resolution was asked: fixed for its whole run.
pub(crate) struct Inputs {
    pub settings: Settings,
    pub envs: Vec<MarkerEnvironment>,
    pub roots: Vec<Root>,
    pub constraints: HashMap<PackageName, (Range, MarkerTree)>,
    /// The constraint lines as written, for messages.
    pub constraint_origins: Vec<Root>,
    /// Packages an input line or constraint names a pre-release for (pip then allows their
    /// pre-releases); a dependency's specifiers count through the range (`choose`).
    pub pre_named: HashSet<PackageName>,
}

impl Inputs {
    pub fn all_mask(&self) -> u64 {
        if self.settings.targets.len() >= 64 {
            u64::MAX
        } else {
            (1u64 << self.settings.targets.len()) - 1
        }
    }

    /// The targets of a mask (bit i = `settings.targets[i]`).
    pub fn masked_targets(&self, mask: u64) -> Vec<Target> {
        self.settings
            .targets
            .iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << i) != 0)
            .map(|(_, t)| t.clone())
            .collect()
    }

    /// Whether `marker` holds, with `extras` active, on at least one target.
    pub fn any_target(&self, marker: &MarkerTree, extras: &[ExtraName]) -> bool {
        self.envs.iter().any(|env| marker.evaluate(env, extras))
    }
}

/// The state of one pubgrub attempt.
#[derive(Default)]
pub(crate) struct Search {
    /// Per package, the targets on which some requirement seen so far needs it: a requirement
    /// counts on a target when its marker holds there and its parent is needed there.
    /// Candidate checks (Requires-Python, `--only-binary`) apply on these targets only, so a
    /// Windows-only dependency need not have Linux wheels.
    masks: HashMap<PackageName, u64>,
    /// Versions chosen while only a `==` range allowed them, so yanked files count (PEP 592).
    yanked_ok: HashSet<(PackageName, Version)>,
    /// The version last chosen for each project, tried first for its extras' nodes.
    last_chosen: HashMap<PackageName, Version>,
    /// The version last chosen for each node.
    node_versions: HashMap<Node, Version>,
    /// How often each node was chosen again at another version (it is being backtracked).
    backtracks: HashMap<Node, u32>,
    /// The decisions standing, as far as the provider can tell (for conflicts and the trace).
    decisions: Decisions<Node>,
    /// Per node and version, the targets its dependencies were read for. pubgrub asks once, so
    /// a dependency whose marker holds only on a target the node gained later is missing.
    deps_masks: HashMap<(Node, Version), u64>,
    /// Set when a conflict asks for the search to start again.
    restart: bool,
}

impl Search {
    /// A fresh attempt, knowing from earlier rounds on which targets packages are needed.
    pub fn new(masks: HashMap<PackageName, u64>) -> Self {
        Search {
            masks,
            ..Search::default()
        }
    }
}

pub(crate) struct Provider {
    pub inputs: Inputs,
    pub memo: Arc<Memo>,
    prefetch: Prefetcher,
    search: Mutex<Search>,
    conflicts: Mutex<Conflicts>,
    /// Versions passed over and why, over all attempts (for messages).
    skipped: Mutex<HashMap<PackageName, Vec<(Version, Skip)>>>,
}

/// Errors that stop an attempt.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// Not an error: a conflict changed the priorities, and the search starts again.
    #[error("the search restarts with new priorities")]
    Restart,
}

impl From<IndexError> for ProviderError {
    fn from(e: IndexError) -> Self {
        ProviderError::Fetch(FetchError::Index(e))
    }
}

impl Provider {
    pub fn new(inputs: Inputs, memo: Arc<Memo>, prefetch: Prefetcher) -> Self {
        Provider {
            inputs,
            memo,
            prefetch,
            search: Mutex::default(),
            conflicts: Mutex::default(),
            skipped: Mutex::default(),
        }
    }

    /// Starts a new attempt with the given per-package target masks.
    pub fn begin(&self, masks: HashMap<PackageName, u64>) {
        *self.search.lock().unwrap() = Search::new(masks);
    }

    pub fn restarts(&self) -> u32 {
        self.conflicts.lock().unwrap().restarts()
    }

    /// Versions passed over and why.
    pub fn skipped(&self) -> std::sync::MutexGuard<'_, HashMap<PackageName, Vec<(Version, Skip)>>> {
        self.skipped.lock().unwrap()
    }

    /// Whether `version` of `name` was chosen under an `==` range (its yanked files count).
    pub fn yanked_ok(&self, name: &PackageName, version: &Version) -> bool {
        self.search
            .lock()
            .unwrap()
            .yanked_ok
            .contains(&(name.clone(), version.clone()))
    }

    /// When the dependencies of a chosen node (the project or one of its extras) were read for
    /// fewer targets than `mask`, the mask they were read for: a dependency whose marker holds
    /// only on the missing targets was left out.
    pub fn deps_read_short(&self, name: &PackageName, version: &Version, mask: u64) -> Option<u64> {
        let search = self.search.lock().unwrap();
        search
            .deps_masks
            .iter()
            .filter(|((node, v), _)| {
                v == version
                    && matches!(node, Node::Package(n) | Node::ExtraRequires(n, _) if n == name)
            })
            .map(|(_, m)| *m)
            .find(|m| m & mask != mask)
    }

    fn only_binary(&self, name: &PackageName) -> bool {
        self.inputs.settings.only_binary(name)
    }

    /// The targets a package is needed on so far (all when nothing is known yet).
    pub fn mask_of(&self, name: &PackageName) -> u64 {
        self.search
            .lock()
            .unwrap()
            .masks
            .get(name)
            .copied()
            .unwrap_or(self.inputs.all_mask())
    }

    /// The version map of a project.
    pub fn versions(&self, name: &PackageName) -> Result<Arc<VersionMap>, FetchError> {
        self.memo.versions(name)
    }

    /// The files of `version` that pass the policy.
    pub fn usable_files(
        &self,
        name: &PackageName,
        version: &Version,
        allow_yanked: bool,
        mask: u64,
    ) -> Result<Vec<Candidate>, Skip> {
        let map = match self.versions(name) {
            Ok(m) => m,
            Err(_) => {
                return Err(Skip::NoFileFor {
                    target: String::new(),
                })
            }
        };
        let cands = map.get(version).unwrap_or(&[]);
        let targets = self.inputs.masked_targets(mask);
        let policy = Policy {
            targets: &targets,
            allow_yanked,
            only_binary: self.only_binary(name),
            no_binary: self.inputs.settings.no_binary(name),
        };
        candidates::usable(cands, &policy).map(|v| v.into_iter().cloned().collect())
    }

    /// Core metadata of one version (memoised; parsed).
    pub fn metadata(
        &self,
        name: &PackageName,
        version: &Version,
    ) -> Result<Arc<CoreMetadata>, FetchError> {
        let (meta, first) = self.memo.metadata(name, version)?;
        if first {
            tracing::debug!(target: "resolve", "metadata {name} {version}");
        }
        Ok(meta)
    }

    /// Core metadata, or why this version's metadata cannot be read (malformed fields, a
    /// corrupt archive): such a version is skipped, as pip and uv skip it, rather than ending
    /// the resolution. Network and build failures stay errors.
    fn metadata_or_invalid(
        &self,
        name: &PackageName,
        version: &Version,
    ) -> Result<Result<Arc<CoreMetadata>, String>, ProviderError> {
        match self.metadata(name, version) {
            Ok(m) => Ok(Ok(m)),
            Err(e @ FetchError::Metadata { .. })
            | Err(e @ FetchError::Index(IndexError::Metadata { .. })) => {
                let mut s = self.skipped.lock().unwrap();
                let list = s.entry(name.clone()).or_default();
                if !list.iter().any(|(x, _)| x == version) {
                    // pep508's errors underline the spot on further lines: keep the first.
                    let why = e.to_string().lines().next().unwrap_or_default().to_string();
                    list.push((version.clone(), Skip::InvalidMetadata(why)));
                }
                Ok(Err("its metadata is invalid".to_string()))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Requirements of a node, as pubgrub constraints (markers decided across all targets).
    fn dependencies_of(
        &self,
        reqs: &[Requirement],
        extras: &[ExtraName],
        only_new_for_extra: bool,
        this: Option<(&PackageName, &Version)>,
        parent_mask: u64,
    ) -> Vec<(Node, Range)> {
        let self_name = this.map(|(n, _)| n);
        let mut out: Vec<(Node, Range)> = Vec::new();
        let mut needed: Vec<(&PackageName, &[ExtraName])> = Vec::new();
        for req in reqs {
            let mut mask = 0u64;
            for (i, env) in self.inputs.envs.iter().enumerate() {
                let holds = if only_new_for_extra {
                    req.marker.evaluate(env, extras) && !req.marker.evaluate(env, &[])
                } else {
                    req.marker.evaluate(env, extras)
                };
                if holds {
                    mask |= 1 << i;
                }
            }
            let mask = mask & parent_mask;
            if mask == 0 {
                continue;
            }
            *self
                .search
                .lock()
                .unwrap()
                .masks
                .entry(req.name.clone())
                .or_default() |= mask;
            let mut range = range_of(req);
            if let Some((c, marker)) = self.inputs.constraints.get(&req.name) {
                if self.inputs.any_target(marker, &[]) {
                    range = range.intersection(c);
                }
            }
            // `pkg[all]` requiring `pkg[a]`: the same release's extra, not any release's.
            if let Some((_, v)) = this.filter(|(n, _)| **n == req.name) {
                range = range.intersection(&Range::singleton(v.clone()));
            }
            if self_name != Some(&req.name) {
                push(&mut out, Node::Package(req.name.clone()), range.clone());
                needed.push((&req.name, &req.extras[..]));
            }
            for e in &req.extras {
                push(
                    &mut out,
                    Node::Extra(req.name.clone(), e.clone()),
                    range.clone(),
                );
            }
        }
        for (name, extras) in &needed {
            if let Some((_, range)) = out
                .iter()
                .find(|(n, _)| matches!(n, Node::Package(p) if p == *name))
            {
                self.prefetch.start(name, range, extras);
            }
        }
        out
    }

    /// Notes the dependencies of `name` `version` that exclude a standing decision: that
    /// decision (the culprit) rejects this version. Asks for a restart when the culprit has
    /// done so often enough (see [`Conflicts`]).
    fn note_conflicts(&self, name: &PackageName, version: &Version, deps: &[(Node, Range)]) {
        let mut search = self.search.lock().unwrap();
        for (node, range) in deps {
            let Node::Package(dep) = node else { continue };
            if dep == name {
                continue;
            }
            let Some(decided) = search.decisions.get(node).cloned() else {
                continue;
            };
            if range.contains(&decided) {
                continue;
            }
            tracing::debug!(target: "resolve",
                "conflict: {name} {version} needs {dep} {range}, decided {decided}"
            );
            let verdict = self.conflicts.lock().unwrap().record(name, dep);
            if let Verdict::Restart(culprit) = verdict {
                tracing::debug!(target: "resolve",
                    "restart: {culprit} is decided late from now on (it rejected other packages' versions again and again)"
                );
                search.restart = true;
            }
        }
    }

    fn choose(
        &self,
        name: &PackageName,
        range: &Range,
        for_extra: bool,
    ) -> Result<Option<Version>, ProviderError> {
        let map = self.versions(name)?;
        let settings = &self.inputs.settings;
        // pip allows pre-releases for a package when a specifier on it names one. The input's
        // always apply; a dependency's apply while they are part of the range, i.e. while the
        // parent that wrote them is chosen, not after the resolver moved away from it.
        let allow_pre_all =
            settings.pre || self.inputs.pre_named.contains(name) || range_names_prerelease(range);
        // PEP 592: a yanked release is allowed when the range pins it with `==`.
        let exact = |v: &Version| range.subset_of(&exact_range(&v.clone().without_local()));
        let targets = self.inputs.masked_targets(self.mask_of(name));
        let pass = |v: &Version| -> Option<Vec<Candidate>> {
            let cands = map.get(v)?;
            let policy = Policy {
                targets: &targets,
                allow_yanked: exact(v),
                only_binary: self.only_binary(name),
                no_binary: self.inputs.settings.no_binary(name),
            };
            match candidates::usable(cands, &policy) {
                Ok(files) => Some(files.into_iter().cloned().collect()),
                Err(skip) => {
                    let mut s = self.skipped.lock().unwrap();
                    let list = s.entry(name.clone()).or_default();
                    if !list.iter().any(|(x, _)| x == v) {
                        list.push((v.clone(), skip));
                    }
                    None
                }
            }
        };
        let chosen = |v: &Version| {
            if exact(v) {
                self.search
                    .lock()
                    .unwrap()
                    .yanked_ok
                    .insert((name.clone(), v.clone()));
            }
            Ok(Some(v.clone()))
        };
        // An extra's node first tries the version its project was given, which it must match.
        if for_extra {
            let decided = self.search.lock().unwrap().last_chosen.get(name).cloned();
            if let Some(d) = decided {
                if range.contains(&d) && pass(&d).is_some() {
                    return chosen(&d);
                }
                if !range.contains(&d) {
                    // Any version conflicts with the project's (the extra requires the project
                    // at its own version): take the newest, unchecked, so that pubgrub learns
                    // so at once. Should the project change, its own node checks the version.
                    return Ok(map
                        .versions
                        .keys()
                        .rev()
                        .find(|v| range.contains(*v))
                        .cloned());
                }
            }
        }
        if let Some(p) = settings.preferences.get(name) {
            if range.contains(p) && pass(p).is_some() {
                return chosen(p);
            }
        }
        let in_range: Vec<&Version> = map
            .versions
            .keys()
            .rev()
            .filter(|v| range.contains(*v))
            .collect();
        // pip: pre-releases only when asked for, named by a specifier, or when nothing else fits.
        for allow_pre in [false, true] {
            if allow_pre && allow_pre_all {
                break;
            }
            let ok_pre = |v: &Version| allow_pre_all || allow_pre || !v.any_prerelease();
            if settings.prefer_binary {
                for v in in_range.iter().filter(|v| ok_pre(v)) {
                    if let Some(files) = pass(v) {
                        let refs: Vec<&Candidate> = files.iter().collect();
                        if candidates::has_wheels_for_all(&refs, &targets) {
                            return chosen(v);
                        }
                    }
                }
            }
            for v in in_range.iter().filter(|v| ok_pre(v)) {
                if pass(v).is_some() {
                    return chosen(v);
                }
            }
        }
        Ok(None)
    }

    /// Records the dependencies read for a node, and checks Requires-Python on the targets the
    /// project is needed on.
    fn node_dependencies(
        &self,
        node: &Node,
        name: &PackageName,
        version: &Version,
        extra: Option<&ExtraName>,
    ) -> Result<Dependencies<Node, Range, String>, ProviderError> {
        let meta = match self.metadata_or_invalid(name, version)? {
            Ok(m) => m,
            Err(why) => return Ok(self.unavailable(node, version, why)),
        };
        let mask = self.mask_of(name);
        self.search
            .lock()
            .unwrap()
            .deps_masks
            .insert((node.clone(), version.clone()), mask);
        if extra.is_none() {
            if let Some(rp) = &meta.requires_python {
                if let Some(t) = self
                    .inputs
                    .masked_targets(mask)
                    .iter()
                    .find(|t| !rp.contains(&t.python_full_version()))
                {
                    let why = format!(
                        "its metadata requires Python {rp}, which excludes {}",
                        t.canonical()
                    );
                    return Ok(self.unavailable(node, version, why));
                }
            }
        }
        let deps = self.dependencies_of(
            &meta.requires_dist,
            extra.map(std::slice::from_ref).unwrap_or(&[]),
            extra.is_some(),
            Some((name, version)),
            mask,
        );
        self.note_conflicts(name, version, &deps);
        Ok(Dependencies::Available(deps.into_iter().collect()))
    }

    fn unavailable(
        &self,
        node: &Node,
        version: &Version,
        why: String,
    ) -> Dependencies<Node, Range, String> {
        tracing::debug!(target: "resolve", "reject {node} {version}: {why}");
        Dependencies::Unavailable(why)
    }
}

fn push(out: &mut Vec<(Node, Range)>, node: Node, range: Range) {
    if let Some((_, r)) = out.iter_mut().find(|(n, _)| *n == node) {
        *r = r.intersection(&range);
    } else {
        out.push((node, range));
    }
}

impl DependencyProvider for Provider {
    type P = Node;
    type V = Version;
    type VS = Range;
    type M = String;
    type Priority = (Class, u32);
    type Err = ProviderError;

    fn prioritize(
        &self,
        package: &Node,
        range: &Range,
        stats: &PackageResolutionStatistics,
    ) -> Self::Priority {
        // Conflict classes first (see `conflicts`); within a class, pinned and conflicting
        // packages first; then breadth first, a project before its extras (which then take the
        // project's version: see `choose`).
        let class = package
            .project()
            .map(|n| self.conflicts.lock().unwrap().class(n))
            .unwrap_or_default();
        let pinned = u32::from(range.as_singleton().is_some());
        let project = u32::from(matches!(package, Node::Package(..)));
        (class, stats.conflict_count() * 4 + pinned * 2 + project)
    }

    fn choose_version(
        &self,
        package: &Node,
        range: &Range,
    ) -> Result<Option<Version>, ProviderError> {
        let undone = self.search.lock().unwrap().decisions.choosing(package);
        if undone > 0 {
            tracing::debug!(target: "resolve",
                "backtrack: {package} is chosen again, {undone} decisions undone"
            );
        }
        let v = match package {
            Node::Root => Some(Version::new([0])),
            Node::Package(n) => {
                let v = self.choose(n, range, false)?;
                if let Some(v) = &v {
                    let mut search = self.search.lock().unwrap();
                    search.last_chosen.insert(n.clone(), v.clone());
                }
                v
            }
            Node::Extra(n, _) | Node::ExtraRequires(n, _) => self.choose(n, range, true)?,
        };
        if let (Some(n), Some(v)) = (package.project(), &v) {
            let mut search = self.search.lock().unwrap();
            let again = search.node_versions.insert(package.clone(), v.clone());
            // Chosen before at another version: the resolver is backtracking through n's
            // releases (through the project or one of its extras) and will likely want the
            // next older ones; fetch their metadata meanwhile, more each time.
            if again.is_some_and(|old| old != *v) {
                let times = search.backtracks.entry(package.clone()).or_default();
                *times += 1;
                let batch = (BACKTRACK_PREFETCH << (*times - 1).min(8)).min(BACKTRACK_PREFETCH_MAX);
                drop(search);
                self.prefetch.start_older(n, range, v, batch);
            }
        }
        match &v {
            Some(v) => {
                if !matches!(package, Node::Root) {
                    tracing::debug!(target: "resolve", "decide {package} {v}");
                }
                if let Node::Package(n) = package {
                    crate::progress::decided(n.as_ref());
                }
                self.search
                    .lock()
                    .unwrap()
                    .decisions
                    .decided(package.clone(), v.clone());
            }
            None => tracing::debug!(target: "resolve", "no version of {package} in {range}"),
        }
        Ok(v)
    }

    fn get_dependencies(
        &self,
        package: &Node,
        version: &Version,
    ) -> Result<Dependencies<Node, Range, String>, ProviderError> {
        match package {
            Node::Root => {
                let reqs: Vec<Requirement> = self
                    .inputs
                    .roots
                    .iter()
                    .map(|o| o.requirement.clone())
                    .collect();
                let deps = self.dependencies_of(&reqs, &[], false, None, self.inputs.all_mask());
                Ok(Dependencies::Available(deps.into_iter().collect()))
            }
            Node::Package(name) => self.node_dependencies(package, name, version, None),
            Node::Extra(name, extra) => Ok(Dependencies::Available(
                [
                    (
                        Node::Package(name.clone()),
                        Range::singleton(version.clone()),
                    ),
                    (
                        Node::ExtraRequires(name.clone(), extra.clone()),
                        Range::singleton(version.clone()),
                    ),
                ]
                .into_iter()
                .collect(),
            )),
            Node::ExtraRequires(name, extra) => {
                self.node_dependencies(package, name, version, Some(extra))
            }
        }
    }

    fn should_cancel(&self) -> Result<(), ProviderError> {
        if self.search.lock().unwrap().restart {
            return Err(ProviderError::Restart);
        }
        Ok(())
    }
}
