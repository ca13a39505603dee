//! The command line: argument definitions (clap), the options every command shares, error
//! rendering (what, where, a hint) and the exit codes. One file per subcommand; the work is in
//! the library modules they call.

pub mod check;
pub mod dockerfile;
pub mod generate;
pub mod lock;
pub mod printer;
pub mod static_index;
pub mod wheelhouse;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::str::FromStr;

use clap::{Args, Parser, Subcommand};
use futures::StreamExt;
use pep508_rs::PackageName;
use url::Url;

use crate::index::{ClientOptions, IndexClient};
use crate::lock::options::LockOptions;
use crate::lock::{plan, pylock, Lock};
use crate::platform::Target;
use crate::requirements::RequirementsFile;
use printer::Printer;

/// Exit codes, documented in the README.
pub mod exit {
    /// Success.
    pub const OK: u8 = 0;
    /// `check` found pins without a wheel for a target.
    pub const FINDINGS: u8 = 1;
    /// Bad usage or bad input: flags, requirement files, targets, locks.
    pub const USAGE: u8 = 2;
    /// No set of versions satisfies the requirements (or a package does not exist).
    pub const RESOLUTION: u8 = 3;
    /// Network, index or cache failure, or metadata that cannot be read or built (PEP 517).
    pub const NETWORK: u8 = 4;
    /// A file's bytes do not match its hash, a lock hash matches no file on the index, or a
    /// wheelhouse does not match its manifest.
    pub const INTEGRITY: u8 = 5;
    /// Writing output failed.
    pub const IO: u8 = 6;
    /// `wheelhouse` could not build a wheel from an sdist; the rest was written, the sdist in
    /// its place.
    pub const BUILD: u8 = 7;
}

/// A count with its noun: `1 package`, `2 packages` (for nouns whose plural adds `s`).
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// A failure as the user sees it: the message (what and where), an optional hint, an exit code.
#[derive(Debug)]
pub struct CliError {
    pub message: String,
    pub hint: Option<String>,
    pub code: u8,
}

