//! Core metadata (the `METADATA` file of a wheel, `PKG-INFO` of an sdist): PEP 566 / the
//! core metadata specification, with PEP 643's `Dynamic` field.
//!
//! The format is RFC 822-style headers: `Name: value` lines, continuation lines that start with
//! whitespace, and a blank line before the body (the description), which is not read. Unknown
//! headers are ignored. `Requires-Dist` values are PEP 508 requirements; a few legacy spellings
//! that old packages published (`foo (>=1.0<2.0)`, `>=1.0.*`, `~=1`, trailing commas) are
//! repaired before giving up, since `pep508_rs` has no lenient mode.
//!
//! [`read_sdist_file_from`] finds a top-level file inside a `.tar.gz`, `.tgz`, `.tar` or `.zip`
//! sdist read from disk: `PKG-INFO`, or any other, such as `pyproject.toml`.

use std::io::Read;
use std::str::FromStr;

use pep440_rs::{Version, VersionSpecifiers};
use pep508_rs::{ExtraName, PackageName, Requirement};

/// Largest PKG-INFO read from an sdist (larger ones are cut off: the headers come first).
const MAX_PKG_INFO: u64 = 16 * 1024 * 1024;

/// The fields of core metadata that dependency resolution needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoreMetadata {
    /// `Metadata-Version`, as written (e.g. `2.1`).
    pub metadata_version: String,
    /// `Name`, normalized.
    pub name: PackageName,
    /// `Version`.
    pub version: Version,
    /// Every `Requires-Dist`, in order (markers may mention `extra == "..."`).
    pub requires_dist: Vec<Requirement>,
    /// `Requires-Python`, if present.
    pub requires_python: Option<VersionSpecifiers>,
    /// Every valid `Provides-Extra` (invalid names are skipped, as they can never be requested).
    pub provides_extras: Vec<ExtraName>,
    /// `Dynamic` (PEP 643) field names, as written.
    pub dynamic: Vec<String>,
}

/// Core metadata that cannot be used, or an sdist whose PKG-INFO cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum MetadataError {
    /// A required header is absent.
    #[error("core metadata has no `{field}` header")]
    MissingField {
        /// `Metadata-Version`, `Name` or `Version`.
        field: &'static str,
    },
    /// A header value that does not parse.
    #[error("core metadata line {line}: invalid {field} `{value}`: {problem}")]
    InvalidField {
        /// 1-based line of the header.
        line: usize,
        /// The header name.
        field: &'static str,
        /// The value as written (continuation lines joined).
        value: String,
        /// Why it does not parse.
        #[source]
        problem: FieldError,
    },
    /// The sdist archive could not be read.
    #[error("cannot read sdist {filename}: {source}")]
    Archive {
        /// The sdist filename.
        filename: String,
        /// What went wrong.
        #[source]
        source: ArchiveError,
    },
    /// The sdist is not a `.tar.gz`, `.tgz`, `.tar` or `.zip`.
    #[error("cannot read sdist {filename}: unsupported archive format")]
    UnsupportedArchive {
        /// The sdist filename.
        filename: String,
    },
}

/// Why a core metadata header's value does not parse.
#[derive(Debug, thiserror::Error)]
pub enum FieldError {
    #[error("expected `MAJOR.MINOR`")]
    MetadataVersion,
    #[error(transparent)]
    Name(pep508_rs::InvalidNameError),
    #[error(transparent)]
    Version(pep440_rs::VersionParseError),
    /// Not PEP 508, even after the legacy repairs. The parser's error is described in words
    /// (`pep508::describe`) and not offered as a `source`: its own `Display` panics on some
    /// spans, and a caller walking the chain would call it.
    #[error("{}", super::pep508::describe(.0))]
    Requirement(Box<pep508_rs::Pep508Error>),
    /// Not PEP 440 specifiers, even after the legacy repairs.
    #[error(transparent)]
    RequiresPython(pep440_rs::VersionSpecifiersParseError),
}

/// Why an sdist archive could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// The tar stream, its gzip layer or a member's bytes.
    #[error(transparent)]
    Io(std::io::Error),
    /// The zip directory or a member's header.
    #[error(transparent)]
    Zip(zip::result::ZipError),
}

