//! Targets: one Python × OS × libc × architecture that a Docker image's pip would install into.
//!
//! A [`Target`] is a value: everything pinwheel decides per platform is a function of it —
//! the PEP 508 marker environment ([`Target::marker_env`]), the PEP 425 tags pip would accept
//! and their priority ([`Target::tags`], [`Target::wheel_priority`], following
//! `packaging.tags.sys_tags`, with PEP 600 manylinux and PEP 656 musllinux platform lists), and
//! the canonical name shown back to users (`cp312-manylinux_2_36_x86_64`).
//!
//! Users name a target three ways (see `shared/targets.md`): an interpreter + platform tag
//! (`cp313-musllinux_1_2_aarch64`), a Docker image (`python:3.12-slim-bookworm`), or an image
//! with a Docker platform (`python:3.12-alpine@linux/arm64`). [`Target::parse`] accepts all
//! three; [`Target::host`] asks the `python3` on PATH.

mod environment;
mod error;
mod host;
mod images;
mod parse;
mod tags;

use std::fmt;

pub use environment::{marker_classes, selector_values, SELECTOR_VARIABLES};
pub use error::{HostProblem, ImageProblem, TagProblem, TargetError};
pub use host::HostReport;
pub use tags::Tags;

use crate::distribution::filename::WheelFilename;

/// The accepted target spellings, shown in every "I don't understand this target" error.
pub const ACCEPTED_FORMS: &str = "\
accepted target forms:
  interpreter + platform tag  cp312-manylinux_2_28_x86_64, cp313-musllinux_1_2_aarch64,
                              cp313t-manylinux_2_39_x86_64, cp311-win_amd64, cp312-macosx_11_0_arm64
  Docker image                python:3.12, python:3.12-slim, python:3.12-slim-bookworm,
                              python:3.12-bullseye, python:3.12-trixie, python:3.13-alpine,
                              python:3.13-alpine3.20, python:3.12.4-slim,
                              gcr.io/distroless/python3-debian12, gcr.io/distroless/python3-debian13
  image + platform            python:3.12-alpine@linux/arm64 (linux/amd64, linux/arm64, linux/arm/v7,
                              linux/386, linux/ppc64le, linux/s390x; default linux/amd64)";

/// The Python implementation. Only CPython is modelled; it is what the images ship.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Implementation {
    CPython,
}

/// The Python of a target: version and ABI variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PythonVersion {
    pub major: u32,
    pub minor: u32,
    /// The patch release when known (`--python 3.12.4`, `python:3.12.4-slim`).
    pub patch: Option<u32>,
    /// A free-threaded (`--disable-gil`) build: ABI `cp313t`, no abi3.
    pub free_threaded: bool,
}

/// A CPU architecture, independent of how each OS spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Arch {
    /// x86_64 / amd64
    X86_64,
    /// aarch64 / arm64
    Aarch64,
    /// 32-bit ARM hard-float (armv7l)
    Armv7l,
    /// 32-bit x86 (i686 / 386)
    I686,
    /// 64-bit little-endian POWER
    Ppc64le,
    /// IBM Z
    S390x,
}

impl Arch {
    /// The Linux spelling, used in manylinux/musllinux tags and `platform.machine()`.
    pub fn linux_name(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64",
            Arch::Aarch64 => "aarch64",
            Arch::Armv7l => "armv7l",
            Arch::I686 => "i686",
            Arch::Ppc64le => "ppc64le",
            Arch::S390x => "s390x",
        }
    }

    fn from_linux_name(s: &str) -> Option<Arch> {
        Some(match s {
            "x86_64" => Arch::X86_64,
            "aarch64" => Arch::Aarch64,
            "armv7l" => Arch::Armv7l,
            "i686" => Arch::I686,
            "ppc64le" => Arch::Ppc64le,
            "s390x" => Arch::S390x,
            _ => return None,
        })
    }

    /// The macOS spelling (`arm64`, `x86_64`).
    pub fn macos_name(self) -> &'static str {
        match self {
            Arch::Aarch64 => "arm64",
            other => other.linux_name(),
        }
    }
}

