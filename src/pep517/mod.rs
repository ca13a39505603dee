//! PEP 517 metadata builds: for a source-only release whose PKG-INFO cannot be trusted (PEP 643),
//! run the project's own build backend with a host Python in an isolated environment holding
//! only its build requirements (PEP 518) and read the METADATA it prepares.
//!
//! [`Builder`] is the index client's [`SdistBuilder`]: the client asks it for an sdist's
//! metadata and lends itself, through which the builder resolves the build requirements for the
//! build interpreter (`resolve`, wheels only), fetches the wheels, and installs them without pip
//! ([`env`], [`install`]); environments are kept in the cache by what they hold and reused. The
//! backend is then called twice ([`hook`]): what else it needs (`get_requires_for_build_wheel`,
//! installed the same way), then the metadata. Requirements that do not resolve to wheels fall
//! back to a venv where pip installs them, as before. The built metadata is kept by the client,
//! keyed by the sdist's sha256, so a release is built once.

pub mod env;
pub mod error;
pub mod hook;
pub mod install;
pub mod interpreter;
pub mod source;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use futures::future::BoxFuture;
use tokio::sync::OnceCell;

use crate::index::{IndexClient, IndexError, Sdist, SdistBuilder};
use env::{BuildEnv, ChosenWheel};
use interpreter::Interpreter;

pub use error::BuildFailure;
pub use source::build_requires;

/// A failed build, with its facts: the sdist, the Python that ran (or was to run) the backend,
/// and what went wrong.
#[derive(Debug, Clone, thiserror::Error)]
#[error("building the metadata of {file} failed: {reason}")]
pub struct BuildError {
    pub file: String,
    pub python: String,
    pub reason: BuildFailure,
}

impl From<BuildError> for IndexError {
    fn from(e: BuildError) -> Self {
        IndexError::Build {
            file: e.file,
            reason: Arc::new(e.reason),
            python: e.python,
        }
    }
}

/// How builds are run.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// The Python that runs build backends; `python3` from PATH when `None`.
    pub python: Option<PathBuf>,
    /// `--exclude-newer` for the build requirements too (Unix seconds).
    pub exclude_newer: Option<i64>,
}

/// A build environment for one set of requirements, as far as this run knows it.
#[derive(Debug, Clone)]
enum Prepared {
    /// Made (or found) from wheels pinwheel resolved.
    Env(Arc<BuildEnv>),
    /// They do not resolve to wheels: each build gets pip's environment.
    Unresolvable(String),
}

type EnvCell = Arc<OnceCell<Result<Prepared, BuildFailure>>>;

/// Builds sdists' metadata; share one per run (environments are memoised in it).
pub struct Builder {
    opts: BuildOptions,
    interpreter: OnceCell<Result<Arc<Interpreter>, BuildFailure>>,
    /// Per sorted requirement list, the environment that serves it.
    envs: Mutex<HashMap<Vec<String>, EnvCell>>,
    /// Where environments live when the run has no cache.
    scratch: OnceLock<Result<tempfile::TempDir, BuildFailure>>,
}

impl std::fmt::Debug for Builder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Builder").field("opts", &self.opts).finish()
    }
}

impl Builder {
    pub fn new(opts: BuildOptions) -> Self {
        Builder {
            opts,
            interpreter: OnceCell::new(),
            envs: Mutex::default(),
            scratch: OnceLock::new(),
        }
    }

    /// The Python as the user named it.
    fn python_name(&self) -> String {
        self.opts
            .python
            .as_deref()
            .unwrap_or(Path::new("python3"))
            .display()
            .to_string()
    }

    fn error(&self, file: &str, reason: impl Into<BuildFailure>) -> BuildError {
        BuildError {
            file: file.to_string(),
            python: self.python_name(),
            reason: reason.into(),
        }
    }

    async fn interpreter(&self) -> Result<Arc<Interpreter>, BuildFailure> {
        self.interpreter
            .get_or_init(|| async {
                let name = self.python_name();
                tokio::task::spawn_blocking(move || Interpreter::detect(&name).map(Arc::new))
                    .await?
                    .map_err(|e| BuildFailure::Interpreter {
                        python: self.python_name(),
                        source: Arc::new(e),
                    })
            })
            .await
            .clone()
    }

