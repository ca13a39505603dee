//! The compatibility report: for every pin × target, whether pip there would install a platform
//! wheel, a pure-Python wheel, build an sdist, or find nothing (PEP 425 tags, PEP 600/656
//! platforms, Requires-Python); and for the last two, the nearest version that has a wheel.
//! Pure: lock, targets and index listings in; the report (with its JSON schema) out.

use std::collections::HashMap;

use pep440_rs::{Version, VersionSpecifiers};
use pep508_rs::PackageName;
use serde::Serialize;

use crate::distribution::filename::DistFilename;
use crate::index::IndexFile;
use crate::lock::plan::{allowed_files, pin_applies, StaleHashes};
use crate::lock::Lock;
use crate::platform::Target;

/// Version of the JSON schema below; bumped on any incompatible change (2: status `build`, and
/// `build_note`).
pub const SCHEMA_VERSION: u32 = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// A platform wheel installs.
    Wheel,
    /// A pure-Python wheel (`*-none-any`) installs.
    Pure,
    /// Only a source distribution, which `pinwheel wheelhouse` builds into a wheel that installs
    /// here (known from the build cache): no compiler in the image.
    Build,
    /// Only a source distribution, which the image builds: a compiler and build dependencies
    /// there, if it holds compiled code.
    Sdist,
    /// Nothing installable at all.
    None,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Wheel => "wheel",
            Status::Pure => "pure",
            Status::Build => "build",
            Status::Sdist => "sdist",
            Status::None => "none",
        }
    }
}

/// A version that would have a wheel for the target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    pub version: String,
    /// `newer` or `older` than the pin.
    pub direction: &'static str,
    pub file: String,
    /// Whether the version satisfies the input's requirements on this package; `null` when no
    /// input was given or the input does not name the package.
    pub satisfies_input: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PinStatus {
    pub name: String,
    pub version: String,
    pub target: String,
    pub status: Status,
    /// The file pip would install (wheel or sdist), if any.
    pub file: Option<String>,
    /// The wheel tag that matched, for `wheel` and `pure`.
    pub tag: Option<String>,
    pub suggestion: Option<Suggestion>,
    /// For `sdist` and `none`: a wheel of the pinned version that installs on the target but
    /// whose hash the lock does not list (the lock was made for other targets); else `null`.
    pub unhashed_wheel: Option<String>,
    /// For `build`: the sdist it is built from; for `sdist`: why it is not built into a wheel
    /// for this target (not built yet, or why the wheel built from it does not serve it).
    pub build_note: Option<String>,
}

/// What is known of building an sdist into a wheel for a target (the build cache's records).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Built {
    /// A wheel built from it installs there (its file name).
    Serves(String),
    /// The wheel built from it does not serve the target: why.
    NotServed(String),
    /// Never built on this machine.
    Unbuilt,
}

/// The note of an sdist that was never built.
pub const UNBUILT: &str =
    "not built yet: `pinwheel wheelhouse` builds it, for every target if it is pure Python";

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub targets: Vec<String>,
    pub pins: usize,
    pub entries: Vec<PinStatus>,
    /// Lock hashes that match no file, judged as `wheelhouse` does (not in the JSON: a fatal
    /// one fails the run instead).
    #[serde(skip)]
    pub stale: Vec<StaleHashes>,
}

impl Report {
    /// Entries that fail the check: `sdist` (unless allowed) and `none`.
    pub fn failures(&self, allow_sdist: bool) -> Vec<&PinStatus> {
        self.entries
            .iter()
            .filter(|e| e.status == Status::None || (e.status == Status::Sdist && !allow_sdist))
            .collect()
    }
}

struct Parsed<'a> {
    file: &'a IndexFile,
    dist: DistFilename,
}

fn python_ok(f: &IndexFile, t: &Target) -> bool {
    f.requires_python
        .as_ref()
        .is_none_or(|rp| rp.admits(&t.python_full_version()))
}

/// The best wheel of `files` for `t`: (file name, matching tag, is pure).
fn best_wheel(files: &[&Parsed], t: &Target) -> Option<(String, String, bool)> {
    files
        .iter()
        .filter(|p| python_ok(p.file, t))
        .filter_map(|p| match &p.dist {
            DistFilename::Wheel(w) => t.wheel_priority(w).map(|prio| (prio, p, w)),
            _ => None,
        })
        .min_by_key(|(prio, _, _)| *prio)
        .map(|(_, p, w)| {
            let tag = w
                .tags()
                .find(|(py, abi, plat)| {
                    let single = crate::distribution::filename::WheelFilename {
                        python_tags: vec![py.clone()],
                        abi_tags: vec![abi.clone()],
                        platform_tags: vec![plat.clone()],
                        ..w.clone()
                    };
                    t.wheel_priority(&single).is_some()
                })
                .map(|(a, b, c)| format!("{a}-{b}-{c}"))
                .unwrap_or_default();
            (p.file.filename.clone(), tag, w.is_pure())
        })
}

/// `--exclude-newer`: drops the files uploaded after `cut` from the listings, except those of
/// the pinned version itself (the lock holds it whatever its date; only suggestions are cut).
pub fn exclude_newer(lock: &Lock, listings: &mut [Vec<IndexFile>], cut: i64) {
    for (pin, files) in lock.pins.iter().zip(listings.iter_mut()) {
        files.retain(|f| {
            f.upload_time.is_none_or(|t| t <= cut)
                || DistFilename::parse(&f.filename, &pin.name)
                    .is_ok_and(|d| d.version() == &pin.version)
        });
    }
}

