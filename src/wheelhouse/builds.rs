//! Building the wheelhouse's sdists into wheels: for an sdist some targets would have to build
//! in the image, run its backend's `build_wheel` (PEP 517) on this machine, in an isolated
//! environment of its build requirements (resolved and fetched by pinwheel, see `pep517`), with
//! `SOURCE_DATE_EPOCH` set; retag a `linux_*` result with the machine's libc; keep it in the
//! build cache; and tell, per target, whether the wheel serves it ([`super::build::serves`]).
//!
//! The machine's `python3` builds first. A pure result serves every target; a platform result
//! serves the targets of that interpreter, and each other Python minor among the targets is
//! built again by that Python's interpreter (`python3.Y` on PATH) when the machine has one.
//! IO: runs builds, reads and writes the cache.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::build::{cache_key, serves, BuildCache, BuiltFrom, BuiltRecord};
use crate::distribution::retag;
use crate::index::IndexClient;
use crate::pep517::hook::Goal;
use crate::pep517::{BuildOptions, Builder};
use crate::platform::Target;

/// One sdist to build, with the targets that would otherwise install it from source.
#[derive(Debug, Clone)]
pub struct Job {
    pub project: String,
    pub sdist: String,
    pub sdist_sha256: String,
    /// The sdist, verified, in the wheelhouse.
    pub path: PathBuf,
    pub targets: Vec<Target>,
}

/// A wheel a job built (or found in the cache).
#[derive(Debug, Clone)]
pub struct Wheel {
    pub record: BuiltRecord,
    /// The wheel's bytes, in the build cache.
    pub path: PathBuf,
    pub from_cache: bool,
}

/// What became of a job.
#[derive(Debug, Default)]
pub struct Outcome {
    pub wheels: Vec<Wheel>,
    /// Target (canonical) to the index in `wheels` of the wheel that serves it.
    pub served: BTreeMap<String, usize>,
    /// Targets that keep the sdist, and why.
    pub not_served: BTreeMap<String, String>,
    /// The build failed: what the backend said (the sdist stays for every target left).
    pub failure: Option<String>,
}

/// The builders of a run, one per interpreter (environments are memoised in each), and where
/// built wheels are kept.
pub struct Builds {
    builders: std::sync::Mutex<HashMap<String, Arc<Builder>>>,
    cache: BuildCache,
    /// Holds the cache's directory when the run has no cache.
    _scratch: Option<tempfile::TempDir>,
    source_date_epoch: i64,
    /// The lock's `--exclude-newer` cut-off: build requirements resolve as of then.
    exclude_newer: Option<i64>,
}

impl Builds {
    /// `cache_root`: the run's cache (`None`: built wheels are kept for this run only);
    /// `exclude_newer`: the cut-off for the build requirements (the lock's).
    pub fn new(cache_root: Option<&Path>, exclude_newer: Option<i64>) -> std::io::Result<Self> {
        let (cache, scratch) = match cache_root {
            Some(root) => (BuildCache::new(root), None),
            None => {
                let dir = crate::interrupt::temp_dir("pinwheel-built-")?;
                (BuildCache::new(dir.path()), Some(dir))
            }
        };
        let source_date_epoch = std::env::var("SOURCE_DATE_EPOCH")
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(super::build::DEFAULT_SOURCE_DATE_EPOCH);
        Ok(Builds {
            builders: Default::default(),
            exclude_newer,
            cache,
            _scratch: scratch,
            source_date_epoch,
        })
    }

    fn builder(&self, python: &str) -> Arc<Builder> {
        self.builders
            .lock()
            .unwrap()
            .entry(python.to_string())
            .or_insert_with(|| {
                Arc::new(Builder::new(BuildOptions {
                    python: Some(PathBuf::from(python)),
                    exclude_newer: self.exclude_newer,
                }))
            })
            .clone()
    }

