//! The Python that runs build backends: what it is (version and platform, as a [`Target`] the
//! build requirements are resolved for) and where it lives (`sys.executable`, past shims such
//! as pyenv's, so that later runs skip them), and the install scheme of a venv it made
//! (`sysconfig` paths, asked of the venv's own interpreter). Blocking: runs processes.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use super::install::Layout;
use super::BuildFailure;
use crate::platform::Target;

/// A build interpreter.
#[derive(Debug, Clone)]
pub struct Interpreter {
    /// As the user named it (`python3`), for messages.
    pub name: String,
    /// `sys.executable`.
    pub executable: PathBuf,
    pub target: Target,
    /// `major.minor.patch`.
    pub version: String,
}

impl Interpreter {
    /// Asks `name` (a command on PATH or a path) what it is.
    pub fn detect(name: &str) -> Result<Interpreter, crate::platform::TargetError> {
        let (target, report) = Target::of_interpreter(name)?;
        let (major, minor, patch) = report.version;
        let executable = if report.executable.is_empty() {
            PathBuf::from(name)
        } else {
            PathBuf::from(&report.executable)
        };
        Ok(Interpreter {
            name: name.to_string(),
            executable,
            target,
            version: format!("{major}.{minor}.{patch}"),
        })
    }

    /// `python3.12`, as venv layouts name their directories.
    pub fn short(&self) -> String {
        let (major, minor) = self.target.python_version();
        format!("python{major}.{minor}")
    }
}

/// The interpreter of the venv at `root`.
pub fn venv_python(root: &Path) -> PathBuf {
    if cfg!(windows) {
        root.join("Scripts").join("python.exe")
    } else {
        root.join("bin").join("python")
    }
}

/// The install scheme of the venv at `root` (asked of its interpreter), with scripts naming
/// `final_root`'s interpreter: the venv is built in one place and renamed to another.
pub fn venv_layout(
    interp: &Interpreter,
    root: &Path,
    final_root: &Path,
) -> Result<Layout, BuildFailure> {
    let python = venv_python(root);
    let out = crate::interrupt::output(Command::new(&python).args([
        "-I",
        "-c",
        "import sysconfig\nfor k in ('purelib', 'platlib', 'scripts', 'data'):\n    print(sysconfig.get_path(k))",
    ]))
        .map_err(|e| BuildFailure::Spawn {
            program: python.clone(),
            source: Arc::new(e),
        })?;
    if !out.status.success() {
        return Err(BuildFailure::InstallPathsFailed {
            python,
            stderr_tail: super::hook::tail(&out.stderr),
        });
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let paths: Vec<PathBuf> = text.lines().map(PathBuf::from).collect();
    let [purelib, platlib, scripts, data] = paths.as_slice() else {
        return Err(BuildFailure::NoInstallPaths {
            python,
            output: text.into_owned(),
        });
    };
    // Places outside the venv would be written by every build: refuse them.
    let real = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    for p in [purelib, platlib, scripts, data] {
        if !real(p).starts_with(real(root)) {
            return Err(BuildFailure::InstallPathOutside {
                path: p.clone(),
                root: root.to_path_buf(),
            });
        }
    }
    Ok(Layout {
        purelib: purelib.clone(),
        platlib: platlib.clone(),
        scripts: scripts.clone(),
        // pip's headers directory in a venv.
        headers: root.join("include").join("site").join(interp.short()),
        data: data.clone(),
        python: venv_python(final_root),
    })
}