/// Builds the report. `listings[i]` holds the files of `lock.pins[i]`'s project (for a direct
/// reference, its one file; other versions already filtered by `--exclude-newer` if wanted);
/// `input` maps package names to the input's specifiers; `built` tells what is known of
/// building an sdist (by its sha256) for a target.
pub fn check(
    lock: &Lock,
    targets: &[Target],
    listings: &[Vec<IndexFile>],
    input: Option<&HashMap<PackageName, VersionSpecifiers>>,
    built: &dyn Fn(&str, &Target) -> Built,
) -> Report {
    let mut entries = Vec::new();
    let mut stale = Vec::new();
    for (index, pin) in lock.pins.iter().enumerate() {
        let first_entry = entries.len();
        let listing = listings.get(index).map(Vec::as_slice).unwrap_or(&[]);
        let parsed: Vec<Parsed> = listing
            .iter()
            .filter(|f| {
                f.yanked.is_none()
                    || DistFilename::parse(&f.filename, &pin.name)
                        .is_ok_and(|d| d.version() == &pin.version)
            })
            .filter_map(|f| {
                DistFilename::parse(&f.filename, &pin.name)
                    .ok()
                    .map(|dist| Parsed { file: f, dist })
            })
            .collect();
        let mut by_version: std::collections::BTreeMap<&Version, Vec<&Parsed>> = Default::default();
        for p in &parsed {
            by_version.entry(p.dist.version()).or_default().push(p);
        }
        // The pin's own files are those the lock's hashes allow, as in `wheelhouse`.
        let own_files: Vec<Parsed> = allowed_files(pin, listing)
            .into_iter()
            .map(|(file, dist)| Parsed { file, dist })
            .collect();
        let own: Vec<&Parsed> = own_files.iter().collect();
        for t in targets {
            if !pin_applies(pin, t) {
                continue;
            }
            let mut build_note = None;
            let (status, file, tag) = match best_wheel(&own, t) {
                Some((f, tag, true)) => (Status::Pure, Some(f), Some(tag)),
                Some((f, tag, false)) => (Status::Wheel, Some(f), Some(tag)),
                None => match own
                    .iter()
                    .find(|p| matches!(p.dist, DistFilename::Sdist(_)) && python_ok(p.file, t))
                {
                    Some(p) => {
                        let known = p
                            .file
                            .sha256
                            .as_deref()
                            .map_or(Built::Unbuilt, |h| built(h, t));
                        match known {
                            Built::Serves(wheel) => {
                                build_note = Some(format!("built from {}", p.file.filename));
                                (Status::Build, Some(wheel), None)
                            }
                            Built::NotServed(why) => {
                                build_note = Some(format!("not built for this target: {why}"));
                                (Status::Sdist, Some(p.file.filename.clone()), None)
                            }
                            Built::Unbuilt => {
                                build_note = Some(UNBUILT.to_string());
                                (Status::Sdist, Some(p.file.filename.clone()), None)
                            }
                        }
                    }
                    None => (Status::None, None, None),
                },
            };
            let unhashed_wheel = if matches!(status, Status::Sdist | Status::None) {
                by_version
                    .get(&pin.version)
                    .and_then(|files| best_wheel(files, t))
                    .map(|(f, _, _)| f)
            } else {
                None
            };
            let suggestion = if unhashed_wheel.is_some() {
                None
            } else if matches!(status, Status::Sdist | Status::None) {
                let spec = input.and_then(|m| m.get(&pin.name));
                let make = |v: &Version, files: &[&Parsed], direction: &'static str| {
                    best_wheel(files, t).map(|(f, _, _)| Suggestion {
                        version: v.to_string(),
                        direction,
                        file: f,
                        satisfies_input: spec.map(|s| s.contains(v)),
                    })
                };
                let stable = |v: &&Version| !v.any_prerelease() || pin.version.any_prerelease();
                by_version
                    .range::<Version, _>((
                        std::ops::Bound::Excluded(&pin.version),
                        std::ops::Bound::Unbounded,
                    ))
                    .filter(|(v, _)| stable(v))
                    .find_map(|(v, files)| make(v, files, "newer"))
                    .or_else(|| {
                        by_version
                            .range::<Version, _>(..&pin.version)
                            .rev()
                            .filter(|(v, _)| stable(v))
                            .find_map(|(v, files)| make(v, files, "older"))
                    })
            } else {
                None
            };
            entries.push(PinStatus {
                name: pin.name.to_string(),
                version: pin.version.to_string(),
                target: t.canonical(),
                status,
                file,
                tag,
                suggestion,
                unhashed_wheel,
                build_note,
            });
        }
        let mine = &entries[first_entry..];
        let without_wheel = mine
            .iter()
            .any(|e| matches!(e.status, Status::Sdist | Status::None));
        stale.extend(StaleHashes::check(
            index,
            pin,
            listing,
            !mine.is_empty(),
            without_wheel,
        ));
    }
    Report {
        schema_version: SCHEMA_VERSION,
        targets: targets.iter().map(Target::canonical).collect(),
        pins: lock.pins.len(),
        entries,
        stale,
    }
}
