//! The source tree of an sdist: unpacking its archive (`.tar.gz`, `.tgz`, `.tar`, `.zip`) and
//! reading `[build-system]` from its pyproject.toml with the PEP 517/518 defaults (setuptools'
//! legacy backend when the table or the file is absent). Pure but for the unpacking.
//!
//! An sdist is data from an index, so unpacking is bounded ([`Bounds`]): the bytes it may
//! write (counted from each member's declared size before any of it is written, and checked
//! again while writing zip members, whose sizes may lie), its number of members and the size
//! of each member's headers. Members are kept inside the tree, as Python's `tarfile` `data`
//! filter keeps them: a path with `..` is refused, a leading `/` is dropped, a link (symbolic
//! or hard) must point inside the tree, and devices and FIFOs are refused.

use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use super::BuildFailure;
use crate::distribution::tar_meter::Metered;

/// At least this much may be unpacked from any sdist: 1 GiB.
pub const MIN_UNPACKED_BYTES: u64 = 1 << 30;
/// And up to this many times the archive's own size (real sdists unpack to 4 to 9 times their
/// size: numpy 4.0, Django 5.7, botocore 8.8; a gzip bomb to about 1,000 times).
pub const UNPACKED_PER_ARCHIVE_BYTE: u64 = 32;
/// The most members an sdist may have (Django's has about 10,000).
pub const MAX_MEMBERS: u64 = 250_000;

/// How much unpacking an sdist may write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    /// Bytes of files written, in total.
    pub bytes: u64,
    /// Members (files, directories, links), in total.
    pub members: u64,
}

impl Bounds {
    /// The bounds for an archive of `size` bytes: [`MIN_UNPACKED_BYTES`] or
    /// [`UNPACKED_PER_ARCHIVE_BYTE`] times its size, whichever is larger, and [`MAX_MEMBERS`].
    pub fn for_archive(size: u64) -> Self {
        Bounds {
            bytes: MIN_UNPACKED_BYTES.max(size.saturating_mul(UNPACKED_PER_ARCHIVE_BYTE)),
            members: MAX_MEMBERS,
        }
    }
}

/// Why an sdist's archive is not unpacked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error(
        "it expands past {} MiB (sdists may unpack to 1 GiB, or {UNPACKED_PER_ARCHIVE_BYTE} times \
         their archive's size when that is more)",
        bound >> 20
    )]
    TooLarge { bound: u64 },
    #[error("it has more than {bound} members")]
    TooManyMembers { bound: u64 },
    #[error(
        "a member's headers (a long name or pax record) pass {} KiB",
        crate::distribution::tar_meter::MEMBER_HEADERS >> 10
    )]
    HeadersTooLarge,
    #[error("member {0:?} has a `..` in its path, which would leave the source tree")]
    Outside(String),
    #[error("member {path:?} links to {target:?}, outside the source tree")]
    LinkOutside { path: String, target: String },
    #[error("member {0:?} is a device or a FIFO, which no sdist needs")]
    Special(String),
}

/// What unpacking can fail with.
#[derive(Debug, thiserror::Error)]
enum Unpacking {
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Refused(#[from] Refusal),
}

/// What `[build-system]` says: how to build the project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildSystem {
    /// `requires`: the build requirements (PEP 508 strings).
    pub requires: Vec<String>,
    /// `build-backend`: `module` or `module:object`.
    pub backend: String,
    /// `backend-path`: directories of the source tree that hold an in-tree backend.
    pub backend_path: Vec<String>,
}

/// Unpacks the sdist at `archive` (named `filename`) into `dest`, streaming it from disk, and
/// returns its source tree (the single top-level directory, as sdists have) and its build
/// system.
pub fn unpack_sdist(
    archive: &Path,
    filename: &str,
    dest: &Path,
) -> Result<(PathBuf, BuildSystem), BuildFailure> {
    let file = std::fs::File::open(archive).map_err(|e| BuildFailure::OpenSdist(Arc::new(e)))?;
    let size = file
        .metadata()
        .map_err(|e| BuildFailure::OpenSdist(Arc::new(e)))?
        .len();
    unpack(file, filename, dest, Bounds::for_archive(size)).map_err(|e| match e {
        Unpacking::Io(e) => BuildFailure::Unpack(Arc::new(e)),
        Unpacking::Refused(why) => BuildFailure::UnpackRefused(why),
    })?;
    let src = single_top_dir(dest).unwrap_or(dest.to_path_buf());
    let bs = build_system(&src)?;
    Ok((src, bs))
}

