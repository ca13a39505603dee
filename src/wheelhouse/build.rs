//! Wheels built from sdists (PEP 517 `build_wheel`) for the wheelhouse: which targets a built
//! wheel may honestly serve, and the build cache that keeps what was built.
//!
//! A pure-Python wheel (`Root-Is-Purelib: true`, every tag `*-none-any`) serves every target
//! whose pip accepts its tags. A platform wheel serves only targets the machine that built it
//! stands for: the same OS and architecture, the same libc family at the machine's version or
//! newer (a wheel linked against glibc 2.36 needs 2.36 or later), and the same Python minor
//! (and ABI). [`serves`] is that rule, pure; [`NotServed`] says why not, for the summary.
//!
//! The cache (`built-wheels-v1/<sdist sha256>/<key>/`, with the wheel and `built.json`) is keyed
//! by the sdist's sha256, the build requirements (the exact wheels of the build environment)
//! and the interpreter's target family ([`cache_key`]), so a later run reuses the wheel, byte
//! for byte, instead of building again; `check` reads every record of an sdist to tell what
//! `wheelhouse` builds for a target. The cache IO is at the bottom.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::platform::{Libc, Platform, Target};

/// The cache directory of built wheels.
pub const BUILT_DIR: &str = "built-wheels-v1";
/// The record beside each cached wheel.
const RECORD: &str = "built.json";

/// `SOURCE_DATE_EPOCH` for builds when the environment sets none: 1980-01-01T00:00:00Z, the
/// earliest time a zip archive can hold, so that a rebuild gives the same bytes where the
/// backend honours it.
pub const DEFAULT_SOURCE_DATE_EPOCH: i64 = 315_532_800;

/// Where a built wheel came from (in the manifest and the cache record).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct BuiltFrom {
    /// The sdist's file name and sha256.
    pub sdist: String,
    pub sdist_sha256: String,
    /// `[build-system].build-backend`.
    pub backend: String,
    /// The build requirements: `[build-system].requires`, then what the backend asked for.
    pub build_requires: Vec<String>,
    /// The wheels the build environment held (`filename sha256:<hex>`); empty when pip made
    /// the environment.
    pub build_wheels: Vec<String>,
    /// The interpreter that built it, as a target (`cp311-manylinux_2_36_x86_64`).
    pub python: String,
    pub source_date_epoch: i64,
}

/// A built wheel, as the cache keeps it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct BuiltRecord {
    pub wheel: String,
    pub sha256: String,
    pub size: u64,
    /// A pure-Python wheel: it serves every target.
    pub pure: bool,
    /// The wheel's tags (`WHEEL`'s `Tag` lines, after retagging).
    pub tags: Vec<String>,
    pub built_from: BuiltFrom,
}

/// Why a built wheel does not serve a target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotServed {
    /// Another operating system.
    Os {
        built: String,
        target: String,
    },
    Arch {
        built: String,
        target: String,
    },
    /// glibc vs musl.
    LibcFamily {
        built: String,
        target: String,
    },
    /// The target's libc is older than the machine's.
    OldLibc {
        built: String,
        target: String,
    },
    /// Another Python (minor or ABI).
    Python {
        built: String,
        target: String,
    },
    /// The target's pip accepts none of the wheel's tags.
    Tags {
        tags: Vec<String>,
    },
}

impl NotServed {
    /// For a platform wheel: only the Python differs, so an interpreter of the target's Python
    /// on this machine would build one that serves it.
    pub fn other_python_would_do(&self) -> bool {
        matches!(self, NotServed::Python { .. })
    }
}

impl std::fmt::Display for NotServed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotServed::Os { built, target } => {
                write!(f, "built on {built}, the target runs {target}")
            }
            NotServed::Arch { built, target } => {
                write!(f, "built for {built}, the target is {target}")
            }
            NotServed::LibcFamily { built, target } => {
                write!(f, "built against {built}, the target has {target}")
            }
            NotServed::OldLibc { built, target } => write!(
                f,
                "built against {built}, newer than the target's {target}"
            ),
            NotServed::Python { built, target } => write!(
                f,
                "built with Python {built}, the target has Python {target} and this machine no python{target} to build with"
            ),
            NotServed::Tags { tags } => {
                write!(f, "the target's pip accepts none of its tags ({})", tags.join(", "))
            }
        }
    }
}

