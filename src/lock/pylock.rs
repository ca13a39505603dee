//! PEP 751 `pylock.toml`: the standard lock file format, as written by `pinwheel lock -o
//! pylock.toml`, `uv pip compile -o pylock.toml`, `uv export` and `pip lock`, and read back into
//! the [`Lock`] model for `wheelhouse` and `check`.
//!
//! Writing: every pin becomes a `[[packages]]` entry with its version, its marker (the targets
//! that need it), its `requires-python` (where the index lists one value for its files), its
//! `dependencies` (the pins it requires on some target it shares with them, from the
//! resolution's graph), the index it came from, and its sdist and wheels (URL without userinfo,
//! size, upload time, sha256) among the files the lock hashes; a direct reference becomes an
//! `archive`. The top-level `requires-python` is the oldest target Python's (`>=3.Y`, as uv
//! writes it), `environments` holds one marker per target; `[tool.pinwheel]` the targets, the
//! command and the lock's index options. Reading keeps what the `Lock` needs: name, version,
//! marker, the sha256 of every file, direct references; the indexes come from `[tool.pinwheel]`,
//! else from the packages' `index` keys. Pure.

use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;

use pep440_rs::Version;
use pep508_rs::PackageName;
use serde::Deserialize;
use url::Url;

use super::options::{find_links_without_userinfo, without_userinfo, LockOptions};
use super::{Lock, Pin, PinMarker};
use crate::distribution::filename::version_part;
use crate::distribution::{HashDigest, RequiresPython};
use crate::index::IndexFile;
use crate::platform::Target;

/// The version of PEP 751 written, and the major version read.
pub const LOCK_VERSION: &str = "1.0";

/// Whether `path` is named as PEP 751 names lock files: `pylock.toml` or `pylock.NAME.toml`.
pub fn is_pylock_name(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    name == "pylock.toml"
        || name
            .strip_prefix("pylock.")
            .and_then(|r| r.strip_suffix(".toml"))
            .is_some_and(|mid| !mid.is_empty() && !mid.contains('.'))
}

/// Whether `text` reads as a PEP 751 lock (a TOML document with a top-level `lock-version`), so
/// a lock is recognised by its content whatever its name.
pub fn looks_like_pylock(text: &str) -> bool {
    text.lines().any(|l| {
        let l = l.trim_start();
        l.starts_with("lock-version") && l["lock-version".len()..].trim_start().starts_with('=')
    })
}

/// One file of a pin as the lock lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockedFile {
    pub name: String,
    /// Absolute URL (written without userinfo).
    pub url: String,
    pub size: Option<u64>,
    /// Seconds since the Unix epoch.
    pub upload_time: Option<i64>,
    /// Lowercase hex.
    pub sha256: String,
    /// The release's `Requires-Python`, as the index lists it for this file (PEP 503
    /// `data-requires-python`, PEP 691 `requires-python`: the index takes it from the core
    /// metadata), or as a PEP 751 file's package gives it.
    pub requires_python: Option<String>,
}

impl LockedFile {
    fn is_wheel(&self) -> bool {
        self.name.ends_with(".whl")
    }
}

/// What a pin's `[[packages]]` entry needs besides the `Pin`: the index its files came from
/// (`None`: find-links, a direct reference, or not to be recorded) and the files themselves.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PinFiles {
    pub index: Option<String>,
    pub files: Vec<LockedFile>,
    /// The pins that require this one, each at the version it requires it from (from the
    /// resolution; empty for a lock read back, whose `via` names only).
    pub parents: Vec<(PackageName, Version)>,
}

/// A `pylock.toml` read back.
#[derive(Debug, Clone, PartialEq)]
pub struct Pylock {
    pub lock: Lock,
    /// The indexes to fetch from: `[tool.pinwheel]`'s, else the packages' `index` keys.
    pub options: LockOptions,
    /// `created-by`: the tool that wrote the file.
    pub created_by: String,
    /// Per pin (as `lock.pins`), its index and files.
    pub files: Vec<PinFiles>,
}

#[derive(Debug, thiserror::Error)]
pub enum PylockError {
    #[error("{path}: not a valid PEP 751 lock file: {reason}\n  hint: write it with `pinwheel lock -o pylock.toml`, `uv pip compile -o pylock.toml` or `pip lock`")]
    Toml { path: String, reason: String },
    #[error("{path}: lock-version `{version}` is not supported: pinwheel reads PEP 751 lock-version 1.x\n  hint: re-generate the lock with a tool that writes lock-version 1.0")]
    Version { path: String, version: String },
    #[error("{path}: package `{name}`: {reason}")]
    Package {
        path: String,
        name: String,
        reason: String,
    },
}

impl Pylock {
    /// The files the lock lists, per pin (as `lock.pins`), as an index would list them: a PEP
    /// 751 installer fetches a package's files from the URLs (or paths) the lock gives, with no
    /// index. `None` when some pin lists no file with a location (a lock that names its files
    /// by hash only; then an index must list them).
    pub fn listings(&self) -> Option<Vec<Vec<IndexFile>>> {
        self.files
            .iter()
            .map(|pf| {
                let files: Vec<IndexFile> = pf
                    .files
                    .iter()
                    .filter(|f| !f.url.is_empty())
                    .map(|f| IndexFile {
                        filename: f.name.clone(),
                        url: f.url.clone(),
                        sha256: Some(f.sha256.clone()),
                        requires_python: f.requires_python.clone().and_then(RequiresPython::new),
                        yanked: None,
                        upload_time: f.upload_time,
                        size: f.size,
                        core_metadata: None,
                    })
                    .collect();
                (!files.is_empty()).then_some(files)
            })
            .collect()
    }
}

