//! The pubgrub `DependencyProvider`: packages are projects and their extras (a `pkg[x]` node
//! depends on `pkg` at the same version plus the extra's requirements), versions are PEP 440
//! versions, ranges come from PEP 440 specifiers. The provider runs on a blocking thread and asks
//! the async index client for pages and metadata, prefetching what the resolver will likely ask
//! for next so that many requests are in flight while it decides.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;

use pep440_rs::{LocalSegment, Operator, Version, VersionSpecifier, VersionSpecifiers};
use pep508_rs::{ExtraName, MarkerTree, PackageName, Requirement, VersionOrUrl};
use pubgrub::{Dependencies, DependencyProvider, PackageResolutionStatistics, Ranges};

use super::candidates::{self, Candidate, Policy, Skip, VersionMap};
use super::prefetch::Prefetcher;
use crate::dist::metadata::CoreMetadata;
use crate::index::{IndexClient, IndexError};
use crate::target::Target;

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

impl std::fmt::Display for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Node::Root => write!(f, "your requirements"),
            Node::Package(n) => write!(f, "{n}"),
            Node::Extra(n, e) | Node::ExtraRequires(n, e) => write!(f, "{n}[{e}]"),
        }
    }
}

pub type Range = Ranges<Version>;

/// How many older releases' metadata is fetched ahead when the resolver backtracks a package.
const BACKTRACK_PREFETCH: usize = 4;

/// What the resolver needs besides the index.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub targets: Vec<Target>,
    pub exclude_newer: Option<i64>,
    pub pre: bool,
    /// Versions to keep when still allowed (from an existing lock).
    pub preferences: HashMap<PackageName, Version>,
    /// `--only-binary :all:` (None in the set means all).
    pub only_binary_all: bool,
    pub only_binary: HashSet<PackageName>,
    pub no_binary: HashSet<PackageName>,
    pub prefer_binary: bool,
}

impl Settings {
    /// Whether `--only-binary` applies to `name` (`--no-binary` of it wins).
    pub fn only_binary(&self, name: &PackageName) -> bool {
        !self.no_binary.contains(name) && (self.only_binary_all || self.only_binary.contains(name))
    }
}

/// A requirement with where it came from, for messages and `# via` lines.
#[derive(Debug, Clone)]
pub struct Origin {
    pub requirement: Requirement,
    pub source: String,
}

pub(crate) struct Provider {
    pub client: IndexClient,
    pub rt: tokio::runtime::Handle,
    pub settings: Settings,
    pub envs: Vec<pep508_rs::MarkerEnvironment>,
    pub roots: Vec<Origin>,
    pub constraints: HashMap<PackageName, (Range, MarkerTree)>,
    /// The constraint lines as written, for messages.
    pub constraint_origins: Vec<Origin>,
    /// Packages an input line or constraint names a pre-release for (pip then allows their
    /// pre-releases); a dependency's specifiers count through the range (`choose`).
    pub pre_named: HashSet<PackageName>,
    pub maps: Arc<VersionMaps>,
    pub metadata: Mutex<HashMap<(PackageName, Version), Arc<CoreMetadata>>>,
    pub skipped: Mutex<HashMap<PackageName, Vec<(Version, Skip)>>>,
    /// Per package, the targets (bit i = `settings.targets[i]`) on which some requirement seen
    /// so far needs it: a requirement counts on a target when its marker holds there and its
    /// parent is needed there. Candidate checks (Requires-Python, `--only-binary`) apply on
    /// these targets only, so a Windows-only dependency need not have Linux wheels.
    pub masks: Mutex<HashMap<PackageName, u64>>,
    pub direct: HashMap<PackageName, Arc<VersionMap>>,
    /// Versions chosen while only a `==` range allowed them, so yanked files count (PEP 592).
    pub yanked_ok: Mutex<HashSet<(PackageName, Version)>>,
    /// The version last chosen for each project, tried first for its extras' nodes.
    pub decided: Mutex<HashMap<PackageName, Version>>,
    /// Per node and version, the targets its dependencies were read for. pubgrub asks once, so
    /// a dependency whose marker holds only on a target the node gained later is missing.
    pub deps_masks: Mutex<HashMap<(Node, Version), u64>>,
    pub prefetch: Prefetcher,
}

