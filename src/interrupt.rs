//! Interruption (SIGINT, SIGTERM): what a command leaves behind when it is stopped.
//!
//! Every temporary file or directory pinwheel makes is created through this module, which
//! records its path; every child process (Python build backends, `python -m venv`, pip) is
//! started through it too, in a process group of its own. On SIGINT or SIGTERM the watcher
//! ([`watch`]) kills the children's groups, removes the temporaries still on disk, says what
//! was interrupted and exits with 128 + the signal's number (130 for Ctrl-C, 143 for SIGTERM).
//! Creating a temporary and cleaning up take the same lock, and the exit happens with that
//! lock held, so nothing is created behind the clean-up's back. Finished outputs are only ever
//! renamed into place, so they are left as they were or complete.
//!
//! `kill -9` cannot be caught: temporaries then stay, named so the next run recognises and
//! removes them (`.pinwheel-*.part` in a wheelhouse, `.tmp-*` among build environments).

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::sync::Mutex;

#[derive(Default)]
struct Registry {
    /// Temporaries made this run (removed ones are skipped at clean-up).
    temps: Vec<PathBuf>,
    /// Running children by id: their process group ids.
    children: BTreeMap<u64, u32>,
    next: u64,
    /// What the command is doing, for the message.
    doing: String,
}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    temps: Vec::new(),
    children: BTreeMap::new(),
    next: 0,
    doing: String::new(),
});

fn registry() -> std::sync::MutexGuard<'static, Registry> {
    REGISTRY.lock().unwrap_or_else(|e| e.into_inner())
}

/// Says what the command is doing, in words that finish "interrupted while ...".
pub fn set_doing(what: impl Into<String>) {
    registry().doing = what.into();
}

fn remember<T>(
    made: io::Result<T>,
    path: impl FnOnce(&T) -> &Path,
    reg: &mut Registry,
) -> io::Result<T> {
    let made = made?;
    reg.temps.push(path(&made).to_path_buf());
    Ok(made)
}

/// A temporary file in `dir` named `{prefix}XXXXXX{suffix}`, removed on interruption.
pub fn temp_file_in(dir: &Path, prefix: &str, suffix: &str) -> io::Result<tempfile::NamedTempFile> {
    let mut reg = registry();
    let made = tempfile::Builder::new()
        .prefix(prefix)
        .suffix(suffix)
        .tempfile_in(dir);
    remember(made, |t| t.path(), &mut reg)
}

/// A temporary file in the system's temporary directory, removed on interruption.
pub fn temp_file() -> io::Result<tempfile::NamedTempFile> {
    temp_file_in(&std::env::temp_dir(), "pinwheel-", ".tmp")
}

/// A temporary directory in `dir`, removed on interruption.
pub fn temp_dir_in(dir: &Path, prefix: &str) -> io::Result<tempfile::TempDir> {
    let mut reg = registry();
    let made = tempfile::Builder::new().prefix(prefix).tempdir_in(dir);
    remember(made, |t| t.path(), &mut reg)
}

/// A temporary directory in the system's temporary directory, removed on interruption.
pub fn temp_dir(prefix: &str) -> io::Result<tempfile::TempDir> {
    temp_dir_in(&std::env::temp_dir(), prefix)
}

/// A running child, killed (with its process group) on interruption; forgotten when dropped.
pub struct ChildGuard(u64);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        registry().children.remove(&self.0);
    }
}

/// Starts `cmd` in a process group of its own, known to the clean-up until the guard drops.
pub fn spawn(cmd: &mut Command) -> io::Result<(Child, ChildGuard)> {
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        cmd.process_group(0);
    }
    let mut reg = registry();
    let child = cmd.spawn()?;
    reg.next += 1;
    let id = reg.next;
    reg.children.insert(id, child.id());
    Ok((child, ChildGuard(id)))
}

/// `cmd.output()`, with the child known to the clean-up while it runs.
pub fn output(cmd: &mut Command) -> io::Result<Output> {
    cmd.stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let (child, _guard) = spawn(cmd)?;
    child.wait_with_output()
}

/// Waits for SIGINT or SIGTERM, then cleans up, reports and exits; never returns otherwise.
/// `command` names the command for the message (`lock`, `wheelhouse`).
pub async fn watch(command: &'static str) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let (Ok(mut int), Ok(mut term)) = (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) else {
            return std::future::pending().await;
        };
        let (name, number) = tokio::select! {
            _ = int.recv() => ("SIGINT", libc::SIGINT),
            _ = term.recv() => ("SIGTERM", libc::SIGTERM),
        };
        clean_up_and_exit(command, name, number);
    }
    #[cfg(not(unix))]
    {
        if tokio::signal::ctrl_c().await.is_ok() {
            clean_up_and_exit(command, "Ctrl-C", 2);
        }
        std::future::pending::<()>().await
    }
}

fn clean_up_and_exit(command: &str, signal: &str, number: i32) -> ! {
    // Held until the exit: nothing new is created or started meanwhile.
    let reg = registry();
    #[cfg(unix)]
    for pgid in reg.children.values() {
        // SAFETY: kill(2) with a negative pid signals a process group; no memory is involved.
        unsafe {
            libc::kill(-(*pgid as i32), libc::SIGKILL);
        }
    }
    let mut removed = 0;
    let mut left = Vec::new();
    for path in reg.temps.iter().filter(|p| p.symlink_metadata().is_ok()) {
        // A killed child may still be letting go of files: a few tries.
        let gone = (0..5).any(|_| {
            let r = if path.is_dir() {
                std::fs::remove_dir_all(path)
            } else {
                std::fs::remove_file(path)
            };
            r.is_ok() || {
                std::thread::sleep(std::time::Duration::from_millis(20));
                false
            }
        });
        if gone {
            removed += 1;
        } else {
            left.push(path.display().to_string());
        }
    }
    let doing = if reg.doing.is_empty() {
        String::new()
    } else {
        format!(" while {}", reg.doing)
    };
    let cleaned = match (removed, left.is_empty()) {
        (_, false) => format!("could not remove {}", left.join(", ")),
        (0, true) => "no temporary files were left".to_string(),
        (1, true) => "1 temporary file or directory removed".to_string(),
        (n, true) => format!("{n} temporary files and directories removed"),
    };
    eprintln!("pinwheel {command}: interrupted by {signal}{doing}; {cleaned}");
    std::process::exit(128 + number)
}