/// The C library of a Linux target, which decides manylinux (glibc) vs musllinux (musl).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Libc {
    Glibc { major: u32, minor: u32 },
    Musl { major: u32, minor: u32 },
}

/// Operating system (with libc / OS version) and architecture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Platform {
    Linux {
        libc: Libc,
        arch: Arch,
    },
    /// macOS `major.minor` (for 11 and later, only `major` matters to pip).
    MacOs {
        major: u32,
        minor: u32,
        arch: Arch,
    },
    /// Windows: `X86_64` = win_amd64, `I686` = win32, `Aarch64` = win_arm64.
    Windows {
        arch: Arch,
    },
}

impl Platform {
    pub fn arch(&self) -> Arch {
        match *self {
            Platform::Linux { arch, .. }
            | Platform::MacOs { arch, .. }
            | Platform::Windows { arch } => arch,
        }
    }

    /// The newest PEP 425 platform tag this platform supports (`manylinux_2_36_x86_64`).
    pub fn tag(&self) -> String {
        match *self {
            Platform::Linux {
                libc: Libc::Glibc { major, minor },
                arch,
            } => format!("manylinux_{major}_{minor}_{}", arch.linux_name()),
            Platform::Linux {
                libc: Libc::Musl { major, minor },
                arch,
            } => format!("musllinux_{major}_{minor}_{}", arch.linux_name()),
            Platform::MacOs { major, minor, arch } => {
                format!("macosx_{major}_{minor}_{}", arch.macos_name())
            }
            Platform::Windows { arch } => match arch {
                Arch::I686 => "win32".to_string(),
                Arch::Aarch64 => "win_arm64".to_string(),
                _ => "win_amd64".to_string(),
            },
        }
    }
}

/// What one image's `pip install` accepts: a Python and a platform.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Target {
    pub implementation: Implementation,
    pub python: PythonVersion,
    pub platform: Platform,
}

/// Newest CPython patch release per 3.minor, used when a target does not name its patch.
const LATEST_PATCH: &[(u32, u32)] = &[
    (6, 15),
    (7, 17),
    (8, 20),
    (9, 25),
    (10, 19),
    (11, 14),
    (12, 12),
    (13, 9),
    (14, 0),
    (15, 0),
];

impl Target {
    /// A CPython target.
    #[cfg(test)]
    pub fn cpython(major: u32, minor: u32, free_threaded: bool, platform: Platform) -> Target {
        Target {
            implementation: Implementation::CPython,
            python: PythonVersion {
                major,
                minor,
                patch: None,
                free_threaded,
            },
            platform,
        }
    }

    /// Parse any of the three spellings (tag, image, image@platform). A CPython 3 newer than
    /// the next release after those known ([`LATEST_PATCH`]) is refused: `3.99` is a typo.
    pub fn parse(s: &str) -> Result<Target, TargetError> {
        let t = parse::parse_target(s)?;
        let newest = LATEST_PATCH.last().map_or(0, |(minor, _)| *minor);
        if t.python.major == 3 && t.python.minor > newest + 1 {
            return Err(TargetError::UnknownPython {
                input: s.to_string(),
                version: format!("{}.{}", t.python.major, t.python.minor),
                newest: format!("3.{}", newest + 1),
            });
        }
        Ok(t)
    }

    /// Describe this machine, asking the `python3` on PATH.
    pub fn host() -> Result<Target, TargetError> {
        host::detect("python3")
    }

    /// Describe the interpreter `program` (a name on PATH or a path) on this machine: its
    /// target and its report (which holds the interpreter's own path, past any shim).
    pub fn of_interpreter(program: &str) -> Result<(Target, HostReport), TargetError> {
        let report = host::report(program)?;
        Ok((report.to_target()?, report))
    }

    /// The same target with a known patch release (`--python 3.12.4`).
    pub fn with_python_patch(mut self, patch: u32) -> Target {
        self.python.patch = Some(patch);
        self
    }

    /// The interpreter part of the canonical name: `cp312`, `cp313t`.
    pub fn interpreter_tag(&self) -> String {
        let t = if self.python.free_threaded { "t" } else { "" };
        format!("cp{}{}{t}", self.python.major, self.python.minor)
    }

