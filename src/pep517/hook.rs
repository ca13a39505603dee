//! The PEP 517 hooks, called in a build environment: first what else building a wheel needs
//! (`get_requires_for_build_wheel`), so that pinwheel resolves and installs it, then the goal:
//! the metadata (`prepare_metadata_for_build_wheel`, else `build_wheel`, whose METADATA is
//! read) or the wheel itself (`build_wheel`).
//!
//! One process asks the first hook, prints the answer on a line of its own (tagged: backends
//! print freely on stdout) and waits for pinwheel's word: when the environment already holds
//! everything, it goes on to the metadata in the same process (the backend is imported once);
//! otherwise it stops, pinwheel makes the environment that holds the rest, and a second
//! invocation there prepares the metadata. Blocking: runs processes.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;

use super::BuildFailure;

/// Tags the line that carries `get_requires_for_build_wheel`'s answer on the runner's stdout.
const ANSWER_TAG: &str = "pinwheel-hook-requires:";

/// The hook runner: `mode src out backend backend-path-json answer-file goal`. Imports the
/// backend honouring `backend-path` (PEP 517). Mode `requires` prints the extra requirements and
/// goes on only when told `continue` on stdin; both modes end writing the path of what the goal
/// (`metadata` or `wheel`) made to the answer file.
const HOOK: &str = r#"
import importlib, json, os, sys, zipfile
mode, src, out, backend, backend_path, answer, goal = sys.argv[1:8]
# pinwheel's word comes on stdin; the backend (and what it runs) reads an empty one, as before.
control = os.fdopen(os.dup(0), "r")
null = os.open(os.devnull, os.O_RDONLY)
os.dup2(null, 0)
sys.stdin = open(os.devnull)
os.chdir(src)
for p in reversed(json.loads(backend_path)):
    sys.path.insert(0, os.path.abspath(p))
mod_name, _, obj = backend.partition(":")
hooks = importlib.import_module(mod_name)
for part in filter(None, obj.split(".")):
    hooks = getattr(hooks, part)
if mode == "requires":
    extra = []
    if hasattr(hooks, "get_requires_for_build_wheel"):
        extra = [str(r) for r in hooks.get_requires_for_build_wheel({}) or []]
    sys.stdout.write("\n" + TAG + json.dumps(extra) + "\n")
    sys.stdout.flush()
    if control.readline().strip() != "continue":
        sys.exit(0)
# From here on the backend's output goes with its errors: a failure shows the last lines of both.
sys.stdout.flush()
os.dup2(2, 1)
if goal == "wheel":
    result = os.path.join(out, hooks.build_wheel(out, {}))
elif hasattr(hooks, "prepare_metadata_for_build_wheel"):
    d = hooks.prepare_metadata_for_build_wheel(out, {})
    result = os.path.join(out, d, "METADATA")
else:
    whl = hooks.build_wheel(out, {})
    with zipfile.ZipFile(os.path.join(out, whl)) as z:
        name = next(n for n in z.namelist() if n.count("/") == 1 and n.endswith(".dist-info/METADATA"))
        result = os.path.join(out, "METADATA")
        with open(result, "wb") as f:
            f.write(z.read(name))
with open(answer, "w") as f:
    f.write(result)
"#;

/// Where and how to call the backend.
#[derive(Debug, Clone)]
pub struct Call<'a> {
    /// The environment's interpreter.
    pub python: &'a Path,
    /// The environment's scripts directory, put first on PATH (backends run tools they require).
    pub scripts: &'a Path,
    pub src: &'a Path,
    /// The directory the hooks write into (`metadata_directory`, `wheel_directory`).
    pub out: &'a Path,
    /// pinwheel's own files for the call (the answer, the backend's stderr).
    pub work: &'a Path,
    pub backend: &'a str,
    pub backend_path: &'a [String],
    /// Extra environment variables (pip's index settings when pip is in the environment).
    pub env: &'a [(&'static str, String)],
    /// Let Python write bytecode into the environment (`PYTHONDONTWRITEBYTECODE` unset): the
    /// first import of a kept environment's modules compiles them once for every later build,
    /// as pip compiles what it installs whatever that variable says.
    pub write_bytecode: bool,
    /// What the call makes.
    pub goal: Goal,
}

/// What a build makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Goal {
    /// The core metadata (METADATA's bytes).
    Metadata,
    /// The wheel (`build_wheel`): its path.
    Wheel,
}

/// What the first invocation ended with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The environment held everything: the path of what the goal made (METADATA or the wheel).
    Done(PathBuf),
    /// The backend needs these too (what `get_requires_for_build_wheel` returned).
    NeedsMore(Vec<String>),
}

