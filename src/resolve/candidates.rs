//! Candidate files and versions: a project's listing grouped by version, filtered the way pip
//! filters links (PEP 592 yanked, PEP 700 upload time for `--exclude-newer`, Requires-Python per
//! file, platform tags per target), and the per-version choice of which file to read metadata
//! from. Pure: listings and targets in, decisions out.

use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;
use std::sync::{Arc, OnceLock};

use pep440_rs::Version;
use pep508_rs::PackageName;

use crate::distribution::filename::version_part;
use crate::distribution::filename::DistFilename;
use crate::index::IndexFile;
use crate::platform::Target;

/// One file of a version, with its parsed filename.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub file: IndexFile,
    pub filename: DistFilename,
}

impl Candidate {
    pub fn is_wheel(&self) -> bool {
        matches!(self.filename, DistFilename::Wheel(_))
    }

    /// A wheel, or an sdist in an archive format pinwheel can open.
    pub fn readable(&self) -> bool {
        match &self.filename {
            DistFilename::Wheel(_) => true,
            DistFilename::Sdist(s) => s.extension.is_readable(),
        }
    }

    /// Whether this file's Requires-Python admits the target's Python.
    pub fn python_ok(&self, target: &Target) -> bool {
        self.file
            .requires_python
            .as_ref()
            .is_none_or(|rp| rp.admits(&target.python_full_version()))
    }

    /// Whether pip on `target` would install this file: a compatible wheel or an sdist, with a
    /// matching Requires-Python.
    pub fn installs_on(&self, target: &Target) -> bool {
        self.python_ok(target)
            && match &self.filename {
                DistFilename::Wheel(w) => target.wheel_priority(w).is_some(),
                DistFilename::Sdist(_) => true,
            }
    }

    /// Whether this is a wheel that installs on `target`.
    pub fn wheel_for(&self, target: &Target) -> Option<u32> {
        match &self.filename {
            DistFilename::Wheel(w) if self.python_ok(target) => target.wheel_priority(w),
            _ => None,
        }
    }
}

/// A project's files, grouped by version (newest last), after `--exclude-newer`. Only the
/// version is read from each file name up front; the full name (tags) of a version's files is
/// parsed the first time that version is looked at, since a resolution examines few versions
/// of listings that hold thousands of files. The listing is shared with the index client, not
/// copied: versions hold positions in it.
#[derive(Debug, Default)]
pub struct VersionMap {
    name: Option<PackageName>,
    listing: Arc<[IndexFile]>,
    pub versions: BTreeMap<Version, VersionFiles>,
}

#[derive(Debug, Default)]
pub struct VersionFiles {
    /// Positions in the map's listing.
    files: Vec<u32>,
    parsed: OnceLock<Vec<Candidate>>,
}

impl VersionMap {
    /// Groups a listing. Files whose names do not parse, or that belong to another project,
    /// are skipped (pip does the same); files uploaded after `exclude_newer` are dropped.
    pub fn from_files(
        name: &PackageName,
        listing: Arc<[IndexFile]>,
        exclude_newer: Option<i64>,
    ) -> Self {
        let mut parsed_versions: HashMap<&str, Option<Version>> = HashMap::new();
        let normalized = name.to_string();
        let mut versions: BTreeMap<Version, VersionFiles> = BTreeMap::new();
        for (i, f) in listing.iter().enumerate() {
            if let (Some(cutoff), Some(t)) = (exclude_newer, f.upload_time) {
                if t > cutoff {
                    continue;
                }
            }
            let Some(vs) = version_part(&f.filename, &normalized) else {
                continue;
            };
            let parsed = parsed_versions
                .entry(vs)
                .or_insert_with(|| Version::from_str(vs).ok());
            let Some(v) = parsed else { continue };
            let i = u32::try_from(i).expect("a listing holds fewer than 2^32 files");
            versions.entry(v.clone()).or_default().files.push(i);
        }
        drop(parsed_versions);
        VersionMap {
            name: Some(name.clone()),
            listing,
            versions,
        }
    }

