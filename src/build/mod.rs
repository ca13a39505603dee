//! PEP 517 metadata builds: for a source-only release whose PKG-INFO cannot be trusted (PEP 643),
//! run the project's own build backend with a host Python in an isolated environment (a fresh
//! venv holding only the declared build requirements, PEP 518) and read the METADATA it prepares.
//! Blocking IO: callers run it on a blocking thread.

use std::path::{Path, PathBuf};
use std::process::Command;

use url::Url;

use crate::index::IndexError;

/// The hook runner: imports the backend (honouring `backend-path`), installs what
/// `get_requires_for_build_wheel` asks for, then prepares metadata (or builds a wheel and reads it).
const HOOK: &str = r#"
import importlib, json, os, subprocess, sys, zipfile
src, out, backend, backend_path = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
os.chdir(src)
for p in reversed(backend_path):
    sys.path.insert(0, os.path.abspath(p))
mod_name, _, obj = backend.partition(":")
hooks = importlib.import_module(mod_name)
for part in filter(None, obj.split(".")):
    hooks = getattr(hooks, part)
extra = []
if hasattr(hooks, "get_requires_for_build_wheel"):
    extra = list(hooks.get_requires_for_build_wheel({}) or [])
if extra:
    subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"] + extra, stdout=sys.stderr)
if hasattr(hooks, "prepare_metadata_for_build_wheel"):
    d = hooks.prepare_metadata_for_build_wheel(out, {})
    print(os.path.join(out, d, "METADATA"))
else:
    whl = hooks.build_wheel(out, {})
    with zipfile.ZipFile(os.path.join(out, whl)) as z:
        name = next(n for n in z.namelist() if n.count("/") == 1 and n.endswith(".dist-info/METADATA"))
        target = os.path.join(out, "METADATA")
        with open(target, "wb") as f:
            f.write(z.read(name))
    print(target)
"#;

/// The Python that runs build backends: the one given, else `python3` from PATH.
pub fn build_python(python: Option<&Path>) -> PathBuf {
    python
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("python3"))
}

fn build_error(file: &str, python: &Path, reason: impl Into<String>) -> IndexError {
    IndexError::Build {
        file: file.to_string(),
        reason: reason.into(),
        python: python.display().to_string(),
    }
}

/// Builds the core metadata of the sdist `bytes` (named `filename`) and returns METADATA's bytes.
pub fn prepare_metadata(
    bytes: &[u8],
    filename: &str,
    project: &str,
    python: Option<&Path>,
    indexes: &[Url],
) -> Result<Vec<u8>, IndexError> {
    let host = build_python(python);
    let err = |file: &str, reason: String| build_error(file, &host, reason);
    let work = tempfile::tempdir().map_err(|e| err(filename, e.to_string()))?;
    let src_root = work.path().join("src");
    unpack(bytes, filename, &src_root).map_err(|e| err(filename, format!("cannot unpack: {e}")))?;
    let src = single_top_dir(&src_root).unwrap_or(src_root.clone());
    let (requires, backend, backend_path) = build_system(&src).map_err(|e| err(filename, e))?;
    let env = work.path().join("env");
    let mut venv = Command::new(&host);
    venv.arg("-m").arg("venv");
    if requires.is_empty() {
        venv.arg("--without-pip");
    }
    run(
        venv.arg(&env),
        &host,
        filename,
        &format!("creating a build environment with {}", host.display()),
    )?;
    let env_python = env.join("bin").join("python");
    // The indexes reach pip through its environment, credentials included: never on a command
    // line, where other users of the machine could read them.
    let mut pip_env: Vec<(&str, String)> = vec![("PIP_NO_INPUT", "1".into())];
    if let Some((first, rest)) = indexes.split_first() {
        pip_env.push(("PIP_INDEX_URL", first.to_string()));
        let extra: Vec<String> = rest.iter().map(Url::to_string).collect();
        pip_env.push(("PIP_EXTRA_INDEX_URL", extra.join(" ")));
    }
    if !requires.is_empty() {
        let mut pip = Command::new(&env_python);
        pip.args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ])
        .args(&requires)
        .envs(pip_env.iter().cloned())
        .stdin(std::process::Stdio::null());
        run(
            &mut pip,
            &host,
            filename,
            &format!(
                "installing the build requirements of {project} ({})",
                requires.join(", ")
            ),
        )?;
    }
    let out = work.path().join("out");
    std::fs::create_dir_all(&out).map_err(|e| err(filename, e.to_string()))?;
    let output = Command::new(&env_python)
        .arg("-c")
        .arg(HOOK)
        .arg(&src)
        .arg(&out)
        .arg(&backend)
        .arg(serde_json::to_string(&backend_path).unwrap_or_default())
        .envs(pip_env.iter().cloned())
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| {
            err(
                filename,
                format!("cannot run {}: {e}", env_python.display()),
            )
        })?;
    if !output.status.success() {
        return Err(err(
            filename,
            format!(
                "the build backend {backend} failed:\n{}",
                tail(&output.stderr)
            ),
        ));
    }
    let path = String::from_utf8_lossy(&output.stdout)
        .lines()
        .last()
        .unwrap_or("")
        .trim()
        .to_string();
    std::fs::read(&path).map_err(|e| {
        err(
            filename,
            format!("the backend wrote no METADATA ({path}): {e}"),
        )
    })
}