// --- writing ---------------------------------------------------------------------------------

/// A TOML basic string.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\u{:04X}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn quote_list(items: &[String]) -> String {
    let inner: Vec<String> = items.iter().map(|s| quote(s)).collect();
    format!("[{}]", inner.join(", "))
}

/// A TOML offset date-time in UTC (`2025-06-01T12:00:00Z`).
fn datetime(secs: i64) -> Option<String> {
    jiff::Timestamp::from_second(secs)
        .ok()
        .map(|t| t.to_string())
}

/// A URL as the lock writes it: no userinfo.
fn clean_url(url: &str) -> String {
    match Url::parse(url) {
        Ok(u) => without_userinfo(&u).to_string(),
        Err(_) => url.to_string(),
    }
}

fn file_table(f: &LockedFile) -> String {
    let mut parts = vec![
        format!("name = {}", quote(&f.name)),
        format!("url = {}", quote(&clean_url(&f.url))),
    ];
    if let Some(t) = f.upload_time.and_then(datetime) {
        parts.push(format!("upload-time = {t}"));
    }
    if let Some(s) = f.size {
        parts.push(format!("size = {s}"));
    }
    parts.push(format!("hashes = {{ sha256 = {} }}", quote(&f.sha256)));
    format!("{{ {} }}", parts.join(", "))
}

/// The PEP 508 marker of each target's environment, without duplicates (glibc and musl targets
/// of one Python and architecture share one).
pub fn environments(targets: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for name in targets {
        let Ok(t) = Target::parse(name) else {
            continue;
        };
        let env = t.marker_env();
        let m = format!(
            "python_version == '{}' and sys_platform == '{}' and platform_machine == '{}'",
            env.python_version(),
            env.sys_platform(),
            env.platform_machine()
        );
        if !out.contains(&m) {
            out.push(m);
        }
    }
    out
}

/// The lock's top-level `requires-python`: the oldest Python among the targets (`>=3.Y`), the
/// minimum viable Python PEP 751 asks for; `None` when no target names one.
pub fn requires_python(targets: &[String]) -> Option<String> {
    targets
        .iter()
        .filter_map(|t| Target::parse(t).ok())
        .map(|t| t.python_version())
        .min()
        .map(|(major, minor)| format!(">={major}.{minor}"))
}

/// A package's `requires-python`: the release's `Requires-Python` when the index gives one
/// value for the files the lock lists (it is the release's metadata; files that disagree leave
/// it unknown, and unknown is not written).
fn package_requires_python(pin: &Pin, pf: &PinFiles) -> Option<String> {
    let mut values: Vec<&str> = pf
        .files
        .iter()
        .filter(|f| {
            pin.url.is_some()
                || pin
                    .hashes
                    .iter()
                    .any(|h| h.sha256_hex() == Some(f.sha256.as_str()))
        })
        .filter_map(|f| f.requires_python.as_deref())
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .collect();
    values.sort_unstable();
    values.dedup();
    match values.as_slice() {
        [one] => Some(one.to_string()),
        _ => None,
    }
}

/// Per pin (by index), the pins it requires directly, needed on a target it is needed on. From
/// the resolution's versioned edges where `files` has them (`PinFiles::parents`: a parent
/// pinned twice lists a child only if that version requires it), else from the names `via`
/// gives (a lock read back).
pub fn dependencies(lock: &Lock, files: &[PinFiles]) -> Vec<Vec<usize>> {
    let versioned = files.iter().any(|f| !f.parents.is_empty());
    let envs: Vec<pep508_rs::MarkerEnvironment> = lock
        .targets
        .iter()
        .filter_map(|t| Target::parse(t).ok())
        .map(|t| t.marker_env())
        .collect();
    let on: Vec<Vec<bool>> = lock
        .pins
        .iter()
        .map(|p| {
            envs.iter()
                .map(|e| p.marker.as_ref().is_none_or(|m| m.evaluate(e)))
                .collect()
        })
        .collect();
    let share =
        |a: usize, b: usize| envs.is_empty() || (0..envs.len()).any(|t| on[a][t] && on[b][t]);
    lock.pins
        .iter()
        .enumerate()
        .map(|(i, p)| {
            lock.pins
                .iter()
                .enumerate()
                .filter(|&(j, q)| {
                    let requires = if versioned {
                        files.get(j).is_some_and(|f| {
                            f.parents
                                .iter()
                                .any(|(n, v)| n == &p.name && v == &p.version)
                        })
                    } else {
                        q.via.iter().any(|v| v == p.name.as_ref())
                    };
                    j != i && requires && share(i, j)
                })
                .map(|(j, _)| j)
                .collect()
        })
        .collect()
}