    /// `cp312-manylinux_2_36_x86_64`; [`Target::parse`] reads it back. The patch release is
    /// not part of the canonical name.
    pub fn canonical(&self) -> String {
        format!("{}-{}", self.interpreter_tag(), self.platform.tag())
    }

    pub fn python_version(&self) -> (u32, u32) {
        (self.python.major, self.python.minor)
    }

    /// `3.Y.Z`: the given patch, or the newest known patch of that minor (`.0` past the table).
    pub fn python_full_version(&self) -> pep440_rs::Version {
        let patch = self.python.patch.unwrap_or_else(|| {
            if self.python.major != 3 {
                return 0;
            }
            LATEST_PATCH
                .iter()
                .find(|(minor, _)| *minor == self.python.minor)
                .map_or(0, |(_, patch)| *patch)
        });
        pep440_rs::Version::new([
            u64::from(self.python.major),
            u64::from(self.python.minor),
            u64::from(patch),
        ])
    }

    pub fn is_musl(&self) -> bool {
        matches!(
            self.platform,
            Platform::Linux {
                libc: Libc::Musl { .. },
                ..
            }
        )
    }

    /// The PEP 508 marker environment of this target (see `markers`).
    pub fn marker_env(&self) -> pep508_rs::MarkerEnvironment {
        environment::marker_env(self)
    }

    /// The tags pip would accept here, ranked (cached per target for the process).
    pub fn tags(&self) -> Tags {
        Tags::cached(self)
    }

    /// The rank of `wheel`'s best tag (lower is better), or `None` when pip on this target
    /// would not install it.
    pub fn wheel_priority(&self, wheel: &WheelFilename) -> Option<u32> {
        self.tags().priority(wheel)
    }

    /// Docker's name for the platform (`linux/amd64`), when the target is a container platform.
    pub fn docker_platform(&self) -> Option<&'static str> {
        match self.platform {
            Platform::Linux { arch, .. } => Some(match arch {
                Arch::X86_64 => "linux/amd64",
                Arch::Aarch64 => "linux/arm64",
                Arch::Armv7l => "linux/arm/v7",
                Arch::I686 => "linux/386",
                Arch::Ppc64le => "linux/ppc64le",
                Arch::S390x => "linux/s390x",
            }),
            Platform::Windows { arch: Arch::X86_64 } => Some("windows/amd64"),
            _ => None,
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.canonical())
    }
}