    /// Where environments are kept: the cache's `build-envs-v1`, else (no cache, or one that
    /// cannot be written) a directory of this run.
    fn envs_dir(&self, client: &IndexClient) -> Result<PathBuf, BuildFailure> {
        // Scripts name their interpreter by this path: it must not be relative.
        let usable = |dir: PathBuf| {
            std::fs::create_dir_all(&dir)
                .and_then(|()| std::fs::canonicalize(&dir))
                .map_err(BuildFailure::file(&dir))
        };
        if let Some(cache) = client.cache() {
            match usable(cache.root().join(env::ENVS_DIR)) {
                Ok(dir) => return Ok(dir),
                Err(e) => tracing::debug!(target: "build", "build environments are not kept: {e}"),
            }
        }
        let scratch = self
            .scratch
            .get_or_init(|| {
                crate::interrupt::temp_dir("pinwheel-build-envs-")
                    .map_err(|e| BuildFailure::Scratch(Arc::new(e)))
            })
            .as_ref()
            .map_err(Clone::clone)?;
        usable(scratch.path().to_path_buf())
    }

    /// The environment for `requires`, made once per run for each requirement set.
    async fn environment(
        &self,
        client: &IndexClient,
        interp: &Interpreter,
        requires: &[String],
        file: &str,
    ) -> Result<Prepared, BuildFailure> {
        let mut key: Vec<String> = requires.to_vec();
        key.sort();
        key.dedup();
        let cell = self
            .envs
            .lock()
            .unwrap()
            .entry(key.clone())
            .or_default()
            .clone();
        cell.get_or_init(|| self.make_environment(client, interp, key, file))
            .await
            .clone()
    }

    async fn make_environment(
        &self,
        client: &IndexClient,
        interp: &Interpreter,
        requires: Vec<String>,
        file: &str,
    ) -> Result<Prepared, BuildFailure> {
        let started = Instant::now();
        let source = format!("the build requirements of {file}");
        let wheels =
            match env::resolve_wheels(client, interp, &requires, &source, self.opts.exclude_newer)
                .await
            {
                Ok(w) => w,
                Err(why) => {
                    return Ok(Prepared::Unresolvable(format!(
                        "[{}] do not resolve to wheels for {}: {why}",
                        requires.join(", "),
                        interp.target.canonical()
                    )))
                }
            };
        let dest = self.envs_dir(client)?.join(env::env_key(interp, &wheels));
        // An environment kept from an earlier run is reused as it is: no wheel is fetched.
        let fetched = if env::is_ready(&dest) {
            Vec::new()
        } else {
            let fetches = wheels
                .iter()
                .map(|w| async move { env::fetch_wheel(client, w).await.map(|b| (w.clone(), b)) });
            futures::future::try_join_all(fetches).await?
        };
        let interp_owned = interp.clone();
        let dest_owned = dest.clone();
        let reused = tokio::task::spawn_blocking(move || {
            env::materialize(&interp_owned, &dest_owned, &fetched)
        })
        .await??;
        tracing::debug!(target: "build", "{} build environment {} for [{}] ({}) in {:.0} ms",
            if reused { "reused" } else { "made" },
            dest.display(),
            requires.join(", "),
            names(&wheels),
            started.elapsed().as_secs_f64() * 1000.0
        );
        let python = interpreter::venv_python(&dest);
        Ok(Prepared::Env(Arc::new(BuildEnv {
            scripts: python.parent().map(Path::to_path_buf).unwrap_or_default(),
            python,
            wheels: Some(wheels),
        })))
    }

    async fn prepare(&self, client: &IndexClient, sdist: Sdist) -> Result<Vec<u8>, BuildError> {
        let built = self
            .build(
                client,
                &sdist.archive,
                &sdist.filename,
                &sdist.project,
                hook::Goal::Metadata,
                Vec::new(),
            )
            .await?;
        std::fs::read(&built.output).map_err(|e| {
            self.error(
                &sdist.filename,
                BuildFailure::NoMetadata {
                    path: built.output.clone(),
                    source: Arc::new(e),
                },
            )
        })
    }

    /// The interpreter that runs this builder's backends.
    pub async fn build_interpreter(&self) -> Result<Arc<Interpreter>, BuildFailure> {
        self.interpreter().await
    }

