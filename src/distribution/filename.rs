//! Distribution filenames: wheels (PEP 427, with PEP 425 compressed tag sets) and source
//! distributions (PEP 625 `{name}-{version}.tar.gz`, plus the legacy archive names pip still
//! accepts).
//!
//! A wheel filename is self-describing: `{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl`,
//! where each tag field may be a `.`-separated set. An sdist filename is not: both the name and
//! the version may contain `-`, so it can only be split against the project it was listed for
//! (the index page's project), by finding the prefix whose normalized form is that project.

use std::fmt;
use std::str::FromStr;

pub use pep440_rs::Version;
pub use pep508_rs::PackageName;

/// Why a filename is not a usable wheel or sdist name. Every variant carries the filename.
#[derive(Debug, thiserror::Error)]
pub enum FilenameError {
    /// Neither `.whl` nor one of the sdist archive extensions.
    #[error(
        "`{filename}` is not a distribution filename: expected a wheel (`.whl`) or an sdist \
         ({})",
        SdistExtension::ALL_SUFFIXES
    )]
    UnsupportedExtension { filename: String },

    /// A wheel name without the five or six `-`-separated fields.
    #[error(
        "wheel filename `{filename}` has {found} `-`-separated fields; expected \
         `{{name}}-{{version}}(-{{build}})?-{{python}}-{{abi}}-{{platform}}.whl` (5 or 6 fields)"
    )]
    WheelFieldCount { filename: String, found: usize },

    /// The distribution name is not a valid PEP 508 name.
    #[error(
        "`{filename}` has an invalid distribution name `{name}`: names are ASCII letters, \
         digits, `-`, `_` and `.`, starting and ending with a letter or digit"
    )]
    InvalidName { filename: String, name: String },

    /// The version is not a valid PEP 440 version.
    #[error("`{filename}` has an invalid version `{version}`: {source}")]
    InvalidVersion {
        filename: String,
        version: String,
        #[source]
        source: pep440_rs::VersionParseError,
    },

    /// A wheel build tag must start with a digit (PEP 427).
    #[error("wheel filename `{filename}` has an invalid build tag `{build}`: it must start with a digit")]
    InvalidBuildTag { filename: String, build: String },

    /// A python, abi or platform tag field (or a member of a compressed set) is empty.
    #[error("wheel filename `{filename}` has an empty {field} tag")]
    EmptyTag {
        filename: String,
        field: &'static str,
    },

    /// The file does not belong to the project it was listed for.
    #[error("`{filename}` is not a distribution of project `{project}`: its name does not match")]
    NameMismatch {
        filename: String,
        project: PackageName,
    },

    /// An sdist name with the project prefix but no version after it.
    #[error("sdist filename `{filename}` has no version after the project name `{project}`")]
    MissingVersion {
        filename: String,
        project: PackageName,
    },
}

fn parse_name(filename: &str, name: &str) -> Result<PackageName, FilenameError> {
    let invalid = || FilenameError::InvalidName {
        filename: filename.to_string(),
        name: name.to_string(),
    };
    if name.is_empty() {
        return Err(invalid());
    }
    PackageName::new(name.to_string()).map_err(|_| invalid())
}

fn parse_version(filename: &str, version: &str) -> Result<Version, FilenameError> {
    Version::from_str(version).map_err(|source| FilenameError::InvalidVersion {
        filename: filename.to_string(),
        version: version.to_string(),
        source,
    })
}

/// Strip a case-insensitive ASCII suffix.
fn strip_suffix_ignore_case<'a>(s: &'a str, suffix: &str) -> Option<&'a str> {
    let cut = s.len().checked_sub(suffix.len())?;
    if s.is_char_boundary(cut) && s[cut..].eq_ignore_ascii_case(suffix) {
        Some(&s[..cut])
    } else {
        None
    }
}