impl std::str::FromStr for Target {
    type Err = TargetError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Target::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Target {
        Target::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    /// Fuzzing found `cp310-manylinux_2_5527_x86_64` taking gigabytes: a target accepts every
    /// older platform release, so a version past any release is refused when parsed.
    #[test]
    fn platform_versions_past_any_release_are_refused() {
        for s in [
            "cp310-manylinux_2_5527_x86_64",
            "cp312-manylinux_2_9999_x86_64",
            "cp312-musllinux_1_100_x86_64",
            "cp312-macosx_10_100_x86_64",
            "cp312-macosx_100_0_arm64",
        ] {
            let e = Target::parse(s).unwrap_err();
            assert!(e.to_string().contains("is past any release"), "{s}: {e}");
        }
        // The largest accepted: every older release is listed, and that stays small.
        for s in [
            "cp312-manylinux_2_99_x86_64",
            "cp312-musllinux_1_99_aarch64",
            "cp312-macosx_99_0_arm64",
            "cp312-macosx_10_99_x86_64",
        ] {
            let tags = t(s).tags().len();
            assert!(tags < 20_000, "{s}: {tags} tags");
        }
    }

    #[test]
    fn pythons_that_do_not_exist_are_refused() {
        for s in [
            "python:3.99-slim",
            "cp399-manylinux_2_28_x86_64",
            "python:3.20-alpine",
        ] {
            let e = Target::parse(s).unwrap_err();
            assert!(
                matches!(e, TargetError::UnknownPython { .. }) && e.to_string().contains(s),
                "{s}: {e}"
            );
        }
        for s in [
            "python:3.14-slim",
            "cp315-manylinux_2_28_x86_64",
            "cp38-win_amd64",
        ] {
            t(s);
        }
    }

    #[test]
    fn canonical_names() {
        let glibc = Target::cpython(
            3,
            12,
            false,
            Platform::Linux {
                libc: Libc::Glibc {
                    major: 2,
                    minor: 36,
                },
                arch: Arch::X86_64,
            },
        );
        assert_eq!(glibc.canonical(), "cp312-manylinux_2_36_x86_64");
        assert_eq!(glibc.to_string(), "cp312-manylinux_2_36_x86_64");
        let musl_ft = Target::cpython(
            3,
            13,
            true,
            Platform::Linux {
                libc: Libc::Musl { major: 1, minor: 2 },
                arch: Arch::Aarch64,
            },
        );
        assert_eq!(musl_ft.canonical(), "cp313t-musllinux_1_2_aarch64");
        let win = Target::cpython(3, 11, false, Platform::Windows { arch: Arch::X86_64 });
        assert_eq!(win.canonical(), "cp311-win_amd64");
        let win32 = Target::cpython(3, 11, false, Platform::Windows { arch: Arch::I686 });
        assert_eq!(win32.canonical(), "cp311-win32");
        let mac = Target::cpython(
            3,
            12,
            false,
            Platform::MacOs {
                major: 11,
                minor: 0,
                arch: Arch::Aarch64,
            },
        );
        assert_eq!(mac.canonical(), "cp312-macosx_11_0_arm64");
    }

    #[test]
    fn canonical_round_trips() {
        for s in [
            "cp312-manylinux_2_36_x86_64",
            "cp313t-musllinux_1_2_aarch64",
            "cp311-win_amd64",
            "cp311-win32",
            "cp312-win_arm64",
            "cp312-macosx_11_0_arm64",
            "cp39-macosx_10_9_x86_64",
            "cp310-manylinux_2_17_armv7l",
            "cp312-manylinux_2_28_ppc64le",
            "cp312-musllinux_1_1_s390x",
            "cp38-manylinux_2_5_i686",
        ] {
            assert_eq!(t(s).canonical(), s);
            assert_eq!(t(&t(s).canonical()), t(s));
        }
        for image in [
            "python:3.12-slim",
            "python:3.13-alpine@linux/arm64",
            "gcr.io/distroless/python3-debian12",
            "python:3.11-bullseye@linux/arm/v7",
        ] {
            let target = t(image);
            assert_eq!(t(&target.canonical()), target, "{image}");
        }
    }

    #[test]
    fn full_version_uses_table_or_patch() {
        let target = t("cp312-manylinux_2_36_x86_64");
        assert_eq!(target.python_version(), (3, 12));
        assert_eq!(target.python_full_version().to_string(), "3.12.12");
        assert_eq!(
            t("cp38-win_amd64").python_full_version().to_string(),
            "3.8.20"
        );
        assert_eq!(
            t("cp314-win_amd64").python_full_version().to_string(),
            "3.14.0"
        );
        assert_eq!(
            t("cp315-win_amd64").python_full_version().to_string(),
            "3.15.0"
        );
        let patched = target.clone().with_python_patch(4);
        assert_eq!(patched.python_full_version().to_string(), "3.12.4");
        assert_eq!(patched.canonical(), target.canonical());
        assert_ne!(patched, target);
    }

    #[test]
    fn musl_and_docker_platform() {
        assert!(t("python:3.12-alpine").is_musl());
        assert!(!t("python:3.12-slim").is_musl());
        assert!(!t("cp312-win_amd64").is_musl());
        assert_eq!(
            t("python:3.12-alpine@linux/arm64").docker_platform(),
            Some("linux/arm64")
        );
        assert_eq!(t("python:3.12").docker_platform(), Some("linux/amd64"));
        assert_eq!(
            t("cp311-manylinux_2_17_armv7l").docker_platform(),
            Some("linux/arm/v7")
        );
        assert_eq!(t("cp312-macosx_11_0_arm64").docker_platform(), None);
    }

    #[test]
    fn from_str_matches_parse() {
        let a: Target = "python:3.12-slim".parse().unwrap();
        assert_eq!(a, t("cp312-manylinux_2_41_x86_64"));
    }
}