    /// Builds `job` for its targets (or finds the wheels in the cache).
    pub async fn run(&self, client: &IndexClient, job: &Job) -> Outcome {
        let mut out = Outcome::default();
        let mut left: Vec<Target> = job.targets.clone();
        let mut pythons: Vec<String> = vec!["python3".to_string()];
        let mut tried: Vec<String> = Vec::new();
        while let Some(python) = pythons.pop() {
            tried.push(python.clone());
            let builder = self.builder(&python);
            let built_on = match builder.build_interpreter().await {
                Ok(i) => i.target.clone(),
                // Another minor's interpreter that is not there: the reason stays as it is.
                Err(_) if python != "python3" => continue,
                Err(e) => {
                    out.failure = Some(e.to_string());
                    break;
                }
            };
            let wheel = match self.one(client, &builder, &built_on, job).await {
                Ok(w) => w,
                Err(e) => {
                    out.failure = Some(e);
                    break;
                }
            };
            let index = out.wheels.len();
            let mut still = Vec::new();
            for t in left {
                match serves(wheel.record.pure, &wheel.record.tags, &built_on, &t) {
                    Ok(()) => {
                        out.not_served.remove(&t.canonical());
                        out.served.insert(t.canonical(), index);
                    }
                    Err(why) => {
                        if why.other_python_would_do() {
                            let (major, minor) = t.python_version();
                            let ft = if t.python.free_threaded { "t" } else { "" };
                            let other = format!("python{major}.{minor}{ft}");
                            if !tried.contains(&other) && !pythons.contains(&other) {
                                pythons.push(other);
                            }
                        }
                        out.not_served.insert(t.canonical(), why.to_string());
                        still.push(t);
                    }
                }
            }
            out.wheels.push(wheel);
            left = still;
            if left.is_empty() {
                break;
            }
        }
        // A Python minor with no interpreter here keeps its reason (no python3.Y to build with).
        out
    }

    /// The wheel `builder`'s interpreter makes of the job's sdist: from the cache when built
    /// before with the same build requirements, else built and kept.
    async fn one(
        &self,
        client: &IndexClient,
        builder: &Builder,
        built_on: &Target,
        job: &Job,
    ) -> Result<Wheel, String> {
        let requires = {
            let path = job.path.clone();
            tokio::task::spawn_blocking(move || super::sdist_build_requires(&path))
                .await
                .map_err(|e| e.to_string())??
        };
        let env_wheels = builder
            .environment_wheels(client, &requires, &job.sdist)
            .await
            .map_err(|e| e.reason.to_string())?;
        let wheel_lines: Vec<String> = env_wheels
            .iter()
            .flatten()
            .map(|w| {
                format!(
                    "{} sha256:{}",
                    w.filename,
                    w.sha256.as_deref().unwrap_or("-")
                )
            })
            .collect();
        let key = cache_key(&job.sdist_sha256, built_on, &wheel_lines, &requires);
        if let Some((record, path)) = self.cache.lookup(&job.sdist_sha256, &key) {
            tracing::debug!(target: "build", "{}: wheel {} from the cache",
                job.sdist,
                record.wheel
            );
            return Ok(Wheel {
                record,
                path,
                from_cache: true,
            });
        }
        let built = builder
            .build(
                client,
                &job.path,
                &job.sdist,
                &job.project,
                Goal::Wheel,
                vec![("SOURCE_DATE_EPOCH", self.source_date_epoch.to_string())],
            )
            .await
            .map_err(|e| e.reason.to_string())?;
        let mut filename = built
            .output
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut bytes =
            std::fs::read(&built.output).map_err(|e| format!("{}: {e}", built.output.display()))?;
        let mut info = retag::wheel_info(&bytes)
            .map_err(|e| format!("the backend made {filename}, not a valid wheel: {e}"))?;
        if !info.is_pure() && matches!(built_on.platform, crate::platform::Platform::Linux { .. }) {
            if let Some((name, new)) =
                retag::retag_linux(&bytes, &filename, &built_on.platform.tag())
                    .map_err(|e| format!("cannot retag {filename}: {e}"))?
            {
                tracing::debug!(target: "build", "{}: {filename} retagged {name}", job.sdist);
                filename = name;
                bytes = new;
                info = retag::wheel_info(&bytes)?;
            }
        }
        use sha2::Digest;
        let record = BuiltRecord {
            wheel: filename,
            sha256: hex::encode(sha2::Sha256::digest(&bytes)),
            size: bytes.len() as u64,
            pure: info.is_pure(),
            tags: info.tags,
            built_from: BuiltFrom {
                sdist: job.sdist.clone(),
                sdist_sha256: job.sdist_sha256.clone(),
                backend: built.backend.clone(),
                build_requires: built.requires.clone(),
                build_wheels: match &built.wheels {
                    Some(ws) => ws
                        .iter()
                        .map(|w| {
                            format!(
                                "{} sha256:{}",
                                w.filename,
                                w.sha256.as_deref().unwrap_or("-")
                            )
                        })
                        .collect(),
                    None => Vec::new(),
                },
                python: built_on.canonical(),
                source_date_epoch: self.source_date_epoch,
            },
        };
        let path = self.cache.store(&key, &record, &bytes).map_err(|e| {
            format!(
                "cannot keep the built wheel in {}: {e}",
                self.cache.root.display()
            )
        })?;
        Ok(Wheel {
            record,
            path,
            from_cache: false,
        })
    }
}