/// The lock as a PEP 751 `pylock.toml`. `files[i]` is `lock.pins[i]`'s index and files (only
/// those whose sha256 the pin lists are written); `options` are the lock's index options
/// (recorded under `[tool.pinwheel]`; empty: none, and no package names its index either when
/// `record_indexes` is false); `command` the command line that made it.
pub fn render(
    lock: &Lock,
    files: &[PinFiles],
    options: &LockOptions,
    record_indexes: bool,
    command: &str,
) -> String {
    let mut out = String::new();
    for h in &lock.header {
        if h.is_empty() {
            out.push_str("#\n");
        } else {
            out.push_str(&format!("# {h}\n"));
        }
    }
    out.push_str(&format!("lock-version = {}\n", quote(LOCK_VERSION)));
    let envs = environments(&lock.targets);
    if !envs.is_empty() {
        out.push_str("environments = [\n");
        for e in &envs {
            out.push_str(&format!("    {},\n", quote(e)));
        }
        out.push_str("]\n");
    }
    if let Some(rp) = requires_python(&lock.targets) {
        out.push_str(&format!("requires-python = {}\n", quote(&rp)));
    }
    out.push_str(&format!("created-by = {}\n", quote("pinwheel")));
    let empty = PinFiles::default();
    let deps = dependencies(lock, files);
    for (i, pin) in lock.pins.iter().enumerate() {
        let pf = files.get(i).unwrap_or(&empty);
        out.push_str("\n[[packages]]\n");
        out.push_str(&format!("name = {}\n", quote(pin.name.as_ref())));
        out.push_str(&format!("version = {}\n", quote(&pin.version.to_string())));
        if let Some(m) = &pin.marker {
            out.push_str(&format!("marker = {}\n", quote(m.as_str())));
        }
        if let Some(rp) = package_requires_python(pin, pf) {
            out.push_str(&format!("requires-python = {}\n", quote(&rp)));
        }
        if !deps[i].is_empty() {
            out.push_str("dependencies = [\n");
            for &j in &deps[i] {
                let dep = &lock.pins[j];
                // The name alone says which entry, unless the lock pins that name twice.
                if lock.pins.iter().filter(|p| p.name == dep.name).count() > 1 {
                    out.push_str(&format!(
                        "    {{ name = {}, version = {} }},\n",
                        quote(dep.name.as_ref()),
                        quote(&dep.version.to_string())
                    ));
                } else {
                    out.push_str(&format!("    {{ name = {} }},\n", quote(dep.name.as_ref())));
                }
            }
            out.push_str("]\n");
        }
        if let Some(url) = &pin.url {
            let hashes: Vec<&str> = pin.hashes.iter().filter_map(|h| h.sha256_hex()).collect();
            let mut parts = vec![format!("url = {}", quote(&clean_url(url)))];
            if let Some(h) = hashes.first() {
                parts.push(format!("hashes = {{ sha256 = {} }}", quote(h)));
            }
            out.push_str(&format!("archive = {{ {} }}\n", parts.join(", ")));
            continue;
        }
        if record_indexes {
            if let Some(index) = &pf.index {
                out.push_str(&format!("index = {}\n", quote(&clean_url(index))));
            }
        }
        let locked: Vec<&LockedFile> = pf
            .files
            .iter()
            .filter(|f| {
                pin.hashes
                    .iter()
                    .any(|h| h == &format!("sha256:{}", f.sha256))
            })
            .collect();
        if let Some(sdist) = locked.iter().find(|f| !f.is_wheel()) {
            out.push_str(&format!("sdist = {}\n", file_table(sdist)));
        }
        let wheels: Vec<&&LockedFile> = locked.iter().filter(|f| f.is_wheel()).collect();
        if !wheels.is_empty() {
            out.push_str("wheels = [\n");
            for w in wheels {
                out.push_str(&format!("    {},\n", file_table(w)));
            }
            out.push_str("]\n");
        }
    }
    out.push_str("\n[tool.pinwheel]\n");
    out.push_str(&format!("targets = {}\n", quote_list(&lock.targets)));
    out.push_str(&format!("command = {}\n", quote(command)));
    if let Some(t) = options.exclude_newer_text() {
        out.push_str(&format!("exclude-newer = {}\n", quote(&t)));
    }
    if !options.no_binary.is_empty() {
        out.push_str(&format!("no-binary = {}\n", quote_list(&options.no_binary)));
    }
    if record_indexes {
        if let Some(u) = &options.index_url {
            out.push_str(&format!(
                "index-url = {}\n",
                quote(without_userinfo(u).as_str())
            ));
        }
        if !options.extra_index_urls.is_empty() {
            let list: Vec<String> = options
                .extra_index_urls
                .iter()
                .map(|u| without_userinfo(u).to_string())
                .collect();
            out.push_str(&format!("extra-index-urls = {}\n", quote_list(&list)));
        }
        if !options.find_links.is_empty() {
            let list: Vec<String> = options
                .find_links
                .iter()
                .map(|f| find_links_without_userinfo(f))
                .collect();
            out.push_str(&format!("find-links = {}\n", quote_list(&list)));
        }
    }
    out
}