type MapCell = Arc<OnceCell<Result<Arc<VersionMap>, IndexError>>>;

/// Version maps per project, computed once and shared by the resolver and its prefetches.
pub struct VersionMaps {
    exclude_newer: Option<i64>,
    cells: Mutex<HashMap<PackageName, MapCell>>,
}

impl VersionMaps {
    pub fn new(exclude_newer: Option<i64>) -> Self {
        VersionMaps {
            exclude_newer,
            cells: Mutex::default(),
        }
    }

    pub async fn get(
        &self,
        client: &IndexClient,
        name: &PackageName,
    ) -> Result<Arc<VersionMap>, IndexError> {
        let cell = self
            .cells
            .lock()
            .unwrap()
            .entry(name.clone())
            .or_default()
            .clone();
        cell.get_or_init(|| async {
            let project = client.project(name.as_ref()).await?;
            Ok(Arc::new(VersionMap::from_files(
                name,
                project.files.clone(),
                self.exclude_newer,
            )))
        })
        .await
        .clone()
    }
}

/// Errors that stop the resolution (as opposed to versions being unavailable).
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error("invalid metadata in {file}: {reason}")]
    Metadata { file: String, reason: String },
}

/// PEP 440 specifiers as a pubgrub range.
pub fn range_of(req: &Requirement) -> Range {
    match &req.version_or_url {
        Some(VersionOrUrl::VersionSpecifier(s)) => s.iter().fold(Range::full(), |r, spec| {
            r.intersection(&specifier_range(spec))
        }),
        _ => Range::full(),
    }
}

/// `v` and its local versions: what `==v` means (PEP 440).
pub fn exact_range(v: &Version) -> Range {
    let top = v.clone().with_local(vec![LocalSegment::Number(LOCAL_MAX)]);
    Range::from_range_bounds(v.clone()..=top)
}

/// The local label standing for "any local version" at the top of an `==` range.
pub const LOCAL_MAX: u64 = u64::MAX;

/// One specifier as a range. PEP 440 ignores a candidate's local label when the specifier has
/// none: `==1.0` and `<=1.0` match `1.0+cpu`, `!=1.0` excludes it; the rest is pep440_rs's
/// conversion.
fn specifier_range(spec: &VersionSpecifier) -> Range {
    let v = spec.version();
    let with_locals = || exact_range(v);
    match spec.operator() {
        Operator::Equal if v.local().is_empty() => with_locals(),
        Operator::NotEqual if v.local().is_empty() => with_locals().complement(),
        Operator::LessThanEqual if v.local().is_empty() => {
            Range::from(spec.clone()).union(&with_locals())
        }
        _ => Range::from(spec.clone()),
    }
}

fn specifiers(req: &Requirement) -> Option<&VersionSpecifiers> {
    match &req.version_or_url {
        Some(VersionOrUrl::VersionSpecifier(s)) => Some(s),
        _ => None,
    }
}

impl Provider {
    fn only_binary(&self, name: &PackageName) -> bool {
        self.settings.only_binary(name)
    }

    /// The targets a package is needed on so far (all when nothing is known yet).
    pub fn mask_of(&self, name: &PackageName) -> u64 {
        self.masks
            .lock()
            .unwrap()
            .get(name)
            .copied()
            .unwrap_or(self.all_mask())
    }

    pub fn all_mask(&self) -> u64 {
        if self.settings.targets.len() >= 64 {
            u64::MAX
        } else {
            (1u64 << self.settings.targets.len()) - 1
        }
    }

    /// The targets of a mask.
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

