//! Advisory file locks (`flock(2)`), as pip and uv take on their caches: a process that holds
//! one has the thing it guards to itself until the lock file is closed, which the kernel does
//! when the process ends, however it ends (even `kill -9`), so a lock is never left stale.
//! A lock may be taken on a directory itself (Linux and the BSDs lock a directory's open
//! descriptor like a file's), so that it leaves no file behind.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

/// An exclusive lock, held until dropped.
#[derive(Debug)]
pub struct Held {
    _file: File,
}

fn open(path: &Path) -> io::Result<File> {
    if path.is_dir() {
        return File::open(path);
    }
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
}

#[cfg(unix)]
fn flock(file: &File, nonblocking: bool) -> io::Result<bool> {
    use std::os::unix::io::AsRawFd;
    let op = libc::LOCK_EX | if nonblocking { libc::LOCK_NB } else { 0 };
    loop {
        // SAFETY: flock(2) on a descriptor this `File` owns for the whole call.
        if unsafe { libc::flock(file.as_raw_fd(), op) } == 0 {
            return Ok(true);
        }
        let e = io::Error::last_os_error();
        match e.raw_os_error() {
            Some(libc::EINTR) => continue,
            Some(libc::EWOULDBLOCK) if nonblocking => return Ok(false),
            _ => return Err(e),
        }
    }
}

#[cfg(not(unix))]
fn flock(_file: &File, _nonblocking: bool) -> io::Result<bool> {
    Ok(true)
}

/// Takes the lock at `path` (a directory, or a file created if missing) without waiting: `None` when another
/// process holds it.
pub fn try_lock(path: &Path) -> io::Result<Option<Held>> {
    let file = open(path)?;
    Ok(flock(&file, true)?.then(|| Held { _file: file }))
}

/// Takes the lock at `path`, waiting as long as another process holds it (blocks the thread).
pub fn lock(path: &Path) -> io::Result<Held> {
    let file = open(path)?;
    flock(&file, false)?;
    Ok(Held { _file: file })
}

#[cfg(all(test, unix))]
mod tests {
    #[test]
    fn a_held_lock_is_refused_until_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".lock");
        let held = super::try_lock(&path).unwrap().expect("free");
        // flock locks belong to the open file description: a second open is another owner.
        assert!(super::try_lock(&path).unwrap().is_none());
        drop(held);
        assert!(super::try_lock(&path).unwrap().is_some());
        let on_dir = super::try_lock(dir.path()).unwrap().expect("free");
        assert!(super::try_lock(dir.path()).unwrap().is_none());
        drop(on_dir);
    }
}