fn libc_name(l: Libc) -> (&'static str, (u32, u32)) {
    match l {
        Libc::Glibc { major, minor } => ("glibc", (major, minor)),
        Libc::Musl { major, minor } => ("musl", (major, minor)),
    }
}

fn os_name(p: &Platform) -> &'static str {
    match p {
        Platform::Linux { .. } => "Linux",
        Platform::MacOs { .. } => "macOS",
        Platform::Windows { .. } => "Windows",
    }
}

fn python_name(t: &Target) -> String {
    let (major, minor) = t.python_version();
    let ft = if t.python.free_threaded { "t" } else { "" };
    format!("{major}.{minor}{ft}")
}

/// Whether the target's pip accepts one of `tags` (`py3-none-any`).
fn accepts(tags: &[String], target: &Target) -> bool {
    let ranks = target.tags();
    tags.iter().any(|t| {
        let mut parts = t.splitn(3, '-');
        match (parts.next(), parts.next(), parts.next()) {
            (Some(py), Some(abi), Some(plat)) => ranks.rank(py, abi, plat).is_some(),
            _ => false,
        }
    })
}

/// Whether a wheel built by an interpreter of `built_on` (pure or not, with `tags`) may be
/// installed on `target`. Pure.
pub fn serves(
    pure: bool,
    tags: &[String],
    built_on: &Target,
    target: &Target,
) -> Result<(), NotServed> {
    if !pure {
        let (b, t) = (&built_on.platform, &target.platform);
        if std::mem::discriminant(b) != std::mem::discriminant(t) {
            return Err(NotServed::Os {
                built: os_name(b).into(),
                target: os_name(t).into(),
            });
        }
        if b.arch() != t.arch() {
            return Err(NotServed::Arch {
                built: b.arch().linux_name().into(),
                target: t.arch().linux_name().into(),
            });
        }
        if let (Platform::Linux { libc: bl, .. }, Platform::Linux { libc: tl, .. }) = (b, t) {
            let ((bn, bv), (tn, tv)) = (libc_name(*bl), libc_name(*tl));
            let show = |n: &str, v: (u32, u32)| format!("{n} {}.{}", v.0, v.1);
            if bn != tn {
                return Err(NotServed::LibcFamily {
                    built: bn.into(),
                    target: tn.into(),
                });
            }
            if tv < bv {
                return Err(NotServed::OldLibc {
                    built: show(bn, bv),
                    target: show(tn, tv),
                });
            }
        }
        if built_on.python_version() != target.python_version()
            || built_on.python.free_threaded != target.python.free_threaded
        {
            return Err(NotServed::Python {
                built: python_name(built_on),
                target: python_name(target),
            });
        }
    }
    if accepts(tags, target) {
        Ok(())
    } else {
        Err(NotServed::Tags {
            tags: tags.to_vec(),
        })
    }
}

/// The cache key of a build: the sdist's sha256, the interpreter's target (Python minor, libc
/// and version, architecture) and the build environment's exact wheels (the requirement
/// strings when pip makes the environment). Pure.
pub fn cache_key(
    sdist_sha256: &str,
    interpreter: &Target,
    build_wheels: &[String],
    requires: &[String],
) -> String {
    let mut h = Sha256::new();
    h.update(b"pinwheel built wheel 1\n");
    h.update(format!("{sdist_sha256}\n{}\n", interpreter.canonical()));
    let mut lines: Vec<String> = if build_wheels.is_empty() {
        requires.iter().map(|r| format!("requires {r}")).collect()
    } else {
        build_wheels.to_vec()
    };
    lines.sort();
    for l in lines {
        h.update(format!("{l}\n"));
    }
    hex::encode(&h.finalize()[..16])
}

