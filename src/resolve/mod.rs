//! Resolution: one version per package for each fork of the targets (pubgrub over PEP 440), then
//! the per-target dependency graph that decides which targets need each pin, its `# via` parents
//! and the environment marker (PEP 508) that selects exactly those targets.
//!
//! A fork is a set of targets resolved together. By default (`--fork-strategy newest`) each
//! group of targets that markers can tell apart (one Python version, OS and machine; glibc and
//! musl share one) is its own fork, so every target gets the newest versions that suit it, and
//! the forks' answers merge into one pin wherever they agree. `fewest` keeps one fork for all
//! targets unless no versions serve them all.

pub mod candidates;
mod conflicts;
mod memo;
mod options;
mod prefetch;
pub mod provider;
pub mod ranges;
pub mod report;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use pep440_rs::Version;
use pep508_rs::{ExtraName, MarkerTree, PackageName, Requirement, VersionOrUrl};
use pubgrub::PubGrubError;

pub use candidates::Candidate;
use memo::{FetchError, Memo};
pub use options::{ForkStrategy, Preferences, Root, Settings};
use provider::{Inputs, Node, Provider, ProviderError};
use ranges::Range;

use crate::index::{IndexClient, IndexError, IndexFile};

/// The result: pins sorted by name.
#[derive(Debug, Clone)]
pub struct Resolution {
    pub pins: Vec<ResolvedPin>,
    /// What the user should hear about but that does not stop the lock (as pip warns).
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct ResolvedPin {
    pub name: PackageName,
    pub version: Version,
    /// The files of the pinned version that pass the policy (not yet filtered per target).
    pub files: Vec<Candidate>,
    /// Indices into the settings' targets of the targets that need this pin.
    pub targets: Vec<usize>,
    /// What requires it: parent package names, or the input file (`-r requirements.in`).
    pub via: BTreeSet<String>,
    /// The pins that require it, with the version each parent was pinned at where it required
    /// it (a forked lock may pin a parent twice, and only one of them may require this pin).
    pub parents: BTreeSet<(PackageName, Version)>,
    /// A direct URL reference (`name @ url`).
    pub url: Option<url::Url>,
}

#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error("no set of versions satisfies the requirements for {targets}:\n{report}")]
    NoSolution { targets: String, report: String },
    #[error(transparent)]
    Index(#[from] IndexError),
    /// The chosen versions cannot serve every target that needs them, and redoing the
    /// resolution with those targets known did not find others (exit status as NoSolution).
    #[error("no set of versions serves every target ({targets}): {reason}")]
    Unserved { targets: String, reason: String },
    /// A direct reference (`name @ url`) whose URL names no wheel or sdist of `name`.
    #[error(
        "{name}: the direct reference {url} is not a wheel or sdist file name of {name} (from {from})"
    )]
    DirectReference {
        name: PackageName,
        url: crate::index::DisplaySafeUrl,
        /// The input line it was read from.
        from: String,
    },
    /// A chosen version's core metadata cannot be used.
    #[error("invalid metadata in {file}: {reason}")]
    Metadata { file: String, reason: String },
    /// The resolver's thread ended without an answer (it panicked or was cancelled).
    #[error("the resolver thread failed: {0}")]
    Thread(#[from] tokio::task::JoinError),
}

