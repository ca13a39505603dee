//! Name resolution for the HTTP clients: one lookup per host per run, shared by every
//! connection. Without it each new connection calls getaddrinfo on its own, and dozens of
//! concurrent lookups for the same host made resolvers here stall for their 5 s timeout (or
//! fail outright), which showed as whole runs taking 5 or 10 s longer.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use tokio::sync::OnceCell;

type Lookup = Arc<OnceCell<Result<Vec<SocketAddr>, String>>>;

#[derive(Default)]
pub struct SharedResolver {
    hosts: Mutex<HashMap<String, Lookup>>,
}

impl Resolve for SharedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        let cell = self
            .hosts
            .lock()
            .unwrap()
            .entry(host.clone())
            .or_default()
            .clone();
        Box::pin(async move {
            let addrs = cell
                .get_or_init(|| async {
                    // A transient resolver failure is retried a few times before giving up.
                    let mut last = String::new();
                    for attempt in 0..3u64 {
                        match tokio::net::lookup_host((host.as_str(), 0)).await {
                            Ok(a) => return Ok(a.collect::<Vec<_>>()),
                            Err(e) => last = e.to_string(),
                        }
                        tokio::time::sleep(std::time::Duration::from_millis(100 * (attempt + 1)))
                            .await;
                    }
                    Err(last)
                })
                .await
                .clone();
            match addrs {
                Ok(list) => Ok(Box::new(list.into_iter()) as Addrs),
                Err(e) => Err(format!("cannot resolve {host}: {e}").into()),
            }
        })
    }
}
