//! Conflict-driven priorities: which package pubgrub decides next, learnt from the conflicts of
//! earlier attempts. Pure: the provider reports decisions and conflicts, this says what to do.
//!
//! pubgrub decides one package at a time and, when a decision leads to a conflict, backtracks to
//! the most recent decision involved. When the culprit was decided *early* (say python-dateutil
//! 3.0.0, chosen as soon as celery asked for it) and the affected package comes later in a
//! lock-step family (botocore, pinned by each boto3 release to its own version, each requiring
//! `python-dateutil<3`), every release of the family is tried in turn: thousands of metadata
//! fetches before pubgrub learns that the early decision was the problem.
//!
//! As uv's resolver does: count, per package, how often one of its versions was rejected because
//! of another package's decision (affected) and how often its decision rejected another's
//! (culprit). A package that reaches [`THRESHOLD`] as culprit is decided late from then on, and
//! the search restarts (pubgrub 0.3 cannot undo one decision, so everything is redone; what was
//! fetched stays memoised, so a restart costs CPU, not requests). A package that reaches it as
//! affected is decided early. Classes only move up (normal → late → early is not possible back),
//! so restarts are bounded by the number of packages; everything here is a function of the
//! sequence of decisions, itself a function of the input and the index's data.

use std::collections::HashMap;

use pep440_rs::Version;
use pep508_rs::PackageName;

/// How many conflicts make a package a culprit or an affected one.
pub const THRESHOLD: u32 = 5;

/// At most this many restarts per resolution; after that pubgrub goes on with what it has.
pub const MAX_RESTARTS: u32 = 32;

/// When a package is decided relative to the others (higher is earlier).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Class {
    /// Its decisions rejected other packages' versions again and again.
    Late,
    #[default]
    Normal,
    /// Its versions were rejected again and again: decide it before the culprits.
    Early,
}

/// What a conflict asks of the search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Go on.
    Continue,
    /// The culprit is now decided late: start the search again.
    Restart(PackageName),
}

/// Priorities and conflict counts; kept across restarts and rounds of one resolution.
#[derive(Debug, Default)]
pub struct Conflicts {
    class: HashMap<PackageName, Class>,
    culprit: HashMap<PackageName, u32>,
    affected: HashMap<PackageName, u32>,
    restarts: u32,
}

impl Conflicts {
    pub fn class(&self, name: &PackageName) -> Class {
        self.class.get(name).copied().unwrap_or_default()
    }

    pub fn restarts(&self) -> u32 {
        self.restarts
    }

    /// A version of `affected` was rejected because it needs a version of `culprit` other than
    /// the one decided.
    pub fn record(&mut self, affected: &PackageName, culprit: &PackageName) -> Verdict {
        let a = self.affected.entry(affected.clone()).or_default();
        *a += 1;
        if *a == THRESHOLD && self.class(affected) == Class::Normal {
            self.class.insert(affected.clone(), Class::Early);
        }
        let c = self.culprit.entry(culprit.clone()).or_default();
        *c += 1;
        if *c >= THRESHOLD && self.class(culprit) == Class::Normal && self.restarts < MAX_RESTARTS {
            self.class.insert(culprit.clone(), Class::Late);
            self.restarts += 1;
            return Verdict::Restart(culprit.clone());
        }
        Verdict::Continue
    }
}

/// The decisions standing, as far as the provider can see them: pubgrub tells it what it
/// chooses but not what it undoes. Choosing a package already decided means the search went
/// back to before that decision, so it and every later one are gone.
#[derive(Debug)]
pub struct Decisions<K> {
    stack: Vec<(K, Version)>,
}

impl<K> Default for Decisions<K> {
    fn default() -> Self {
        Decisions { stack: Vec::new() }
    }
}

impl<K: PartialEq + Clone> Decisions<K> {
    /// Records that `key` is being chosen again or anew; returns how many standing decisions
    /// this undoes (0 when `key` had none).
    pub fn choosing(&mut self, key: &K) -> usize {
        match self.stack.iter().position(|(k, _)| k == key) {
            Some(i) => {
                let undone = self.stack.len() - i;
                self.stack.truncate(i);
                undone
            }
            None => 0,
        }
    }

    pub fn decided(&mut self, key: K, version: Version) {
        self.stack.push((key, version));
    }

    /// The standing decision for `key`.
    pub fn get(&self, key: &K) -> Option<&Version> {
        self.stack.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn n(s: &str) -> PackageName {
        PackageName::from_str(s).unwrap()
    }

    #[test]
    fn a_repeated_culprit_is_decided_late_once() {
        let mut c = Conflicts::default();
        for _ in 1..THRESHOLD {
            assert_eq!(c.record(&n("botocore"), &n("dateutil")), Verdict::Continue);
        }
        assert_eq!(
            c.record(&n("botocore"), &n("dateutil")),
            Verdict::Restart(n("dateutil"))
        );
        assert_eq!(c.class(&n("dateutil")), Class::Late);
        assert_eq!(c.class(&n("botocore")), Class::Early);
        // Already late: no second restart for it.
        assert_eq!(c.record(&n("botocore"), &n("dateutil")), Verdict::Continue);
        assert_eq!(c.restarts(), 1);
    }

    #[test]
    fn an_early_package_is_never_made_late() {
        let mut c = Conflicts::default();
        for _ in 0..THRESHOLD {
            c.record(&n("a"), &n("b"));
        }
        assert_eq!(c.class(&n("a")), Class::Early);
        for _ in 0..THRESHOLD {
            assert_eq!(c.record(&n("c"), &n("a")), Verdict::Continue);
        }
        assert_eq!(c.class(&n("a")), Class::Early);
    }

    #[test]
    fn restarts_are_bounded() {
        let mut c = Conflicts::default();
        let mut restarts = 0;
        for i in 0..(MAX_RESTARTS + 10) {
            for _ in 0..THRESHOLD {
                if let Verdict::Restart(_) = c.record(&n("x"), &n(&format!("p{i}"))) {
                    restarts += 1;
                }
            }
        }
        assert_eq!(restarts, MAX_RESTARTS);
    }

    #[test]
    fn choosing_again_undoes_later_decisions() {
        let v = |s: &str| Version::from_str(s).unwrap();
        let mut d = Decisions::default();
        d.decided("a", v("1"));
        d.decided("b", v("2"));
        d.decided("c", v("3"));
        assert_eq!(d.choosing(&"d"), 0);
        assert_eq!(d.choosing(&"b"), 2);
        assert_eq!(d.get(&"a"), Some(&v("1")));
        assert_eq!(d.get(&"c"), None);
    }
}
