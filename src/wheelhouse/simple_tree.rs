//! The static index on disk, for `pinwheel index DIR` and `wheelhouse --index`: reads the
//! distributions of a directory (wheels and sdists) into the [`IndexedFile`]s the pages are made
//! of — sha256 and size of the bytes, name, version and `Requires-Python` from the file's own
//! core metadata (a wheel's `.dist-info/METADATA`, an sdist's `PKG-INFO`), checked against its
//! file name — and writes the `simple/` tree whole or not at all: the new tree is made in a
//! temporary sibling and swapped in with one rename (`renameat2(RENAME_EXCHANGE)` on Linux), so
//! a server never sees half of it. The pages themselves come from `static_index` (pure).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::str::FromStr;

use super::download;
use super::static_index::IndexedFile;
use crate::distribution::filename::{FilenameError, SdistExtension, SdistFilename, WheelFilename};
use crate::distribution::metadata::{read_sdist_file_from, CoreMetadata, MetadataError};

/// The directory the pages go to, beside the files.
pub const SIMPLE: &str = "simple";
/// The prefix of the temporary tree (and of the previous tree being removed).
const TEMP_PREFIX: &str = ".pinwheel-simple-";
/// A METADATA or PKG-INFO larger than this is not read (as the index client's bound).
const MAX_METADATA: u64 = 16 * 1024 * 1024;

/// Files a wheelhouse keeps beside its distributions, never indexed and never refused.
pub const BOOKKEEPING: [&str; 3] = [
    super::REQUIREMENTS,
    super::MANIFEST,
    super::INDEX_REQUIREMENTS,
];

/// A file of the directory that is not a distribution the index can list, and why.
#[derive(Debug)]
pub struct Refused {
    pub filename: String,
    pub reason: NotIndexable,
}

/// Why a file is not a distribution the index can list.
#[derive(Debug, thiserror::Error)]
pub enum NotIndexable {
    #[error("not a distribution: neither a wheel (.whl) nor an sdist (.tar.gz, .zip)")]
    NotADistribution,
    #[error("not a valid wheel file name: {0}")]
    WheelName(#[source] FilenameError),
    #[error("not a wheel: not a zip archive: {0}")]
    NotZip(#[source] zip::result::ZipError),
    #[error("not a wheel: no .dist-info/METADATA in it")]
    NoWheelMetadata,
    /// A member of the wheel could not be opened.
    #[error("cannot read {member}: {source}")]
    Member {
        member: String,
        #[source]
        source: zip::result::ZipError,
    },
    /// A member's bytes could not be read.
    #[error("cannot read {member}: {source}")]
    MemberRead {
        member: String,
        #[source]
        source: std::io::Error,
    },
    /// The file could not be read.
    #[error("cannot read it: {0}")]
    Read(#[source] std::io::Error),
    #[error(
        "an sdist in a legacy archive format ({extension}) that pinwheel does not open; pip and \
         uv pass such files over too"
    )]
    LegacySdist { extension: String },
    #[error("not a readable sdist: {0}")]
    UnreadableSdist(#[source] MetadataError),
    #[error("an sdist without a top-level PKG-INFO (no core metadata to index)")]
    NoPkgInfo,
    /// The core metadata (`member`: the wheel's METADATA or the sdist's PKG-INFO) is invalid.
    #[error("its {member}: {source}")]
    Metadata {
        member: String,
        #[source]
        source: MetadataError,
    },
    #[error("its METADATA is for {meta_name} {meta_version}, its file name says {name} {version}")]
    WheelMismatch {
        meta_name: String,
        meta_version: String,
        name: String,
        version: String,
    },
    #[error("its PKG-INFO is for {meta_name} {meta_version}, which its file name does not spell")]
    SdistNameMismatch {
        meta_name: String,
        meta_version: String,
    },
    #[error(
        "its PKG-INFO is for {meta_name} {meta_version}, its file name says version {version}"
    )]
    SdistVersionMismatch {
        meta_name: String,
        meta_version: String,
        version: String,
    },
}

/// What a directory holds: its distributions, and the files that are not.
#[derive(Debug, Default)]
pub struct Scan {
    pub files: Vec<IndexedFile>,
    pub refused: Vec<Refused>,
}

/// Reads every file of `dir` (not its subdirectories, not hidden files, not a wheelhouse's
/// bookkeeping). `upload_times` (by sha256) dates the files a previous index knew.
pub fn scan(dir: &Path, upload_times: &BTreeMap<String, i64>) -> std::io::Result<Scan> {
    let mut names: Vec<String> = Vec::new();
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || BOOKKEEPING.contains(&name.as_str()) {
            continue;
        }
        if e.path().is_dir() {
            continue;
        }
        names.push(name);
    }
    names.sort();
    let mut out = Scan::default();
    for name in names {
        match describe(&dir.join(&name)) {
            Ok(mut f) => {
                f.upload_time = upload_times.get(&f.sha256).copied();
                out.files.push(f);
            }
            Err(reason) => out.refused.push(Refused {
                filename: name,
                reason,
            }),
        }
    }
    Ok(out)
}

