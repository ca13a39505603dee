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
src, out, backend, backend_path, pip_args = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4]), json.loads(sys.argv[5])
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
    subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"] + pip_args + extra, stdout=sys.stderr)
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

fn err(file: &str, reason: impl Into<String>) -> IndexError {
    IndexError::Build {
        file: file.to_string(),
        reason: reason.into(),
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
    let work = tempfile::tempdir().map_err(|e| err(filename, e.to_string()))?;
    let src_root = work.path().join("src");
    unpack(bytes, filename, &src_root).map_err(|e| err(filename, format!("cannot unpack: {e}")))?;
    let src = single_top_dir(&src_root).unwrap_or(src_root.clone());
    let (requires, backend, backend_path) = build_system(&src).map_err(|e| err(filename, e))?;
    let host = python
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("python3"));
    let env = work.path().join("env");
    let mut venv = Command::new(&host);
    venv.arg("-m").arg("venv");
    if requires.is_empty() {
        venv.arg("--without-pip");
    }
    run(
        venv.arg(&env),
        filename,
        &format!("creating a build environment with {}", host.display()),
    )?;
    let env_python = env.join("bin").join("python");
    let mut pip_args: Vec<String> = Vec::new();
    for (i, u) in indexes.iter().enumerate() {
        pip_args.push(if i == 0 {
            "--index-url".into()
        } else {
            "--extra-index-url".into()
        });
        pip_args.push(u.to_string());
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
        .args(&pip_args)
        .args(&requires);
        run(
            &mut pip,
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
        .arg(serde_json::to_string(&pip_args).unwrap_or_default())
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

fn run(cmd: &mut Command, filename: &str, what: &str) -> Result<(), IndexError> {
    let output = cmd
        .output()
        .map_err(|e| err(filename, format!("{what}: {e}")))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(err(
            filename,
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

/// `[build-system].requires` of an sdist's pyproject.toml (`None`: the sdist has none), with the
/// PEP 517/518 default (`setuptools>=40.8.0`, as pip) when the file, the table or the key is
/// absent. Pure.
pub fn build_requires(pyproject: Option<&str>) -> Result<Vec<String>, String> {
    build_system_of(pyproject).map(|(requires, _, _)| requires)
}

/// `(requires, build-backend, backend-path)` of pyproject.toml's text, with the defaults.
fn build_system_of(pyproject: Option<&str>) -> Result<(Vec<String>, String, Vec<String>), String> {
    let legacy = (
        vec!["setuptools>=40.8.0".to_string()],
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
    std::fs::create_dir_all(dest)?;
    if filename.ends_with(".zip") {
        let mut z =
            zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(std::io::Error::other)?;
        z.extract(dest).map_err(std::io::Error::other)
    } else {
        let gz = flate2::read::GzDecoder::new(bytes);
        let mut ar = tar::Archive::new(gz);
        for entry in ar.entries()? {
            let mut entry = entry?;
            // unpack_in refuses paths that escape dest.
            entry.unpack_in(dest)?;
        }
        Ok(())
    }
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
    use super::build_requires;

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
            assert_eq!(build_requires(absent).unwrap(), ["setuptools>=40.8.0"]);
        }
        assert!(build_requires(Some("[build-system")).is_err());
    }
}