impl CliError {
    pub fn new(code: u8, message: impl Into<String>) -> Self {
        CliError {
            message: message.into(),
            hint: None,
            code,
        }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(exit::USAGE, message)
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl From<crate::requirements::RequirementsError> for CliError {
    fn from(e: crate::requirements::RequirementsError) -> Self {
        let hint = e.hint();
        CliError::usage(e.to_string()).hint(hint)
    }
}

impl From<crate::index::IndexError> for CliError {
    fn from(e: crate::index::IndexError) -> Self {
        let code = match e {
            crate::index::IndexError::NotFound { .. } => exit::RESOLUTION,
            crate::index::IndexError::Hash { .. } => exit::INTEGRITY,
            crate::index::IndexError::Cert { .. } => exit::USAGE,
            _ => exit::NETWORK,
        };
        let hint = e.hint();
        CliError {
            message: e.to_string(),
            hint,
            code,
        }
    }
}

#[derive(Parser, Debug)]
#[command(
    name = "pinwheel",
    version,
    about = "Exact, hash-verified, offline-installable Python dependencies for Docker images",
    after_help = "Exit codes: 0 ok, 1 check findings, 2 usage or input error, 3 unsatisfiable, 4 network, index or metadata error, 5 hash or integrity error, 6 write error, 7 wheel build failed."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Resolve loose requirements to exact pins with sha256 hashes for the image's targets.
    Lock(lock::LockArgs),
    /// Download every target's wheels for a lock into one directory, verified, with a --no-index requirements file.
    Wheelhouse(wheelhouse::WheelhouseArgs),
    /// Show targets in canonical form (no argument: this machine), with their Python and platform.
    Target(TargetShowArgs),
    /// Report which pins have no wheel for a target (the Alpine trap), and which version would.
    Check(check::CheckArgs),
    /// Re-hash a wheelhouse against its manifest; fail on any changed, missing or extra file.
    Verify(wheelhouse::VerifyArgs),
    /// Print the shell completion script: bash, zsh, fish, powershell or elvish.
    Completions(generate::CompletionsArgs),
    /// Print the man page (roff), or write every command's page into a directory.
    Man(generate::ManArgs),
    /// Print the Dockerfile stage that installs a wheelhouse for a target (BuildKit bind mount).
    Dockerfile(dockerfile::DockerfileArgs),
    /// Write a static index (PEP 503 simple/ pages, PEP 691 JSON) over a directory of wheels and sdists.
    Index(static_index::IndexDirArgs),
}

/// Index, cache and network options shared by every command.
#[derive(Args, Debug, Clone, Default)]
pub struct IndexArgs {
    /// The package index (PEP 503/691 Simple API). Default: $PIP_INDEX_URL, else https://pypi.org/simple/.
    #[arg(long, short = 'i', value_name = "URL")]
    pub index_url: Option<String>,
    /// More indexes, asked in order after --index-url; the first index that has a package wins. Default: $PIP_EXTRA_INDEX_URL.
    #[arg(long, value_name = "URL")]
    pub extra_index_url: Vec<String>,
    /// A directory or HTML page of distribution files, searched besides the indexes.
    #[arg(long, short = 'f', value_name = "DIR|URL")]
    pub find_links: Vec<String>,
    /// Cache directory. Default: $XDG_CACHE_HOME/pinwheel or ~/.cache/pinwheel.
    #[arg(long, value_name = "DIR", env = "PINWHEEL_CACHE_DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Neither read nor write the cache.
    #[arg(long)]
    pub no_cache: bool,
    /// Use only the cache: no network; says what is missing.
    #[arg(long)]
    pub offline: bool,
    /// A PEM bundle of CA certificates to trust besides the system store (also $SSL_CERT_FILE).
    #[arg(long, value_name = "FILE")]
    pub cert: Option<PathBuf>,
    /// Revalidate every cached index page with the index, however fresh.
    #[arg(long)]
    pub refresh: bool,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 64, value_name = "N")]
    pub concurrency: usize,
    /// Tries after the first for a transient failure (connection, timeout, 429, 5xx), as pip's.
    #[arg(long, default_value_t = 5, value_name = "N")]
    pub retries: u32,
    /// Seconds to wait for the next bytes of an answer before trying again.
    #[arg(long, default_value_t = 60.0, value_name = "SECONDS")]
    pub timeout: f64,
}

/// Target options shared by every command.
#[derive(Args, Debug, Clone, Default)]
pub struct TargetArgs {
    /// A target: `cp312-manylinux_2_28_x86_64`, `python:3.12-slim`, `python:3.12-alpine@linux/arm64`. Repeatable.
    #[arg(long = "target", short = 't', value_name = "TARGET")]
    pub targets: Vec<String>,
    /// The full Python version of the targets (e.g. 3.12.4), for python_full_version markers.
    #[arg(long, value_name = "X.Y.Z")]
    pub python: Option<String>,
    /// The targets' Python (as uv's --python-version): sets it on the targets taken from the
    /// config, the lock or this machine; --target flags must agree with it. X.Y.Z sets the patch.
    #[arg(long, value_name = "X.Y")]
    pub python_version: Option<String>,
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(exit::IO);
        }
    };
    let name = match &cli.command {
        Command::Lock(_) => "lock",
        Command::Wheelhouse(_) => "wheelhouse",
        Command::Verify(_) => "verify",
        Command::Check(_) => "check",
        Command::Target(_) => "target",
        Command::Completions(_) => "completions",
        Command::Man(_) => "man",
        Command::Dockerfile(_) => "dockerfile",
        Command::Index(_) => "index",
    };
    // SIGINT/SIGTERM: the watcher (a task of its own, so that work blocking this thread does
    // not delay it) cleans up, says what was interrupted and exits.
    rt.spawn(crate::interrupt::watch(name));
    let result = rt.block_on(async {
        match cli.command {
            Command::Lock(args) => lock::run(args).await,
            Command::Wheelhouse(args) => wheelhouse::run(args).await,
            Command::Verify(args) => wheelhouse::verify(args),
            Command::Check(args) => check::run(args).await,
            Command::Target(args) => show_targets(args),
            Command::Completions(args) => generate::completions(args),
            Command::Man(args) => generate::man(args),
            Command::Dockerfile(args) => dockerfile::run(args),
            Command::Index(args) => static_index::run(args),
        }
    });
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            // Messages may quote what the user wrote (a URL in a requirements file, a flag):
            // credentials are masked there, once for every error.
            Printer::error(&e);
            ExitCode::from(e.code)
        }
    }
}

