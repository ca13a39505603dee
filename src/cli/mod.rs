//! The command line: argument definitions (clap), the options every command shares, error
//! rendering (what, where, a hint) and the exit codes. One file per subcommand; the work is in
//! the library modules they call.

pub mod check;
pub mod dockerfile;
pub mod lock;
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
    /// Print the Dockerfile stage that installs a wheelhouse for a target (BuildKit bind mount).
    Dockerfile(dockerfile::DockerfileArgs),
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
    let result = rt.block_on(async {
        match cli.command {
            Command::Lock(args) => lock::run(args).await,
            Command::Wheelhouse(args) => wheelhouse::run(args).await,
            Command::Verify(args) => wheelhouse::verify(args),
            Command::Check(args) => check::run(args).await,
            Command::Target(args) => show_targets(args),
            Command::Dockerfile(args) => dockerfile::run(args),
        }
    });
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            // Messages may quote what the user wrote (a URL in a requirements file, a flag):
            // credentials are masked here, once for every error.
            let redact = crate::index::simple::redact_text;
            eprintln!("error: {}", redact(&e.message));
            if let Some(h) = e.hint {
                eprintln!("  hint: {}", redact(&h));
            }
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
    for t in targets {
        let env = t.marker_env();
        println!(
            "{}  python {} on {} {}",
            t.canonical(),
            t.python_full_version(),
            env.sys_platform(),
            env.platform_machine()
        );
    }
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
        credential_urls,
    };
    Ok(IndexClient::new(opts)?)
}

// What more than one command needs: reading a lock, its targets and listings, and the
// flags that `lock` and `wheelhouse`/`check` share.

/// Reads a hashed lock: a PEP 751 `pylock.toml` (by its name or its `lock-version` key) or a
/// requirements-format lock, from any of the tools that write them; with the index options it
/// carries.
pub fn read_lock(path: &Path, require_hashes: bool) -> Result<(Lock, LockOptions), CliError> {
    if !path.exists() {
        return Err(CliError::usage(format!("{}: no such file", path.display()))
            .hint("create it with `pinwheel lock`"));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::usage(format!("cannot read {}: {e}", path.display())))?;
    if pylock::is_pylock_name(path) || pylock::looks_like_pylock(&text) {
        let p = pylock::parse(&text, path, require_hashes)
            .map_err(|e| CliError::usage(e.to_string()))?;
        return Ok((p.lock, p.options));
    }
    let file = RequirementsFile::parse_str(&text, path).map_err(CliError::from)?;
    let lock = Lock::from_requirements(&file, require_hashes)
        .map_err(|e| CliError::usage(e.to_string()))?;
    Ok((lock, LockOptions::from_requirements(&file)))
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
pub fn check_stale_hashes(lock: &Lock, stale: &[plan::StaleHashes]) -> Result<(), CliError> {
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
        eprintln!(
            "warning: {}; every target still gets a wheel the lock lists",
            line(s)
        );
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

/// Targets from `--target`, else the lock's `# targets:` line, else the host.
pub fn lock_targets(args: &TargetArgs, lock: &Lock) -> Result<Vec<Target>, CliError> {
    let (targets, host) = resolve_targets(args, &lock.targets)?;
    if host {
        eprintln!(
            "The lock names no targets and no --target was given: using this machine, {}.",
            targets[0].canonical()
        );
    }
    Ok(targets)
}

/// `--exclude-newer`: an RFC 3339 timestamp or a date (its start, UTC).
pub fn parse_exclude_newer(s: &str) -> Result<i64, CliError> {
    if let Ok(ts) = s.parse::<jiff::Timestamp>() {
        return Ok(ts.as_second());
    }
    if let Ok(d) = s.parse::<jiff::civil::Date>() {
        if let Ok(z) = d.to_zoned(jiff::tz::TimeZone::UTC) {
            return Ok(z.timestamp().as_second());
        }
    }
    Err(
        CliError::usage(format!("--exclude-newer {s}: not a timestamp"))
            .hint("use RFC 3339 (2024-06-01T00:00:00Z) or a date (2024-06-01)"),
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
    #[test]
    fn counts_agree_with_their_noun() {
        assert_eq!(super::count(0, "package"), "0 packages");
        assert_eq!(super::count(1, "package"), "1 package");
        assert_eq!(super::count(2, "target"), "2 targets");
    }
}