/// `[build-system]` of pyproject.toml with PEP 517/518 defaults (setuptools' legacy backend).
fn build_system(src: &Path) -> Result<BuildSystem, BuildFailure> {
    build_system_of(
        std::fs::read_to_string(src.join("pyproject.toml"))
            .ok()
            .as_deref(),
    )
}

/// `[build-system].requires` of an sdist's pyproject.toml (`None`: the sdist has none), with
/// pip's default for the legacy setuptools backend (`setuptools>=40.8.0` and `wheel`, which pip
/// 23 and 24 install for it) when the file, the table or the key is absent. Pure.
pub fn build_requires(pyproject: Option<&str>) -> Result<Vec<String>, BuildFailure> {
    build_system_of(pyproject).map(|bs| bs.requires)
}

/// The build system of pyproject.toml's text, with the defaults.
fn build_system_of(pyproject: Option<&str>) -> Result<BuildSystem, BuildFailure> {
    let legacy = BuildSystem {
        requires: vec!["setuptools>=40.8.0".to_string(), "wheel".to_string()],
        backend: "setuptools.build_meta:__legacy__".to_string(),
        backend_path: Vec::new(),
    };
    let Some(text) = pyproject else {
        return Ok(legacy);
    };
    let doc: toml::Table = text
        .parse()
        .map_err(|e| BuildFailure::Pyproject(Arc::new(e)))?;
    let Some(bs) = doc.get("build-system").and_then(|v| v.as_table()) else {
        return Ok(legacy);
    };
    let strings = |key: &str| -> Vec<String> {
        bs.get(key)
            .and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let requires = if bs.contains_key("requires") {
        strings("requires")
    } else {
        legacy.requires.clone()
    };
    let backend = bs
        .get("build-backend")
        .and_then(|v| v.as_str())
        .map(str::to_string)
        .unwrap_or(legacy.backend);
    Ok(BuildSystem {
        requires,
        backend,
        backend_path: strings("backend-path"),
    })
}

fn unpack<R: Read + std::io::Seek>(
    archive: R,
    filename: &str,
    dest: &Path,
    bounds: Bounds,
) -> Result<(), Unpacking> {
    use crate::distribution::SdistExtension;
    std::fs::create_dir_all(dest)?;
    match SdistExtension::split(filename).map(|(_, ext)| ext) {
        Some(SdistExtension::Zip) => unpack_zip(archive, dest, bounds),
        Some(SdistExtension::TarGz | SdistExtension::Tgz) => unpack_tar(
            flate2::read::GzDecoder::new(std::io::BufReader::new(archive)),
            dest,
            bounds,
        ),
        Some(SdistExtension::Tar) => unpack_tar(std::io::BufReader::new(archive), dest, bounds),
        _ => Err(std::io::Error::other("not a .tar.gz, .tgz, .tar or .zip archive").into()),
    }
}

/// Counts members and bytes against the bounds, before anything of a member is written.
struct Tally {
    bounds: Bounds,
    members: u64,
    bytes: u64,
}

impl Tally {
    fn new(bounds: Bounds) -> Self {
        Tally {
            bounds,
            members: 0,
            bytes: 0,
        }
    }

    /// One more member, of `size` bytes.
    fn member(&mut self, size: u64) -> Result<(), Refusal> {
        self.members += 1;
        if self.members > self.bounds.members {
            return Err(Refusal::TooManyMembers {
                bound: self.bounds.members,
            });
        }
        self.add(size)
    }

    /// `size` more bytes written.
    fn add(&mut self, size: u64) -> Result<(), Refusal> {
        self.bytes = self.bytes.saturating_add(size);
        if self.bytes > self.bounds.bytes {
            return Err(Refusal::TooLarge {
                bound: self.bounds.bytes,
            });
        }
        Ok(())
    }
}

fn unpack_tar(reader: impl Read, dest: &Path, bounds: Bounds) -> Result<(), Unpacking> {
    let (reader, meter) = Metered::new(reader);
    let headers = |e: std::io::Error| -> Unpacking {
        if meter.exceeded() {
            Refusal::HeadersTooLarge.into()
        } else {
            e.into()
        }
    };
    let mut ar = tar::Archive::new(reader);
    let mut tally = Tally::new(bounds);
    let mut symlinks = Vec::new();
    for entry in ar.entries().map_err(headers)? {
        let mut entry = entry.map_err(headers)?;
        // The declared size (for a sparse file, its full size) is what will be written.
        tally.member(entry.size())?;
        let path = entry.path()?.into_owned();
        let shown = path.display().to_string();
        let inside = inside_path(&path).ok_or_else(|| Refusal::Outside(shown.clone()))?;
        let kind = entry.header().entry_type();
        if kind.is_character_special() || kind.is_block_special() || kind.is_fifo() {
            return Err(Refusal::Special(shown).into());
        }
        if kind.is_symlink() || kind.is_hard_link() {
            let target = entry
                .link_name()?
                .map(|t| t.into_owned())
                .unwrap_or_default();
            // A hard link names a member of the archive; a symbolic link, a path from its own
            // directory.
            let from = if kind.is_hard_link() {
                PathBuf::new()
            } else {
                inside.parent().map(Path::to_path_buf).unwrap_or_default()
            };
            if target.is_absolute() || inside_path(&from.join(&target)).is_none() {
                return Err(Refusal::LinkOutside {
                    path: shown,
                    target: target.display().to_string(),
                }
                .into());
            }
            if kind.is_symlink() {
                symlinks.push((inside.clone(), target));
            }
        }
        meter.allow_member(entry.size());
        entry.unpack_in(dest).map_err(headers)?;
    }
    links_stay_inside(dest, &symlinks)
}

fn unpack_zip(
    archive: impl Read + std::io::Seek,
    dest: &Path,
    bounds: Bounds,
) -> Result<(), Unpacking> {
    use std::os::unix::fs::PermissionsExt;
    let mut z = zip::ZipArchive::new(archive).map_err(std::io::Error::other)?;
    let mut tally = Tally::new(bounds);
    if z.len() as u64 > bounds.members {
        return Err(Refusal::TooManyMembers {
            bound: bounds.members,
        }
        .into());
    }
    let root = dest.canonicalize()?;
    let mut symlinks = Vec::new();
    for i in 0..z.len() {
        let mut file = z.by_index(i).map_err(std::io::Error::other)?;
        let shown = file.name().to_string();
        tally.member(0)?;
        let inside = file
            .enclosed_name()
            .and_then(|p| inside_path(&p))
            .ok_or_else(|| Refusal::Outside(shown.clone()))?;
        let out = dest.join(&inside);
        if file.is_dir() {
            std::fs::create_dir_all(&out)?;
            continue;
        }
        if let Some(parent) = out.parent() {
            std::fs::create_dir_all(parent)?;
            // A directory reached through a link must still be inside.
            if !parent.canonicalize()?.starts_with(&root) {
                return Err(Refusal::Outside(shown).into());
            }
        }
        if file.is_symlink() {
            let mut target = Vec::new();
            (&mut file).take(4096).read_to_end(&mut target)?;
            let target = PathBuf::from(String::from_utf8_lossy(&target).into_owned());
            let from = inside.parent().map(Path::to_path_buf).unwrap_or_default();
            if target.is_absolute() || inside_path(&from.join(&target)).is_none() {
                return Err(Refusal::LinkOutside {
                    path: shown,
                    target: target.display().to_string(),
                }
                .into());
            }
            std::os::unix::fs::symlink(&target, &out)?;
            symlinks.push((inside, target));
            continue;
        }
        // The declared size first, then what really comes out (a zip's sizes may lie).
        let declared = file.size();
        tally.add(declared)?;
        let mode = file.unix_mode();
        let mut written = std::fs::File::create(&out)?;
        let left = bounds.bytes.saturating_sub(tally.bytes);
        let most = declared.saturating_add(left).saturating_add(1);
        let copied = std::io::copy(&mut (&mut file).take(most), &mut written)?;
        tally.add(copied.saturating_sub(declared))?;
        if let Some(mode) = mode {
            // The permission bits (an executable script stays executable), always readable
            // and writable by the owner.
            written.set_permissions(std::fs::Permissions::from_mode(mode & 0o777 | 0o600))?;
        }
    }
    links_stay_inside(dest, &symlinks)
}

/// `path` as a relative path inside the tree: root and `.` components dropped; `None` when it
/// has a `..` that would climb out of where it starts.
fn inside_path(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::Prefix(_) | Component::RootDir | Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::Normal(p) => out.push(p),
        }
    }
    Some(out)
}