/// The build cache under a cache root.
#[derive(Debug, Clone)]
pub struct BuildCache {
    pub root: PathBuf,
}

impl BuildCache {
    pub fn new(cache_root: &Path) -> Self {
        BuildCache {
            root: cache_root.join(BUILT_DIR),
        }
    }

    fn dir(&self, sdist_sha256: &str, key: &str) -> PathBuf {
        self.root.join(sdist_sha256).join(key)
    }

    /// The wheel cached under `key`, when present and intact (its sha256 is the record's).
    pub fn lookup(&self, sdist_sha256: &str, key: &str) -> Option<(BuiltRecord, PathBuf)> {
        let dir = self.dir(sdist_sha256, key);
        let record: BuiltRecord =
            serde_json::from_slice(&std::fs::read(dir.join(RECORD)).ok()?).ok()?;
        let path = dir.join(&record.wheel);
        let bytes = std::fs::read(&path).ok()?;
        (hex::encode(Sha256::digest(&bytes)) == record.sha256).then_some((record, path))
    }

    /// Keeps `bytes` (the wheel `record` describes) under `key`; the record is written last,
    /// so a reader sees a complete entry or none.
    pub fn store(&self, key: &str, record: &BuiltRecord, bytes: &[u8]) -> std::io::Result<PathBuf> {
        let dir = self.dir(&record.built_from.sdist_sha256, key);
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(&record.wheel);
        crate::fs::write_atomic(&path, bytes)?;
        let json = serde_json::to_vec_pretty(record).map_err(std::io::Error::other)?;
        crate::fs::write_atomic(&dir.join(RECORD), &json)?;
        Ok(path)
    }

    /// Every record kept for the sdist (any interpreter, any build requirements).
    pub fn records(&self, sdist_sha256: &str) -> Vec<BuiltRecord> {
        let Ok(entries) = std::fs::read_dir(self.root.join(sdist_sha256)) else {
            return Vec::new();
        };
        let mut out: Vec<BuiltRecord> = entries
            .flatten()
            .filter_map(|e| std::fs::read(e.path().join(RECORD)).ok())
            .filter_map(|b| serde_json::from_slice(&b).ok())
            .collect();
        out.sort_by(|a: &BuiltRecord, b| a.wheel.cmp(&b.wheel));
        out
    }
}

/// What the build cache tells of an sdist on a target (for `check`): a kept wheel serves it,
/// kept wheels exist and none serves it (why, from the first), or nothing was built yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Known {
    Serves(String),
    NotServed(String),
    Unbuilt,
}

