//! Live counters of long work, for a front end to show while a command runs: HTTP requests in
//! flight, the projects the resolver has decided a version of, the source builds running.
//! The core only counts (a few atomic operations); nothing reads these counters to decide
//! anything, so a lock's result never depends on them.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

static IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);
static REQUESTS: AtomicUsize = AtomicUsize::new(0);
static DECIDED: Mutex<Option<HashSet<String>>> = Mutex::new(None);
static BUILDS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// What is going on, at one moment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// Requests sent and not yet answered.
    pub in_flight: usize,
    /// Requests sent in all.
    pub requests: usize,
    /// Distinct projects the resolver has chosen a version of (backtracking included).
    pub decided: usize,
    /// Source distributions whose metadata is being built, oldest first.
    pub builds: Vec<String>,
}

/// The counters now.
pub fn snapshot() -> Snapshot {
    Snapshot {
        in_flight: IN_FLIGHT.load(Ordering::Relaxed),
        requests: REQUESTS.load(Ordering::Relaxed),
        decided: DECIDED
            .lock()
            .map(|d| d.as_ref().map_or(0, HashSet::len))
            .unwrap_or(0),
        builds: BUILDS.lock().map(|b| b.clone()).unwrap_or_default(),
    }
}

/// Counts a request in flight until the guard is dropped.
pub struct Request(());

/// A request is being sent.
pub fn request() -> Request {
    IN_FLIGHT.fetch_add(1, Ordering::Relaxed);
    REQUESTS.fetch_add(1, Ordering::Relaxed);
    Request(())
}

impl Drop for Request {
    fn drop(&mut self) {
        IN_FLIGHT.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The resolver chose a version of `project`.
pub fn decided(project: &str) {
    if let Ok(mut d) = DECIDED.lock() {
        let set = d.get_or_insert_with(HashSet::new);
        if !set.contains(project) {
            set.insert(project.to_string());
        }
    }
}

/// Names a running build until the guard is dropped.
pub struct Build(String);

/// A build of `file` started.
pub fn build(file: &str) -> Build {
    if let Ok(mut b) = BUILDS.lock() {
        b.push(file.to_string());
    }
    Build(file.to_string())
}

impl Drop for Build {
    fn drop(&mut self) {
        if let Ok(mut b) = BUILDS.lock() {
            if let Some(i) = b.iter().position(|f| *f == self.0) {
                b.remove(i);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // One test touches the process-wide counters, so that no other test races it.
    #[test]
    fn guards_count_while_alive() {
        let before = snapshot();
        let r = request();
        let b = build("demo-1.0.tar.gz");
        decided("demo-progress-test");
        decided("demo-progress-test");
        let during = snapshot();
        assert_eq!(during.in_flight, before.in_flight + 1);
        assert_eq!(during.requests, before.requests + 1);
        assert_eq!(during.decided, before.decided + 1);
        assert!(during.builds.contains(&"demo-1.0.tar.gz".to_string()));
        drop((r, b));
        let after = snapshot();
        assert_eq!(after.in_flight, before.in_flight);
        assert!(!after.builds.contains(&"demo-1.0.tar.gz".to_string()));
    }
}