#[derive(Args, Debug)]
pub struct TargetShowArgs {
    /// Targets in any spelling; none: this machine.
    #[arg(value_name = "TARGET")]
    pub targets: Vec<String>,
}

fn show_targets(args: TargetShowArgs) -> Result<u8, CliError> {
    let targets = if args.targets.is_empty() {
        vec![Target::host()
            .map_err(|e| CliError::usage(format!("cannot describe this machine: {e}")))?]
    } else {
        args.targets
            .iter()
            .map(|n| Target::parse(n).map_err(|e| CliError::usage(format!("{n}: {e}"))))
            .collect::<Result<_, _>>()?
    };
    let mut out = String::new();
    for t in targets {
        let env = t.marker_env();
        out.push_str(&format!(
            "{}  python {} on {} {}\n",
            t.canonical(),
            t.python_full_version(),
            env.sys_platform(),
            env.platform_machine()
        ));
    }
    Printer::new(false, false).stdout(&out);
    Ok(exit::OK)
}

/// Parses and de-duplicates targets; with none given, `fallback` (config), else the host.
pub fn resolve_targets(
    args: &TargetArgs,
    fallback: &[String],
) -> Result<(Vec<Target>, bool), CliError> {
    let names: Vec<String> = if !args.targets.is_empty() {
        args.targets.clone()
    } else {
        fallback.to_vec()
    };
    let mut host = false;
    let mut targets: Vec<Target> = Vec::new();
    if names.is_empty() {
        let t = Target::host().map_err(|e| {
            CliError::usage(format!(
                "no --target given and the host could not be described: {e}"
            ))
            .hint("name the image's target, e.g. --target python:3.12-slim")
        })?;
        targets.push(t);
        host = true;
    }
    for n in &names {
        let t = Target::parse(n).map_err(|e| {
            if args.targets.is_empty() {
                CliError::usage(format!(
                    "target {n} (from a `# targets:` line or [tool.pinwheel] targets): {e}"
                ))
                .hint("fix that line, or name the targets with --target")
            } else {
                CliError::usage(format!("--target {n}: {e}"))
            }
        })?;
        if !targets.contains(&t) {
            targets.push(t);
        }
    }
    if let Some(v) = &args.python_version {
        targets = set_python_version(targets, v, !args.targets.is_empty())?;
    }
    if let Some(full) = &args.python {
        let parts: Vec<u32> = full.split('.').filter_map(|p| p.parse().ok()).collect();
        if parts.len() != 3 {
            return Err(CliError::usage(format!(
                "--python {full}: expected a full version like 3.12.4"
            )));
        }
        let mut matched = false;
        for t in targets.iter_mut() {
            if t.python_version() == (parts[0], parts[1]) {
                *t = t.clone().with_python_patch(parts[2]);
                matched = true;
            }
        }
        if !matched {
            return Err(CliError::usage(format!(
                "--python {full}: no target has Python {}.{}",
                parts[0], parts[1]
            )));
        }
    }
    Ok((targets, host))
}