    /// The files of `v`, their names fully parsed (memoised).
    pub fn get(&self, v: &Version) -> Option<&[Candidate]> {
        let entry = self.versions.get(v)?;
        let name = self.name.as_ref()?;
        let parsed = entry.parsed.get_or_init(|| {
            entry
                .files
                .iter()
                .map(|&i| &self.listing[i as usize])
                .filter_map(|f| {
                    let filename = DistFilename::parse(&f.filename, name).ok()?;
                    (filename.name() == name && filename.version() == v).then(|| Candidate {
                        file: f.clone(),
                        filename,
                    })
                })
                .collect()
        });
        Some(parsed.as_slice())
    }
}

/// Why a version was passed over, for error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    Yanked(String),
    RequiresPython {
        spec: String,
        target: String,
    },
    NoFileFor {
        target: String,
    },
    NoWheelFor {
        target: String,
    },
    /// `--no-binary`: no sdist for the target.
    NoSdistFor {
        target: String,
    },
    Prerelease,
    /// Only sdists in archive formats pinwheel cannot open (`.tar.bz2`, `.tar.xz`, ...).
    UnreadableArchive {
        filename: String,
    },
    /// Its core metadata cannot be parsed or read (pip: "ignoring version ... since it has
    /// invalid metadata").
    InvalidMetadata(String),
}

impl std::fmt::Display for Skip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Skip::Yanked(r) if r.is_empty() => write!(f, "yanked"),
            Skip::Yanked(r) => write!(f, "yanked ({r})"),
            Skip::RequiresPython { spec, target } => {
                write!(f, "requires Python {spec}, which excludes {target}")
            }
            Skip::NoFileFor { target } => write!(f, "has no file that installs on {target}"),
            Skip::NoWheelFor { target } => write!(f, "has no wheel for {target}"),
            Skip::NoSdistFor { target } => {
                write!(
                    f,
                    "has no sdist for {target} (--no-binary builds from source)"
                )
            }
            Skip::Prerelease => write!(f, "is a pre-release"),
            Skip::UnreadableArchive { filename } => write!(
                f,
                "has only {filename}, an archive format pinwheel does not read \
                 (it reads .tar.gz, .tgz, .tar and .zip sdists)"
            ),
            Skip::InvalidMetadata(why) => write!(f, "has invalid metadata: {why}"),
        }
    }
}

/// The rules a version must pass to be a candidate for all targets together.
#[derive(Debug, Clone, Copy)]
pub struct Policy<'a> {
    pub targets: &'a [Target],
    /// `==` pins allow yanked files (PEP 592).
    pub allow_yanked: bool,
    /// `--only-binary` for this package: every target needs a wheel.
    pub only_binary: bool,
    /// `--no-binary` for this package: every target needs the sdist (wheels still give the
    /// metadata, as uv reads it, but are not installed).
    pub no_binary: bool,
}

/// The files of a version that pass the policy, or why none do. A version is usable when every
/// target (those the package is needed on) can install one of its files, a wheel or the sdist,
/// and Requires-Python holds there; with `only_binary` every target needs a wheel, with
/// `no_binary` the sdist.
pub fn usable<'c>(cands: &'c [Candidate], policy: &Policy) -> Result<Vec<&'c Candidate>, Skip> {
    let live: Vec<&Candidate> = cands
        .iter()
        .filter(|c| policy.allow_yanked || c.file.yanked.is_none())
        .collect();
    if live.is_empty() {
        let reason = cands
            .iter()
            .find_map(|c| c.file.yanked.clone())
            .unwrap_or_default();
        return Err(Skip::Yanked(reason));
    }
    // Sdists pinwheel cannot open are passed over, as pip passes over links it cannot use.
    let unreadable = live
        .iter()
        .find(|c| !c.readable())
        .map(|c| c.file.filename.clone());
    let live: Vec<&Candidate> = live.into_iter().filter(|c| c.readable()).collect();
    if live.is_empty() {
        return Err(Skip::UnreadableArchive {
            filename: unreadable.unwrap_or_default(),
        });
    }
    for t in policy.targets {
        if !live.iter().any(|c| c.python_ok(t)) {
            let spec = live
                .iter()
                .find_map(|c| c.file.requires_python.as_ref())
                .map(|rp| rp.to_string())
                .unwrap_or_default();
            return Err(Skip::RequiresPython {
                spec,
                target: t.canonical(),
            });
        }
        if policy.only_binary && !live.iter().any(|c| c.wheel_for(t).is_some()) {
            return Err(Skip::NoWheelFor {
                target: t.canonical(),
            });
        }
        if policy.no_binary && !live.iter().any(|c| !c.is_wheel() && c.python_ok(t)) {
            return Err(Skip::NoSdistFor {
                target: t.canonical(),
            });
        }
        if !live.iter().any(|c| c.installs_on(t)) {
            return Err(Skip::NoFileFor {
                target: t.canonical(),
            });
        }
    }
    Ok(live)
}