fn run(cmd: &mut Command, python: &Path, filename: &str, what: &str) -> Result<(), IndexError> {
    let output = cmd
        .output()
        .map_err(|e| build_error(filename, python, format!("{what}: {e}")))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(build_error(
            filename,
            python,
            format!("{what} failed:\n{}", tail(&output.stderr)),
        ))
    }
}

fn tail(stderr: &[u8]) -> String {
    let s = String::from_utf8_lossy(stderr);
    let lines: Vec<&str> = s.lines().collect();
    lines[lines.len().saturating_sub(15)..].join("\n")
}

/// `[build-system]` of pyproject.toml with PEP 517/518 defaults (setuptools' legacy backend).
fn build_system(src: &Path) -> Result<(Vec<String>, String, Vec<String>), String> {
    build_system_of(
        std::fs::read_to_string(src.join("pyproject.toml"))
            .ok()
            .as_deref(),
    )
}

/// `[build-system].requires` of an sdist's pyproject.toml (`None`: the sdist has none), with
/// pip's default for the legacy setuptools backend (`setuptools>=40.8.0` and `wheel`, which pip
/// 23 and 24 install for it) when the file, the table or the key is absent. Pure.
pub fn build_requires(pyproject: Option<&str>) -> Result<Vec<String>, String> {
    build_system_of(pyproject).map(|(requires, _, _)| requires)
}

/// `(requires, build-backend, backend-path)` of pyproject.toml's text, with the defaults.
fn build_system_of(pyproject: Option<&str>) -> Result<(Vec<String>, String, Vec<String>), String> {
    let legacy = (
        vec!["setuptools>=40.8.0".to_string(), "wheel".to_string()],
        "setuptools.build_meta:__legacy__".to_string(),
        Vec::new(),
    );
    let Some(text) = pyproject else {
        return Ok(legacy);
    };
    let doc: toml::Table = text
        .parse()
        .map_err(|e| format!("invalid pyproject.toml: {e}"))?;
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
        legacy.0.clone()
    };
    let backend = bs
        .get("build-backend")
        .and_then(|v| v.as_str())
        .map(str::to_string)
        .unwrap_or(legacy.1);
    Ok((requires, backend, strings("backend-path")))
}

fn unpack(bytes: &[u8], filename: &str, dest: &Path) -> std::io::Result<()> {
    use crate::dist::SdistExtension;
    std::fs::create_dir_all(dest)?;
    match SdistExtension::split(filename).map(|(_, ext)| ext) {
        Some(SdistExtension::Zip) => {
            let mut z =
                zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(std::io::Error::other)?;
            z.extract(dest).map_err(std::io::Error::other)
        }
        Some(SdistExtension::TarGz | SdistExtension::Tgz) => {
            unpack_tar(flate2::read::GzDecoder::new(bytes), dest)
        }
        Some(SdistExtension::Tar) => unpack_tar(bytes, dest),
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
            unpack(bytes, name, dir.path()).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(
                dir.path().join("demo-1.0/pyproject.toml").is_file(),
                "{name}"
            );
        }
        let dir = tempfile::tempdir().unwrap();
        let err = unpack(&tar, "demo-1.0.tar.bz2", dir.path()).unwrap_err();
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