/// `--python-version X.Y[.Z]`: the targets with that Python. Targets the user named with
/// `--target` already name their Python: they must agree (`flagged`); those from the config,
/// a lock or this machine take it.
fn set_python_version(
    targets: Vec<Target>,
    version: &str,
    flagged: bool,
) -> Result<Vec<Target>, CliError> {
    let parts: Vec<u32> = version
        .split('.')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()
        .unwrap_or_default();
    let (major, minor, patch) = match parts[..] {
        [3, minor] => (3, minor, None),
        [3, minor, patch] => (3, minor, Some(patch)),
        _ => {
            return Err(CliError::usage(format!(
                "--python-version {version}: expected a CPython 3 version like 3.12 or 3.12.4"
            )))
        }
    };
    let mut out: Vec<Target> = Vec::new();
    for t in targets {
        if flagged && t.python_version() != (major, minor) {
            return Err(CliError::usage(format!(
                "--python-version {version}: --target {} runs Python {}.{}",
                t.canonical(),
                t.python.major,
                t.python.minor
            ))
            .hint("a --target names its Python already: drop --python-version, or name targets with that Python"));
        }
        let mut t = t;
        t.python.major = major;
        t.python.minor = minor;
        t.python.patch = patch.or(t.python.patch.filter(|_| flagged));
        let t = Target::parse(&t.canonical())
            .map(|_| t)
            .map_err(|e| CliError::usage(format!("--python-version {version}: {e}")))?;
        if !out.contains(&t) {
            out.push(t);
        }
    }
    Ok(out)
}

fn parse_url(s: &str, what: &str) -> Result<Url, CliError> {
    let expanded = crate::requirements::expand_env(s);
    Url::parse(&expanded).map_err(|e| CliError::usage(format!("{what} {s}: not a URL ({e})")))
}

/// Builds the index client: flags first, then the input file's options, then the environment
/// ($PIP_INDEX_URL, $PIP_EXTRA_INDEX_URL), then configuration, then PyPI.
pub fn build_client(
    args: &IndexArgs,
    file_index: Option<&Url>,
    file_extra: &[Url],
    file_find_links: &[String],
    config_index: Option<&Url>,
    config_extra: &[Url],
    builder: Option<std::sync::Arc<dyn crate::index::SdistBuilder>>,
) -> Result<IndexClient, CliError> {
    let env_index = std::env::var("PIP_INDEX_URL")
        .ok()
        .filter(|s| !s.is_empty());
    let primary = match (&args.index_url, file_index, &env_index, config_index) {
        (Some(u), ..) => parse_url(u, "--index-url")?,
        (None, Some(u), ..) => u.clone(),
        (None, None, Some(u), _) => parse_url(u, "PIP_INDEX_URL")?,
        (None, None, None, Some(u)) => u.clone(),
        _ => Url::parse("https://pypi.org/simple/").expect("valid"),
    };
    // Credentials in $PIP_INDEX_URL / $PIP_EXTRA_INDEX_URL serve their hosts also when a flag
    // or the lock names the index (a lock records its indexes without credentials).
    let mut credential_urls: Vec<Url> = Vec::new();
    for var in ["PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL"] {
        let value = std::env::var(var).unwrap_or_default();
        for s in value.split_whitespace() {
            match Url::parse(&crate::requirements::expand_env(s)) {
                Ok(u) if !u.username().is_empty() => credential_urls.push(u),
                _ => {}
            }
        }
    }
    let mut indexes = vec![primary];
    let mut extra: Vec<Url> = Vec::new();
    for u in &args.extra_index_url {
        extra.push(parse_url(u, "--extra-index-url")?);
    }
    extra.extend(file_extra.iter().cloned());
    if args.extra_index_url.is_empty() {
        if let Ok(env) = std::env::var("PIP_EXTRA_INDEX_URL") {
            for u in env.split_whitespace() {
                extra.push(parse_url(u, "PIP_EXTRA_INDEX_URL")?);
            }
        }
        extra.extend(config_extra.iter().cloned());
    }
    for u in extra {
        if !indexes.contains(&u) {
            indexes.push(u);
        }
    }
    let mut find_links = args.find_links.clone();
    find_links.extend(file_find_links.iter().cloned());
    let cache_dir = if args.no_cache {
        None
    } else {
        args.cache_dir
            .clone()
            .or_else(crate::index::cache::default_root)
    };
    if args.offline && cache_dir.is_none() {
        return Err(CliError::usage(
            "--offline needs the cache; drop --no-cache",
        ));
    }
    let opts = ClientOptions {
        indexes,
        find_links,
        cache_dir,
        offline: args.offline,
        cert: args.cert.clone(),
        concurrency: args.concurrency,
        builder,
        refresh: args.refresh,
        retry: crate::index::retry::Policy {
            retries: args.retries,
            ..Default::default()
        },
        read_timeout: Some(
            std::time::Duration::try_from_secs_f64(args.timeout)
                .ok()
                .filter(|d| !d.is_zero())
                .ok_or_else(|| {
                    CliError::usage(format!(
                        "--timeout {}: not a number of seconds above zero",
                        args.timeout
                    ))
                })?,
        ),
        credential_urls,
    };
    Ok(IndexClient::new(opts)?)
}