/// A parsed wheel filename (PEP 427).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WheelFilename {
    pub name: PackageName,
    pub version: Version,
    pub build: Option<String>,
    pub python_tags: Vec<String>,
    pub abi_tags: Vec<String>,
    pub platform_tags: Vec<String>,
}

impl WheelFilename {
    /// Parse `{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl`.
    pub fn parse(filename: &str) -> Result<Self, FilenameError> {
        let stem = strip_suffix_ignore_case(filename, ".whl").ok_or_else(|| {
            FilenameError::UnsupportedExtension {
                filename: filename.to_string(),
            }
        })?;
        let fields: Vec<&str> = stem.split('-').collect();
        let (name, version, build, tags) = match fields.as_slice() {
            [name, version, py, abi, plat] => (*name, *version, None, [*py, *abi, *plat]),
            [name, version, build, py, abi, plat] => {
                (*name, *version, Some(*build), [*py, *abi, *plat])
            }
            _ => {
                return Err(FilenameError::WheelFieldCount {
                    filename: filename.to_string(),
                    found: fields.len(),
                })
            }
        };
        let name = parse_name(filename, name)?;
        let version = parse_version(filename, version)?;
        let build = match build {
            Some(build) if build.starts_with(|c: char| c.is_ascii_digit()) => {
                Some(build.to_string())
            }
            Some(build) => {
                return Err(FilenameError::InvalidBuildTag {
                    filename: filename.to_string(),
                    build: build.to_string(),
                })
            }
            None => None,
        };
        let split_set = |set: &str, field: &'static str| -> Result<Vec<String>, FilenameError> {
            let members: Vec<String> = set.split('.').map(str::to_string).collect();
            if members.iter().any(String::is_empty) {
                return Err(FilenameError::EmptyTag {
                    filename: filename.to_string(),
                    field,
                });
            }
            Ok(members)
        };
        Ok(WheelFilename {
            name,
            version,
            build,
            python_tags: split_set(tags[0], "python")?,
            abi_tags: split_set(tags[1], "abi")?,
            platform_tags: split_set(tags[2], "platform")?,
        })
    }

    /// True when the wheel runs on any platform: every platform tag is `any`.
    pub fn is_pure(&self) -> bool {
        self.platform_tags.iter().all(|p| p == "any")
    }

    /// Every `(python, abi, platform)` tag the wheel declares, expanding compressed tag sets
    /// (the cartesian product of the three fields).
    pub fn tags(&self) -> impl Iterator<Item = (String, String, String)> + '_ {
        self.python_tags.iter().flat_map(move |py| {
            self.abi_tags.iter().flat_map(move |abi| {
                self.platform_tags
                    .iter()
                    .map(move |plat| (py.clone(), abi.clone(), plat.clone()))
            })
        })
    }
}

impl FromStr for WheelFilename {
    type Err = FilenameError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        WheelFilename::parse(s)
    }
}

/// Renders the normalized filename (escaped name, normalized version); it may differ in
/// spelling from the filename that was parsed.
impl fmt::Display for WheelFilename {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.name.as_dist_info_name(), self.version)?;
        if let Some(build) = &self.build {
            write!(f, "-{build}")?;
        }
        write!(
            f,
            "-{}-{}-{}.whl",
            self.python_tags.join("."),
            self.abi_tags.join("."),
            self.platform_tags.join(".")
        )
    }
}

/// The archive formats pip accepts for source distributions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SdistExtension {
    /// `.tar.gz` (the only one PEP 625 allows for new uploads)
    TarGz,
    /// `.tgz`
    Tgz,
    /// `.zip`
    Zip,
    /// `.tar.bz2`
    TarBz2,
    /// `.tbz`
    Tbz,
    /// `.tar.xz`
    TarXz,
    /// `.txz`
    Txz,
    /// `.tar.lz`
    TarLz,
    /// `.tlz`
    Tlz,
    /// `.tar.lzma`
    TarLzma,
    /// `.tar`
    Tar,
}

