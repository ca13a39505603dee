//! What a resolution is asked: the requirements with where they came from, and the options that
//! steer the choice of versions (targets, `--exclude-newer`, `--pre`, `--only-binary`, pins to
//! keep, how targets fork). Plain values.

use std::collections::{HashMap, HashSet};

use pep440_rs::Version;
use pep508_rs::{MarkerEnvironment, MarkerTree, PackageName, Requirement};

use crate::platform::Target;

/// What the resolver needs besides the index.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub targets: Vec<Target>,
    pub exclude_newer: Option<i64>,
    pub pre: bool,
    /// Versions to keep when still allowed (from an existing lock).
    pub preferences: Preferences,
    /// `--only-binary :all:` (None in the set means all).
    pub only_binary_all: bool,
    pub only_binary: HashSet<PackageName>,
    /// `--no-binary :all:`.
    pub no_binary_all: bool,
    pub no_binary: HashSet<PackageName>,
    pub prefer_binary: bool,
    pub fork_strategy: ForkStrategy,
}

impl Settings {
    /// Whether `--only-binary` applies to `name` (`--no-binary` of it by name wins over
    /// `--only-binary :all:`, and the other way round).
    pub fn only_binary(&self, name: &PackageName) -> bool {
        !self.no_binary.contains(name) && (self.only_binary_all || self.only_binary.contains(name))
    }

    /// Whether `--no-binary` applies to `name`: its version must have an sdist, and the lock
    /// names only the sdist (pip builds it from source).
    pub fn no_binary(&self, name: &PackageName) -> bool {
        self.no_binary.contains(name) || (self.no_binary_all && !self.only_binary.contains(name))
    }
}

/// A root of the resolution: an input requirement (or constraint) with where it came from, for
/// messages and `# via` lines.
#[derive(Debug, Clone)]
pub struct Root {
    pub requirement: Requirement,
    pub source: String,
}

/// How the targets of one lock share versions (`--fork-strategy`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ForkStrategy {
    /// Each target gets the newest versions that suit it: the targets are resolved in groups
    /// that markers tell apart, and a package takes one version wherever those agree.
    #[default]
    Newest,
    /// One version of each package for all targets wherever one serves them all; targets fork
    /// only where none does.
    Fewest,
}

/// Versions to keep when still allowed: the pins of an existing lock, each with the marker that
/// selected its targets (a forked lock pins a name once per fork).
#[derive(Debug, Clone, Default)]
pub struct Preferences {
    pins: HashMap<PackageName, Vec<(Version, MarkerTree)>>,
}

impl Preferences {
    /// Keeps `version` of `name` where `marker` holds (`MarkerTree::TRUE`: everywhere).
    pub fn insert(&mut self, name: PackageName, version: Version, marker: MarkerTree) {
        self.pins.entry(name).or_default().push((version, marker));
    }

    /// The one version to keep of each name for a fork whose targets have `envs`: the pin
    /// whose marker holds on most of them (the first such pin on a tie).
    pub fn for_fork(&self, envs: &[MarkerEnvironment]) -> Preferences {
        let mut pins = HashMap::new();
        for (name, list) in &self.pins {
            let best = list
                .iter()
                .map(|(v, m)| (envs.iter().filter(|e| m.evaluate(e, &[])).count(), v, m))
                .filter(|(n, _, _)| *n > 0)
                .fold(
                    None,
                    |best: Option<(usize, &Version, &MarkerTree)>, c| match best {
                        Some(b) if b.0 >= c.0 => Some(b),
                        _ => Some(c),
                    },
                );
            if let Some((_, v, m)) = best {
                pins.insert(name.clone(), vec![(v.clone(), m.clone())]);
            }
        }
        Preferences { pins }
    }

    /// The version to keep of `name` (the first pin's).
    pub fn get(&self, name: &PackageName) -> Option<&Version> {
        self.pins.get(name).and_then(|l| l.first()).map(|(v, _)| v)
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;
    use crate::platform::Target;

    #[test]
    fn a_fork_keeps_the_pin_its_targets_had() {
        let name = PackageName::from_str("numpy").unwrap();
        let mut prefs = Preferences::default();
        let old = MarkerTree::from_str("python_version == '3.10'").unwrap();
        let new = MarkerTree::from_str("python_version == '3.13'").unwrap();
        prefs.insert(name.clone(), Version::from_str("1.26.4").unwrap(), old);
        prefs.insert(name.clone(), Version::from_str("2.3.0").unwrap(), new);
        let env = |t: &str| Target::parse(t).unwrap().marker_env();
        let p310 = prefs.for_fork(&[env("cp310-manylinux_2_28_x86_64")]);
        assert_eq!(p310.get(&name).unwrap().to_string(), "1.26.4");
        let p313 = prefs.for_fork(&[env("cp313-manylinux_2_28_x86_64")]);
        assert_eq!(p313.get(&name).unwrap().to_string(), "2.3.0");
        let p312 = prefs.for_fork(&[env("cp312-manylinux_2_28_x86_64")]);
        assert_eq!(p312.get(&name), None);
    }
}