// What more than one command needs: reading a lock, its targets and listings, and the
// flags that `lock` and `wheelhouse`/`check` share.

/// Whether two paths name the same existing file (through links, `..` or another spelling).
pub fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(x), Ok(y)) = (std::fs::metadata(a), std::fs::metadata(b)) {
            return x.dev() == y.dev() && x.ino() == y.ino();
        }
        false
    }
    #[cfg(not(unix))]
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// Refuses (exit 2) an output path that names one of the files the command reads: pinwheel
/// never overwrites its input. `what` names the output as the user gave it.
pub fn refuse_overwriting_inputs(
    what: &str,
    out: &Path,
    inputs: &[PathBuf],
) -> Result<(), CliError> {
    match inputs.iter().find(|i| same_file(out, i)) {
        Some(input) => Err(CliError::usage(format!(
            "{what}: that is the input file {}; pinwheel does not overwrite its inputs",
            input.display()
        ))
        .hint("write the output to another file (a lock is usually requirements.lock or requirements.txt beside requirements.in)")),
        None => Ok(()),
    }
}

/// Reads a hashed lock: a PEP 751 `pylock.toml` (by its name or its `lock-version` key) or a
/// requirements-format lock, from any of the tools that write them; with the index options it
/// carries.
/// A lock read from a file: the pins, the options it records (indexes), and its header comment
/// lines (a uv or pip-compile lock's header names its Python and platform).
pub fn read_lock(path: &Path, require_hashes: bool) -> Result<LockInput, CliError> {
    if !path.exists() {
        return Err(CliError::usage(format!("{}: no such file", path.display()))
            .hint("create it with `pinwheel lock`"));
    }
    // As pip reads it: UTF-8, a byte order mark ignored, anything else named by line and byte.
    let text = crate::requirements::text::read_text(path).map_err(|e| {
        CliError::from(crate::requirements::RequirementsError::from_text(
            e, path, None,
        ))
    })?;
    if pylock::is_pylock_name(path) || pylock::looks_like_pylock(&text) {
        let p = pylock::parse(&text, path, require_hashes)
            .map_err(|e| CliError::usage(e.to_string()))?;
        let listed = p.listings();
        return Ok(LockInput {
            lock: p.lock,
            options: p.options,
            header: Vec::new(),
            listed,
        });
    }
    let file = RequirementsFile::parse_str(&text, path).map_err(CliError::from)?;
    let lock = Lock::from_requirements(&file, require_hashes)
        .map_err(|e| CliError::usage(e.to_string()))?;
    let options = LockOptions::from_requirements(&file);
    Ok(LockInput {
        lock,
        options,
        header: file.header_comments,
        listed: None,
    })
}

/// A lock as `wheelhouse` and `check` read it.
pub struct LockInput {
    pub lock: Lock,
    /// The indexes and find-links it records.
    pub options: LockOptions,
    /// Its header comments (the targets a requirements-format lock was made for).
    pub header: Vec<String>,
    /// A PEP 751 lock's own files, per pin (`listed[i]` is `lock.pins[i]`'s), when every pin
    /// has one to fetch: installers take them from the URLs the lock gives, not from an index.
    pub listed: Option<Vec<Vec<crate::index::IndexFile>>>,
}