impl SdistExtension {
    const ALL: [SdistExtension; 11] = [
        SdistExtension::TarGz,
        SdistExtension::Tgz,
        SdistExtension::Zip,
        SdistExtension::TarBz2,
        SdistExtension::Tbz,
        SdistExtension::TarXz,
        SdistExtension::Txz,
        SdistExtension::TarLz,
        SdistExtension::Tlz,
        SdistExtension::TarLzma,
        SdistExtension::Tar,
    ];

    const ALL_SUFFIXES: &'static str =
        ".tar.gz, .tgz, .zip, .tar.bz2, .tbz, .tar.xz, .txz, .tar.lz, .tlz, .tar.lzma, .tar";

    /// The suffix, with its leading dot.
    pub fn as_str(self) -> &'static str {
        match self {
            SdistExtension::TarGz => ".tar.gz",
            SdistExtension::Tgz => ".tgz",
            SdistExtension::Zip => ".zip",
            SdistExtension::TarBz2 => ".tar.bz2",
            SdistExtension::Tbz => ".tbz",
            SdistExtension::TarXz => ".tar.xz",
            SdistExtension::Txz => ".txz",
            SdistExtension::TarLz => ".tar.lz",
            SdistExtension::Tlz => ".tlz",
            SdistExtension::TarLzma => ".tar.lzma",
            SdistExtension::Tar => ".tar",
        }
    }

    /// Whether pinwheel can open the archive (to read PKG-INFO, or to build metadata): gzip'd
    /// or plain tar, and zip. bzip2, xz and lzip archives are legacy formats pinwheel does not
    /// decompress; files in them are passed over.
    pub fn is_readable(self) -> bool {
        matches!(
            self,
            SdistExtension::TarGz | SdistExtension::Tgz | SdistExtension::Tar | SdistExtension::Zip
        )
    }

    /// Split a filename into its stem and sdist extension (case-insensitive).
    pub fn split(filename: &str) -> Option<(&str, SdistExtension)> {
        SdistExtension::ALL.iter().find_map(|&ext| {
            strip_suffix_ignore_case(filename, ext.as_str()).map(|stem| (stem, ext))
        })
    }
}

impl fmt::Display for SdistExtension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// PEP 503 name normalization: lowercase, runs of `-`, `_`, `.` become one `-`.
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// Whether `name` normalizes (PEP 503) to `normalized`, without allocating: listings hold tens of
/// thousands of file names.
fn normalizes_to(name: &str, normalized: &str) -> bool {
    let mut want = normalized.bytes();
    let mut sep = false;
    let mut started = false;
    for b in name.bytes() {
        if matches!(b, b'-' | b'_' | b'.') {
            sep = true;
            continue;
        }
        if sep && started && want.next() != Some(b'-') {
            return false;
        }
        sep = false;
        started = true;
        if want.next() != Some(b.to_ascii_lowercase()) {
            return false;
        }
    }
    want.next().is_none()
}

/// The version part of `filename`, a wheel or sdist of the project whose PEP 503-normalized name
/// is `project`, without validating it; `None` when the file is not a distribution of that
/// project. This is the one place a distribution filename is split into name and version:
/// sdist names are ambiguous (`cffi-1.0.2-2.tar.gz`, `foo-bar-1.0.tar.gz`), and the version is
/// what follows the prefix that normalizes to the project's name. Wheels have one dash-free name
/// part (PEP 427).
pub fn version_part<'f>(filename: &'f str, project: &str) -> Option<&'f str> {
    if let Some(stem) = strip_suffix_ignore_case(filename, ".whl") {
        let mut parts = stem.split('-');
        return normalizes_to(parts.next()?, project)
            .then(|| parts.next())
            .flatten();
    }
    let (stem, _) = SdistExtension::split(filename)?;
    sdist_versions(stem, project).next()
}