/// Resolves `requirements` under `constraints` for all `settings.targets`, forking the targets
/// as `settings.fork_strategy` says: `Newest` resolves each group of targets that markers tell
/// apart on its own and merges the answers (a package is pinned once wherever the groups
/// agree); `Fewest` resolves all targets together and forks only when that has no solution.
pub async fn resolve(
    client: &IndexClient,
    requirements: Vec<Root>,
    constraints: Vec<Root>,
    settings: Settings,
) -> Result<Resolution, ResolveError> {
    let mut constraint_map: HashMap<PackageName, (Range, MarkerTree)> = HashMap::new();
    for c in &constraints {
        let e = constraint_map
            .entry(c.requirement.name.clone())
            .or_insert((Range::full(), MarkerTree::FALSE));
        e.0 = e.0.intersection(&ranges::range_of(&c.requirement));
        e.1.or(c.requirement.marker.clone());
    }
    let mut pre_named: HashSet<PackageName> = HashSet::new();
    let mut direct = HashMap::new();
    for o in requirements.iter().chain(constraints.iter()) {
        if ranges::names_prerelease(&o.requirement) {
            pre_named.insert(o.requirement.name.clone());
        }
        if let Some(VersionOrUrl::Url(u)) = &o.requirement.version_or_url {
            let url = u.to_url();
            let file = IndexFile::from_url(&url);
            let map = candidates::VersionMap::from_files(&o.requirement.name, [file].into(), None);
            if map.versions.is_empty() {
                return Err(ResolveError::DirectReference {
                    name: o.requirement.name.clone(),
                    url: crate::index::DisplaySafeUrl::from(&url),
                    from: o.source.clone(),
                });
            }
            direct.insert(o.requirement.name.clone(), Arc::new(map));
        }
    }
    // One memo for every fork: what one fork fetched, the others read.
    let memo = Arc::new(Memo::new(
        client.clone(),
        tokio::runtime::Handle::current(),
        settings.exclude_newer,
        settings.targets.clone(),
        direct,
    ));
    let classes = crate::platform::marker_classes(&settings.targets);
    let strategy = settings.fork_strategy;
    let job = Job {
        settings,
        memo,
        requirements,
        constraints: constraint_map,
        constraint_origins: constraints,
        pre_named,
    };
    match strategy {
        options::ForkStrategy::Newest => {
            // One fork after another, in target order: each answer is a function of its own
            // targets, and the trace reads the same on every run. A later fork finds most of
            // what it needs in the memo.
            let mut forks = Vec::new();
            for class in &classes {
                forks.push(job.resolve_fork(class).await?);
            }
            Ok(merge(forks))
        }
        options::ForkStrategy::Fewest => job.fewest(classes).await,
    }
}

/// What every fork of one resolution shares.
struct Job {
    settings: Settings,
    memo: Arc<Memo>,
    requirements: Vec<Root>,
    constraints: HashMap<PackageName, (Range, MarkerTree)>,
    constraint_origins: Vec<Root>,
    pre_named: HashSet<PackageName>,
}

impl Job {
    /// Resolves the targets `fork` (indices into the settings' targets) together. The pins'
    /// targets are indices into the settings' targets too.
    async fn resolve_fork(&self, fork: &[usize]) -> Result<Resolution, ResolveError> {
        let targets: Vec<crate::platform::Target> = fork
            .iter()
            .map(|&i| self.settings.targets[i].clone())
            .collect();
        let envs: Vec<_> = targets.iter().map(|t| t.marker_env()).collect();
        let target_names = targets
            .iter()
            .map(|t| t.canonical())
            .collect::<Vec<_>>()
            .join(", ");
        tracing::debug!(target: "resolve", "fork: {target_names}");
        let mut settings = self.settings.clone();
        settings.preferences = self.settings.preferences.for_fork(&envs);
        settings.targets = targets;
        let prefetch = prefetch::Prefetcher::new(
            self.memo.clone(),
            settings.clone(),
            envs.clone(),
            guide_ranges(&self.requirements, &self.constraints, &envs),
        );
        let inputs = Inputs {
            settings,
            envs,
            roots: self.requirements.clone(),
            constraints: self.constraints.clone(),
            constraint_origins: self.constraint_origins.clone(),
            pre_named: self.pre_named.clone(),
        };
        let provider = Provider::new(inputs, self.memo.clone(), prefetch);
        let mut resolution =
            tokio::task::spawn_blocking(move || solve(&provider, target_names)).await??;
        for pin in &mut resolution.pins {
            for t in &mut pin.targets {
                *t = fork[*t];
            }
        }
        Ok(resolution)
    }

    /// `--fork-strategy fewest`: all targets together; when no versions serve them all, the
    /// fewest forks found by adding each group of targets to the first fork it resolves with.
    async fn fewest(&self, classes: Vec<Vec<usize>>) -> Result<Resolution, ResolveError> {
        let all: Vec<usize> = (0..self.settings.targets.len()).collect();
        match self.resolve_fork(&all).await {
            Err(e) if classes.len() > 1 && e.unsatisfiable() => {
                tracing::debug!(target: "resolve", "no versions serve all targets together: forking");
            }
            answer => return answer,
        }
        let mut forks: Vec<(Vec<usize>, Resolution)> = Vec::new();
        for class in classes {
            let mut placed = false;
            for (targets, answer) in forks.iter_mut() {
                let mut joined = targets.clone();
                joined.extend(&class);
                joined.sort_unstable();
                if joined == all {
                    continue; // known not to resolve
                }
                match self.resolve_fork(&joined).await {
                    Ok(r) => {
                        *targets = joined;
                        *answer = r;
                        placed = true;
                        break;
                    }
                    Err(e) if e.unsatisfiable() => {}
                    Err(e) => return Err(e),
                }
            }
            if !placed {
                let answer = self.resolve_fork(&class).await?;
                forks.push((class, answer));
            }
        }
        Ok(merge(forks.into_iter().map(|(_, r)| r).collect()))
    }
}

