//! Isolated build environments (PEP 517/518) made the way an installer makes them, not by pip:
//! the build requirements are resolved for the build interpreter by pinwheel's own resolver
//! (wheels only), the chosen wheels fetched through the index client (sha256-checked, kept in
//! the cache's files), and installed into `python -m venv --without-pip` by [`super::install`].
//!
//! An environment is named by a digest of the interpreter and the exact wheels (file names and
//! sha256), and kept in the cache (`build-envs-v1/<digest>`): it is built in a temporary sibling
//! and renamed into place, so a run sees a complete environment or none, and concurrent runs
//! that build the same one keep the first. The same resolved set reuses it, in this run and
//! later ones. When the requirements do not resolve to wheels, [`pip_env`] makes the
//! environment as before: a venv with pip, which installs them from the indexes.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;

use pep508_rs::{PackageName, VersionOrUrl};
use sha2::{Digest, Sha256};
use url::Url;

use super::install::{install_wheel, Layout};
use super::interpreter::{venv_layout, venv_python, Interpreter};
use super::BuildFailure;
use crate::index::IndexClient;
use crate::resolve::{Root, Settings};

/// The cache directory that holds build environments.
pub const ENVS_DIR: &str = "build-envs-v1";

/// Written last into a complete environment: what it holds.
const MARKER: &str = "pinwheel-build-env.txt";

/// A wheel chosen for a build environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChosenWheel {
    pub name: PackageName,
    pub version: pep440_rs::Version,
    pub filename: String,
    pub url: Url,
    /// The listed sha256, when the index gave one.
    pub sha256: Option<String>,
}

/// A ready environment.
#[derive(Debug, Clone)]
pub struct BuildEnv {
    pub python: PathBuf,
    pub scripts: PathBuf,
    /// What pinwheel installed in it; `None` for pip's environment.
    pub wheels: Option<Vec<ChosenWheel>>,
}

/// Resolves `requires` to one wheel per project for `interp`, with pinwheel's resolver and
/// `--only-binary :all:`. `Err` says why not (the caller falls back to pip).
pub async fn resolve_wheels(
    client: &IndexClient,
    interp: &Interpreter,
    requires: &[String],
    source: &str,
    exclude_newer: Option<i64>,
) -> Result<Vec<ChosenWheel>, BuildFailure> {
    resolve_wheels_for(client, &interp.target, requires, source, exclude_newer).await
}

/// Resolves `requires` to one wheel per project for `target` (`--only-binary :all:`): a build
/// environment's wheels for an interpreter, or what an image's pip would install to build an
/// sdist there.
pub async fn resolve_wheels_for(
    client: &IndexClient,
    target: &crate::platform::Target,
    requires: &[String],
    source: &str,
    exclude_newer: Option<i64>,
) -> Result<Vec<ChosenWheel>, BuildFailure> {
    let mut roots = Vec::new();
    for r in requires {
        let requirement =
            crate::distribution::pep508::requirement(r).map_err(|e| BuildFailure::Requirement {
                text: r.clone(),
                source: Arc::new(e),
            })?;
        roots.push(Root {
            requirement,
            source: source.to_string(),
        });
    }
    if roots.is_empty() {
        return Ok(Vec::new());
    }
    let settings = Settings {
        targets: vec![target.clone()],
        exclude_newer,
        only_binary_all: true,
        ..Settings::default()
    };
    let resolution = crate::resolve::resolve(client, roots, Vec::new(), settings)
        .await
        .map_err(|e| BuildFailure::Resolve(Arc::new(e)))?;
    let mut out = Vec::new();
    for pin in resolution.pins {
        let best = pin
            .files
            .iter()
            .filter_map(|c| c.wheel_for(target).map(|rank| (rank, c)))
            .min_by_key(|(rank, _)| *rank)
            .map(|(_, c)| c)
            .ok_or_else(|| BuildFailure::NoWheel {
                name: pin.name.to_string(),
                version: pin.version.to_string(),
                target: target.canonical(),
            })?;
        out.push(ChosenWheel {
            name: pin.name.clone(),
            version: pin.version.clone(),
            filename: best.file.filename.clone(),
            url: best.file.url(),
            sha256: best.file.sha256.clone(),
        });
    }
    out.sort_by(|a, b| a.filename.cmp(&b.filename));
    Ok(out)
}