impl IndexArgs {
    /// Whether the command line names where to fetch from (which then wins over a lock's own).
    pub fn names_a_source(&self) -> bool {
        self.index_url.is_some() || !self.extra_index_url.is_empty() || !self.find_links.is_empty()
    }
}

/// The listing of every pin, in lock order (`listings[i]` is `lock.pins[i]`'s): its project's
/// files, fetched concurrently, or for a direct reference its one file. Per pin, not per name:
/// a lock may pin a name twice (markers), once as a direct reference.
pub async fn fetch_listings(
    client: &crate::index::IndexClient,
    lock: &Lock,
) -> Result<Vec<Vec<crate::index::IndexFile>>, CliError> {
    let names: BTreeSet<&str> = lock
        .pins
        .iter()
        .filter(|p| p.url.is_none())
        .map(|p| p.name.as_ref())
        .collect();
    let fetched: Vec<_> = futures::stream::iter(names)
        .map(|name| async move { (name, client.project(name).await) })
        .buffer_unordered(64)
        .collect()
        .await;
    let mut projects = HashMap::new();
    for (name, r) in fetched {
        projects.insert(name, r?);
    }
    lock.pins
        .iter()
        .map(|p| match &p.url {
            Some(u) => {
                let url = url::Url::parse(u)
                    .map_err(|e| CliError::usage(format!("{}: invalid URL {u}: {e}", p.name)))?;
                Ok(vec![crate::index::IndexFile::from_url(&url)])
            }
            None => Ok(projects[p.name.as_ref()].files.to_vec()),
        })
        .collect()
}