/// One distribution file as the index lists it (without an upload time), or why it is none.
pub fn describe(path: &Path) -> Result<IndexedFile, NotIndexable> {
    let filename = path
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    let meta = if filename.to_ascii_lowercase().ends_with(".whl") {
        let wheel = WheelFilename::parse(&filename).map_err(NotIndexable::WheelName)?;
        let meta = wheel_metadata(path, &wheel)?;
        if meta.name != wheel.name || meta.version != wheel.version {
            return Err(NotIndexable::WheelMismatch {
                meta_name: meta.name.to_string(),
                meta_version: meta.version.to_string(),
                name: wheel.name.to_string(),
                version: wheel.version.to_string(),
            });
        }
        meta
    } else if let Some((_, ext)) = SdistExtension::split(&filename) {
        if !ext.is_readable() {
            return Err(NotIndexable::LegacySdist {
                extension: ext.to_string(),
            });
        }
        let file = std::fs::File::open(path).map_err(NotIndexable::Read)?;
        let pkg_info = read_sdist_file_from(file, &filename, "PKG-INFO")
            .map_err(NotIndexable::UnreadableSdist)?
            .ok_or(NotIndexable::NoPkgInfo)?;
        let meta = CoreMetadata::parse(&pkg_info).map_err(|source| NotIndexable::Metadata {
            member: "PKG-INFO".into(),
            source,
        })?;
        let named = SdistFilename::parse(&filename, &meta.name).map_err(|_| {
            NotIndexable::SdistNameMismatch {
                meta_name: meta.name.to_string(),
                meta_version: meta.version.to_string(),
            }
        })?;
        if named.version != meta.version {
            return Err(NotIndexable::SdistVersionMismatch {
                meta_name: meta.name.to_string(),
                meta_version: meta.version.to_string(),
                version: named.version.to_string(),
            });
        }
        meta
    } else {
        return Err(NotIndexable::NotADistribution);
    };
    let (sha256, size) = download::hash_file(path).map_err(NotIndexable::Read)?;
    Ok(IndexedFile {
        filename,
        project: crate::index::normalize(meta.name.as_ref()),
        version: meta.version.to_string(),
        size,
        sha256,
        requires_python: meta.requires_python.map(|r| r.to_string()),
        upload_time: None,
    })
}

/// The core metadata of the wheel at `path`: its top-level `NAME-VERSION.dist-info/METADATA`.
fn wheel_metadata(path: &Path, wheel: &WheelFilename) -> Result<CoreMetadata, NotIndexable> {
    let file = std::fs::File::open(path).map_err(NotIndexable::Read)?;
    let mut zip = zip::ZipArchive::new(file).map_err(NotIndexable::NotZip)?;
    let expected = format!(
        "{}-{}.dist-info/",
        wheel.name.as_dist_info_name(),
        wheel.version
    )
    .to_ascii_lowercase();
    let candidates: Vec<String> = zip
        .file_names()
        .filter(|n| {
            let parts: Vec<&str> = n.split('/').collect();
            parts.len() == 2 && parts[0].ends_with(".dist-info") && parts[1] == "METADATA"
        })
        .map(str::to_string)
        .collect();
    let member = candidates
        .iter()
        .find(|n| n.to_ascii_lowercase().starts_with(&expected))
        .or(candidates.first())
        .ok_or(NotIndexable::NoWheelMetadata)?
        .clone();
    let mut bytes = Vec::new();
    let read = match zip.by_name(&member) {
        Ok(f) => f.take(MAX_METADATA).read_to_end(&mut bytes),
        Err(source) => return Err(NotIndexable::Member { member, source }),
    };
    if let Err(source) = read {
        return Err(NotIndexable::MemberRead { member, source });
    }
    CoreMetadata::parse(&bytes).map_err(|source| NotIndexable::Metadata { member, source })
}

/// The upload times (by sha256) the index already under `dir/simple/` gives its files, so that
/// indexing again keeps what `wheelhouse --index` learnt from the original index.
pub fn previous_upload_times(dir: &Path) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir(dir.join(SIMPLE)) else {
        return out;
    };
    for e in entries.flatten() {
        let Ok(text) = std::fs::read_to_string(e.path().join("index.json")) else {
            continue;
        };
        let Ok(page) = serde_json::from_str::<serde_json::Value>(&text) else {
            continue;
        };
        for f in page["files"].as_array().into_iter().flatten() {
            let (Some(sha), Some(t)) = (f["hashes"]["sha256"].as_str(), f["upload-time"].as_str())
            else {
                continue;
            };
            if let Ok(t) = jiff::Timestamp::from_str(t) {
                out.insert(sha.to_string(), t.as_second());
            }
        }
    }
    out
}