impl ResolveError {
    /// No versions satisfy the input on the targets asked (rather than a fetch or input error).
    pub fn unsatisfiable(&self) -> bool {
        matches!(
            self,
            ResolveError::NoSolution { .. } | ResolveError::Unserved { .. }
        )
    }
}

/// The forks' resolutions as one: a package chosen at the same version (and URL) by several
/// forks is one pin for all their targets; pins are sorted by name, then version.
fn merge(forks: Vec<Resolution>) -> Resolution {
    let mut pins: Vec<ResolvedPin> = Vec::new();
    let mut warnings: BTreeSet<String> = BTreeSet::new();
    for fork in forks {
        warnings.extend(fork.warnings);
        for pin in fork.pins {
            let same = pins
                .iter_mut()
                .find(|p| p.name == pin.name && p.version == pin.version && p.url == pin.url);
            match same {
                Some(p) => {
                    p.targets.extend(pin.targets);
                    p.targets.sort_unstable();
                    p.targets.dedup();
                    p.via.extend(pin.via);
                    p.parents.extend(pin.parents);
                    for f in pin.files {
                        if !p.files.iter().any(|g| g.file.filename == f.file.filename) {
                            p.files.push(f);
                        }
                    }
                }
                None => pins.push(pin),
            }
        }
    }
    pins.sort_by(|a, b| (&a.name, &a.version).cmp(&(&b.name, &b.version)));
    Resolution {
        pins,
        warnings: warnings.into_iter().collect(),
    }
}

/// What the prefetch may assume of a package wherever it meets it: the constraints, narrowed by
/// the input's own requirements (they hold in every resolution). Only guesses use this.
fn guide_ranges(
    requirements: &[Root],
    constraints: &HashMap<PackageName, (Range, MarkerTree)>,
    envs: &[pep508_rs::MarkerEnvironment],
) -> HashMap<PackageName, Range> {
    let mut out: HashMap<PackageName, Range> = constraints
        .iter()
        .map(|(name, (range, _))| (name.clone(), range.clone()))
        .collect();
    for o in requirements {
        if envs.iter().any(|e| o.requirement.marker.evaluate(e, &[])) {
            let r = out
                .entry(o.requirement.name.clone())
                .or_insert(Range::full());
            *r = r.intersection(&ranges::range_of(&o.requirement));
        }
    }
    out
}

/// How many times the resolution is redone with the targets learnt from the previous answer.
const MAX_ROUNDS: usize = 8;

/// Runs pubgrub and turns its answer into the resolution (on a blocking thread: the provider
/// waits on the async client).
///
/// A package's targets grow as the resolver meets more of its dependents, so a version chosen
/// before all of them were known may not serve the later ones (no wheel, Requires-Python). The
/// answer is checked against the targets the final graph needs; when a pin falls short the
/// resolution is redone with those targets known from the start. Targets only grow, so this ends.
fn solve(provider: &Provider, target_names: String) -> Result<Resolution, ResolveError> {
    let mut seed: HashMap<PackageName, u64> = HashMap::new();
    for _ in 0..MAX_ROUNDS {
        let versions = run_pubgrub(provider, &target_names, &seed)?;
        let (needed, mut via, mut parents, warnings) = walk(provider, &versions)?;
        let mut pins = Vec::new();
        let mut short = Vec::new();
        for (name, targets) in needed {
            let version = versions[&name].clone();
            let mask = targets.iter().fold(0u64, |m, &i| m | (1 << i));
            if let Some(read) = provider.deps_read_short(&name, &version, mask) {
                short.push((
                    name,
                    version,
                    mask,
                    format!(
                        "its dependencies were read for {} of the targets that need it",
                        read.count_ones()
                    ),
                ));
                continue;
            }
            match pin_files(provider, &name, &version, mask)? {
                Ok(files) => {
                    let url = provider.memo.direct(&name).and_then(|m| {
                        m.get(&version)
                            .and_then(|c| c.first())
                            .map(|c| c.file.url())
                    });
                    pins.push(ResolvedPin {
                        via: via.remove(&name).unwrap_or_default(),
                        parents: parents.remove(&name).unwrap_or_default(),
                        name,
                        version,
                        files,
                        targets: targets.into_iter().collect(),
                        url,
                    });
                }
                Err(why) => short.push((name, version, mask, why)),
            }
        }
        if short.is_empty() {
            let mut warnings = warnings;
            warnings.extend(held_back(provider, &pins));
            for (name, list) in provider.skipped().iter() {
                for (v, skip) in list {
                    if let candidates::Skip::InvalidMetadata(why) = skip {
                        warnings.push(format!(
                            "ignored {name} {v}, its metadata is unusable: {why}"
                        ));
                    }
                }
            }
            warnings.sort();
            return Ok(Resolution { pins, warnings });
        }
        let mut grown = false;
        for (name, _, mask, _) in &short {
            let known = seed.entry(name.clone()).or_default();
            grown |= *known | mask != *known;
            *known |= mask;
        }
        if !grown {
            let (name, version, _, why) = &short[0];
            return Err(ResolveError::Unserved {
                targets: target_names,
                reason: format!("{name} {version} was chosen but {why}"),
            });
        }
    }
    Err(ResolveError::Unserved {
        targets: target_names,
        reason: format!(
            "the targets each pin must serve still grew after {MAX_ROUNDS} rounds of resolution"
        ),
    })
}