    /// The version map of a project (memoised; fetched through the async client).
    pub fn versions(&self, name: &PackageName) -> Result<Arc<VersionMap>, ProviderError> {
        if let Some(m) = self.direct.get(name) {
            return Ok(m.clone());
        }
        let map = self.rt.block_on(self.maps.get(&self.client, name))?;
        Ok(map)
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
        let targets = self.masked_targets(mask);
        let policy = Policy {
            targets: &targets,
            allow_yanked,
            only_binary: self.only_binary(name),
        };
        candidates::usable(cands, &policy).map(|v| v.into_iter().cloned().collect())
    }

    /// Core metadata of one version (memoised; parsed).
    pub fn metadata(
        &self,
        name: &PackageName,
        version: &Version,
    ) -> Result<Arc<CoreMetadata>, ProviderError> {
        if let Some(m) = self
            .metadata
            .lock()
            .unwrap()
            .get(&(name.clone(), version.clone()))
        {
            return Ok(m.clone());
        }
        let map = self.versions(name)?;
        let all = map.get(version).unwrap_or(&[]);
        let refs: Vec<&Candidate> = all.iter().collect();
        let source =
            candidates::metadata_source(&refs, &self.settings.targets).ok_or_else(|| {
                ProviderError::Metadata {
                    file: format!("{name} {version}"),
                    reason: "no files".into(),
                }
            })?;
        let bytes = self
            .rt
            .block_on(self.client.metadata(name.as_ref(), &source.file))?;
        let meta = CoreMetadata::parse(&bytes).map_err(|e| ProviderError::Metadata {
            file: source.file.filename.clone(),
            reason: e.to_string(),
        })?;
        let meta = Arc::new(meta);
        self.metadata
            .lock()
            .unwrap()
            .insert((name.clone(), version.clone()), meta.clone());
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
            Err(e @ ProviderError::Metadata { .. })
            | Err(e @ ProviderError::Index(IndexError::Metadata { .. })) => {
                let mut s = self.skipped.lock().unwrap();
                let list = s.entry(name.clone()).or_default();
                if !list.iter().any(|(x, _)| x == version) {
                    // pep508's errors underline the spot on further lines: keep the first.
                    let why = e.to_string().lines().next().unwrap_or_default().to_string();
                    list.push((version.clone(), Skip::InvalidMetadata(why)));
                }
                Ok(Err("its metadata is invalid".to_string()))
            }
            Err(e) => Err(e),
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
            for (i, env) in self.envs.iter().enumerate() {
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
                .masks
                .lock()
                .unwrap()
                .entry(req.name.clone())
                .or_default() |= mask;
            let mut range = range_of(req);
            if let Some((c, marker)) = self.constraints.get(&req.name) {
                if self.any_target(marker, &[]) {
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

    fn choose(
        &self,
        name: &PackageName,
        range: &Range,
        for_extra: bool,
    ) -> Result<Option<Version>, ProviderError> {
        let map = self.versions(name)?;
        // pip allows pre-releases for a package when a specifier on it names one. The input's
        // always apply; a dependency's apply while they are part of the range, i.e. while the
        // parent that wrote them is chosen, not after the resolver moved away from it.
        let allow_pre_all =
            self.settings.pre || self.pre_named.contains(name) || range_names_prerelease(range);
        // PEP 592: a yanked release is allowed when the range pins it with `==`.
        let exact = |v: &Version| range.subset_of(&exact_range(&v.clone().without_local()));
        let targets = self.masked_targets(self.mask_of(name));
        let pass = |v: &Version| -> Option<Vec<Candidate>> {
            let cands = map.get(v)?;
            let policy = Policy {
                targets: &targets,
                allow_yanked: exact(v),
                only_binary: self.only_binary(name),
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
                self.yanked_ok
                    .lock()
                    .unwrap()
                    .insert((name.clone(), v.clone()));
            }
            Ok(Some(v.clone()))
        };
        // An extra's node first tries the version its project was given, which it must match.
        if for_extra {
            let decided = self.decided.lock().unwrap().get(name).cloned();
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
        if let Some(p) = self.settings.preferences.get(name) {
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
            if self.settings.prefer_binary {
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
    type Priority = (u32, std::cmp::Reverse<usize>);
    type Err = ProviderError;

    fn prioritize(
        &self,
        package: &Node,
        range: &Range,
        stats: &PackageResolutionStatistics,
    ) -> Self::Priority {
        // Decide pinned and conflicting packages first; then breadth first, a project before
        // its extras (which then take the project's version: see `choose`).
        let pinned = u32::from(range.as_singleton().is_some());
        let project = u32::from(matches!(package, Node::Package(..)));
        (
            stats.conflict_count() * 4 + pinned * 2 + project,
            std::cmp::Reverse(0),
        )
    }

    fn choose_version(
        &self,
        package: &Node,
        range: &Range,
    ) -> Result<Option<Version>, ProviderError> {
        match package {
            Node::Root => Ok(Some(Version::new([0]))),
            Node::Package(n) => {
                let v = self.choose(n, range, false)?;
                if let Some(v) = &v {
                    let again = self.decided.lock().unwrap().insert(n.clone(), v.clone());
                    // Chosen before: the resolver is backtracking through n's releases and will
                    // likely want the next older ones; fetch their metadata meanwhile.
                    if again.is_some_and(|old| old != *v) {
                        self.prefetch.start_older(n, range, v, BACKTRACK_PREFETCH);
                    }
                }
                Ok(v)
            }
            Node::Extra(n, _) | Node::ExtraRequires(n, _) => self.choose(n, range, true),
        }
    }

    fn get_dependencies(
        &self,
        package: &Node,
        version: &Version,
    ) -> Result<Dependencies<Node, Range, String>, ProviderError> {
        match package {
            Node::Root => {
                let reqs: Vec<Requirement> =
                    self.roots.iter().map(|o| o.requirement.clone()).collect();
                let deps = self.dependencies_of(&reqs, &[], false, None, self.all_mask());
                Ok(Dependencies::Available(deps.into_iter().collect()))
            }
            Node::Package(name) => {
                let meta = match self.metadata_or_invalid(name, version)? {
                    Ok(m) => m,
                    Err(why) => return Ok(Dependencies::Unavailable(why)),
                };
                let mask = self.mask_of(name);
                self.deps_masks
                    .lock()
                    .unwrap()
                    .insert((package.clone(), version.clone()), mask);
                if let Some(rp) = &meta.requires_python {
                    if let Some(t) = self
                        .masked_targets(mask)
                        .iter()
                        .find(|t| !rp.contains(&t.python_full_version()))
                    {
                        return Ok(Dependencies::Unavailable(format!(
                            "its metadata requires Python {rp}, which excludes {}",
                            t.canonical()
                        )));
                    }
                }
                let deps = self.dependencies_of(
                    &meta.requires_dist,
                    &[],
                    false,
                    Some((name, version)),
                    mask,
                );
                Ok(Dependencies::Available(deps.into_iter().collect()))
            }
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
                let meta = match self.metadata_or_invalid(name, version)? {
                    Ok(m) => m,
                    Err(why) => return Ok(Dependencies::Unavailable(why)),
                };
                let mask = self.mask_of(name);
                self.deps_masks
                    .lock()
                    .unwrap()
                    .insert((package.clone(), version.clone()), mask);
                let deps = self.dependencies_of(
                    &meta.requires_dist,
                    std::slice::from_ref(extra),
                    true,
                    Some((name, version)),
                    mask,
                );
                Ok(Dependencies::Available(deps.into_iter().collect()))
            }
        }
    }
}

/// Whether a bound of the range is a pre-release a specifier named (`>=2.0b1`, `==2.0rc1`,
/// `<2.0a1`): pip then allows pre-releases. Bounds the conversion makes up do not count: the
/// `.dev0` ends of `~=` and `==X.*`, and the two sides of a `!=` hole (packaging 24.2: `!=`
/// never enables pre-releases).
pub fn range_names_prerelease(range: &Range) -> bool {
    let segments: Vec<_> = range.iter().collect();
    let made_up = |v: &Version| {
        v.dev() == Some(0) && v.pre().is_none() && v.post().is_none() && v.local().is_empty()
    };
    let bound_version = |b: &std::ops::Bound<Version>| match b {
        std::ops::Bound::Included(v) | std::ops::Bound::Excluded(v) => Some(v.clone()),
        std::ops::Bound::Unbounded => None,
    };
    for (i, (lo, hi)) in segments.iter().enumerate() {
        if let Some(v) = bound_version(lo) {
            let hole_end = matches!(lo, std::ops::Bound::Excluded(_)) && !v.local().is_empty();
            if v.any_prerelease() && !made_up(&v) && !hole_end {
                return true;
            }
        }
        if let Some(v) = bound_version(hi) {
            let next_lo = segments.get(i + 1).and_then(|(l, _)| bound_version(l));
            let hole_start = matches!(hi, std::ops::Bound::Excluded(_))
                && next_lo.is_some_and(|n| n.clone().without_local() == v);
            if v.any_prerelease() && !made_up(&v.clone().without_local()) && !hole_start {
                return true;
            }
        }
    }
    false
}

/// Whether any of the specifiers names a pre-release (pip then allows them for that package);
/// `!=` never does (packaging 24.2).
pub fn names_prerelease(req: &Requirement) -> bool {
    specifiers(req).is_some_and(|s| {
        s.iter().any(|s| {
            !matches!(s.operator(), Operator::NotEqual | Operator::NotEqualStar)
                && s.any_prerelease()
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn range(spec: &str) -> Range {
        range_of(&Requirement::from_str(&format!("x{spec}")).unwrap())
    }

    fn v(s: &str) -> Version {
        Version::from_str(s).unwrap()
    }

    #[test]
    fn exact_pins_match_local_versions() {
        let r = range("==1.0");
        assert!(
            r.contains(&v("1.0")) && r.contains(&v("1.0+cpu")) && r.contains(&v("1.0.0+cu121.1"))
        );
        assert!(!r.contains(&v("1.0.post1")) && !r.contains(&v("1.0.1")));
        let r = range("==1.0+cpu");
        assert!(r.contains(&v("1.0+cpu")) && !r.contains(&v("1.0+cu121")));
        let r = range("!=1.0");
        assert!(!r.contains(&v("1.0+cpu")) && r.contains(&v("1.0.1")));
    }

    #[test]
    fn ranges_name_pre_releases_as_their_specifiers_do() {
        for spec in [
            ">=2.0b1",
            "==2.0rc1",
            "<2.0a1",
            ">1.0,<=2.0rc1",
            ">2.0.dev3",
            ">=1.0,!=1.5,<2.0b1",
        ] {
            assert!(range_names_prerelease(&range(spec)), "{spec}");
        }
        for spec in [
            "",
            ">=1.0",
            "<2.0",
            "~=1.4",
            "==1.*",
            "!=2.0rc1",
            ">=1.0,!=2.0b1",
            "<=2.0",
        ] {
            assert!(!range_names_prerelease(&range(spec)), "{spec}");
        }
    }

    #[test]
    fn other_operators_follow_pep440() {
        let r = range(">=1.0,<2");
        assert!(r.contains(&v("1.5")) && !r.contains(&v("2.0")) && !r.contains(&v("2.0a1")));
        let r = range("~=1.4.2");
        assert!(r.contains(&v("1.4.9")) && !r.contains(&v("1.5")));
        let r = range("==1.*");
        assert!(r.contains(&v("1.9")) && !r.contains(&v("2.0")));
    }
}