/// Asks `get_requires_for_build_wheel`; when `holds` says the environment already satisfies
/// the answer, goes on to the goal in the same process.
pub fn requires_then_metadata(
    c: &Call,
    holds: impl FnOnce(&[String]) -> bool,
) -> Result<Outcome, BuildFailure> {
    let (mut child, _running, answer, stderr) = spawn(c, "requires")?;
    let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
    let mut extra = None;
    let mut line = String::new();
    while stdout
        .read_line(&mut line)
        .map_err(|e| BuildFailure::Runner(Arc::new(e)))?
        > 0
    {
        if let Some(json) = line.trim_end().strip_prefix(ANSWER_TAG) {
            extra = Some(serde_json::from_str::<Vec<String>>(json).map_err(|e| {
                BuildFailure::BadRequires {
                    backend: c.backend.to_string(),
                    source: Arc::new(e),
                }
            })?);
            break;
        }
        line.clear();
    }
    let go_on = extra.as_deref().is_some_and(holds);
    if let Some(mut stdin) = child.stdin.take() {
        // A runner that already died reads nothing: its status tells below.
        let _ = stdin.write_all(if go_on {
            b"continue
"
        } else {
            b"stop
"
        });
    }
    // The backend's own output, read to the end so that it never blocks on a full pipe.
    let _ = std::io::copy(&mut stdout, &mut std::io::sink());
    finish(c, child, &stderr)?;
    match extra {
        Some(_) if go_on => read_answer(&answer).map(Outcome::Done),
        Some(extra) => Ok(Outcome::NeedsMore(extra)),
        None => Err(BuildFailure::NoRequiresAnswer {
            backend: c.backend.to_string(),
        }),
    }
}

/// Makes the goal (the second invocation, in the environment that holds everything): the path
/// of the METADATA or wheel made.
pub fn finish_goal(c: &Call) -> Result<PathBuf, BuildFailure> {
    let (mut child, _running, answer, stderr) = spawn(c, "metadata")?;
    if let Some(mut out) = child.stdout.take() {
        let _ = std::io::copy(&mut out, &mut std::io::sink());
    }
    finish(c, child, &stderr)?;
    read_answer(&answer)
}

/// Starts the runner in `mode`: stdin and stdout piped, stderr to a file (read on failure).
fn spawn(
    c: &Call,
    mode: &str,
) -> Result<
    (
        std::process::Child,
        crate::interrupt::ChildGuard,
        PathBuf,
        PathBuf,
    ),
    BuildFailure,
> {
    let answer = c.work.join(format!("{mode}-answer.txt"));
    let stderr_path = c.work.join(format!("{mode}-stderr.txt"));
    let stderr = std::fs::File::create(&stderr_path).map_err(BuildFailure::file(&stderr_path))?;
    let path = match std::env::var_os("PATH") {
        Some(p) => std::env::join_paths(
            std::iter::once(c.scripts.to_path_buf()).chain(std::env::split_paths(&p)),
        )
        .unwrap_or(p),
        None => c.scripts.as_os_str().to_owned(),
    };
    let mut cmd = Command::new(c.python);
    if c.write_bytecode {
        cmd.env_remove("PYTHONDONTWRITEBYTECODE");
    }
    cmd.arg("-c")
        .arg(HOOK.replace("TAG", &format!("{ANSWER_TAG:?}")))
        .arg(mode)
        .arg(c.src)
        .arg(c.out)
        .arg(c.backend)
        .arg(serde_json::to_string(c.backend_path).unwrap_or_default())
        .arg(&answer)
        .arg(match c.goal {
            Goal::Metadata => "metadata",
            Goal::Wheel => "wheel",
        })
        .env("PATH", path)
        .envs(c.env.iter().cloned())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(stderr);
    let (child, running) = crate::interrupt::spawn(&mut cmd).map_err(|e| BuildFailure::Spawn {
        program: c.python.to_path_buf(),
        source: Arc::new(e),
    })?;
    Ok((child, running, answer, stderr_path))
}

/// Waits for the runner; a failure carries the end of its standard error.
fn finish(c: &Call, mut child: std::process::Child, stderr: &Path) -> Result<(), BuildFailure> {
    let status = child
        .wait()
        .map_err(|e| BuildFailure::Runner(Arc::new(e)))?;
    if status.success() {
        return Ok(());
    }
    let mut text = Vec::new();
    if let Ok(mut f) = std::fs::File::open(stderr) {
        let _ = f.read_to_end(&mut text);
    }
    Err(BuildFailure::Backend {
        backend: c.backend.to_string(),
        stderr_tail: tail(&text),
    })
}

/// The path the runner wrote to the answer file, checked to exist.
fn read_answer(answer: &Path) -> Result<PathBuf, BuildFailure> {
    let path = std::fs::read_to_string(answer).map_err(|e| BuildFailure::NoAnswer {
        answer: answer.to_path_buf(),
        source: Arc::new(e),
    })?;
    let path = PathBuf::from(path.trim());
    if !path.is_file() {
        return Err(BuildFailure::NothingMade { path });
    }
    Ok(path)
}

/// The last lines of a process's standard error.
pub fn tail(stderr: &[u8]) -> String {
    let s = String::from_utf8_lossy(stderr);
    let lines: Vec<&str> = s.lines().collect();
    lines[lines.len().saturating_sub(15)..].join("\n")
}
