//! Which file each pin installs from on each target: pip's choice (the best wheel by PEP 425 tag
//! priority, else the sdist), restricted to the files whose sha256 the lock lists. Each distinct
//! file appears once, with every (pin, target) it serves. Pure: lock, targets and listings in.

use std::collections::BTreeMap;
use std::str::FromStr;

use pep508_rs::MarkerTree;

use crate::dist::filename::DistFilename;
use crate::index::IndexFile;
use crate::lock::{Lock, Pin};
use crate::target::Target;

/// One file to put in the wheelhouse.
#[derive(Debug, Clone)]
pub struct PlannedFile {
    pub file: IndexFile,
    /// The sha256 the file must have: from the lock (or, unhashed, the index).
    pub sha256: Option<String>,
    /// `(pin, target canonical name)` pairs this file serves; a pin is its index in the lock
    /// (a lock may pin one name twice, with different markers).
    pub serves: Vec<(usize, String)>,
    pub is_sdist: bool,
}

/// What happens to one pin on one target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    Wheel(String),
    Sdist(String),
    /// Nothing in the lock's hashes installs there.
    Missing,
    /// The pin's marker leaves it out on this target.
    NotNeeded,
}

#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Keyed by filename.
    pub files: BTreeMap<String, PlannedFile>,
    /// Per pin (index in the lock), per target index.
    pub choices: Vec<Vec<Choice>>,
}

impl Plan {
    /// `(pin index, target)` pairs that fall back to an sdist.
    pub fn sdist_fallbacks(&self, targets: &[Target]) -> Vec<(usize, String)> {
        self.pairs(targets, |c| matches!(c, Choice::Sdist(_)))
    }

    /// `(pin index, target)` pairs with nothing installable.
    pub fn missing(&self, targets: &[Target]) -> Vec<(usize, String)> {
        self.pairs(targets, |c| *c == Choice::Missing)
    }

    fn pairs(&self, targets: &[Target], pred: impl Fn(&Choice) -> bool) -> Vec<(usize, String)> {
        let mut out = Vec::new();
        for (pin, choices) in self.choices.iter().enumerate() {
            for (i, c) in choices.iter().enumerate() {
                if pred(c) {
                    out.push((pin, targets[i].canonical()));
                }
            }
        }
        out
    }
}

/// Whether the pin applies on the target (its marker, if any, holds).
pub fn pin_applies(pin: &Pin, target: &Target) -> bool {
    match &pin.marker {
        None => true,
        Some(m) => MarkerTree::from_str(m)
            .map(|tree| tree.evaluate(&target.marker_env(), &[]))
            .unwrap_or(true),
    }
}

/// The files of a pin's version that the lock allows: listed hash in the lock's hashes; a file
/// the index gives no hash for is allowed and verified after download.
pub fn allowed_files<'a>(
    pin: &Pin,
    listing: &'a [IndexFile],
) -> Vec<(&'a IndexFile, DistFilename)> {
    listing
        .iter()
        .filter_map(|f| {
            let parsed = DistFilename::parse(&f.filename, &pin.name).ok()?;
            if parsed.version() != &pin.version {
                return None;
            }
            let ok = match &f.sha256 {
                Some(h) => {
                    pin.hashes.is_empty()
                        || pin
                            .hashes
                            .iter()
                            .any(|x| x.strip_prefix("sha256:") == Some(h.as_str()))
                }
                None => true,
            };
            ok.then_some((f, parsed))
        })
        .collect()
}

/// Plans the wheelhouse for `targets`. `listings[i]` holds the files of `lock.pins[i]`'s project
/// (for a direct reference, its one file).
pub fn plan(lock: &Lock, targets: &[Target], listings: &[Vec<IndexFile>]) -> Plan {
    let mut plan = Plan::default();
    for (index, pin) in lock.pins.iter().enumerate() {
        let listing = listings.get(index).map(Vec::as_slice).unwrap_or(&[]);
        let files = allowed_files(pin, listing);
        let mut choices = Vec::with_capacity(targets.len());
        for t in targets {
            if !pin_applies(pin, t) {
                choices.push(Choice::NotNeeded);
                continue;
            }
            let python_ok = |f: &IndexFile| {
                f.requires_python
                    .as_deref()
                    .and_then(|s| pep440_rs::VersionSpecifiers::from_str(s).ok())
                    .is_none_or(|s| s.contains(&t.python_full_version()))
            };
            let best_wheel = files
                .iter()
                .filter(|(f, _)| python_ok(f))
                .filter_map(|(f, d)| match d {
                    DistFilename::Wheel(w) => t.wheel_priority(w).map(|p| (p, *f)),
                    DistFilename::Sdist(_) => None,
                })
                .min_by_key(|(p, _)| *p)
                .map(|(_, f)| f);
            let chosen = best_wheel.map(|f| (f, false)).or_else(|| {
                files
                    .iter()
                    .find(|(f, d)| matches!(d, DistFilename::Sdist(_)) && python_ok(f))
                    .map(|(f, _)| (*f, true))
            });
            let Some((f, is_sdist)) = chosen else {
                choices.push(Choice::Missing);
                continue;
            };
            let entry = plan
                .files
                .entry(f.filename.clone())
                .or_insert_with(|| PlannedFile {
                    file: f.clone(),
                    sha256: f.sha256.clone(),
                    serves: Vec::new(),
                    is_sdist,
                });
            entry.serves.push((index, t.canonical()));
            choices.push(if is_sdist {
                Choice::Sdist(f.filename.clone())
            } else {
                Choice::Wheel(f.filename.clone())
            });
        }
        plan.choices.push(choices);
    }
    plan
}