/// Each symbolic link made, followed through the links made before it, resolves inside `dest`
/// (one that points nowhere is judged by its text, checked when it was made).
fn links_stay_inside(dest: &Path, links: &[(PathBuf, PathBuf)]) -> Result<(), Unpacking> {
    let root = dest.canonicalize()?;
    for (link, target) in links {
        if let Ok(real) = dest.join(link).canonicalize() {
            if !real.starts_with(&root) {
                return Err(Refusal::LinkOutside {
                    path: link.display().to_string(),
                    target: target.display().to_string(),
                }
                .into());
            }
        }
    }
    Ok(())
}

fn single_top_dir(root: &Path) -> Option<PathBuf> {
    let mut dirs = std::fs::read_dir(root)
        .ok()?
        .flatten()
        .filter(|e| e.path().is_dir());
    let first = dirs.next()?;
    if dirs.next().is_some() {
        return None;
    }
    Some(first.path())
}

#[cfg(test)]
mod tests {
    use super::*;

    const BIG: Bounds = Bounds {
        bytes: 1 << 30,
        members: 1000,
    };

    /// A tar of `members`: (path, what), where what is `Ok(bytes)` for a file and
    /// `Err(target)` for a symbolic link. Paths are written raw, as a hostile archive has them.
    fn tar_of(members: &[(&str, Result<&[u8], &str>)]) -> Vec<u8> {
        let mut tar = tar::Builder::new(Vec::new());
        for (path, what) in members {
            let mut h = tar::Header::new_gnu();
            h.set_mode(0o644);
            let raw = &mut h.as_old_mut().name;
            raw[..path.len()].copy_from_slice(path.as_bytes());
            match what {
                Ok(body) => {
                    h.set_size(body.len() as u64);
                    h.set_cksum();
                    tar.append(&h, *body).unwrap();
                }
                Err(target) => {
                    h.set_entry_type(tar::EntryType::Symlink);
                    h.set_size(0);
                    let raw = &mut h.as_old_mut().linkname;
                    raw[..target.len()].copy_from_slice(target.as_bytes());
                    h.set_cksum();
                    tar.append(&h, &[][..]).unwrap();
                }
            }
        }
        tar.into_inner().unwrap()
    }

