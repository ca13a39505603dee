//! Which file each pin installs from on each target: pip's choice (the best wheel by PEP 425 tag
//! priority, else the sdist), restricted to the files whose sha256 the lock lists. Each distinct
//! file appears once, with every (pin, target) it serves. Pure: lock, targets and listings in.

use std::collections::BTreeMap;
use std::str::FromStr;

use crate::distribution::filename::DistFilename;
use crate::distribution::HashDigest;
use crate::index::IndexFile;
use crate::lock::{Lock, Pin};
use crate::platform::Target;

/// One file to put in the wheelhouse.
#[derive(Debug, Clone)]
pub struct PlannedFile {
    pub file: IndexFile,
    /// The sha256 the index lists for the file, if any (one of the lock's, when it has hashes).
    pub sha256: Option<String>,
    /// The lock's hashes of the pin the file serves (hex for sha256, else `algo:hex`): the file
    /// must have one of them (of each pin's, when it serves several). `None`: the pin has no
    /// hashes (`--allow-unhashed`).
    pub lock_hashes: Option<Vec<String>>,
    /// `(pin, target canonical name)` pairs this file serves; a pin is its index in the lock
    /// (a lock may pin one name twice, with different markers).
    pub serves: Vec<(usize, String)>,
    pub is_sdist: bool,
}

impl PlannedFile {
    /// The sha256 values (hex) the file may have: the index's when it lists one (the plan only
    /// takes it when it is one of the lock's), else the lock's. `None`: neither the lock nor the
    /// listing has a hash (`--allow-unhashed`): the file is taken as it is, its hash recorded.
    pub fn accepted(&self) -> Option<Vec<String>> {
        match &self.sha256 {
            Some(h) => Some(vec![h.clone()]),
            None => self.lock_hashes.clone(),
        }
    }
}

/// A pin's lock hashes as [`PlannedFile::lock_hashes`] holds them.
pub fn lock_hashes(pin: &Pin) -> Option<Vec<String>> {
    (!pin.hashes.is_empty()).then(|| {
        pin.hashes
            .iter()
            .map(|h| h.sha256_hex().map_or_else(|| h.to_string(), str::to_string))
            .collect()
    })
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
    /// Needed pins with lock hashes that no file of their version has.
    pub stale: Vec<StaleHashes>,
}

/// Lock hashes of a pin that match no file of its version: the index replaced or removed files
/// since the lock was made (or the lock comes from another index).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaleHashes {
    /// Index of the pin in the lock.
    pub pin: usize,
    pub hashes: Vec<HashDigest>,
    /// Some target of the pin goes without a wheel (sdist or nothing), which the missing files
    /// may explain: an integrity failure, not a note.
    pub fatal: bool,
}

impl StaleHashes {
    /// Checks a needed pin: `None` when every lock hash matches a file, or the pin is needed
    /// nowhere. `without_wheel`: some target of the pin gets an sdist or nothing.
    pub fn check(
        index: usize,
        pin: &Pin,
        listing: &[IndexFile],
        needed: bool,
        without_wheel: bool,
    ) -> Option<StaleHashes> {
        let hashes = unmatched_hashes(pin, listing);
        (needed && !hashes.is_empty()).then_some(StaleHashes {
            pin: index,
            hashes,
            fatal: without_wheel,
        })
    }
}

/// The lock hashes of `pin` that no file of its version in `listing` has. Empty when some file
/// of that version is listed without a hash: it may be that one (its download is checked).
pub fn unmatched_hashes(pin: &Pin, listing: &[IndexFile]) -> Vec<HashDigest> {
    let mut listed = Vec::new();
    for f in listing {
        let Ok(d) = DistFilename::parse(&f.filename, &pin.name) else {
            continue;
        };
        if d.version() != &pin.version {
            continue;
        }
        match &f.sha256 {
            Some(h) => listed.push(HashDigest::sha256(h)),
            None => return Vec::new(),
        }
    }
    pin.hashes
        .iter()
        .filter(|h| !listed.contains(h))
        .cloned()
        .collect()
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
    pin.marker
        .as_ref()
        .is_none_or(|m| m.evaluate(&target.marker_env()))
}

/// What an sdist's build installs: its `[build-system].requires` and, when it builds with a
/// setuptools older than 70.1 (the one the lock pins for `target`), `wheel`, which those
/// setuptools ask for from their `get_requires_for_build_wheel` hook (PEP 517). Pure.
pub fn build_installs(requires: &[String], lock: &Lock, target: &Target) -> Vec<String> {
    let name_of = |r: &String| {
        crate::distribution::pep508::requirement::<pep508_rs::VerbatimUrl>(r)
            .ok()
            .map(|r| r.name.to_string())
    };
    let names: Vec<Option<String>> = requires.iter().map(name_of).collect();
    let mut out = requires.to_vec();
    if names.iter().any(|n| n.as_deref() == Some("setuptools"))
        && !names.iter().any(|n| n.as_deref() == Some("wheel"))
    {
        let pinned = lock
            .pins
            .iter()
            .find(|p| p.name.as_ref() == "setuptools" && pin_applies(p, target));
        let v70_1 = pep440_rs::Version::from_str("70.1").expect("a version");
        if pinned.is_some_and(|p| p.version < v70_1) {
            out.push("wheel".to_string());
        }
    }
    out
}

