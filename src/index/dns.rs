//! Name resolution for the HTTP clients: one lookup per host per run, shared by every
//! connection. Without it each new connection calls getaddrinfo on its own, and dozens of
//! concurrent lookups for the same host made resolvers here stall for their 5 s timeout (or
//! fail outright), which showed as whole runs taking 5 or 10 s longer.
//!
//! Only answers are kept: a lookup that fails (after a few quick retries) is reported to the
//! request that asked, and the next request for that host looks it up again, so a transient
//! resolver failure costs one request's retries, not the rest of the run.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::BoxFuture;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use tokio::sync::OnceCell;

/// How a host name becomes addresses (the system resolver, or a stand-in in tests).
pub type LookupFn =
    dyn Fn(String) -> BoxFuture<'static, std::io::Result<Vec<SocketAddr>>> + Send + Sync;

/// A host name that did not resolve, with the last try's error.
#[derive(Debug, thiserror::Error)]
#[error("cannot resolve {host}: {source}")]
pub struct LookupError {
    pub host: String,
    #[source]
    pub source: std::io::Error,
}

/// Tries per lookup before a failure is reported; the pause before try `n` is `n × 100 ms`.
const TRIES: u64 = 3;

pub struct SharedResolver {
    /// Each host's addresses, once a lookup has succeeded.
    hosts: Mutex<HashMap<String, Arc<OnceCell<Vec<SocketAddr>>>>>,
    lookup: Arc<LookupFn>,
}

impl Default for SharedResolver {
    fn default() -> Self {
        Self::with_lookup(Arc::new(|host: String| {
            Box::pin(async move {
                tokio::net::lookup_host((host.as_str(), 0))
                    .await
                    .map(|a| a.collect())
            }) as BoxFuture<'static, _>
        }))
    }
}

impl SharedResolver {
    pub fn with_lookup(lookup: Arc<LookupFn>) -> Self {
        SharedResolver {
            hosts: Mutex::default(),
            lookup,
        }
    }

    /// The addresses of `host`: the remembered answer, else a lookup (retried a few times)
    /// that is remembered only when it succeeds. Concurrent callers share one lookup.
    pub fn addrs(&self, host: &str) -> BoxFuture<'static, Result<Vec<SocketAddr>, LookupError>> {
        let cell = self
            .hosts
            .lock()
            .unwrap()
            .entry(host.to_string())
            .or_default()
            .clone();
        let lookup = self.lookup.clone();
        let host = host.to_string();
        Box::pin(async move {
            cell.get_or_try_init(|| async {
                let mut attempt = 1;
                loop {
                    match lookup(host.clone()).await {
                        Ok(a) => return Ok(a),
                        Err(source) if attempt == TRIES => {
                            return Err(LookupError {
                                host: host.clone(),
                                source,
                            })
                        }
                        Err(_) => {}
                    }
                    tokio::time::sleep(Duration::from_millis(100 * attempt)).await;
                    attempt += 1;
                }
            })
            .await
            .cloned()
        })
    }
}

impl Resolve for SharedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let addrs = self.addrs(name.as_str());
        Box::pin(async move {
            let list = addrs.await?;
            Ok(Box::new(list.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    /// A resolver whose first `failures` lookups fail, counting every lookup.
    fn flaky(failures: u32) -> (SharedResolver, Arc<AtomicU32>) {
        let calls = Arc::new(AtomicU32::new(0));
        let c = calls.clone();
        let lookup: Arc<LookupFn> = Arc::new(move |_host: String| {
            let n = c.fetch_add(1, Ordering::SeqCst);
            Box::pin(async move {
                if n < failures {
                    Err(std::io::Error::other(
                        "temporary failure in name resolution",
                    ))
                } else {
                    Ok(vec![SocketAddr::from(([127, 0, 0, 1], 0))])
                }
            }) as BoxFuture<'static, _>
        });
        (SharedResolver::with_lookup(lookup), calls)
    }

    #[tokio::test]
    async fn a_failed_lookup_is_retried_by_the_next_request() {
        // Every try of the first request fails.
        let (r, calls) = flaky(TRIES as u32);
        let err = r.addrs("pkgs.example").await.unwrap_err().to_string();
        assert!(
            err.contains("pkgs.example") && err.contains("temporary"),
            "{err}"
        );
        assert_eq!(calls.load(Ordering::SeqCst), TRIES as u32);
        // The next request looks the host up again, and succeeds.
        let ok = r.addrs("pkgs.example").await.unwrap();
        assert_eq!(ok, vec![SocketAddr::from(([127, 0, 0, 1], 0))]);
        assert_eq!(calls.load(Ordering::SeqCst), TRIES as u32 + 1);
        // An answer is kept: no more lookups.
        r.addrs("pkgs.example").await.unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), TRIES as u32 + 1);
    }

    #[tokio::test]
    async fn concurrent_requests_share_one_lookup() {
        let (r, calls) = flaky(0);
        let (a, b) = tokio::join!(r.addrs("pkgs.example"), r.addrs("pkgs.example"));
        assert_eq!(a.unwrap(), b.unwrap());
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn the_resolve_trait_reports_failures_with_the_host() {
        let (r, _) = flaky(u32::MAX);
        let name: Name = "pkgs.example".parse().unwrap();
        let err = match r.resolve(name).await {
            Ok(_) => panic!("resolved"),
            Err(e) => e.to_string(),
        };
        assert!(err.contains("cannot resolve pkgs.example"), "{err}");
    }
}