/// Whether the tree under `dir/simple/` already holds exactly `pages` (and nothing else).
pub fn is_current(dir: &Path, pages: &[(String, String)]) -> bool {
    let root = dir.join(SIMPLE);
    let mut on_disk = Vec::new();
    if collect_files(&root, &root, &mut on_disk).is_err() {
        return false;
    }
    on_disk.sort();
    let mut wanted: Vec<String> = pages
        .iter()
        .map(|(p, _)| p.strip_prefix("simple/").unwrap_or(p).to_string())
        .collect();
    wanted.sort();
    on_disk == wanted
        && pages.iter().all(|(p, text)| {
            let rel = p.strip_prefix("simple/").unwrap_or(p);
            std::fs::read(root.join(rel)).is_ok_and(|b| b == text.as_bytes())
        })
}

fn collect_files(root: &Path, dir: &Path, out: &mut Vec<String>) -> std::io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        let path = e.path();
        if e.file_type()?.is_dir() {
            collect_files(root, &path, out)?;
        } else if let Ok(rel) = path.strip_prefix(root) {
            out.push(rel.to_string_lossy().into_owned());
        }
    }
    Ok(())
}

/// Removes the temporary trees a killed run left in `dir`. Only under the directory's lock.
pub fn clean_temporaries(dir: &Path) {
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            // `.simple.part`: the name an earlier pinwheel gave its temporary tree.
            if name.starts_with(TEMP_PREFIX) || name == ".simple.part" {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
}

/// Writes `pages` (paths relative to `dir`, all under `simple/`) as the new `dir/simple/`: the
/// tree is made whole in a temporary sibling first, then swapped in.
pub fn write(dir: &Path, pages: &[(String, String)]) -> std::io::Result<()> {
    let tmp = crate::interrupt::temp_dir_in(dir, TEMP_PREFIX)?;
    for (rel, text) in pages {
        let rel = rel.strip_prefix("simple/").unwrap_or(rel);
        let path = tmp.path().join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let mut f = std::fs::File::create(&path)?;
        std::io::Write::write_all(&mut f, text.as_bytes())?;
        crate::fs::make_readable(&f)?;
        f.sync_all()?;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // Temporary directories are 0700; web servers often run as another user.
        for_each_dir(tmp.path(), &mut |d| {
            std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755))
        })?;
    }
    let simple = dir.join(SIMPLE);
    if simple.is_dir() {
        if exchange(tmp.path(), &simple).is_ok() {
            // The old tree is where the new one was: the temporary directory removes it.
            return Ok(());
        }
        // No atomic exchange here: move the old tree aside, then the new one in.
        let old = crate::interrupt::temp_dir_in(dir, TEMP_PREFIX)?;
        let aside = old.path().join(SIMPLE);
        std::fs::rename(&simple, &aside)?;
        if let Err(e) = std::fs::rename(tmp.path(), &simple) {
            let _ = std::fs::rename(&aside, &simple);
            return Err(e);
        }
        let _ = tmp.keep();
        return Ok(());
    }
    if simple.exists() {
        return Err(std::io::Error::other(format!(
            "{} exists and is not a directory",
            simple.display()
        )));
    }
    std::fs::rename(tmp.path(), &simple)?;
    let _ = tmp.keep();
    Ok(())
}

fn for_each_dir(
    dir: &Path,
    f: &mut dyn FnMut(&Path) -> std::io::Result<()>,
) -> std::io::Result<()> {
    f(dir)?;
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        if e.file_type()?.is_dir() {
            for_each_dir(&e.path(), f)?;
        }
    }
    Ok(())
}