    /// The wheels of the build environment for `requires` (made once per run and kept), or
    /// `None` when they do not resolve to wheels and pip would install them.
    pub async fn environment_wheels(
        &self,
        client: &IndexClient,
        requires: &[String],
        file: &str,
    ) -> Result<Option<Vec<ChosenWheel>>, BuildError> {
        let err = |reason: BuildFailure| self.error(file, reason);
        let interp = self.interpreter().await.map_err(err)?;
        match self
            .environment(client, &interp, requires, file)
            .await
            .map_err(err)?
        {
            Prepared::Env(env) => Ok(env.wheels.clone()),
            Prepared::Unresolvable(_) => Ok(None),
        }
    }

    /// Runs the backend of the sdist at `archive` (named `file`, of `project`) to `goal` in an
    /// isolated environment holding its build requirements; `extra_env` is given to the hooks
    /// (`SOURCE_DATE_EPOCH`).
    pub async fn build(
        &self,
        client: &IndexClient,
        archive: &Path,
        file: &str,
        project: &str,
        goal: hook::Goal,
        extra_env: Vec<(&'static str, String)>,
    ) -> Result<Built, BuildError> {
        let started = Instant::now();
        let file = file.to_string();
        let _building = crate::progress::build(&file);
        let err = |reason: BuildFailure| self.error(&file, reason);
        let work = crate::interrupt::temp_dir("pinwheel-build-")
            .map_err(|e| err(BuildFailure::Scratch(Arc::new(e))))?;
        // The interpreter is asked (once per run) while the sdist unpacks.
        let unpacked = {
            let archive = archive.to_path_buf();
            let (name, dest) = (file.clone(), work.path().join("src"));
            tokio::task::spawn_blocking(move || source::unpack_sdist(&archive, &name, &dest))
        };
        let (interp, unpacked) = tokio::join!(self.interpreter(), unpacked);
        let interp = interp.map_err(err)?;
        let (src, bs) = unpacked.map_err(|e| err(e.into()))?.map_err(err)?;
        tracing::debug!(target: "build", "{file}: unpacked in {:.0} ms",
            started.elapsed().as_secs_f64() * 1000.0
        );
        let out = work.path().join("out");
        std::fs::create_dir_all(&out).map_err(|e| err(BuildFailure::Scratch(Arc::new(e))))?;
        let hook_work = work.path().join("hook");
        std::fs::create_dir_all(&hook_work).map_err(|e| err(BuildFailure::Scratch(Arc::new(e))))?;
        let index_env = client.pip_index_env();
        let pip_root = work.path().join("env");
        let pip_env = |requires: Vec<String>| {
            let (interp, root, project) = (interp.clone(), pip_root.clone(), project.to_string());
            let index_env = index_env.clone();
            async move {
                tokio::task::spawn_blocking(move || {
                    env::pip_env(&interp, &root, &requires, &project, &index_env)
                })
                .await?
            }
        };
        let env = match self
            .environment(client, &interp, &bs.requires, &file)
            .await
            .map_err(err)?
        {
            Prepared::Env(env) => env,
            Prepared::Unresolvable(why) => {
                tracing::debug!(target: "build", "{file}: pip installs the build requirements in a venv of this build ({why})"
                );
                Arc::new(pip_env(bs.requires.clone()).await.map_err(err)?)
            }
        };
        let call = |env: &Arc<BuildEnv>| HookCall {
            env: env.clone(),
            src: src.clone(),
            out: out.clone(),
            work: hook_work.clone(),
            backend: bs.backend.clone(),
            backend_path: bs.backend_path.clone(),
            env_vars: if env.wheels.is_none() {
                index_env.iter().chain(&extra_env).cloned().collect()
            } else {
                extra_env.clone()
            },
            goal,
        };
        let hook_started = Instant::now();
        let holds = {
            let (installed, interp) = (env.wheels.clone(), interp.clone());
            move |extra: &[String]| match &installed {
                Some(installed) => env::unsatisfied(extra, installed, &interp).is_empty(),
                None => extra.is_empty(),
            }
        };
        let outcome = call(&env)
            .run(move |c| hook::requires_then_metadata(c, holds))
            .await
            .map_err(err)?;
        let mut requires = bs.requires.clone();
        let (output, env) = match outcome {
            hook::Outcome::Done(output) => (output, env),
            hook::Outcome::NeedsMore(extra) => {
                tracing::debug!(target: "build", "{file}: get_requires_for_build_wheel asks for [{}] too ({:.0} ms)",
                    extra.join(", "),
                    hook_started.elapsed().as_secs_f64() * 1000.0
                );
                requires.extend(extra.iter().cloned());
                let env = match &env.wheels {
                    // pip's environment is this build's own: pip adds to it.
                    None => {
                        let (pip, extra) = (env.clone(), extra.clone());
                        let (project, index_env) = (project.to_string(), index_env.clone());
                        tokio::task::spawn_blocking(move || {
                            env::pip_install(&pip, &extra, &project, &index_env)
                        })
                        .await
                        .map_err(|e| err(e.into()))?
                        .map_err(err)?;
                        env
                    }
                    // Kept environments are never changed: the whole set gets its own.
                    Some(_) => {
                        let all: Vec<String> = bs.requires.iter().chain(&extra).cloned().collect();
                        match self
                            .environment(client, &interp, &all, &file)
                            .await
                            .map_err(err)?
                        {
                            Prepared::Env(env) => env,
                            Prepared::Unresolvable(why) => {
                                tracing::debug!(target: "build", "{file}: pip installs the build requirements in a venv of this build ({why})");
                                Arc::new(pip_env(all).await.map_err(err)?)
                            }
                        }
                    }
                };
                (call(&env).run(hook::finish_goal).await.map_err(err)?, env)
            }
        };
        tracing::debug!(target: "build", "{file}: {} built in {:.0} ms",
            match goal {
                hook::Goal::Metadata => "metadata",
                hook::Goal::Wheel => "wheel",
            },
            started.elapsed().as_secs_f64() * 1000.0
        );
        Ok(Built {
            _work: work,
            output,
            backend: bs.backend.clone(),
            requires,
            wheels: env.wheels.clone(),
        })
    }
}

/// What a build made.
#[derive(Debug)]
pub struct Built {
    /// The build's directory, which holds the output: kept until the build is dropped.
    pub _work: tempfile::TempDir,
    /// METADATA or the wheel.
    pub output: PathBuf,
    /// `[build-system].build-backend`.
    pub backend: String,
    /// Every build requirement: `[build-system].requires`, then what the backend asked for.
    pub requires: Vec<String>,
    /// The wheels of the environment that built it; `None` when pip installed them.
    pub wheels: Option<Vec<ChosenWheel>>,
}

/// A hook to call in an environment (owned: it runs on a blocking thread).
struct HookCall {
    env: Arc<BuildEnv>,
    src: PathBuf,
    out: PathBuf,
    work: PathBuf,
    backend: String,
    backend_path: Vec<String>,
    /// pip's index settings, for pip's environment, and `SOURCE_DATE_EPOCH` for wheels.
    env_vars: Vec<(&'static str, String)>,
    goal: hook::Goal,
}

impl HookCall {
    async fn run<T: Send + 'static>(
        self,
        hook: impl FnOnce(&hook::Call) -> Result<T, BuildFailure> + Send + 'static,
    ) -> Result<T, BuildFailure> {
        tokio::task::spawn_blocking(move || {
            hook(&hook::Call {
                python: &self.env.python,
                scripts: &self.env.scripts,
                src: &self.src,
                out: &self.out,
                work: &self.work,
                backend: &self.backend,
                backend_path: &self.backend_path,
                env: &self.env_vars,
                write_bytecode: self.env.wheels.is_some(),
                goal: self.goal,
            })
        })
        .await?
    }
}

fn names(wheels: &[ChosenWheel]) -> String {
    if wheels.is_empty() {
        return "nothing".into();
    }
    wheels
        .iter()
        .map(|w| w.filename.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

impl SdistBuilder for Builder {
    fn prepare_metadata<'a>(
        &'a self,
        client: &'a IndexClient,
        sdist: Sdist,
    ) -> BoxFuture<'a, Result<Vec<u8>, IndexError>> {
        Box::pin(async move { self.prepare(client, sdist).await.map_err(IndexError::from) })
    }
}