/// Judges the records of one sdist for `target`. Pure.
pub fn judge(records: &[BuiltRecord], target: &Target) -> Known {
    let mut why = None;
    for r in records {
        let Ok(built_on) = Target::parse(&r.built_from.python) else {
            continue;
        };
        match serves(r.pure, &r.tags, &built_on, target) {
            Ok(()) => return Known::Serves(r.wheel.clone()),
            Err(e) => {
                why.get_or_insert(e.to_string());
            }
        }
    }
    why.map_or(Known::Unbuilt, Known::NotServed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Target {
        Target::parse(s).unwrap()
    }

    fn platform_tags() -> Vec<String> {
        vec!["cp312-cp312-manylinux_2_36_x86_64".into()]
    }

    #[test]
    fn a_pure_wheel_serves_every_target() {
        let tags = vec!["py3-none-any".to_string()];
        let host = t("cp311-manylinux_2_36_x86_64");
        for target in [
            "cp312-musllinux_1_2_x86_64",
            "cp313-manylinux_2_28_aarch64",
            "cp311-win_amd64",
        ] {
            assert_eq!(serves(true, &tags, &host, &t(target)), Ok(()), "{target}");
        }
        let py2 = vec!["py2-none-any".to_string()];
        assert!(matches!(
            serves(true, &py2, &host, &t("cp312-musllinux_1_2_x86_64")),
            Err(NotServed::Tags { .. })
        ));
    }

    #[test]
    fn a_platform_wheel_serves_only_what_the_machine_stands_for() {
        let host = t("cp312-manylinux_2_36_x86_64");
        let tags = platform_tags();
        assert_eq!(serves(false, &tags, &host, &host), Ok(()));
        // A newer glibc is fine.
        assert_eq!(
            serves(false, &tags, &host, &t("cp312-manylinux_2_39_x86_64")),
            Ok(())
        );
        let why = |target: &str| serves(false, &tags, &host, &t(target)).unwrap_err();
        assert!(matches!(
            why("cp312-musllinux_1_2_x86_64"),
            NotServed::LibcFamily { .. }
        ));
        assert_eq!(
            why("cp312-manylinux_2_28_x86_64").to_string(),
            "built against glibc 2.36, newer than the target's glibc 2.28"
        );
        assert!(matches!(
            why("cp312-manylinux_2_36_aarch64"),
            NotServed::Arch { .. }
        ));
        let py = why("cp313-manylinux_2_36_x86_64");
        assert!(py.other_python_would_do());
        assert!(py.to_string().contains("no python3.13"), "{py}");
        assert!(matches!(why("cp312-win_amd64"), NotServed::Os { .. }));
        assert!(matches!(
            why("cp313t-manylinux_2_36_x86_64"),
            NotServed::Python { .. }
        ));
    }

    #[test]
    fn the_cache_key_names_sdist_interpreter_and_build_wheels() {
        let host = t("cp312-manylinux_2_36_x86_64");
        let wheels = vec![
            "setuptools-80.whl sha256:aa".to_string(),
            "wheel-0.45.whl sha256:bb".into(),
        ];
        let k = cache_key("s1", &host, &wheels, &[]);
        let reversed: Vec<String> = wheels.iter().rev().cloned().collect();
        assert_eq!(k, cache_key("s1", &host, &reversed, &[]));
        assert_ne!(k, cache_key("s2", &host, &wheels, &[]));
        assert_ne!(
            k,
            cache_key("s1", &t("cp313-manylinux_2_36_x86_64"), &wheels, &[])
        );
        assert_ne!(k, cache_key("s1", &host, &wheels[..1], &[]));
    }

    #[test]
    fn the_cache_keeps_and_judges_records() {
        let dir = tempfile::tempdir().unwrap();
        let cache = BuildCache::new(dir.path());
        let bytes = b"wheel bytes".to_vec();
        let record = BuiltRecord {
            wheel: "demo-1.0-cp312-cp312-manylinux_2_36_x86_64.whl".into(),
            sha256: hex::encode(Sha256::digest(&bytes)),
            size: bytes.len() as u64,
            pure: false,
            tags: platform_tags(),
            built_from: BuiltFrom {
                sdist: "demo-1.0.tar.gz".into(),
                sdist_sha256: "s1".into(),
                backend: "b".into(),
                build_requires: vec![],
                build_wheels: vec![],
                python: "cp312-manylinux_2_36_x86_64".into(),
                source_date_epoch: DEFAULT_SOURCE_DATE_EPOCH,
            },
        };
        assert!(cache.lookup("s1", "k").is_none());
        cache.store("k", &record, &bytes).unwrap();
        let (found, path) = cache.lookup("s1", "k").unwrap();
        assert_eq!(found, record);
        assert_eq!(std::fs::read(&path).unwrap(), bytes);
        // A damaged wheel is a miss.
        std::fs::write(&path, b"other").unwrap();
        assert!(cache.lookup("s1", "k").is_none());
        let records = cache.records("s1");
        assert!(matches!(
            judge(&records, &t("cp312-manylinux_2_39_x86_64")),
            Known::Serves(_)
        ));
        assert!(matches!(
            judge(&records, &t("cp312-musllinux_1_2_x86_64")),
            Known::NotServed(_)
        ));
        assert_eq!(
            judge(&cache.records("s2"), &t("cp312-musllinux_1_2_x86_64")),
            Known::Unbuilt
        );
    }
}
