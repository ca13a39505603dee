//! What a resolution is asked: the requirements with where they came from, and the options that
//! steer the choice of versions (targets, `--exclude-newer`, `--pre`, `--only-binary`, pins to
//! keep). Plain values.

use std::collections::{HashMap, HashSet};

use pep440_rs::Version;
use pep508_rs::{PackageName, Requirement};

use crate::platform::Target;

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

/// A root of the resolution: an input requirement (or constraint) with where it came from, for
/// messages and `# via` lines.
#[derive(Debug, Clone)]
pub struct Root {
    pub requirement: Requirement,
    pub source: String,
}
