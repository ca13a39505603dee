//! The source tree of an sdist: unpacking its archive (`.tar.gz`, `.tgz`, `.tar`, `.zip`) and
//! reading `[build-system]` from its pyproject.toml with the PEP 517/518 defaults (setuptools'
//! legacy backend when the table or the file is absent). Pure but for the unpacking.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::BuildFailure;

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
    unpack(file, filename, dest).map_err(|e| BuildFailure::Unpack(Arc::new(e)))?;
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

fn unpack<R: std::io::Read + std::io::Seek>(
    archive: R,
    filename: &str,
    dest: &Path,
) -> std::io::Result<()> {
    use crate::distribution::SdistExtension;
    std::fs::create_dir_all(dest)?;
    match SdistExtension::split(filename).map(|(_, ext)| ext) {
        Some(SdistExtension::Zip) => {
            let mut z = zip::ZipArchive::new(archive).map_err(std::io::Error::other)?;
            z.extract(dest).map_err(std::io::Error::other)
        }
        Some(SdistExtension::TarGz | SdistExtension::Tgz) => unpack_tar(
            flate2::read::GzDecoder::new(std::io::BufReader::new(archive)),
            dest,
        ),
        Some(SdistExtension::Tar) => unpack_tar(std::io::BufReader::new(archive), dest),
        _ => Err(std::io::Error::other(
            "not a .tar.gz, .tgz, .tar or .zip archive",
        )),
    }
}

fn unpack_tar(reader: impl std::io::Read, dest: &Path) -> std::io::Result<()> {
    let mut ar = tar::Archive::new(reader);
    for entry in ar.entries()? {
        let mut entry = entry?;
        // unpack_in refuses paths that escape dest.
        entry.unpack_in(dest)?;
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
            unpack(std::io::Cursor::new(bytes), name, dir.path())
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(
                dir.path().join("demo-1.0/pyproject.toml").is_file(),
                "{name}"
            );
        }
        let dir = tempfile::tempdir().unwrap();
        let err = unpack(std::io::Cursor::new(&tar), "demo-1.0.tar.bz2", dir.path()).unwrap_err();
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