/// Every split of an sdist's stem `{name}-{version}` whose name part normalizes to `project`,
/// the shortest name first: the candidates for its version.
fn sdist_versions<'s, 'p>(
    stem: &'s str,
    project: &'p str,
) -> impl Iterator<Item = &'s str> + use<'s, 'p> {
    stem.match_indices('-')
        .filter(move |(dash, _)| normalizes_to(&stem[..*dash], project))
        .map(move |(dash, _)| &stem[dash + 1..])
}

/// A parsed source distribution filename, split against the project it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SdistFilename {
    pub name: PackageName,
    pub version: Version,
    pub extension: SdistExtension,
}

impl SdistFilename {
    /// Parse `{name}-{version}{extension}` for `project`. The name part may be spelled in any
    /// way that normalizes to `project` (`Foo.Bar-1.0.zip`, `foo_bar-1.0.tar.gz` and
    /// `foo-bar-1.0.tar.gz` all belong to `foo-bar`).
    pub fn parse(filename: &str, project: &PackageName) -> Result<Self, FilenameError> {
        let (stem, extension) =
            SdistExtension::split(filename).ok_or_else(|| FilenameError::UnsupportedExtension {
                filename: filename.to_string(),
            })?;

        let mut first_error = None;
        for version in sdist_versions(stem, project.as_ref()) {
            if version.is_empty() {
                first_error.get_or_insert(FilenameError::MissingVersion {
                    filename: filename.to_string(),
                    project: project.clone(),
                });
                continue;
            }
            match parse_version(filename, version) {
                Ok(version) => {
                    return Ok(SdistFilename {
                        name: project.clone(),
                        version,
                        extension,
                    })
                }
                Err(err) => {
                    first_error.get_or_insert(err);
                }
            }
        }
        Err(first_error.unwrap_or_else(|| {
            if PackageName::new(stem.to_string()).ok().as_ref() == Some(project) {
                FilenameError::MissingVersion {
                    filename: filename.to_string(),
                    project: project.clone(),
                }
            } else {
                FilenameError::NameMismatch {
                    filename: filename.to_string(),
                    project: project.clone(),
                }
            }
        }))
    }
}

/// Renders the PEP 625 spelling (`{escaped_name}-{version}{extension}`).
impl fmt::Display for SdistFilename {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}-{}{}",
            self.name.as_dist_info_name(),
            self.version,
            self.extension
        )
    }
}

/// A wheel or an sdist filename.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DistFilename {
    Wheel(WheelFilename),
    Sdist(SdistFilename),
}

impl DistFilename {
    /// Parse a file listed for `project`: a wheel (whose name must normalize to `project`)
    /// or an sdist.
    pub fn parse(filename: &str, project: &PackageName) -> Result<Self, FilenameError> {
        if strip_suffix_ignore_case(filename, ".whl").is_some() {
            let wheel = WheelFilename::parse(filename)?;
            if &wheel.name != project {
                return Err(FilenameError::NameMismatch {
                    filename: filename.to_string(),
                    project: project.clone(),
                });
            }
            Ok(DistFilename::Wheel(wheel))
        } else {
            SdistFilename::parse(filename, project).map(DistFilename::Sdist)
        }
    }

    pub fn name(&self) -> &PackageName {
        match self {
            DistFilename::Wheel(wheel) => &wheel.name,
            DistFilename::Sdist(sdist) => &sdist.name,
        }
    }

    pub fn version(&self) -> &Version {
        match self {
            DistFilename::Wheel(wheel) => &wheel.version,
            DistFilename::Sdist(sdist) => &sdist.version,
        }
    }
}

impl fmt::Display for DistFilename {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DistFilename::Wheel(wheel) => wheel.fmt(f),
            DistFilename::Sdist(sdist) => sdist.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> PackageName {
        PackageName::from_str(s).unwrap()
    }

    fn v(s: &str) -> Version {
        Version::from_str(s).unwrap()
    }