/// The files of a chosen version for the targets that need it, or why it cannot serve them.
fn pin_files(
    provider: &Provider,
    name: &PackageName,
    version: &Version,
    mask: u64,
) -> Result<Result<Vec<Candidate>, String>, ResolveError> {
    let allow_yanked = provider.yanked_ok(name, version);
    let mut files = match provider.usable_files(name, version, allow_yanked, mask) {
        Ok(f) => f,
        Err(skip) => return Ok(Err(skip.to_string())),
    };
    // --no-binary: the wheels gave the metadata; the lock names the sdist alone.
    if provider.inputs.settings.no_binary(name) {
        files.retain(|c| !c.is_wheel());
    }
    let meta = provider.metadata(name, version).map_err(fetch_error)?;
    if let Some(rp) = &meta.requires_python {
        if let Some(t) = provider
            .inputs
            .masked_targets(mask)
            .iter()
            .find(|t| !rp.contains(&t.python_full_version()))
        {
            return Ok(Err(format!(
                "its metadata requires Python {rp}, which excludes {}",
                t.canonical()
            )));
        }
    }
    Ok(Ok(files))
}

/// Pins that a newer release would have served on some of their targets but for a wheel
/// missing on another target resolved with them (`--only-binary`): glibc and musl images of
/// one Python and machine share their pins, as no marker tells them apart (and under
/// `--fork-strategy fewest` so do other targets). Says which release, for which target.
fn held_back(provider: &Provider, pins: &[ResolvedPin]) -> Vec<String> {
    let skipped = provider.skipped();
    let mut out = Vec::new();
    for pin in pins.iter().filter(|p| p.targets.len() > 1) {
        let Some(list) = skipped.get(&pin.name) else {
            continue;
        };
        let newest = list
            .iter()
            .filter(|(v, _)| v > &pin.version)
            .filter_map(|(v, skip)| match skip {
                candidates::Skip::NoWheelFor { target } => Some((v, target)),
                _ => None,
            })
            .max_by(|a, b| a.0.cmp(b.0));
        let Some((version, missing)) = newest else {
            continue;
        };
        let mask = pin.targets.iter().fold(0u64, |m, &i| m | (1 << i));
        let others: Vec<String> = provider
            .inputs
            .masked_targets(mask)
            .iter()
            .map(crate::platform::Target::canonical)
            .filter(|t| t != missing)
            .collect();
        out.push(format!(
            "{name} {version} has no wheel for {missing}, so {others} {verb} {name} {pinned} \
             with it (--only-binary; no marker tells these targets apart): a lock without \
             {missing} gives them {version}",
            name = pin.name,
            others = others.join(", "),
            verb = if others.len() == 1 { "takes" } else { "take" },
            pinned = pin.version,
        ));
    }
    out
}

/// Turns a fetch failure into the resolution's error.
fn fetch_error(e: FetchError) -> ResolveError {
    match e {
        FetchError::Index(e) => ResolveError::Index(e),
        FetchError::Metadata { file, reason } => ResolveError::Metadata { file, reason },
    }
}

