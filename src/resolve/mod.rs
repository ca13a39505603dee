//! Resolution: one version per package for all targets together (pubgrub over PEP 440), then
//! the per-target dependency graph that decides which targets need each pin, its `# via` parents
//! and the environment marker (PEP 508) that selects exactly those targets.

pub mod candidates;
pub mod markers;
pub mod provider;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex};

use pep440_rs::Version;
use pep508_rs::{ExtraName, MarkerTree, PackageName, Requirement, VersionOrUrl};
use pubgrub::{DefaultStringReporter, PubGrubError, Reporter};

pub use candidates::Candidate;
use provider::{Node, Provider, ProviderError, Range};
pub use provider::{Origin, Settings};

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
    /// A direct URL reference (`name @ url`).
    pub url: Option<url::Url>,
}

#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error("no set of versions satisfies the requirements for {targets}:\n{report}")]
    NoSolution { targets: String, report: String },
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error("{0}")]
    Provider(String),
}

/// Resolves `requirements` under `constraints` for all `settings.targets` at once.
pub async fn resolve(
    client: &IndexClient,
    requirements: Vec<Origin>,
    constraints: Vec<Origin>,
    settings: Settings,
) -> Result<Resolution, ResolveError> {
    let envs: Vec<_> = settings.targets.iter().map(|t| t.marker_env()).collect();
    let mut constraint_map: HashMap<PackageName, (Range, MarkerTree)> = HashMap::new();
    for c in &constraints {
        let e = constraint_map
            .entry(c.requirement.name.clone())
            .or_insert((Range::full(), MarkerTree::FALSE));
        e.0 = e.0.intersection(&provider::range_of(&c.requirement));
        e.1.or(c.requirement.marker.clone());
    }
    let mut pre_named = HashSet::new();
    let mut direct = HashMap::new();
    for o in requirements.iter().chain(constraints.iter()) {
        if provider::names_prerelease(&o.requirement) {
            pre_named.insert(o.requirement.name.clone());
        }
        if let Some(VersionOrUrl::Url(u)) = &o.requirement.version_or_url {
            let url = u.to_url();
            let file = IndexFile::from_url(&url);
            let map = candidates::VersionMap::from_files(&o.requirement.name, &[file], None);
            if map.versions.is_empty() {
                return Err(ResolveError::Provider(format!(
                    "{}: the direct reference {} is not a wheel or sdist file name of {} (from {})",
                    o.requirement.name, url, o.requirement.name, o.source
                )));
            }
            direct.insert(o.requirement.name.clone(), Arc::new(map));
        }
    }
    let target_names = settings
        .targets
        .iter()
        .map(|t| t.canonical())
        .collect::<Vec<_>>()
        .join(", ");
    let maps = Arc::new(provider::VersionMaps::new(settings.exclude_newer));
    let provider = Provider {
        client: client.clone(),
        rt: tokio::runtime::Handle::current(),
        settings,
        envs,
        roots: requirements,
        constraints: constraint_map,
        pre_named,
        maps,
        metadata: Mutex::default(),
        skipped: Mutex::default(),
        masks: Mutex::default(),
        direct,
    };
    tokio::task::spawn_blocking(move || solve(&provider, target_names))
        .await
        .map_err(|e| ResolveError::Provider(format!("the resolver thread failed: {e}")))?
}

/// Runs pubgrub and turns its answer into the resolution (on a blocking thread: the provider
/// waits on the async client).
fn solve(provider: &Provider, target_names: String) -> Result<Resolution, ResolveError> {
    let result = pubgrub::resolve(provider, Node::Root, Version::new([0]));
    let solution = match result {
        Ok(s) => s,
        Err(PubGrubError::NoSolution(mut tree)) => {
            tree.collapse_no_versions();
            let report = explain(provider, DefaultStringReporter::report(&tree));
            return Err(ResolveError::NoSolution {
                targets: target_names,
                report,
            });
        }
        Err(PubGrubError::ErrorRetrievingDependencies { source, .. })
        | Err(PubGrubError::ErrorChoosingVersion { source, .. }) => {
            return Err(match source {
                ProviderError::Index(e) => ResolveError::Index(e),
                other => ResolveError::Provider(other.to_string()),
            })
        }
        Err(e) => return Err(ResolveError::Provider(e.to_string())),
    };
    let versions: BTreeMap<PackageName, Version> = solution
        .iter()
        .filter_map(|(n, v)| match n {
            Node::Package(name) => Some((name.clone(), v.clone())),
            _ => None,
        })
        .collect();
    graph(provider, &versions)
}

/// `>=1.0, <=1.0+18446744073709551615` (how `==1.0` reads as a range) back to `==1.0`.
fn collapse_exact_ranges(text: &str) -> String {
    let marker = format!("+{}", provider::LOCAL_MAX);
    let mut out = text.to_string();
    while let Some(end) = out.find(&marker) {
        let before = &out[..end];
        let Some(le) = before.rfind(", <=") else {
            break;
        };
        let version = &before[le + 4..];
        let ge = format!(">={version}");
        if before[..le].ends_with(&ge) {
            let start = le - ge.len();
            out = format!("{}=={version}{}", &out[..start], &out[end + marker.len()..]);
        } else {
            out = format!("{}{}", &out[..end], &out[end + marker.len()..]);
        }
    }
    out
}