    #[test]
    fn normalizes_to_agrees_with_normalize() {
        for n in [
            "Foo.Bar", "foo__bar", "-foo-", "a-b-c", "A..B", "", "_", "é-x", "foo-",
        ] {
            for m in ["foo-bar", "foo", "a-b-c", "a-b", "", "é-x"] {
                assert_eq!(normalizes_to(n, m), normalize(n) == m, "{n} {m}");
            }
        }
    }

    #[test]
    fn version_part_splits_name_and_version_once_for_every_caller() {
        assert_eq!(
            version_part("a_b-1.2.3-1-cp312-cp312-manylinux_2_17_x86_64.whl", "a-b"),
            Some("1.2.3")
        );
        assert_eq!(
            version_part("a-b-c-2.0.post1.tar.gz", "a-b-c"),
            Some("2.0.post1")
        );
        // A legacy sdist with a post-release suffix: not version "2".
        assert_eq!(version_part("cffi-1.0.2-2.tar.gz", "cffi"), Some("1.0.2-2"));
        assert_eq!(version_part("Foo.Bar-1.0.zip", "foo-bar"), Some("1.0"));
        assert_eq!(
            version_part("Foo_Bar-1.0-py3-none-any.whl", "foo-bar"),
            Some("1.0")
        );
        assert_eq!(version_part("readme.txt", "readme"), None);
        // Files of another project: a longer name, a shorter one, another wheel.
        assert_eq!(version_part("foo-barista-1.0.tar.gz", "foo-bar"), None);
        assert_eq!(version_part("foo-1.0.tar.gz", "foo-bar"), None);
        assert_eq!(version_part("other-1.0-py3-none-any.whl", "foo"), None);
        // The same split serves SdistFilename::parse.
        let sdist = SdistFilename::parse("foo-bar-1.0.tar.gz", &name("foo-bar")).unwrap();
        assert_eq!(sdist.version, v("1.0"));
    }

    #[test]
    fn wheel_basic() {
        let w = WheelFilename::parse("requests-2.32.3-py3-none-any.whl").unwrap();
        assert_eq!(w.name, name("requests"));
        assert_eq!(w.version, v("2.32.3"));
        assert_eq!(w.build, None);
        assert_eq!(w.python_tags, ["py3"]);
        assert_eq!(w.abi_tags, ["none"]);
        assert_eq!(w.platform_tags, ["any"]);
        assert!(w.is_pure());
    }

    #[test]
    fn wheel_build_tag_and_compressed_sets() {
        let w = WheelFilename::parse(
            "numpy-2.1.0-1-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
        )
        .unwrap();
        assert_eq!(w.build.as_deref(), Some("1"));
        assert_eq!(
            w.platform_tags,
            ["manylinux_2_17_x86_64", "manylinux2014_x86_64"]
        );
        assert!(!w.is_pure());
        let tags: Vec<_> = w.tags().collect();
        assert_eq!(
            tags,
            [
                (
                    "cp312".to_string(),
                    "cp312".to_string(),
                    "manylinux_2_17_x86_64".to_string()
                ),
                (
                    "cp312".to_string(),
                    "cp312".to_string(),
                    "manylinux2014_x86_64".to_string()
                ),
            ]
        );
    }

    #[test]
    fn wheel_tags_cartesian_product() {
        let w = WheelFilename::parse("six-1.16.0-py2.py3-none-any.whl").unwrap();
        let tags: Vec<String> = w.tags().map(|(p, a, s)| format!("{p}-{a}-{s}")).collect();
        assert_eq!(tags, ["py2-none-any", "py3-none-any"]);

        let w = WheelFilename::parse("x-1.0-cp38.cp39-abi3.none-linux_x86_64.win32.whl").unwrap();
        assert_eq!(w.tags().count(), 8);
        assert!(w
            .tags()
            .any(|t| t == ("cp39".into(), "none".into(), "win32".into())));
    }