/// The name of the environment holding `wheels` for `interp`: a digest of the interpreter
/// (path, version, platform) and of each wheel's file name and sha256 (its URL when the index
/// gave no hash). Pure.
pub fn env_key(interp: &Interpreter, wheels: &[ChosenWheel]) -> String {
    let mut h = Sha256::new();
    h.update(b"pinwheel build environment 1\n");
    h.update(format!(
        "{}\n{}\n{}\n",
        interp.executable.display(),
        interp.version,
        interp.target.canonical()
    ));
    let mut lines: Vec<String> = wheels
        .iter()
        .map(|w| {
            format!(
                "{} {}\n",
                w.filename,
                w.sha256.clone().unwrap_or_else(|| w.url.to_string())
            )
        })
        .collect();
    lines.sort();
    for l in lines {
        h.update(l);
    }
    hex::encode(&h.finalize()[..16])
}

/// The bytes of `wheel`: from the cache's files when there, else fetched through the client;
/// checked against the listed sha256 either way, and kept in the cache when verified.
pub async fn fetch_wheel(
    client: &IndexClient,
    wheel: &ChosenWheel,
) -> Result<Vec<u8>, BuildFailure> {
    let cached = wheel
        .sha256
        .as_ref()
        .and_then(|h| client.cache().map(|c| c.file_path(h)));
    if let (Some(path), Some(want)) = (&cached, &wheel.sha256) {
        if let Ok(bytes) = std::fs::read(path) {
            if hex::encode(Sha256::digest(&bytes)) == *want {
                return Ok(bytes);
            }
        }
    }
    let bytes = client
        .fetch_file(&wheel.url, wheel.sha256.as_deref())
        .await
        .map_err(|source| BuildFailure::Fetch {
            filename: wheel.filename.clone(),
            source,
        })?;
    if let Some(path) = cached {
        // Verified bytes only; a cache that cannot be written only costs a download later.
        let _ = crate::fs::write_atomic(&path, &bytes);
    }
    Ok(bytes)
}

/// Whether `root` holds a complete environment whose interpreter still runs there.
pub fn is_ready(root: &Path) -> bool {
    root.join(MARKER).is_file() && venv_python(root).exists()
}

/// The environment at `dest` holding `wheels` (bytes given): reused when complete, else built
/// in a temporary sibling and renamed into place. `Ok(true)` when it was reused (or another
/// run made it meanwhile).
pub fn materialize(
    interp: &Interpreter,
    dest: &Path,
    wheels: &[(ChosenWheel, Vec<u8>)],
) -> Result<bool, BuildFailure> {
    if is_ready(dest) {
        return Ok(true);
    }
    let parent = dest.parent().ok_or(BuildFailure::NoParent)?;
    std::fs::create_dir_all(parent).map_err(BuildFailure::file(parent))?;
    if dest.exists() {
        // Incomplete or broken (its base interpreter gone): made again.
        std::fs::remove_dir_all(dest).map_err(BuildFailure::file(dest))?;
    }
    remove_stale_temporaries(parent);
    let tmp = crate::interrupt::temp_dir_in(parent, ".tmp-").map_err(BuildFailure::file(parent))?;
    let root = tmp.path();
    create_venv(interp, root, false)?;
    let layout: Layout = venv_layout(interp, root, dest)?;
    let mut marker = format!(
        "python {} {} {}\n",
        interp.executable.display(),
        interp.version,
        interp.target.canonical()
    );
    for (wheel, bytes) in wheels {
        install_wheel(bytes, &wheel.filename, &layout)?;
        marker.push_str(&format!(
            "{} {}\n",
            wheel.filename,
            wheel.sha256.as_deref().unwrap_or("-")
        ));
    }
    std::fs::write(root.join(MARKER), marker).map_err(BuildFailure::file(root))?;
    let root = tmp.keep();
    match std::fs::rename(&root, dest) {
        Ok(()) => Ok(false),
        Err(_) if is_ready(dest) => {
            // Another run made the same environment first: keep theirs.
            let _ = std::fs::remove_dir_all(&root);
            Ok(true)
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&root);
            Err(BuildFailure::Move {
                dest: dest.to_path_buf(),
                source: Arc::new(e),
            })
        }
    }
}