/// One pubgrub run: the chosen version of every project. A conflict that changes the
/// priorities restarts the search (bounded: see `conflicts`).
fn run_pubgrub(
    provider: &Provider,
    target_names: &str,
    masks: &HashMap<PackageName, u64>,
) -> Result<BTreeMap<PackageName, Version>, ResolveError> {
    let solution = loop {
        tracing::debug!(target: "resolve", "attempt {}", provider.restarts() + 1);
        provider.begin(masks.clone());
        match pubgrub::resolve(provider, Node::Root, Version::new([0])) {
            Ok(s) => break s,
            Err(PubGrubError::ErrorInShouldCancel(ProviderError::Restart)) => continue,
            Err(PubGrubError::NoSolution(tree)) => {
                let report = report::explain(provider, tree);
                return Err(ResolveError::NoSolution {
                    targets: target_names.to_string(),
                    report,
                });
            }
            Err(PubGrubError::ErrorRetrievingDependencies { source, .. })
            | Err(PubGrubError::ErrorChoosingVersion { source, .. })
            | Err(PubGrubError::ErrorInShouldCancel(source)) => {
                match source {
                    ProviderError::Fetch(e) => return Err(fetch_error(e)),
                    // Only `should_cancel` asks for a restart; wherever one comes from, it
                    // means the same.
                    ProviderError::Restart => continue,
                }
            }
        }
    };
    tracing::debug!(target: "resolve", "solved: {} nodes", solution.len());
    Ok(solution
        .iter()
        .filter_map(|(n, v)| match n {
            Node::Package(name) => Some((name.clone(), v.clone())),
            _ => None,
        })
        .collect())
}

/// Per pin, the indices of the targets that need it.
type Needed = BTreeMap<PackageName, BTreeSet<usize>>;
/// Per pin, what requires it.
type Via = BTreeMap<PackageName, BTreeSet<String>>;
/// Per package, the packages that require it, each at its pinned version.
type Parents = BTreeMap<PackageName, BTreeSet<(PackageName, Version)>>;

/// Walks the dependency graph once per target from the input requirements, to find which
/// targets need each pin and what requires it.
fn walk(
    provider: &Provider,
    versions: &BTreeMap<PackageName, Version>,
) -> Result<(Needed, Via, Parents, Vec<String>), ResolveError> {
    let mut needed: BTreeMap<PackageName, BTreeSet<usize>> = BTreeMap::new();
    let mut via: BTreeMap<PackageName, BTreeSet<String>> = BTreeMap::new();
    let mut parents: Parents = BTreeMap::new();
    let mut warnings: BTreeSet<String> = BTreeSet::new();
    for (ti, env) in provider.inputs.envs.iter().enumerate() {
        let mut seen: HashSet<(PackageName, Option<ExtraName>)> = HashSet::new();
        // Each requirement with what required it: an input file's name, or a package.
        let mut queue: Vec<(Requirement, String, Option<PackageName>)> = provider
            .inputs
            .roots
            .iter()
            .filter(|o| o.requirement.marker.evaluate(env, &[]))
            .map(|o| (o.requirement.clone(), o.source.clone(), None))
            .collect();
        while let Some((req, parent, parent_pkg)) = queue.pop() {
            if !versions.contains_key(&req.name) {
                continue;
            }
            if parent != req.name.as_ref() {
                // `pkg[a]` requiring `pkg[b]` is no reason to list pkg under itself.
                via.entry(req.name.clone())
                    .or_default()
                    .insert(parent.clone());
                if let Some(p) = parent_pkg.filter(|p| versions.contains_key(p)) {
                    let v = versions[&p].clone();
                    parents.entry(req.name.clone()).or_default().insert((p, v));
                }
            }
            let mut nodes = vec![None];
            nodes.extend(req.extras.iter().cloned().map(Some));
            for extra in nodes {
                if !seen.insert((req.name.clone(), extra.clone())) {
                    continue;
                }
                needed.entry(req.name.clone()).or_default().insert(ti);
                let version = &versions[&req.name];
                let meta = provider.metadata(&req.name, version).map_err(fetch_error)?;
                if let Some(e) = extra.as_ref().filter(|e| !meta.provides_extra(e)) {
                    warnings.insert(format!(
                        "{} {version} does not provide the extra '{e}'",
                        req.name
                    ));
                }
                let extras: Vec<ExtraName> = extra.iter().cloned().collect();
                for dep in &meta.requires_dist {
                    if dep.name == req.name && dep.extras.is_empty() {
                        continue;
                    }
                    if dep.marker.evaluate(env, &extras) {
                        queue.push((dep.clone(), req.name.to_string(), Some(req.name.clone())));
                    }
                }
            }
        }
    }
    Ok((needed, via, parents, warnings.into_iter().collect()))
}