    #[test]
    fn wheel_name_normalized() {
        let w = WheelFilename::parse("Zope.Interface-6.0-cp311-cp311-win_amd64.whl").unwrap();
        assert_eq!(w.name, name("zope-interface"));
        let w = WheelFilename::parse("typing_extensions-4.12.2-py3-none-any.whl").unwrap();
        assert_eq!(w.name.as_ref(), "typing-extensions");
    }

    #[test]
    fn wheel_local_version_and_pure_with_mixed_platforms() {
        let w = WheelFilename::parse("torch-2.4.0+cpu-cp312-cp312-linux_x86_64.whl").unwrap();
        assert_eq!(w.version, v("2.4.0+cpu"));
        let w = WheelFilename::parse("x-1.0-py3-none-any.win32.whl").unwrap();
        assert!(!w.is_pure());
    }

    #[test]
    fn wheel_display_normalizes() {
        let w = WheelFilename::parse("Foo.Bar-1.0-2-py3-none-any.whl").unwrap();
        assert_eq!(w.to_string(), "foo_bar-1.0-2-py3-none-any.whl");
        assert_eq!(WheelFilename::parse(&w.to_string()).unwrap(), w);
    }

    #[test]
    fn wheel_from_str() {
        let w: WheelFilename = "a-1-py3-none-any.whl".parse().unwrap();
        assert_eq!(w.name, name("a"));
    }

    #[test]
    fn wheel_errors() {
        let err = WheelFilename::parse("foo-1.0-py3-none.whl").unwrap_err();
        assert!(matches!(
            err,
            FilenameError::WheelFieldCount { found: 4, .. }
        ));
        assert!(err.to_string().contains("foo-1.0-py3-none.whl"));

        // A name with a dash shifts the fields: seven fields.
        let err = WheelFilename::parse("foo-bar-1.0-1-py3-none-any.whl").unwrap_err();
        assert!(matches!(
            err,
            FilenameError::WheelFieldCount { found: 7, .. }
        ));

        // Six fields where the build is really a version: the version field is invalid.
        let err = WheelFilename::parse("foo-bar-1.0-py3-none-any.whl").unwrap_err();
        match err {
            FilenameError::InvalidVersion { version, .. } => assert_eq!(version, "bar"),
            other => panic!("unexpected {other:?}"),
        }

        let err = WheelFilename::parse("foo-1.0-beta-py3-none-any.whl").unwrap_err();
        assert!(matches!(err, FilenameError::InvalidBuildTag { ref build, .. } if build == "beta"));

        let err = WheelFilename::parse("fo$o-1.0-py3-none-any.whl").unwrap_err();
        assert!(matches!(err, FilenameError::InvalidName { ref name, .. } if name == "fo$o"));
        assert!(err.to_string().contains("fo$o"));

        let err = WheelFilename::parse("_foo-1.0-py3-none-any.whl").unwrap_err();
        assert!(matches!(err, FilenameError::InvalidName { .. }));

        let err = WheelFilename::parse("-1.0-py3-none-any.whl").unwrap_err();
        assert!(matches!(err, FilenameError::InvalidName { .. }));

        let err = WheelFilename::parse("foo-1.0-py3..py2-none-any.whl").unwrap_err();
        assert!(matches!(
            err,
            FilenameError::EmptyTag {
                field: "python",
                ..
            }
        ));
        let err = WheelFilename::parse("foo-1.0-py3-none-.whl").unwrap_err();
        assert!(matches!(
            err,
            FilenameError::EmptyTag {
                field: "platform",
                ..
            }
        ));

        let err = WheelFilename::parse("foo-1.0.tar.gz").unwrap_err();
        assert!(matches!(err, FilenameError::UnsupportedExtension { .. }));
    }

    #[test]
    fn sdist_pep625_and_legacy_spellings() {
        let project = name("foo-bar");
        for file in [
            "foo_bar-1.0.tar.gz",
            "foo-bar-1.0.tar.gz",
            "Foo.Bar-1.0.tar.gz",
            "FOO__bar-1.0.tar.gz",
        ] {
            let s = SdistFilename::parse(file, &project).unwrap();
            assert_eq!(s.name, project, "{file}");
            assert_eq!(s.version, v("1.0"), "{file}");
            assert_eq!(s.extension, SdistExtension::TarGz, "{file}");
        }
    }