/// Makes pubgrub's derivation read as prose and adds why versions were passed over.
fn explain(provider: &Provider, report: String) -> String {
    // pubgrub speaks of the root as a package at version 0, of "any version" as `*`, of no
    // version as `∅`, and of `==1.0` as the range from 1.0 to its highest local version.
    let report = collapse_exact_ranges(&report)
        .replace(
            " ∅",
            " (no versions: the specifiers and constraints exclude one another)",
        )
        .replace("your requirements 0", "your requirements")
        .replace(" *,", ",")
        .replace(" * ", " ")
        .replace(" *.", ".");
    let mut out = String::new();
    for line in report.lines() {
        out.push_str("  ");
        out.push_str(line);
        out.push('\n');
    }
    let skipped = provider.skipped.lock().unwrap();
    let mut names: Vec<_> = skipped
        .keys()
        .filter(|n| report.contains(n.as_ref()))
        .collect();
    names.sort();
    for n in names {
        let list = &skipped[n];
        let shown: Vec<String> = list
            .iter()
            .take(5)
            .map(|(v, why)| format!("{n} {v} {why}"))
            .collect();
        out.push_str(&format!("  note: {}", shown.join("; ")));
        if list.len() > 5 {
            out.push_str(&format!("; and {} more", list.len() - 5));
        }
        out.push('\n');
    }
    for o in &provider.roots {
        if report.contains(o.requirement.name.as_ref()) {
            out.push_str(&format!(
                "  note: `{}` comes from {}\n",
                o.requirement, o.source
            ));
        }
    }
    out.trim_end().to_string()
}

/// Walks the dependency graph once per target from the input requirements, to find which
/// targets need each pin and what requires it.
fn graph(
    provider: &Provider,
    versions: &BTreeMap<PackageName, Version>,
) -> Result<Resolution, ResolveError> {
    let mut needed: BTreeMap<PackageName, BTreeSet<usize>> = BTreeMap::new();
    let mut via: BTreeMap<PackageName, BTreeSet<String>> = BTreeMap::new();
    let mut warnings: BTreeSet<String> = BTreeSet::new();
    for (ti, env) in provider.envs.iter().enumerate() {
        let mut seen: HashSet<(PackageName, Option<ExtraName>)> = HashSet::new();
        let mut queue: Vec<(Requirement, String)> = provider
            .roots
            .iter()
            .filter(|o| o.requirement.marker.evaluate(env, &[]))
            .map(|o| (o.requirement.clone(), o.source.clone()))
            .collect();
        while let Some((req, parent)) = queue.pop() {
            if !versions.contains_key(&req.name) {
                continue;
            }
            if parent != req.name.as_ref() {
                // `pkg[a]` requiring `pkg[b]` is no reason to list pkg under itself.
                via.entry(req.name.clone())
                    .or_default()
                    .insert(parent.clone());
            }
            let mut nodes = vec![None];
            nodes.extend(req.extras.iter().cloned().map(Some));
            for extra in nodes {
                if !seen.insert((req.name.clone(), extra.clone())) {
                    continue;
                }
                needed.entry(req.name.clone()).or_default().insert(ti);
                let version = &versions[&req.name];
                let meta = provider
                    .metadata(&req.name, version)
                    .map_err(|e| ResolveError::Provider(e.to_string()))?;
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
                        queue.push((dep.clone(), req.name.to_string()));
                    }
                }
            }
        }
    }
    let mut pins = Vec::new();
    for (name, targets) in needed {
        let version = versions[&name].clone();
        let exact = provider.roots.iter().any(|o| {
            o.requirement.name == name
                && matches!(&o.requirement.version_or_url, Some(VersionOrUrl::VersionSpecifier(s))
                    if s.iter().any(|s| matches!(s.operator(), pep440_rs::Operator::Equal | pep440_rs::Operator::ExactEqual)))
        });
        let mask = targets.iter().fold(0u64, |m, &i| m | (1 << i));
        let files = provider
            .usable_files(&name, &version, exact, mask)
            .unwrap_or_default();
        let url = provider.direct.get(&name).and_then(|m| {
            m.get(&version)
                .and_then(|c| c.first())
                .map(|c| c.file.url())
        });
        pins.push(ResolvedPin {
            via: via.remove(&name).unwrap_or_default(),
            name,
            version,
            files,
            targets: targets.into_iter().collect(),
            url,
        });
    }
    Ok(Resolution {
        pins,
        warnings: warnings.into_iter().collect(),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn exact_ranges_read_as_pins() {
        let t = "your requirements depends on yanked >=1.1.0, <=1.1.0+18446744073709551615 and x";
        assert_eq!(
            super::collapse_exact_ranges(t),
            "your requirements depends on yanked ==1.1.0 and x"
        );
    }
}