    fn gz(bytes: &[u8]) -> Vec<u8> {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, bytes).unwrap();
        gz.finish().unwrap()
    }

    /// Unpacks `bytes` as `name` within `bounds` into a fresh directory: the refusal, if any,
    /// and the directory.
    fn try_unpack(
        bytes: &[u8],
        name: &str,
        bounds: Bounds,
    ) -> (Option<Refusal>, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let got = match unpack(
            std::io::Cursor::new(bytes),
            name,
            &dir.path().join("src"),
            bounds,
        ) {
            Ok(()) => None,
            Err(Unpacking::Refused(why)) => Some(why),
            Err(Unpacking::Io(e)) => panic!("{name}: {e}"),
        };
        (got, dir)
    }

    /// Every file under `dir`, as paths relative to it.
    fn files(dir: &Path) -> Vec<String> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                let p = e.path();
                if e.file_type().unwrap().is_dir() {
                    stack.push(p);
                } else {
                    out.push(p.strip_prefix(dir).unwrap().display().to_string());
                }
            }
        }
        out.sort();
        out
    }

    #[test]
    fn an_archive_expanding_past_the_bound_is_refused_before_it_is_written() {
        // 8 MiB of zeros: about 8 KiB as .tar.gz; the bound here is 1 MiB.
        let zeros = vec![0u8; 8 << 20];
        let tar = tar_of(&[
            ("bomb-1.0/pyproject.toml", Ok(b"[build-system]\n")),
            ("bomb-1.0/zeros", Ok(&zeros)),
        ]);
        let small = Bounds {
            bytes: 1 << 20,
            members: 1000,
        };
        let (why, dir) = try_unpack(&gz(&tar), "bomb-1.0.tar.gz", small);
        assert_eq!(why, Some(Refusal::TooLarge { bound: 1 << 20 }));
        assert_eq!(files(dir.path()), ["src/bomb-1.0/pyproject.toml"]);
        assert!(why.unwrap().to_string().contains("expands past 1 MiB"));

        // A zip, whose member claims its size (or lies about it) past the bound.
        let mut zip = std::io::Cursor::new(Vec::new());
        {
            let mut z = zip::ZipWriter::new(&mut zip);
            let opts = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            z.start_file("bomb-1.0/zeros", opts).unwrap();
            std::io::Write::write_all(&mut z, &zeros).unwrap();
            z.finish().unwrap();
        }
        let (why, _dir) = try_unpack(zip.get_ref(), "bomb-1.0.zip", small);
        assert_eq!(why, Some(Refusal::TooLarge { bound: 1 << 20 }));

        // The same archives within the real bounds unpack.
        let (why, _dir) = try_unpack(&gz(&tar), "bomb-1.0.tar.gz", Bounds::for_archive(1));
        assert_eq!(why, None);
    }

    #[test]
    fn the_bound_is_a_gib_or_a_multiple_of_the_archive() {
        assert_eq!(Bounds::for_archive(1 << 20).bytes, 1 << 30);
        assert_eq!(Bounds::for_archive(100 << 20).bytes, 3200 << 20);
        assert_eq!(Bounds::for_archive(u64::MAX).bytes, u64::MAX);
        assert_eq!(Bounds::for_archive(0).members, MAX_MEMBERS);
    }

    #[test]
    fn more_members_than_the_bound_are_refused() {
        let names: Vec<String> = (0..11).map(|i| format!("many-1.0/f{i}")).collect();
        let members: Vec<(&str, Result<&[u8], &str>)> =
            names.iter().map(|n| (n.as_str(), Ok(&b""[..]))).collect();
        let ten = Bounds {
            bytes: 1 << 30,
            members: 10,
        };
        let (why, _dir) = try_unpack(&tar_of(&members), "many-1.0.tar", ten);
        assert_eq!(why, Some(Refusal::TooManyMembers { bound: 10 }));
        let (why, _dir) = try_unpack(&tar_of(&members[..10]), "many-1.0.tar", ten);
        assert_eq!(why, None);
    }

    #[test]
    fn members_leaving_the_tree_are_refused() {
        let body: Result<&[u8], &str> = Ok(b"x");
        for (members, expected) in [
            (
                vec![("demo-1.0/../../escape", body)],
                Refusal::Outside("demo-1.0/../../escape".into()),
            ),
            (
                vec![("demo-1.0/passwd", Err("/etc/passwd"))],
                Refusal::LinkOutside {
                    path: "demo-1.0/passwd".into(),
                    target: "/etc/passwd".into(),
                },
            ),
            (
                vec![("demo-1.0/up", Err("../.."))],
                Refusal::LinkOutside {
                    path: "demo-1.0/up".into(),
                    target: "../..".into(),
                },
            ),
            // Each link points inside by its text, but `up` is the tree itself, so `out/..`
            // followed is the tree's parent.
            (
                vec![("up", Err(".")), ("out", Err("up/.."))],
                Refusal::LinkOutside {
                    path: "out".into(),
                    target: "up/..".into(),
                },
            ),
        ] {
            let (why, dir) = try_unpack(&tar_of(&members), "demo-1.0.tar", BIG);
            assert_eq!(why.as_ref(), Some(&expected), "{members:?}");
            assert!(!dir.path().join("escape").exists());
        }
        // Links that stay inside, and a leading `/`, are fine.
        let (why, dir) = try_unpack(
            &tar_of(&[
                ("/demo-1.0/pkg/data.txt", Ok(b"x")),
                ("demo-1.0/pkg/alias.txt", Err("data.txt")),
                ("demo-1.0/top", Err("pkg/../pkg")),
            ]),
            "demo-1.0.tar",
            BIG,
        );
        assert_eq!(why, None);
        let read = std::fs::read(dir.path().join("src/demo-1.0/pkg/alias.txt")).unwrap();
        assert_eq!(read, b"x");

        // A zip member with `..`, and a zip symlink out of the tree.
        let mut zip = std::io::Cursor::new(Vec::new());
        {
            let mut z = zip::ZipWriter::new(&mut zip);
            let opts = zip::write::SimpleFileOptions::default();
            z.add_symlink("demo-1.0/passwd", "/etc/passwd", opts)
                .unwrap();
            z.finish().unwrap();
        }
        let (why, _dir) = try_unpack(zip.get_ref(), "demo-1.0.zip", BIG);
        assert_eq!(
            why,
            Some(Refusal::LinkOutside {
                path: "demo-1.0/passwd".into(),
                target: "/etc/passwd".into()
            })
        );
    }

    #[test]
    fn a_member_header_past_its_bound_is_refused() {
        let long = format!("demo-1.0/{}", "n".repeat(2 << 20));
        let mut tar = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_size(1);
        h.set_mode(0o644);
        tar.append_data(&mut h, &long, &b"x"[..]).unwrap();
        let tar = tar.into_inner().unwrap();
        let (why, _dir) = try_unpack(&gz(&tar), "demo-1.0.tar.gz", BIG);
        assert_eq!(why, Some(Refusal::HeadersTooLarge));
    }

    fn tar_bytes() -> Vec<u8> {
        let mut tar = tar::Builder::new(Vec::new());
        let body = b"[build-system]\n";
        let mut h = tar::Header::new_gnu();
        h.set_size(body.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        tar.append_data(&mut h, "demo-1.0/pyproject.toml", &body[..])
            .unwrap();
        tar.into_inner().unwrap()
    }

    #[test]
    fn unpacks_every_readable_sdist_format() {
        let tar = tar_bytes();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &tar).unwrap();
        let gz = gz.finish().unwrap();
        let mut zip = std::io::Cursor::new(Vec::new());
        {
            let mut z = zip::ZipWriter::new(&mut zip);
            z.start_file(
                "demo-1.0/pyproject.toml",
                zip::write::SimpleFileOptions::default(),
            )
            .unwrap();
            std::io::Write::write_all(&mut z, b"[build-system]\n").unwrap();
            z.finish().unwrap();
        }
        let zip = zip.into_inner();
        for (name, bytes) in [
            ("demo-1.0.tar.gz", &gz),
            ("demo-1.0.tgz", &gz),
            ("demo-1.0.tar", &tar),
            ("demo-1.0.zip", &zip),
        ] {
            let dir = tempfile::tempdir().unwrap();
            unpack(std::io::Cursor::new(bytes), name, dir.path(), BIG)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(
                dir.path().join("demo-1.0/pyproject.toml").is_file(),
                "{name}"
            );
        }
        let dir = tempfile::tempdir().unwrap();
        let err = unpack(
            std::io::Cursor::new(&tar),
            "demo-1.0.tar.bz2",
            dir.path(),
            BIG,
        )
        .unwrap_err();
        assert!(err.to_string().contains(".tar.gz"), "{err}");
    }

    #[test]
    fn build_requires_with_pep_517_518_defaults() {
        let listed = "[build-system]\nrequires = [\"setuptools>=61\", \"wheel\"]\nbuild-backend = \"setuptools.build_meta\"\n";
        assert_eq!(
            build_requires(Some(listed)).unwrap(),
            ["setuptools>=61", "wheel"]
        );
        assert_eq!(
            build_requires(Some("[build-system]\nrequires = []\n")).unwrap(),
            Vec::<String>::new()
        );
        for absent in [None, Some("[project]\nname = \"x\"\n")] {
            assert_eq!(
                build_requires(absent).unwrap(),
                ["setuptools>=40.8.0", "wheel"]
            );
        }
        assert!(build_requires(Some("[build-system")).is_err());
    }
}