    #[test]
    fn sdist_extensions() {
        let project = name("pkg");
        for (file, ext) in [
            ("pkg-1.0.zip", SdistExtension::Zip),
            ("pkg-1.0.tar.bz2", SdistExtension::TarBz2),
            ("pkg-1.0.tgz", SdistExtension::Tgz),
            ("pkg-1.0.tar.xz", SdistExtension::TarXz),
            ("pkg-1.0.tar", SdistExtension::Tar),
            ("pkg-1.0.TAR.GZ", SdistExtension::TarGz),
        ] {
            let s = SdistFilename::parse(file, &project).unwrap();
            assert_eq!(s.extension, ext, "{file}");
            assert_eq!(s.version, v("1.0"));
        }
    }

    #[test]
    fn sdist_versions_with_dashes_and_local() {
        let project = name("python-dateutil");
        let s = SdistFilename::parse("python-dateutil-2.9.0.post0.tar.gz", &project).unwrap();
        assert_eq!(s.version, v("2.9.0.post0"));
        // A legacy `-1` post-release spelling: the version itself contains a dash.
        let s = SdistFilename::parse("python-dateutil-2.8-1.zip", &project).unwrap();
        assert_eq!(s.version, v("2.8.post1"));
    }

    #[test]
    fn sdist_display_is_pep625() {
        let s = SdistFilename::parse("Foo.Bar-1.0.zip", &name("foo-bar")).unwrap();
        assert_eq!(s.to_string(), "foo_bar-1.0.zip");
    }

    #[test]
    fn sdist_errors() {
        let err = SdistFilename::parse("foo-1.0.tar.gz", &name("bar")).unwrap_err();
        assert!(matches!(err, FilenameError::NameMismatch { .. }));
        assert!(err.to_string().contains("foo-1.0.tar.gz"));
        assert!(err.to_string().contains("bar"));

        // The prefix `foo` matches project `foo`, but the rest is not a version.
        let err = SdistFilename::parse("foo-bar-1.0.tar.gz", &name("foo")).unwrap_err();
        assert!(
            matches!(err, FilenameError::InvalidVersion { ref version, .. } if version == "bar-1.0")
        );

        let err = SdistFilename::parse("foo.tar.gz", &name("foo")).unwrap_err();
        assert!(matches!(err, FilenameError::MissingVersion { .. }));
        let err = SdistFilename::parse("foo-.tar.gz", &name("foo")).unwrap_err();
        assert!(matches!(err, FilenameError::MissingVersion { .. }));

        let err = SdistFilename::parse("foo-1.0.exe", &name("foo")).unwrap_err();
        assert!(matches!(err, FilenameError::UnsupportedExtension { .. }));
        assert!(err.to_string().contains(".tar.gz"));
    }

    #[test]
    fn dist_filename_dispatch() {
        let project = name("Foo_Bar");
        let d = DistFilename::parse("foo_bar-2.0-py3-none-any.whl", &project).unwrap();
        assert!(matches!(d, DistFilename::Wheel(_)));
        assert_eq!(d.name(), &project);
        assert_eq!(d.version(), &v("2.0"));

        let d = DistFilename::parse("foo-bar-2.0rc1.zip", &project).unwrap();
        assert!(matches!(d, DistFilename::Sdist(_)));
        assert_eq!(d.version(), &v("2.0rc1"));

        let err = DistFilename::parse("other-2.0-py3-none-any.whl", &project).unwrap_err();
        assert!(matches!(err, FilenameError::NameMismatch { .. }));

        let err = DistFilename::parse("foo_bar-2.0.egg", &project).unwrap_err();
        assert!(matches!(err, FilenameError::UnsupportedExtension { .. }));
    }
}