/// One header: name, value (continuation lines joined with `\n`), 1-based line.
struct Header<'a> {
    name: &'a str,
    value: String,
    line: usize,
}

/// Split the header section into headers; stops at the first blank line.
fn headers(text: &str) -> Vec<Header<'_>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut headers: Vec<Header<'_>> = Vec::new();
    for (index, line) in text.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        // Only an empty line ends the headers: a line of spaces is a continuation line (the
        // email parser's rule), as in multi-paragraph License fields (pandas, numpy).
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            if let Some(last) = headers.last_mut() {
                last.value.push('\n');
                last.value.push_str(line.trim());
            }
            continue;
        }
        // A line without a colon is a defect in the email format; skip it like Python's parser.
        if let Some((name, value)) = line.split_once(':') {
            headers.push(Header {
                name: name.trim(),
                value: value.trim().to_string(),
                line: index + 1,
            });
        }
    }
    headers
}

impl CoreMetadata {
    /// Parse METADATA / PKG-INFO bytes (UTF-8; invalid bytes are replaced).
    pub fn parse(bytes: &[u8]) -> Result<Self, MetadataError> {
        let text = String::from_utf8_lossy(bytes);
        let mut metadata_version = None;
        let mut name = None;
        let mut version = None;
        let mut requires_dist = Vec::new();
        let mut requires_python = None;
        let mut provides_extras = Vec::new();
        let mut dynamic = Vec::new();

        for header in headers(&text) {
            let invalid = |field: &'static str, problem: FieldError| MetadataError::InvalidField {
                line: header.line,
                field,
                value: header.value.clone(),
                problem,
            };
            // Continuation lines of single-line fields are folded whitespace.
            let single = header.value.replace('\n', " ");
            match header.name.to_ascii_lowercase().as_str() {
                "metadata-version" => {
                    if parse_metadata_version(&single).is_none() {
                        return Err(invalid("Metadata-Version", FieldError::MetadataVersion));
                    }
                    metadata_version = Some(single);
                }
                "name" => {
                    name = Some(
                        PackageName::from_str(&single)
                            .map_err(|err| invalid("Name", FieldError::Name(err)))?,
                    );
                }
                "version" => {
                    version = Some(
                        Version::from_str(&single)
                            .map_err(|err| invalid("Version", FieldError::Version(err)))?,
                    );
                }
                "requires-dist" => {
                    requires_dist.push(
                        parse_requires_dist(&single)
                            .map_err(|problem| invalid("Requires-Dist", problem))?,
                    );
                }
                "requires-python" => {
                    requires_python = Some(
                        parse_requires_python(&single)
                            .map_err(|problem| invalid("Requires-Python", problem))?,
                    );
                }
                "provides-extra" => {
                    if let Ok(extra) = ExtraName::from_str(&single) {
                        if !provides_extras.contains(&extra) {
                            provides_extras.push(extra);
                        }
                    }
                }
                "dynamic" => dynamic.push(single),
                _ => {}
            }
        }

        Ok(Self {
            metadata_version: metadata_version.ok_or(MetadataError::MissingField {
                field: "Metadata-Version",
            })?,
            name: name.ok_or(MetadataError::MissingField { field: "Name" })?,
            version: version.ok_or(MetadataError::MissingField { field: "Version" })?,
            requires_dist,
            requires_python,
            provides_extras,
            dynamic,
        })
    }

    /// PEP 643: whether `Requires-Dist` is reliable without building — metadata version 2.2 or
    /// newer and `Requires-Dist` not listed in `Dynamic`. For an sdist's PKG-INFO this means
    /// the dependencies can be trusted as published.
    pub fn has_static_requires_dist(&self) -> bool {
        let Some(version) = parse_metadata_version(&self.metadata_version) else {
            return false;
        };
        version >= (2, 2)
            && !self
                .dynamic
                .iter()
                .any(|field| field.trim().eq_ignore_ascii_case("Requires-Dist"))
    }

    /// Whether the distribution provides `extra`: listed in `Provides-Extra`, or named by a
    /// `Requires-Dist` marker (metadata before 2.1 may leave the field out).
    pub fn provides_extra(&self, extra: &ExtraName) -> bool {
        self.provides_extras.contains(extra)
            || self.requires_dist.iter().any(|r| {
                r.marker.evaluate_extras(std::slice::from_ref(extra))
                    && !r.marker.evaluate_extras(&[])
            })
    }
}