/// The build requirements (PEP 508 strings) that no pin of the lock satisfies on `target`: what
/// `pip install --no-index` would not find in the wheelhouse to build an sdist. Requirements
/// whose marker excludes the target are left out; one that does not parse counts as missing.
pub fn missing_build_requires(lock: &Lock, requires: &[String], target: &Target) -> Vec<String> {
    let env = target.marker_env();
    requires
        .iter()
        .filter(|r| {
            let Ok(req) = crate::distribution::pep508::requirement::<pep508_rs::VerbatimUrl>(r)
            else {
                return true;
            };
            if !req.marker.evaluate(&env, &[]) {
                return false;
            }
            !lock.pins.iter().any(|p| {
                p.name == req.name
                    && pin_applies(p, target)
                    && match &req.version_or_url {
                        Some(pep508_rs::VersionOrUrl::VersionSpecifier(s)) => {
                            s.contains(&p.version)
                        }
                        _ => true,
                    }
            })
        })
        .cloned()
        .collect()
}

/// The files of a pin's version that the lock allows: listed hash in the lock's hashes; a file
/// the index gives no hash for is allowed and verified against the lock's hashes after download.
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
                            .any(|x| x.sha256_hex() == Some(h.as_str()))
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
            let python = t.python_full_version();
            let python_ok = |f: &IndexFile| {
                f.requires_python
                    .as_ref()
                    .is_none_or(|rp| rp.admits(&python))
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
            let hashes = lock_hashes(pin);
            let entry = plan
                .files
                .entry(f.filename.clone())
                .or_insert_with(|| PlannedFile {
                    file: f.clone(),
                    sha256: f.sha256.clone(),
                    lock_hashes: hashes.clone(),
                    serves: Vec::new(),
                    is_sdist,
                });
            if !entry.serves.iter().any(|(p, _)| *p == index) {
                // Served by several pins: it must satisfy each pin's hashes.
                entry.lock_hashes = match (entry.lock_hashes.take(), hashes) {
                    (Some(a), Some(b)) => Some(a.into_iter().filter(|h| b.contains(h)).collect()),
                    (a, b) => a.or(b),
                };
            }
            entry.serves.push((index, t.canonical()));
            choices.push(if is_sdist {
                Choice::Sdist(f.filename.clone())
            } else {
                Choice::Wheel(f.filename.clone())
            });
        }
        let needed = choices.iter().any(|c| *c != Choice::NotNeeded);
        let without_wheel = choices
            .iter()
            .any(|c| matches!(c, Choice::Sdist(_) | Choice::Missing));
        plan.stale.extend(StaleHashes::check(
            index,
            pin,
            listing,
            needed,
            without_wheel,
        ));
        plan.choices.push(choices);
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    use crate::requirements::RequirementsFile;

    fn lock(text: &str) -> Lock {
        let file = RequirementsFile::parse_str(text, Path::new("r.lock")).unwrap();
        Lock::from_requirements(&file, false).unwrap()
    }

    fn file(name: &str, sha256: Option<&str>) -> IndexFile {
        let url = url::Url::parse(&format!("https://files.example/{name}")).unwrap();
        IndexFile {
            sha256: sha256.map(str::to_string),
            ..IndexFile::from_url(&url)
        }
    }

    fn target(name: &str) -> Target {
        Target::parse(name).unwrap()
    }

    #[test]
    fn files_without_a_listed_hash_must_have_one_of_the_lock_hashes() {
        let (a, b) = ("a".repeat(64), "b".repeat(64));
        let t = [target("cp312-manylinux_2_28_x86_64")];
        let whl = "lib-1.0-py3-none-any.whl";
        let hashed = lock(&format!("lib==1.0 --hash=sha256:{a} --hash=sha256:{b}\n"));
        let p = plan(&hashed, &t, &[vec![file(whl, None)]]);
        assert_eq!(p.files[whl].accepted(), Some(vec![a.clone(), b.clone()]));
        // A listed hash is the one to check (and must be one of the lock's to be taken).
        let p = plan(&hashed, &t, &[vec![file(whl, Some(&b))]]);
        assert_eq!(p.files[whl].accepted(), Some(vec![b.clone()]));
        let p = plan(&hashed, &t, &[vec![file(whl, Some(&"c".repeat(64)))]]);
        assert!(p.files.is_empty());
        // No hash anywhere (--allow-unhashed): taken unchecked.
        let p = plan(&lock("lib==1.0\n"), &t, &[vec![file(whl, None)]]);
        assert_eq!(p.files[whl].accepted(), None);
    }

    #[test]
    fn lock_hashes_without_a_file_are_stale_and_fatal_without_a_wheel() {
        let (gone, sdist, whl) = ("0".repeat(64), "1".repeat(64), "2".repeat(64));
        let t = [target("cp312-manylinux_2_28_x86_64")];
        let listing = vec![
            file("lib-1.0-cp312-cp312-manylinux_2_28_x86_64.whl", Some(&whl)),
            file("lib-1.0.tar.gz", Some(&sdist)),
            file("lib-0.9.tar.gz", Some(&gone)),
        ];
        // The wheel's hash changed: the sdist would be taken instead.
        let l = lock(&format!(
            "lib==1.0 --hash=sha256:{gone} --hash=sha256:{sdist}\n"
        ));
        let p = plan(&l, &t, std::slice::from_ref(&listing));
        assert_eq!(
            p.stale,
            [StaleHashes {
                pin: 0,
                hashes: vec![HashDigest::sha256(&gone)],
                fatal: true
            }]
        );
        // Every target still gets a locked wheel: a note only.
        let l = lock(&format!(
            "lib==1.0 --hash=sha256:{gone} --hash=sha256:{whl}\n"
        ));
        let p = plan(&l, &t, std::slice::from_ref(&listing));
        assert_eq!(p.stale.len(), 1);
        assert!(!p.stale[0].fatal);
        // A file of the version listed without a hash may be the one: not stale.
        let mut unlisted = listing.clone();
        unlisted.push(file("lib-1.0-py3-none-any.whl", None));
        let l = lock(&format!(
            "lib==1.0 --hash=sha256:{gone} --hash=sha256:{sdist}\n"
        ));
        assert!(plan(&l, &t, &[unlisted]).stale.is_empty());
        // Not needed on any target: not checked.
        let l = lock(&format!(
            "lib==1.0 ; sys_platform == 'win32' --hash=sha256:{gone}\n"
        ));
        assert!(plan(&l, &t, &[listing]).stale.is_empty());
    }

    #[test]
    fn build_requirements_missing_from_the_lock() {
        let t = target("cp312-manylinux_2_28_x86_64");
        let requires: Vec<String> = [
            "setuptools>=61",
            "wheel",
            "cython<3 ; python_version < '3.8'",
            "not a requirement!",
        ]
        .map(String::from)
        .to_vec();
        let l = lock("setuptools==60.0\nwheel==0.44 ; sys_platform == 'win32'\n");
        assert_eq!(
            missing_build_requires(&l, &requires, &t),
            ["setuptools>=61", "wheel", "not a requirement!"]
        );
        let l = lock("setuptools==75.0\nwheel==0.44\n");
        assert_eq!(
            missing_build_requires(&l, &requires, &t),
            ["not a requirement!"]
        );
    }

    #[test]
    fn setuptools_before_70_1_also_installs_wheel() {
        let t = target("cp312-manylinux_2_28_x86_64");
        let requires = ["setuptools>=61".to_string()];
        let old = lock("setuptools==69.5.1\n");
        assert_eq!(
            build_installs(&requires, &old, &t),
            ["setuptools>=61", "wheel"]
        );
        let new = lock("setuptools==80.9.0\n");
        assert_eq!(build_installs(&requires, &new, &t), ["setuptools>=61"]);
        let other = ["hatchling".to_string()];
        assert_eq!(build_installs(&other, &old, &t), ["hatchling"]);
    }

    #[test]
    fn a_name_pinned_twice_is_planned_per_pin() {
        let lock =
            lock("lib==1.1 ; python_version < '3.12'\nlib==1.2 ; python_version >= '3.12'\n");
        let listing = vec![
            file("lib-1.1-py3-none-any.whl", None),
            file("lib-1.2-py3-none-any.whl", None),
        ];
        let t = [
            target("cp311-manylinux_2_28_x86_64"),
            target("cp312-manylinux_2_28_x86_64"),
        ];
        let p = plan(&lock, &t, &[listing.clone(), listing]);
        assert_eq!(
            p.choices,
            [
                vec![
                    Choice::Wheel("lib-1.1-py3-none-any.whl".into()),
                    Choice::NotNeeded
                ],
                vec![
                    Choice::NotNeeded,
                    Choice::Wheel("lib-1.2-py3-none-any.whl".into())
                ],
            ]
        );
        assert_eq!(
            p.files["lib-1.2-py3-none-any.whl"].serves,
            [(1, "cp312-manylinux_2_28_x86_64".to_string())]
        );
    }
}