/// The file to read a version's metadata from: the best wheel for the first target that has one,
/// else any wheel, else the sdist.
pub fn metadata_source<'c>(files: &[&'c Candidate], targets: &[Target]) -> Option<&'c Candidate> {
    for t in targets {
        if let Some(best) = files
            .iter()
            .filter_map(|c| c.wheel_for(t).map(|p| (p, *c)))
            .min_by_key(|(p, _)| *p)
        {
            return Some(best.1);
        }
    }
    files
        .iter()
        .find(|c| c.is_wheel())
        .or_else(|| files.iter().find(|c| c.readable()))
        .copied()
}

/// Whether the version has a compatible wheel for every target.
pub fn has_wheels_for_all(files: &[&Candidate], targets: &[Target]) -> bool {
    targets
        .iter()
        .all(|t| files.iter().any(|c| c.wheel_for(t).is_some()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, t: Option<i64>) -> IndexFile {
        IndexFile {
            filename: name.into(),
            url: format!("https://x/{name}"),
            sha256: None,
            requires_python: None,
            yanked: None,
            upload_time: t,
            size: None,
            core_metadata: None,
        }
    }

    #[test]
    fn groups_by_version_and_drops_newer_and_foreign_files() {
        let name = PackageName::from_str("foo-bar").unwrap();
        let files = [
            file("foo_bar-1.0-py3-none-any.whl", Some(10)),
            file("foo-bar-1.0.tar.gz", Some(10)),
            file("foo_bar-2.0-py3-none-any.whl", Some(99)),
            file("other-1.0-py3-none-any.whl", Some(10)),
            file("foo_bar-junk.whl", Some(10)),
        ];
        let map = VersionMap::from_files(&name, files.into(), Some(50));
        let v1 = Version::from_str("1.0").unwrap();
        assert_eq!(
            map.versions.keys().cloned().collect::<Vec<_>>(),
            vec![v1.clone()]
        );
        // "other-1.0" has version 1.0 too, but is dropped when the names are parsed.
        assert_eq!(map.get(&v1).unwrap().len(), 2);
    }

    #[test]
    fn sdists_pinwheel_cannot_open_are_passed_over() {
        let name = PackageName::from_str("old").unwrap();
        let files = [
            file("old-1.0.tar.bz2", None),
            file("old-1.0-py3-none-any.whl", None),
            file("old-2.0.tar.bz2", None),
            file("old-3.0.zip", None),
            file("old-4.0.tgz", None),
            file("old-5.0.tar", None),
        ];
        let map = VersionMap::from_files(&name, files.into(), None);
        let targets = [Target::parse("cp312-manylinux_2_28_x86_64").unwrap()];
        let policy = Policy {
            targets: &targets,
            allow_yanked: false,
            only_binary: false,
            no_binary: false,
        };
        let names = |v: &str| -> Result<Vec<String>, Skip> {
            let cands = map.get(&Version::from_str(v).unwrap()).unwrap();
            usable(cands, &policy).map(|l| l.iter().map(|c| c.file.filename.clone()).collect())
        };
        // Beside a wheel: the wheel alone (the bz2 sdist's hash is not listed).
        assert_eq!(names("1.0").unwrap(), ["old-1.0-py3-none-any.whl"]);
        let skip = names("2.0").unwrap_err();
        assert_eq!(
            skip,
            Skip::UnreadableArchive {
                filename: "old-2.0.tar.bz2".into()
            }
        );
        assert!(skip.to_string().contains("old-2.0.tar.bz2"), "{skip}");
        for v in ["3.0", "4.0", "5.0"] {
            assert_eq!(names(v).unwrap().len(), 1, "{v}");
        }
        // Metadata never comes from an archive pinwheel cannot open.
        let cands = map.get(&Version::from_str("2.0").unwrap()).unwrap();
        let refs: Vec<&Candidate> = cands.iter().collect();
        assert!(metadata_source(&refs, &targets).is_none());
    }
}