/// `MAJOR.MINOR` as numbers.
fn parse_metadata_version(value: &str) -> Option<(u32, u32)> {
    let (major, minor) = value.trim().split_once('.')?;
    Some((major.parse().ok()?, minor.parse().ok()?))
}

/// A `Requires-Dist` value, repaired when it is a legacy spelling; the error is the one for the
/// value as written.
fn parse_requires_dist(value: &str) -> Result<Requirement, FieldError> {
    match super::pep508::requirement(value) {
        Ok(requirement) => Ok(requirement),
        Err(err) => lenient_requirement(value)
            .and_then(|fixed| super::pep508::requirement(&fixed).ok())
            .ok_or_else(|| FieldError::Requirement(Box::new(err))),
    }
}

/// A `Requires-Python` value, repaired as [`parse_requires_dist`] repairs its specifiers.
fn parse_requires_python(value: &str) -> Result<VersionSpecifiers, FieldError> {
    match VersionSpecifiers::from_str(value) {
        Ok(specifiers) => Ok(specifiers),
        Err(err) => lenient_specifiers(value)
            .and_then(|fixed| VersionSpecifiers::from_str(&fixed).ok())
            .ok_or(FieldError::RequiresPython(err)),
    }
}

const OPERATORS: [&str; 8] = ["===", "~=", "==", "!=", "<=", ">=", "<", ">"];

/// Repair legacy version specifiers: missing commas (`>=1.0<2.0`), `.*` after an ordering
/// operator (`>=3.6.*`), a single-component `~=1`, trailing commas and dots.
fn lenient_specifiers(spec: &str) -> Option<String> {
    let mut clauses = Vec::new();
    let mut rest = spec.trim();
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == ',');
        if rest.is_empty() {
            break;
        }
        let operator = OPERATORS.iter().find(|op| rest.starts_with(**op))?;
        rest = rest[operator.len()..].trim_start();
        let end = rest
            .find(|c: char| c.is_whitespace() || matches!(c, ',' | '<' | '>' | '=' | '!' | '~'))
            .unwrap_or(rest.len());
        let mut version = rest[..end].trim_matches(|c| c == '\'' || c == '"');
        rest = &rest[end..];
        if version.is_empty() {
            return None;
        }
        let mut operator = *operator;
        if !matches!(operator, "==" | "!=") {
            version = version.strip_suffix(".*").unwrap_or(version);
        }
        if !version.ends_with(".*") {
            version = version.trim_end_matches('.');
        }
        if operator == "~=" && !version.contains('.') {
            operator = ">=";
        }
        clauses.push(format!("{operator}{version}"));
    }
    if clauses.is_empty() {
        return None;
    }
    Some(clauses.join(","))
}

/// Repair a legacy requirement's version specifiers, keeping name, extras and marker.
fn lenient_requirement(text: &str) -> Option<String> {
    let (requirement, marker) = match text.split_once(';') {
        Some((requirement, marker)) => (requirement, Some(marker)),
        None => (text, None),
    };
    if requirement.contains('@') {
        return None;
    }
    let requirement = requirement.trim();
    let name_end = requirement
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')))
        .unwrap_or(requirement.len());
    let name = &requirement[..name_end];
    let mut rest = requirement[name_end..].trim_start();
    let mut extras = "";
    if rest.starts_with('[') {
        let close = rest.find(']')?;
        extras = &rest[..=close];
        rest = rest[close + 1..].trim_start();
    }
    let spec = match rest.strip_prefix('(') {
        Some(inner) => inner.strip_suffix(')')?,
        None => rest,
    };
    let spec = if spec.trim().is_empty() {
        String::new()
    } else {
        lenient_specifiers(spec)?
    };
    let mut fixed = format!("{name}{extras}{spec}");
    if let Some(marker) = marker {
        fixed.push_str(" ;");
        fixed.push_str(marker);
    }
    Some(fixed)
}