// --- reading ---------------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct RawLock {
    lock_version: String,
    #[serde(default)]
    created_by: Option<String>,
    #[serde(default)]
    packages: Vec<RawPackage>,
    #[serde(default)]
    tool: BTreeMap<String, toml::Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct RawPackage {
    name: String,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    marker: Option<String>,
    #[serde(default)]
    requires_python: Option<String>,
    #[serde(default)]
    index: Option<String>,
    #[serde(default)]
    vcs: Option<toml::Value>,
    #[serde(default)]
    directory: Option<toml::Value>,
    #[serde(default)]
    archive: Option<RawFile>,
    #[serde(default)]
    sdist: Option<RawFile>,
    #[serde(default)]
    wheels: Vec<RawFile>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct RawFile {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    size: Option<u64>,
    #[serde(default)]
    upload_time: Option<toml::value::Datetime>,
    #[serde(default)]
    hashes: BTreeMap<String, String>,
}

impl RawFile {
    /// The file's name: `name`, else the last segment of its URL or path.
    fn file_name(&self) -> String {
        if let Some(n) = &self.name {
            return n.clone();
        }
        let loc = self.url.as_deref().or(self.path.as_deref()).unwrap_or("");
        let last = loc
            .split(['?', '#'])
            .next()
            .unwrap_or("")
            .rsplit('/')
            .next()
            .unwrap_or("");
        percent_encoding::percent_decode_str(last)
            .decode_utf8_lossy()
            .into_owned()
    }

    fn sha256(&self) -> Option<String> {
        self.hashes
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("sha256"))
            .map(|(_, v)| v.to_ascii_lowercase())
    }
}