/// Lock hashes that match no file: an integrity error when a target of the pin goes without a
/// wheel (the missing file may be the one it needed), else a note on standard error.
pub fn check_stale_hashes(
    printer: &Printer,
    lock: &Lock,
    stale: &[plan::StaleHashes],
) -> Result<(), CliError> {
    let line = |s: &plan::StaleHashes| {
        let pin = &lock.pins[s.pin];
        format!(
            "lock hash(es) for {}=={} match no file on the index: {}",
            pin.name,
            pin.version,
            s.hashes
                .iter()
                .map(|h| h.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    for s in stale.iter().filter(|s| !s.fatal) {
        printer.warn(format_args!(
            "{}; every target still gets a wheel the lock lists",
            line(s)
        ));
    }
    let fatal: Vec<String> = stale.iter().filter(|s| s.fatal).map(line).collect();
    if fatal.is_empty() {
        return Ok(());
    }
    Err(CliError::new(
        exit::INTEGRITY,
        format!(
            "{}\n  without those files a target falls back to the sdist or to nothing: the index replaced or removed files since the lock was made, or the lock comes from another index",
            fatal.join("\n")
        ),
    )
    .hint("re-lock against this index (re-run `pinwheel lock`, or your locker) to record its current files, after checking why they changed"))
}

/// Targets from `--target`, else the lock's `# targets:` line, else the Python and platform
/// its header records (uv, pip-compile), else the host; said aloud when not from the flags or
/// the `# targets:` line.
pub fn lock_targets(
    printer: &Printer,
    args: &TargetArgs,
    lock: &Lock,
    header_comments: &[String],
) -> Result<Vec<Target>, CliError> {
    if args.targets.is_empty() && lock.targets.is_empty() {
        let recorded = crate::lock::recorded::recorded(header_comments)
            .map_err(|e| CliError::usage(e).hint("name the targets with --target"))?;
        if let Some(r) = recorded {
            let fallback = recorded_target(&r)?;
            let (targets, _) = resolve_targets(args, &[fallback])?;
            let machine = if r.platform.is_none() {
                " on this machine's platform"
            } else {
                ""
            };
            printer.info(format_args!(
                "The lock names no targets and no --target was given: using what its header \
                 records ({}){machine}: {}.",
                r.source,
                names(&targets)
            ));
            return Ok(targets);
        }
    }
    let (targets, host) = resolve_targets(args, &lock.targets)?;
    if host {
        printer.info(format_args!(
            "The lock names no targets and no --target was given: using this machine, {}.",
            names(&targets)
        ));
    }
    Ok(targets)
}

/// Canonical target names, comma separated.
pub fn names(targets: &[Target]) -> String {
    targets
        .iter()
        .map(Target::canonical)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The target a header records, as a canonical name: its platform, else this machine's; its
/// Python, else this machine's.
fn recorded_target(r: &crate::lock::recorded::Recorded) -> Result<String, CliError> {
    let host = || {
        Target::host().map_err(|e| {
            CliError::usage(format!(
                "the lock records only part of its target ({}) and this machine could not be \
                 described: {e}",
                r.source
            ))
            .hint("name the targets with --target")
        })
    };
    let (python, platform) = match (&r.python, &r.platform) {
        (Some((major, minor, _)), Some(p)) => (format!("cp{major}{minor}"), p.clone()),
        (Some((major, minor, _)), None) => (format!("cp{major}{minor}"), host()?.platform.tag()),
        (None, Some(p)) => (host()?.interpreter_tag(), p.clone()),
        (None, None) => return Ok(host()?.canonical()),
    };
    Ok(format!("{python}-{platform}"))
}

/// A `--exclude-newer` cut-off: files uploaded after `cutoff` are ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExcludeNewer {
    /// The last second kept, in seconds since the epoch (upload times are compared by the
    /// second: a file uploaded at `cutoff` plus a fraction is kept).
    pub cutoff: i64,
    /// What the user wrote, for a relative cut-off (`7 days`, `P7D`): the lock's header then
    /// records the moment it resolved to.
    pub relative: Option<String>,
}

impl ExcludeNewer {
    /// The cut-off as an RFC 3339 timestamp (UTC).
    pub fn timestamp(&self) -> String {
        jiff::Timestamp::from_second(self.cutoff)
            .map(|t| t.to_string())
            .unwrap_or_else(|_| self.cutoff.to_string())
    }
}

/// `--exclude-newer`, as uv reads it: an RFC 3339 timestamp (files uploaded after it are
/// ignored); a date, which keeps that whole day's uploads (UTC, where uv uses the machine's
/// time zone); or a span back from `now` (`7 days`, `2 weeks`, `24 hours`, ISO 8601 `P7D`),
/// a cool-down that keeps releases out until they are that old.
pub fn parse_exclude_newer(s: &str, now: jiff::Timestamp) -> Result<ExcludeNewer, CliError> {
    let absolute = |cutoff: i64| ExcludeNewer {
        cutoff,
        relative: None,
    };
    if let Ok(ts) = s.parse::<jiff::Timestamp>() {
        // Uploaded before it: at a whole second, the second before is the last kept.
        return Ok(absolute(
            ts.as_second() - i64::from(ts.subsec_nanosecond() == 0),
        ));
    }
    if let Ok(d) = s.parse::<jiff::civil::Date>() {
        // The next day's midnight, less a second: the whole day is kept.
        if let Ok(z) = d
            .tomorrow()
            .and_then(|d| d.to_zoned(jiff::tz::TimeZone::UTC))
        {
            return Ok(absolute(z.timestamp().as_second() - 1));
        }
    }
    if let Ok(span) = s.trim().parse::<jiff::Span>() {
        // "7 days" and "7 days ago" alike: a span back from now.
        let back = now
            .to_zoned(jiff::tz::TimeZone::UTC)
            .checked_sub(span.abs())
            .map_err(|e| CliError::usage(format!("--exclude-newer {s}: {e}")))?;
        return Ok(ExcludeNewer {
            cutoff: back.timestamp().as_second(),
            relative: Some(s.trim().to_string()),
        });
    }
    Err(
        CliError::usage(format!("--exclude-newer {s}: not a timestamp, a date or a span"))
            .hint("use RFC 3339 (2024-06-01T00:00:00Z), a date (2024-06-01, the whole day in UTC), or a span back from now (7 days, P7D)"),
    )
}

/// `--only-binary` values in pip's spelling: `:all:`, `:none:`, comma-separated names.
pub fn parse_only_binary(values: &[String]) -> Result<(bool, HashSet<PackageName>), CliError> {
    let mut all = false;
    let mut names = HashSet::new();
    for v in values {
        for part in v.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match part {
                ":all:" => all = true,
                ":none:" => {
                    all = false;
                    names.clear();
                }
                n => {
                    names.insert(
                        PackageName::from_str(n)
                            .map_err(|e| CliError::usage(format!("--only-binary {n}: {e}")))?,
                    );
                }
            }
        }
    }
    Ok((all, names))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cut(s: &str) -> i64 {
        let now: jiff::Timestamp = "2025-10-08T12:00:00Z".parse().unwrap();
        parse_exclude_newer(s, now).unwrap().cutoff
    }

    #[test]
    fn exclude_newer_dates_keep_the_whole_day_in_utc() {
        // 2025-10-01T00:00:00Z is 1_759_276_800: a date keeps that day up to its last second.
        assert_eq!(cut("2025-10-01"), 1_759_276_800 + 86_400 - 1);
        // A timestamp keeps what was uploaded before it, as uv.
        assert_eq!(cut("2025-10-01T00:00:00Z"), 1_759_276_800 - 1);
        assert_eq!(cut("2025-10-01T02:00:00+02:00"), 1_759_276_800 - 1);
        assert!(parse_exclude_newer("yesterday", jiff::Timestamp::now()).is_err());
    }

    #[test]
    fn exclude_newer_spans_count_back_from_now() {
        let now = 1_759_924_800; // 2025-10-08T12:00:00Z
        for s in ["7 days", "7d", "P7D", "1 week", "7 days ago"] {
            assert_eq!(cut(s), now - 7 * 86_400, "{s}");
        }
        assert_eq!(cut("PT24H"), now - 86_400);
        let now_ts: jiff::Timestamp = "2025-10-08T12:00:00Z".parse().unwrap();
        let e = parse_exclude_newer("P7D", now_ts).unwrap();
        assert_eq!(e.relative.as_deref(), Some("P7D"));
        assert_eq!(e.timestamp(), "2025-10-01T12:00:00Z");
        assert_eq!(
            parse_exclude_newer("2025-10-01", now_ts).unwrap().relative,
            None
        );
    }

    #[test]
    fn python_version_sets_the_python_of_targets_not_named_by_flags() {
        let t = |s: &str| Target::parse(s).unwrap();
        let got = set_python_version(
            vec![
                t("cp312-manylinux_2_28_x86_64"),
                t("cp312-musllinux_1_2_x86_64"),
            ],
            "3.11",
            false,
        )
        .unwrap();
        assert_eq!(
            names(&got),
            "cp311-manylinux_2_28_x86_64, cp311-musllinux_1_2_x86_64"
        );
        let patched = set_python_version(vec![t("cp312-win_amd64")], "3.12.4", true).unwrap();
        assert_eq!(patched[0].python_full_version().to_string(), "3.12.4");
        let err = set_python_version(vec![t("cp312-win_amd64")], "3.11", true).unwrap_err();
        assert_eq!(
            err.message,
            "--python-version 3.11: --target cp312-win_amd64 runs Python 3.12"
        );
        assert!(set_python_version(vec![t("cp312-win_amd64")], "3", false).is_err());
        assert!(set_python_version(vec![t("cp312-win_amd64")], "3.99", false).is_err());
    }

    #[test]
    fn counts_agree_with_their_noun() {
        assert_eq!(super::count(0, "package"), "0 packages");
        assert_eq!(super::count(1, "package"), "1 package");
        assert_eq!(super::count(2, "target"), "2 targets");
    }
}