/// Find the top-level `<dir>/PKG-INFO` in an sdist (`.tar.gz`, `.tgz`, `.tar` or `.zip`,
/// chosen by `filename`) and return its bytes; `Ok(None)` if there is none. Nested ones (like
/// `pkg-1.0/src/pkg.egg-info/PKG-INFO`) are not taken.
#[cfg(test)]
pub fn read_sdist_pkg_info(bytes: &[u8], filename: &str) -> Result<Option<Vec<u8>>, MetadataError> {
    read_sdist_file(bytes, filename, "PKG-INFO")
}

/// Find the top-level `<dir>/<member>` in an sdist (as [`read_sdist_pkg_info`] does for
/// `PKG-INFO`) and return its bytes (at most 16 MiB); `Ok(None)` if there is none.
#[cfg(test)]
pub fn read_sdist_file(
    bytes: &[u8],
    filename: &str,
    member: &str,
) -> Result<Option<Vec<u8>>, MetadataError> {
    read_sdist_file_from(std::io::Cursor::new(bytes), filename, member)
}

/// [`read_sdist_file`] over any seekable reader (an sdist on disk is read as a stream, never
/// whole: some are hundreds of megabytes).
pub fn read_sdist_file_from<R: Read + std::io::Seek>(
    mut reader: R,
    filename: &str,
    member: &str,
) -> Result<Option<Vec<u8>>, MetadataError> {
    let lower = filename.to_ascii_lowercase();
    let archive_error = |source: ArchiveError| MetadataError::Archive {
        filename: filename.to_string(),
        source,
    };
    let io_error = |err| archive_error(ArchiveError::Io(err));
    let zip_error = |err| archive_error(ArchiveError::Zip(err));
    if lower.ends_with(".tar.gz") || lower.ends_with(".tgz") {
        let decoder = flate2::read::GzDecoder::new(std::io::BufReader::new(&mut reader));
        read_tar_member(decoder, member).map_err(io_error)
    } else if lower.ends_with(".tar") {
        read_tar_member(std::io::BufReader::new(&mut reader), member).map_err(io_error)
    } else if lower.ends_with(".zip") {
        let mut archive = zip::ZipArchive::new(reader).map_err(zip_error)?;
        let found = archive
            .file_names()
            .find(|name| is_top_level(name, member))
            .map(str::to_string);
        let Some(name) = found else {
            return Ok(None);
        };
        let file = archive.by_name(&name).map_err(zip_error)?;
        read_bounded(file, member).map(Some).map_err(io_error)
    } else {
        Err(MetadataError::UnsupportedArchive {
            filename: filename.to_string(),
        })
    }
}

/// The top-level `member` of a tar stream. Each member's headers are read within
/// [`super::tar_meter::MEMBER_HEADERS`] (the tar crate holds them in memory whole).
fn read_tar_member(reader: impl Read, member: &str) -> std::io::Result<Option<Vec<u8>>> {
    let (reader, meter) = super::tar_meter::Metered::new(reader);
    let mut archive = tar::Archive::new(reader);
    for entry in archive.entries()? {
        let entry = entry?;
        // Its data (read or skipped), then the next member's headers.
        meter.allow_member(entry.size());
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let path = entry.path()?;
        let Some(path) = path.to_str() else {
            continue;
        };
        if is_top_level(path, member) {
            return read_bounded(entry, member).map(Some);
        }
    }
    Ok(None)
}

/// A member's bytes, refused (not cut short) when they pass [`MAX_PKG_INFO`].
fn read_bounded(reader: impl Read, member: &str) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    reader.take(MAX_PKG_INFO + 1).read_to_end(&mut out)?;
    if out.len() as u64 > MAX_PKG_INFO {
        return Err(std::io::Error::other(format!(
            "{member} expands past {} MiB; refused",
            MAX_PKG_INFO >> 20
        )));
    }
    Ok(out)
}

/// `dir/<member>` (optionally `./dir/<member>`), exactly one directory deep.
fn is_top_level(path: &str, member: &str) -> bool {
    let parts: Vec<&str> = path
        .split(['/', '\\'])
        .filter(|part| !part.is_empty() && *part != ".")
        .collect();
    parts.len() == 2 && parts[1] == member
}

#[cfg(test)]
mod tests;