/// Reads a `pylock.toml`. `path` names the file in errors; relative `path` keys of archives are
/// joined to its directory. With `require_hashes`, every file must carry a sha256 (PEP 751
/// makes hashes mandatory; pinwheel verifies by sha256).
pub fn parse(text: &str, path: &Path, require_hashes: bool) -> Result<Pylock, PylockError> {
    let shown = path.display().to_string();
    let raw: RawLock = toml::from_str(text).map_err(|e| PylockError::Toml {
        path: shown.clone(),
        reason: e.to_string().trim_end().to_string(),
    })?;
    let major = raw.lock_version.split('.').next().unwrap_or("");
    if major != "1" {
        return Err(PylockError::Version {
            path: shown,
            version: raw.lock_version,
        });
    }
    let package_error = |name: &str, reason: String| PylockError::Package {
        path: shown.clone(),
        name: name.to_string(),
        reason,
    };
    let mut pins: Vec<Pin> = Vec::new();
    let mut all_files: Vec<PinFiles> = Vec::new();
    let mut package_indexes: Vec<Url> = Vec::new();
    for p in &raw.packages {
        let name = PackageName::from_str(&p.name)
            .map_err(|e| package_error(&p.name, format!("invalid name: {e}")))?;
        if p.vcs.is_some() || p.directory.is_some() {
            return Err(package_error(
                &p.name,
                "is locked from a VCS repository or a local directory; pinwheel installs \
                 released files only\n  hint: lock a released version, or build the project \
                 into a wheel and lock that file"
                    .into(),
            ));
        }
        // Spelt as the requirements reader spells markers, so both formats compare equal.
        let marker = match &p.marker {
            None => None,
            Some(m) => match crate::distribution::pep508::marker(m) {
                Ok(tree) => PinMarker::from_tree(&tree),
                Err(e) => {
                    return Err(package_error(
                        &p.name,
                        format!(
                            "marker `{m}` cannot be read: {}",
                            crate::distribution::pep508::describe(&e)
                        ),
                    ))
                }
            },
        };
        let mut files: Vec<&RawFile> = Vec::new();
        files.extend(&p.archive);
        files.extend(&p.sdist);
        files.extend(&p.wheels);
        if files.is_empty() {
            return Err(package_error(
                &p.name,
                "lists no archive, sdist or wheel to install".into(),
            ));
        }
        // What an index page may not list, a lock may not either: its files are fetched and
        // written under their names.
        for f in &files {
            let file_name = f.file_name();
            let refused = crate::index::hostile::unsafe_filename(&file_name).or_else(|| {
                let is_dist = file_name.to_ascii_lowercase().ends_with(".whl")
                    || crate::distribution::SdistExtension::split(&file_name).is_some();
                (is_dist && version_part(&file_name, name.as_ref()).is_none())
                    .then(|| format!("it is not a distribution of {name}"))
            });
            let refused = refused.or_else(|| match file_url(f, path).map(|u| Url::parse(&u)) {
                Some(Ok(u)) if matches!(u.scheme(), "http" | "https" | "file") => None,
                Some(Ok(u)) => Some(format!(
                    "its URL has the scheme `{}`; pinwheel fetches http, https and file URLs",
                    u.scheme()
                )),
                Some(Err(e)) => Some(format!("its URL does not parse: {e}")),
                None => None,
            });
            if let Some(why) = refused {
                return Err(package_error(
                    &p.name,
                    format!("file `{}` is refused: {why}", file_name.escape_debug()),
                ));
            }
        }
        let mut hashes: Vec<HashDigest> = Vec::new();
        for f in &files {
            match f.sha256() {
                Some(h) => hashes.push(HashDigest::new("sha256", &h).map_err(|e| {
                    package_error(&p.name, format!("{}: sha256 `{h}`: {e}", f.file_name()))
                })?),
                None if require_hashes => {
                    return Err(package_error(
                        &p.name,
                        format!(
                            "{} has no sha256 hash; pinwheel verifies every file against the \
                             lock's sha256\n  hint: re-generate the lock, or pass --allow-unhashed",
                            f.file_name()
                        ),
                    ))
                }
                None => {}
            }
        }
        hashes.sort();
        hashes.dedup();
        let url = match &p.archive {
            Some(a) => Some(file_url(a, path).ok_or_else(|| {
                package_error(&p.name, "its archive has neither url nor path".into())
            })?),
            None => None,
        };
        let version = match (&p.version, &p.archive) {
            (Some(v), _) => Version::from_str(v)
                .map_err(|e| package_error(&p.name, format!("invalid version `{v}`: {e}")))?,
            (None, Some(a)) => {
                crate::distribution::filename::DistFilename::parse(&a.file_name(), &name)
                    .map(|d| d.version().clone())
                    .map_err(|_| {
                        package_error(
                            &p.name,
                            "has no version, and its archive's file name names none".into(),
                        )
                    })?
            }
            (None, None) => return Err(package_error(&p.name, "has no version".into())),
        };
        if pins.iter().any(|q| q.name == name && q.marker == marker) {
            return Err(package_error(
                &p.name,
                "is locked twice with the same marker".into(),
            ));
        }
        let index = p.index.clone();
        if let Some(u) = index.as_deref().and_then(|i| Url::parse(i).ok()) {
            let mut u = without_userinfo(&u);
            if !u.path().ends_with('/') {
                let with = format!("{}/", u.path());
                u.set_path(&with);
            }
            if !package_indexes.contains(&u) {
                package_indexes.push(u);
            }
        }
        all_files.push(PinFiles {
            index,
            parents: Vec::new(),
            files: files
                .iter()
                .filter_map(|f| {
                    Some(LockedFile {
                        name: f.file_name(),
                        url: file_url(f, path).unwrap_or_default(),
                        size: f.size,
                        upload_time: f
                            .upload_time
                            .as_ref()
                            .and_then(|t| t.to_string().parse::<jiff::Timestamp>().ok())
                            .map(|t| t.as_second()),
                        sha256: f.sha256()?,
                        requires_python: p.requires_python.clone(),
                    })
                })
                .collect(),
        });
        pins.push(Pin {
            name,
            version,
            marker,
            hashes,
            via: Vec::new(),
            url,
        });
    }
    let tool = raw.tool.get("pinwheel").and_then(|v| v.as_table());
    let strings = |key: &str| -> Vec<String> {
        tool.and_then(|t| t.get(key))
            .and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let targets = strings("targets");
    let options = match tool {
        // pinwheel's own file says which indexes it used (none with --no-emit-index-url).
        Some(t) => {
            let url_of = |s: &str| Url::parse(s).ok();
            LockOptions {
                index_url: t.get("index-url").and_then(|v| v.as_str()).and_then(url_of),
                extra_index_urls: strings("extra-index-urls")
                    .iter()
                    .filter_map(|s| url_of(s))
                    .collect(),
                find_links: strings("find-links"),
                only_binary: Vec::new(),
                no_binary: strings("no-binary"),
                exclude_newer: t
                    .get("exclude-newer")
                    .and_then(|v| v.as_str())
                    .and_then(super::options::exclude_newer_cutoff),
            }
        }
        None => LockOptions::recorded(&package_indexes, &[]),
    };
    Ok(Pylock {
        lock: Lock {
            header: Vec::new(),
            targets,
            pins,
        },
        options,
        created_by: raw.created_by.unwrap_or_default(),
        files: all_files,
    })
}

/// A file's location as a URL: its `url`, else its `path` (relative to the lock's directory) as
/// a `file:` URL.
fn file_url(a: &RawFile, lock_path: &Path) -> Option<String> {
    if let Some(u) = &a.url {
        return Some(u.clone());
    }
    let p = Path::new(a.path.as_deref()?);
    let dir = lock_path.parent().unwrap_or(Path::new("."));
    let full = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::path::absolute(dir.join(p)).ok()?
    };
    Url::from_file_path(full).ok().map(|u| u.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pin(name: &str, v: &str, hashes: &[&str]) -> Pin {
        Pin {
            name: PackageName::from_str(name).unwrap(),
            version: Version::from_str(v).unwrap(),
            marker: None,
            hashes: hashes.iter().map(|h| HashDigest::sha256(h)).collect(),
            via: vec!["-r requirements.in".into()],
            url: None,
        }
    }

    fn file(name: &str, sha: &str) -> LockedFile {
        LockedFile {
            name: name.into(),
            url: format!("https://tok:secret@files.example/packages/{name}"),
            size: Some(1234),
            upload_time: Some(1_748_736_000),
            sha256: sha.into(),
            requires_python: Some(">=3.9".into()),
        }
    }

    fn sample() -> (Lock, Vec<PinFiles>, LockOptions) {
        let (a, b, c, d) = (
            "a".repeat(64),
            "b".repeat(64),
            "c".repeat(64),
            "d".repeat(64),
        );
        let mut native = pin("native", "1.0.0", &[&a, &b]);
        native.marker = PinMarker::parse("platform_machine == 'x86_64'").ok();
        let mut direct = pin("lib", "1.1.0", &[&d]);
        direct.url = Some("https://u:p@files.example/lib-1.1.0-py3-none-any.whl".into());
        let lock = Lock {
            header: vec!["This file was generated by pinwheel".into()],
            targets: vec![
                "cp312-manylinux_2_28_x86_64".into(),
                "cp312-musllinux_1_2_x86_64".into(),
                "cp312-manylinux_2_28_aarch64".into(),
            ],
            pins: vec![native, direct],
        };
        let files = vec![
            PinFiles {
                index: Some("https://al:pw@pkgs.acme.example/simple/".into()),
                files: vec![
                    file("native-1.0.0.tar.gz", &a),
                    file("native-1.0.0-cp312-cp312-musllinux_1_2_x86_64.whl", &b),
                    // not hashed by the pin: left out
                    file("native-1.0.0-cp312-cp312-win_amd64.whl", &c),
                ],
                parents: Vec::new(),
            },
            PinFiles::default(),
        ];
        let options = LockOptions::recorded(
            &[Url::parse("https://al:pw@pkgs.acme.example/simple/").unwrap()],
            &["./wheels".into()],
        );
        (lock, files, options)
    }

    #[test]
    fn writes_pep_751() {
        let (lock, files, options) = sample();
        let text = render(&lock, &files, &options, true, "pinwheel lock req.in");
        let doc: toml::Table = toml::from_str(&text).unwrap();
        assert_eq!(doc["lock-version"].as_str(), Some("1.0"));
        assert_eq!(doc["created-by"].as_str(), Some("pinwheel"));
        // glibc and musl of one Python and machine share one environment marker.
        let envs = doc["environments"].as_array().unwrap();
        assert_eq!(envs.len(), 2, "{envs:?}");
        let pkgs = doc["packages"].as_array().unwrap();
        let native = pkgs[0].as_table().unwrap();
        assert_eq!(native["name"].as_str(), Some("native"));
        assert_eq!(native["version"].as_str(), Some("1.0.0"));
        assert_eq!(
            native["marker"].as_str(),
            Some("platform_machine == 'x86_64'")
        );
        assert_eq!(
            native["index"].as_str(),
            Some("https://pkgs.acme.example/simple/")
        );
        let sdist = native["sdist"].as_table().unwrap();
        assert_eq!(sdist["size"].as_integer(), Some(1234));
        assert!(matches!(sdist["upload-time"], toml::Value::Datetime(_)));
        assert_eq!(
            sdist["upload-time"].as_datetime().unwrap().to_string(),
            "2025-06-01T00:00:00Z"
        );
        assert_eq!(
            sdist["url"].as_str(),
            Some("https://files.example/packages/native-1.0.0.tar.gz")
        );
        let wheels = native["wheels"].as_array().unwrap();
        assert_eq!(wheels.len(), 1);
        assert_eq!(
            wheels[0]["hashes"]["sha256"].as_str(),
            Some("b".repeat(64).as_str())
        );
        let archive = pkgs[1]["archive"].as_table().unwrap();
        assert_eq!(
            archive["url"].as_str(),
            Some("https://files.example/lib-1.1.0-py3-none-any.whl")
        );
        let tool = doc["tool"]["pinwheel"].as_table().unwrap();
        assert_eq!(tool["targets"].as_array().unwrap().len(), 3);
        assert_eq!(tool["command"].as_str(), Some("pinwheel lock req.in"));
        assert_eq!(
            tool["index-url"].as_str(),
            Some("https://pkgs.acme.example/simple/")
        );
        for secret in ["tok", "secret", "al:", "pw@", "u:p"] {
            assert!(!text.contains(secret), "{secret} in\n{text}");
        }
    }

    #[test]
    fn reads_back_what_it_writes() {
        let (lock, files, options) = sample();
        let text = render(&lock, &files, &options, true, "pinwheel lock req.in");
        let back = parse(&text, Path::new("pylock.toml"), true).unwrap();
        assert_eq!(back.created_by, "pinwheel");
        assert_eq!(back.lock.targets, lock.targets);
        assert_eq!(back.lock.pins.len(), 2);
        for (got, want) in back.lock.pins.iter().zip(&lock.pins) {
            assert_eq!(got.name, want.name);
            assert_eq!(got.version, want.version);
            assert_eq!(got.marker, want.marker);
            assert_eq!(got.hashes, want.hashes);
        }
        assert_eq!(
            back.lock.pins[1].url.as_deref(),
            Some("https://files.example/lib-1.1.0-py3-none-any.whl")
        );
        assert_eq!(back.options.index_url, options.index_url);
        assert_eq!(back.options.find_links, ["./wheels"]);
        assert_eq!(back.files[0].files.len(), 2);
        assert_eq!(back.files[0].files[0].upload_time, Some(1_748_736_000));
    }

    #[test]
    fn requires_python_from_the_targets_and_the_index() {
        let (lock, mut files, options) = sample();
        let text = render(&lock, &files, &options, true, "pinwheel lock");
        let doc: toml::Table = toml::from_str(&text).unwrap();
        assert_eq!(doc["requires-python"].as_str(), Some(">=3.12"));
        let native = doc["packages"][0].as_table().unwrap();
        assert_eq!(native["requires-python"].as_str(), Some(">=3.9"));
        // The oldest target's Python.
        let older = vec![
            "cp313-manylinux_2_28_x86_64".into(),
            "cp311-win_amd64".into(),
        ];
        assert_eq!(requires_python(&older).as_deref(), Some(">=3.11"));
        assert_eq!(requires_python(&[]), None);
        // The files the lock lists disagree: unknown, not written. A file the pin does not
        // hash does not count.
        files[0].files[2].requires_python = Some(">=3.13".into());
        let text = render(&lock, &files, &options, true, "pinwheel lock");
        assert!(text.contains("requires-python = \">=3.9\""), "{text}");
        files[0].files[1].requires_python = Some(">=3.10".into());
        let text = render(&lock, &files, &options, true, "pinwheel lock");
        let doc: toml::Table = toml::from_str(&text).unwrap();
        assert!(!doc["packages"][0]
            .as_table()
            .unwrap()
            .contains_key("requires-python"));
        // Read back: the package's value is each file's.
        files[0].files[1].requires_python = Some(">=3.9".into());
        let text = render(&lock, &files, &options, true, "pinwheel lock");
        let back = parse(&text, Path::new("pylock.toml"), true).unwrap();
        assert_eq!(
            back.files[0].files[0].requires_python.as_deref(),
            Some(">=3.9")
        );
    }

    #[test]
    fn dependencies_follow_the_resolution_per_target() {
        let via = |p: &mut Pin, v: &[&str]| p.via = v.iter().map(|s| s.to_string()).collect();
        let mut app = pin("app", "1.0", &[]);
        via(&mut app, &["-r requirements.in"]);
        let mut lib = pin("lib", "1.1", &[]);
        via(&mut lib, &["app", "other"]);
        // numpy pinned twice: 1.x for the x86_64 target, 2.x for aarch64; both via app.
        let mut np1 = pin("numpy", "1.26.4", &[]);
        np1.marker = PinMarker::parse("platform_machine == 'x86_64'").ok();
        via(&mut np1, &["app"]);
        let mut np2 = pin("numpy", "2.0.0", &[]);
        np2.marker = PinMarker::parse("platform_machine == 'aarch64'").ok();
        via(&mut np2, &["app", "armtool"]);
        let mut armtool = pin("armtool", "3.0", &[]);
        armtool.marker = PinMarker::parse("platform_machine == 'aarch64'").ok();
        via(&mut armtool, &["-r requirements.in"]);
        let mut other = pin("other", "1.0", &[]);
        via(&mut other, &["-r requirements.in"]);
        let lock = Lock {
            header: vec![],
            targets: vec![
                "cp312-manylinux_2_28_x86_64".into(),
                "cp312-manylinux_2_28_aarch64".into(),
            ],
            pins: vec![app, armtool, lib, np1, np2, other],
        };
        let deps = dependencies(&lock, &[]);
        assert_eq!(deps[0], [2, 3, 4]); // app: lib and both numpys
        assert_eq!(deps[1], [4]); // armtool: only the aarch64 numpy
        assert!(deps[2].is_empty());
        assert_eq!(deps[5], [2]); // other: lib
        let text = render(&lock, &[], &LockOptions::default(), false, "pinwheel lock");
        let doc: toml::Table = toml::from_str(&text).unwrap();
        let app = doc["packages"][0].as_table().unwrap();
        let listed: Vec<String> = app["dependencies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.to_string())
            .collect();
        assert_eq!(
            listed,
            [
                "{ name = \"lib\" }",
                "{ name = \"numpy\", version = \"1.26.4\" }",
                "{ name = \"numpy\", version = \"2.0.0\" }"
            ]
        );
        assert!(!doc["packages"][2]
            .as_table()
            .unwrap()
            .contains_key("dependencies"));
        // The reader takes no notice of them.
        let back = parse(&text, Path::new("pylock.toml"), false);
        assert!(back.is_err(), "no files: refused as before");
    }

    /// The case names alone get wrong: a parent pinned twice (one version per target) and a
    /// child both targets need, required by one version of the parent only. The resolution's
    /// versioned edges list the child under that version alone.
    #[test]
    fn dependencies_follow_the_versions_that_require_them() {
        let mut p1 = pin("parent", "1.0", &[]);
        p1.marker = PinMarker::parse("platform_machine == 'x86_64'").ok();
        p1.via = vec!["-r requirements.in".into()];
        let mut p2 = pin("parent", "2.0", &[]);
        p2.marker = PinMarker::parse("platform_machine == 'aarch64'").ok();
        p2.via = vec!["-r requirements.in".into()];
        let mut child = pin("child", "1.0", &[]);
        child.via = vec!["-r requirements.in".into(), "parent".into()];
        let lock = Lock {
            header: vec![],
            targets: vec![
                "cp312-manylinux_2_28_x86_64".into(),
                "cp312-manylinux_2_28_aarch64".into(),
            ],
            pins: vec![child, p1, p2],
        };
        // By names: both parents list the child (the child is on both targets).
        assert_eq!(dependencies(&lock, &[]), [vec![], vec![0], vec![0]]);
        let version = |v: &str| Version::from_str(v).unwrap();
        let files = vec![
            PinFiles {
                parents: vec![(PackageName::from_str("parent").unwrap(), version("2.0"))],
                ..PinFiles::default()
            },
            PinFiles::default(),
            PinFiles::default(),
        ];
        assert_eq!(dependencies(&lock, &files), [vec![], vec![], vec![0]]);
    }

    #[test]
    fn no_emit_index_url_records_no_index() {
        let (lock, files, options) = sample();
        let text = render(&lock, &files, &options, false, "pinwheel lock");
        assert!(!text.contains("pkgs.acme.example"), "{text}");
        let back = parse(&text, Path::new("pylock.toml"), true).unwrap();
        assert!(back.options.is_empty());
    }

    #[test]
    fn indexes_of_other_tools_come_from_the_packages() {
        let text = format!(
            "lock-version = \"1.0\"\ncreated-by = \"uv\"\n\
             [[packages]]\nname = \"Idna\"\nversion = \"3.10\"\nindex = \"https://pypi.org/simple\"\n\
             wheels = [{{ url = \"https://files.example/idna-3.10-py3-none-any.whl\", upload-time = 2024-09-15T18:07:37.964Z, size = 70442, hashes = {{ sha256 = \"{}\" }} }}]\n\
             [[packages]]\nname = \"acme\"\nversion = \"1.0\"\nindex = \"https://pkgs.acme.example/simple\"\n\
             sdist = {{ url = \"https://pkgs.acme.example/f/acme-1.0.tar.gz\", hashes = {{ sha256 = \"{}\" }} }}\n",
            "A".repeat(64),
            "b".repeat(64)
        );
        let back = parse(&text, Path::new("pylock.toml"), true).unwrap();
        assert_eq!(back.lock.pins[0].name.as_ref(), "idna");
        assert_eq!(
            back.lock.pins[0].hashes,
            [format!("sha256:{}", "a".repeat(64))]
        );
        assert_eq!(back.files[0].files[0].name, "idna-3.10-py3-none-any.whl");
        // PyPI is pip's default: the private index becomes an extra one.
        assert_eq!(back.options.index_url, None);
        assert_eq!(
            back.options.extra_index_urls,
            [Url::parse("https://pkgs.acme.example/simple/").unwrap()]
        );
    }

    #[test]
    fn refuses_what_it_cannot_install() {
        let bad = |text: &str| {
            parse(text, Path::new("pylock.toml"), true)
                .unwrap_err()
                .to_string()
        };
        let err = bad("lock-version = \"2.0\"\ncreated-by = \"x\"\n");
        assert!(err.contains("lock-version `2.0`"), "{err}");
        let err = bad("lock-version = \"1.0\"\n[[packages]]\nname = \"x\"\nversion = \"1\"\n");
        assert!(
            err.contains("`x`") && err.contains("no archive, sdist or wheel"),
            "{err}"
        );
        let err = bad("lock-version = \"1.0\"\n[[packages]]\nname = \"x\"\n\
             vcs = { type = \"git\", url = \"https://g.example/x\", commit-id = \"abc\" }\n");
        assert!(err.contains("VCS"), "{err}");
        let err = bad(
            "lock-version = \"1.0\"\n[[packages]]\nname = \"x\"\nversion = \"1\"\n\
             sdist = { url = \"https://h/x-1.tar.gz\", hashes = { sha512 = \"ab\" } }\n",
        );
        assert!(err.contains("x-1.tar.gz has no sha256"), "{err}");
        let err = bad("lock-version = 1.0\n");
        assert!(err.contains("not a valid PEP 751"), "{err}");
    }

    /// A lock's files are fetched and written under their names: what an index page may not
    /// list, a lock may not either.
    #[test]
    fn refuses_hostile_file_names_and_schemes() {
        let sha = "a".repeat(64);
        let with = |file: &str| {
            let text = format!(
                "lock-version = \"1.0\"\n[[packages]]\nname = \"x\"\nversion = \"1\"\n\
                 wheels = [{file}]\n"
            );
            parse(&text, Path::new("pylock.toml"), true)
                .map(|_| ())
                .map_err(|e| e.to_string())
        };
        for (file, why) in [
            (
                format!("{{ name = \"../x-1-py3-none-any.whl\", url = \"https://h/x-1-py3-none-any.whl\", hashes = {{ sha256 = \"{sha}\" }} }}"),
                "path separator",
            ),
            (
                format!("{{ url = \"https://h/y-1-py3-none-any.whl\", hashes = {{ sha256 = \"{sha}\" }} }}"),
                "not a distribution of x",
            ),
            (
                format!("{{ url = \"ftp://h/x-1-py3-none-any.whl\", hashes = {{ sha256 = \"{sha}\" }} }}"),
                "scheme `ftp`",
            ),
        ] {
            let err = with(&file).unwrap_err();
            assert!(err.contains("`x`") && err.contains(why), "{file}: {err}");
        }
        let fine = format!(
            "{{ url = \"https://h/x-1-py3-none-any.whl\", hashes = {{ sha256 = \"{sha}\" }} }}"
        );
        assert_eq!(with(&fine), Ok(()));
        let lock = parse(
            &format!("lock-version = \"1.0\"\n[[packages]]\nname = \"x\"\nversion = \"1\"\nwheels = [{fine}]\n"),
            Path::new("pylock.toml"),
            true,
        )
        .unwrap();
        let listed = lock.listings().unwrap();
        assert_eq!(listed[0][0].url, "https://h/x-1-py3-none-any.whl");
        assert_eq!(listed[0][0].sha256.as_deref(), Some(sha.as_str()));
    }

    #[test]
    fn names_and_content_tell_a_pylock() {
        assert!(is_pylock_name(Path::new("pylock.toml")));
        assert!(is_pylock_name(Path::new("out/pylock.dev.toml")));
        assert!(!is_pylock_name(Path::new("pyproject.toml")));
        assert!(!is_pylock_name(Path::new("pylock.a.b.toml")));
        assert!(looks_like_pylock("# c\nlock-version = \"1.0\"\n"));
        assert!(!looks_like_pylock("anyio==4.0 \\\n  --hash=sha256:aa\n"));
    }
}