/// Removes temporaries a killed run left (older than an hour: a live run's are younger).
fn remove_stale_temporaries(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let old = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age.as_secs() > 3600);
        if old && e.file_name().to_string_lossy().starts_with(".tmp-") {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// `python -m venv [--without-pip] root`.
fn create_venv(interp: &Interpreter, root: &Path, with_pip: bool) -> Result<(), BuildFailure> {
    let mut cmd = Command::new(&interp.executable);
    cmd.args(["-m", "venv"]);
    if !with_pip {
        cmd.arg("--without-pip");
    }
    run(
        cmd.arg(root),
        &format!("creating a build environment with {}", interp.name),
    )
}

/// pip's environment, for requirements pinwheel could not resolve to wheels: a venv with pip
/// in `root`, which installs `requires` from the indexes (`index_env`: pip's settings, with
/// their credentials).
pub fn pip_env(
    interp: &Interpreter,
    root: &Path,
    requires: &[String],
    project: &str,
    index_env: &[(&'static str, String)],
) -> Result<BuildEnv, BuildFailure> {
    create_venv(interp, root, !requires.is_empty())?;
    let env = BuildEnv {
        python: venv_python(root),
        scripts: venv_python(root)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default(),
        wheels: None,
    };
    pip_install(&env, requires, project, index_env)?;
    Ok(env)
}

/// `pip install requires` in pip's environment.
pub fn pip_install(
    env: &BuildEnv,
    requires: &[String],
    project: &str,
    index_env: &[(&'static str, String)],
) -> Result<(), BuildFailure> {
    if requires.is_empty() {
        return Ok(());
    }
    let mut pip = Command::new(&env.python);
    pip.args([
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
    ])
    .args(requires)
    .env("PIP_NO_INPUT", "1")
    .envs(index_env.iter().cloned())
    .stdin(Stdio::null());
    run(
        &mut pip,
        &format!(
            "installing the build requirements of {project} ({})",
            requires.join(", ")
        ),
    )
}

fn run(cmd: &mut Command, what: &str) -> Result<(), BuildFailure> {
    let output = crate::interrupt::output(cmd).map_err(|e| BuildFailure::Start {
        what: what.to_string(),
        source: Arc::new(e),
    })?;
    if output.status.success() {
        Ok(())
    } else {
        Err(BuildFailure::Command {
            what: what.to_string(),
            stderr_tail: super::hook::tail(&output.stderr),
        })
    }
}

/// The requirements of `extra` (what `get_requires_for_build_wheel` returned) that `installed`
/// does not already satisfy on `interp`: a requirement whose marker excludes the interpreter is
/// satisfied; one naming extras or a URL is not. Pure.
pub fn unsatisfied(
    extra: &[String],
    installed: &[ChosenWheel],
    interp: &Interpreter,
) -> Vec<String> {
    let env = interp.target.marker_env();
    extra
        .iter()
        .filter(|r| {
            let Ok(req) = crate::distribution::pep508::requirement::<pep508_rs::VerbatimUrl>(r)
            else {
                return true;
            };
            if !req.marker.evaluate(&env, &[]) {
                return false;
            }
            if !req.extras.is_empty() {
                return true;
            }
            !installed.iter().any(|w| {
                w.name == req.name
                    && match &req.version_or_url {
                        None => true,
                        Some(VersionOrUrl::VersionSpecifier(s)) => s.contains(&w.version),
                        Some(VersionOrUrl::Url(_)) => false,
                    }
            })
        })
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn interp() -> Interpreter {
        Interpreter {
            name: "python3".into(),
            executable: PathBuf::from("/usr/bin/python3.12"),
            target: crate::platform::Target::parse("cp312-manylinux_2_36_x86_64")
                .unwrap()
                .with_python_patch(4),
            version: "3.12.4".into(),
        }
    }

    fn wheel(name: &str, version: &str, sha: &str) -> ChosenWheel {
        ChosenWheel {
            name: PackageName::from_str(name).unwrap(),
            version: pep440_rs::Version::from_str(version).unwrap(),
            filename: format!("{name}-{version}-py3-none-any.whl"),
            url: Url::parse(&format!("https://files.example/{name}-{version}.whl")).unwrap(),
            sha256: Some(sha.into()),
        }
    }

    #[test]
    fn env_key_names_the_interpreter_and_the_exact_wheels() {
        let a = wheel("setuptools", "80.9.0", "aa");
        let b = wheel("wheel", "0.45.1", "bb");
        let key = env_key(&interp(), &[a.clone(), b.clone()]);
        assert_eq!(key.len(), 32);
        assert_eq!(key, env_key(&interp(), &[b.clone(), a.clone()]), "order");
        assert_ne!(key, env_key(&interp(), std::slice::from_ref(&a)));
        let rebuilt = ChosenWheel {
            sha256: Some("cc".into()),
            ..b.clone()
        };
        assert_ne!(key, env_key(&interp(), &[a.clone(), rebuilt]), "hash");
        let other_python = Interpreter {
            version: "3.12.5".into(),
            ..interp()
        };
        assert_ne!(key, env_key(&other_python, &[a, b]));
    }

    #[test]
    fn requirements_the_environment_already_satisfies() {
        let installed = [
            wheel("setuptools", "80.9.0", "aa"),
            wheel("wheel", "0.45.1", "bb"),
        ];
        let extra: Vec<String> = [
            "wheel",
            "setuptools>=64",
            "setuptools<70",
            "cython>=3",
            "tomli; python_version < '3.11'",
            "wheel[signatures]",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            unsatisfied(&extra, &installed, &interp()),
            ["setuptools<70", "cython>=3", "wheel[signatures]"]
        );
    }
}