/// Swaps two directories in one step (Linux `renameat2(RENAME_EXCHANGE)`).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let ca = CString::new(a.as_os_str().as_bytes()).map_err(std::io::Error::other)?;
    let cb = CString::new(b.as_os_str().as_bytes()).map_err(std::io::Error::other)?;
    // SAFETY: two valid NUL-terminated paths; the call reads them only.
    let r = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn wheel(dir: &Path, filename: &str, metadata: &str) {
        let f = std::fs::File::create(dir.join(filename)).unwrap();
        let mut z = zip::ZipWriter::new(f);
        let opts = zip::write::SimpleFileOptions::default();
        let stem = filename.split('-').take(2).collect::<Vec<_>>().join("-");
        z.start_file(format!("{stem}.dist-info/METADATA"), opts)
            .unwrap();
        z.write_all(metadata.as_bytes()).unwrap();
        z.finish().unwrap();
    }

    fn sdist(dir: &Path, filename: &str, top: &str, pkg_info: Option<&str>) {
        let f = std::fs::File::create(dir.join(filename)).unwrap();
        let gz = flate2::write::GzEncoder::new(f, flate2::Compression::default());
        let mut tar = tar::Builder::new(gz);
        let mut add = |path: &str, text: &str| {
            let mut h = tar::Header::new_gnu();
            h.set_size(text.len() as u64);
            h.set_mode(0o644);
            h.set_cksum();
            tar.append_data(&mut h, path, text.as_bytes()).unwrap();
        };
        add(&format!("{top}/setup.py"), "");
        if let Some(p) = pkg_info {
            add(&format!("{top}/PKG-INFO"), p);
        }
        tar.into_inner().unwrap().finish().unwrap();
    }

    #[test]
    fn reads_name_version_and_requires_python_from_the_files_own_metadata() {
        let d = tempfile::tempdir().unwrap();
        wheel(
            d.path(),
            "Foo_Bar-1.0-py3-none-any.whl",
            "Metadata-Version: 2.1\nName: Foo.Bar\nVersion: 1.0\nRequires-Python: >=3.9\n",
        );
        sdist(
            d.path(),
            "foo_bar-1.0.tar.gz",
            "foo_bar-1.0",
            Some("Metadata-Version: 2.1\nName: foo-bar\nVersion: 1.0\nRequires-Python: >=3.8\n"),
        );
        std::fs::write(d.path().join(super::super::REQUIREMENTS), "--no-index\n").unwrap();
        std::fs::write(d.path().join(".hidden"), "x").unwrap();
        std::fs::create_dir(d.path().join("simple")).unwrap();
        let times = BTreeMap::new();
        let scan = scan(d.path(), &times).unwrap();
        assert!(scan.refused.is_empty(), "{:?}", scan.refused);
        assert_eq!(scan.files.len(), 2);
        let w = &scan.files[0];
        assert_eq!(w.filename, "Foo_Bar-1.0-py3-none-any.whl");
        assert_eq!(w.project, "foo-bar");
        assert_eq!(w.requires_python.as_deref(), Some(">=3.9"));
        let (sha, size) = download::hash_file(&d.path().join(&w.filename)).unwrap();
        assert_eq!((w.sha256.as_str(), w.size), (sha.as_str(), size));
        assert_eq!(scan.files[1].requires_python.as_deref(), Some(">=3.8"));
        assert_eq!(scan.files[1].version, "1.0");
    }

    #[test]
    fn files_that_are_not_distributions_are_named_with_the_reason() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("notes.txt"), "x").unwrap();
        std::fs::write(d.path().join("broken-1.0-py3-none-any.whl"), "not a zip").unwrap();
        wheel(
            d.path(),
            "liar-1.0-py3-none-any.whl",
            "Metadata-Version: 2.1\nName: liar\nVersion: 2.0\n",
        );
        sdist(d.path(), "bare-1.0.tar.gz", "bare-1.0", None);
        std::fs::write(d.path().join("old-1.0.tar.bz2"), "x").unwrap();
        let scan = scan(d.path(), &BTreeMap::new()).unwrap();
        assert!(scan.files.is_empty());
        let why: BTreeMap<&str, String> = scan
            .refused
            .iter()
            .map(|r| (r.filename.as_str(), r.reason.to_string()))
            .collect();
        assert!(why["notes.txt"].contains("neither a wheel"), "{why:?}");
        assert!(
            why["broken-1.0-py3-none-any.whl"].contains("not a zip"),
            "{why:?}"
        );
        assert!(
            why["liar-1.0-py3-none-any.whl"].contains("liar 2.0"),
            "{why:?}"
        );
        assert!(
            why["bare-1.0.tar.gz"].contains("without a top-level PKG-INFO"),
            "{why:?}"
        );
        assert!(why["old-1.0.tar.bz2"].contains("legacy"), "{why:?}");
    }

    #[test]
    fn the_tree_is_replaced_whole_and_upload_times_are_kept() {
        let d = tempfile::tempdir().unwrap();
        let sha = "a".repeat(64);
        let page = serde_json::json!({"files": [{"hashes": {"sha256": sha}, "upload-time": "2024-01-01T00:00:00Z"}]});
        let first = vec![
            ("simple/index.html".to_string(), "root".to_string()),
            ("simple/old/index.json".to_string(), page.to_string()),
        ];
        write(d.path(), &first).unwrap();
        assert!(is_current(d.path(), &first));
        assert_eq!(previous_upload_times(d.path())[&sha], 1_704_067_200);
        let second = vec![("simple/new/index.html".to_string(), "new".to_string())];
        assert!(!is_current(d.path(), &second));
        write(d.path(), &second).unwrap();
        assert!(is_current(d.path(), &second));
        assert!(!d.path().join("simple/old").exists());
        // No temporary is left beside it.
        let left: Vec<String> = std::fs::read_dir(d.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(left, ["simple"]);
    }
}
