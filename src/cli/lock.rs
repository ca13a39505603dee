//! `pinwheel lock`: loose requirements (requirements files or pyproject.toml) to a pinned,
//! hashed lock for the image's targets.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Instant;

use clap::Args;
use pep508_rs::PackageName;
use sha2::{Digest, Sha256};

use super::printer::Printer;
use super::{
    build_client, exit, parse_exclude_newer, parse_only_binary, resolve_targets, CliError,
    ExcludeNewer, IndexArgs, TargetArgs,
};
use crate::distribution::HashDigest;
use crate::index::{IndexClient, IndexError};
use crate::lock::options::LockOptions;
use crate::lock::pylock::{self, LockedFile, PinFiles};
use crate::lock::resolved::lock_from_resolution;
use crate::lock::{Lock, Pin};
use crate::platform::Target;
use crate::requirements::{PyProject, RequirementsFile};
use crate::resolve::{self, ForkStrategy, Preferences, ResolveError, Root, Settings};

#[derive(Args, Debug)]
pub struct LockArgs {
    /// Input: requirements files (pip syntax) or a pyproject.toml.
    #[arg(value_name = "SRC", required = true)]
    pub src: Vec<PathBuf>,
    /// Where to write the lock; read first so its pins are kept. `-` or none: standard output.
    #[arg(long, short = 'o', visible_alias = "output-file", value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub targets: TargetArgs,
    #[command(flatten)]
    pub index: IndexArgs,
    /// Constrain versions without adding requirements (pip's -c). Repeatable.
    #[arg(long, short = 'c', value_name = "FILE")]
    pub constraint: Vec<PathBuf>,
    /// pyproject.toml: include this optional-dependencies extra. Repeatable.
    #[arg(long, value_name = "EXTRA")]
    pub extra: Vec<String>,
    /// pyproject.toml: include every extra.
    #[arg(long)]
    pub all_extras: bool,
    /// pyproject.toml: include this PEP 735 dependency group. Repeatable.
    #[arg(long, value_name = "GROUP")]
    pub group: Vec<String>,
    /// Ignore files uploaded after this time (PEP 700 upload-time): an RFC 3339 timestamp, or
    /// YYYY-MM-DD for that day's start in UTC. Files without an upload time are kept.
    #[arg(long, value_name = "TIMESTAMP")]
    pub exclude_newer: Option<String>,
    /// Allow pre-releases.
    #[arg(long)]
    pub pre: bool,
    /// Release every pin of the existing output file.
    #[arg(long, short = 'U')]
    pub upgrade: bool,
    /// Release this package's pin of the existing output file. Repeatable.
    #[arg(long, short = 'P', value_name = "NAME")]
    pub upgrade_package: Vec<String>,
    /// List the hashes of every file of each pinned version, not just those the targets install.
    #[arg(long)]
    pub all_hashes: bool,
    /// Leave out the `# via` lines.
    #[arg(long)]
    pub no_annotate: bool,
    /// Leave out the header comments (the `# targets:` line stays: re-locks and other commands
    /// read it).
    #[arg(long)]
    pub no_header: bool,
    /// Accepted as pip-compile's: pinwheel always writes hashes.
    #[arg(long)]
    pub generate_hashes: bool,
    /// Accepted as pip-compile's: pinwheel never writes extras into the lock.
    #[arg(long)]
    pub strip_extras: bool,
    /// Refused: a lock for a wheelhouse needs every dependency.
    #[arg(long, hide = true)]
    pub no_deps: bool,
    /// Refused: pinwheel locks for the targets named.
    #[arg(long, hide = true)]
    pub universal: bool,
    /// Only wheels: `:all:`, `:none:` or package names (comma separated, repeatable).
    #[arg(long, value_name = "NAMES")]
    pub only_binary: Vec<String>,
    /// Build from source: versions need an sdist and the lock names only it, as pip's
    /// --no-binary (`:all:`, `:none:` or package names; wheels still give the metadata).
    #[arg(long, value_name = "NAMES")]
    pub no_binary: Vec<String>,
    /// Prefer the newest version with wheels for every target over a newer source-only one.
    #[arg(long)]
    pub prefer_binary: bool,
    /// How targets share versions: `newest` gives each target the newest versions that suit it
    /// (Python version, platform wheels) and pins a package once wherever they agree; `fewest`
    /// keeps one version for all targets unless none serves them all. `requires-python` (uv's
    /// name) is `newest`. Default: `[tool.pinwheel] fork-strategy`, else `newest`.
    #[arg(long, value_enum, value_name = "STRATEGY")]
    pub fork_strategy: Option<ForkStrategyArg>,
    /// Output format: `requirements` (pip's, with --hash) or `pylock` (PEP 751). Default:
    /// `pylock` when -o names `pylock.toml` or `pylock.NAME.toml`, else `requirements`.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<LockFormat>,
    /// Do not record the indexes and find-links used in the lock.
    #[arg(long)]
    pub no_emit_index_url: bool,
    /// Print only errors.
    #[arg(long, short = 'q', conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print each phase (targets, resolution, hashes, writing) as it ends.
    #[arg(long, short = 'v')]
    pub verbose: bool,
}

impl LockArgs {
    /// The output file; none for standard output (`-o -` or no `-o`).
    fn output(&self) -> Option<&Path> {
        self.output.as_deref().filter(|p| p.as_os_str() != "-")
    }
}

/// Flags from other lockers whose meaning cannot hold here: refused with what to do instead.
fn refuse_foreign_flags(args: &LockArgs) -> Result<(), CliError> {
    if args.no_deps {
        return Err(CliError::usage(
            "--no-deps is not supported: a lock pinwheel writes installs with `pip install \
             --no-index`, which needs every dependency pinned and hashed",
        )
        .hint("to keep a package's dependencies at given versions, pin them in the input or a constraints file (-c)"));
    }
    if args.universal {
        return Err(CliError::usage(
            "--universal is not supported: pinwheel locks for the targets named, each with \
             the newest versions that suit it",
        )
        .hint("name every image the lock serves with --target (e.g. --target python:3.12-slim --target python:3.12-alpine)"));
    }
    Ok(())
}

/// `--fork-strategy` values.
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ForkStrategyArg {
    /// Each target's newest versions, pinned once wherever the targets agree.
    #[value(alias = "requires-python")]
    Newest,
    /// One version for all targets wherever one serves them all.
    Fewest,
}

impl From<ForkStrategyArg> for ForkStrategy {
    fn from(a: ForkStrategyArg) -> Self {
        match a {
            ForkStrategyArg::Newest => ForkStrategy::Newest,
            ForkStrategyArg::Fewest => ForkStrategy::Fewest,
        }
    }
}

/// The lock file formats `lock` writes.
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LockFormat {
    /// pip's requirements format with `--hash` options (`pip install --require-hashes -r`).
    Requirements,
    /// PEP 751 `pylock.toml`.
    Pylock,
}

impl LockArgs {
    fn lock_format(&self) -> LockFormat {
        match (self.format, &self.output) {
            (Some(f), _) => f,
            (None, Some(o)) if pylock::is_pylock_name(o) => LockFormat::Pylock,
            _ => LockFormat::Requirements,
        }
    }
}

/// Everything the inputs say, gathered.
struct Inputs {
    requirements: Vec<Root>,
    constraints: Vec<Root>,
    index_url: Option<url::Url>,
    extra_index_urls: Vec<url::Url>,
    find_links: Vec<String>,
    pre: bool,
    only_binary: Vec<String>,
    no_binary: Vec<String>,
    prefer_binary: bool,
    config: crate::requirements::ToolConfig,
    /// `[project].requires-python` of each pyproject.toml input, with its path.
    requires_python: Vec<(PathBuf, pep440_rs::VersionSpecifiers)>,
    /// Every file read (inputs, their includes, constraint files), which `-o` must not name.
    files: Vec<PathBuf>,
}

fn load_inputs(args: &LockArgs) -> Result<Inputs, CliError> {
    let mut inputs = Inputs {
        requirements: Vec::new(),
        constraints: Vec::new(),
        index_url: None,
        extra_index_urls: Vec::new(),
        find_links: Vec::new(),
        pre: false,
        only_binary: Vec::new(),
        no_binary: Vec::new(),
        prefer_binary: false,
        config: Default::default(),
        requires_python: Vec::new(),
        files: Vec::new(),
    };
    for src in &args.src {
        if !src.exists() {
            return Err(CliError::usage(format!("{}: no such file", src.display()))
                .hint("give a requirements file or a pyproject.toml"));
        }
        let is_toml = src.extension().is_some_and(|e| e == "toml");
        if is_toml {
            let py = PyProject::from_path(src).map_err(CliError::from)?;
            inputs.files.push(src.clone());
            let entries = py
                .requirements(&args.extra, args.all_extras, &args.group)
                .map_err(CliError::from)?;
            inputs.requirements.extend(entries.into_iter().map(|e| {
                Root {
                    source: src
                        .file_name()
                        .map(|f| f.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                    requirement: e.requirement,
                }
            }));
            inputs.config = py.tool_config();
            if let Some(spec) = &py.requires_python {
                inputs.requires_python.push((src.clone(), spec.clone()));
            }
        } else {
            if !args.extra.is_empty() || !args.group.is_empty() || args.all_extras {
                return Err(CliError::usage(
                    "--extra, --all-extras and --group apply to pyproject.toml inputs",
                )
                .hint("write the extras into the requirement instead, e.g. `uvicorn[standard]`"));
            }
            let file = RequirementsFile::from_path(src).map_err(CliError::from)?;
            inputs.files.extend(file.files.iter().cloned());
            // `# via -r base.in` names the file a line was written in, includes too.
            inputs
                .requirements
                .extend(file.requirements.into_iter().map(|e| Root {
                    source: format!("-r {}", e.origin.path.display()),
                    requirement: e.requirement,
                }));
            inputs
                .constraints
                .extend(file.constraints.into_iter().map(|e| Root {
                    source: format!("-c {}", e.origin.path.display()),
                    requirement: e.requirement,
                }));
            inputs.index_url = inputs.index_url.or(file.index_url);
            inputs.extra_index_urls.extend(file.extra_index_urls);
            inputs.find_links.extend(file.find_links);
            inputs.pre |= file.pre;
            inputs.only_binary.extend(file.only_binary);
            inputs.no_binary.extend(file.no_binary);
            inputs.prefer_binary |= file.prefer_binary;
        }
    }
    for c in &args.constraint {
        let file = RequirementsFile::from_path(c).map_err(CliError::from)?;
        inputs.files.extend(file.files.iter().cloned());
        let label = format!("-c {}", c.display());
        inputs.constraints.extend(
            file.requirements
                .into_iter()
                .chain(file.constraints)
                .map(|e| Root {
                    source: label.clone(),
                    requirement: e.requirement,
                }),
        );
    }
    Ok(inputs)
}

/// The names (in the order given) that are not among `known`, each with the closest known name
/// when one is near enough to be a likely misspelling.
fn unknown_names(
    names: &[PackageName],
    known: &HashSet<PackageName>,
) -> Vec<(PackageName, Option<PackageName>)> {
    let mut out: Vec<(PackageName, Option<PackageName>)> = Vec::new();
    for n in names {
        if known.contains(n) || out.iter().any(|(m, _)| m == n) {
            continue;
        }
        let near = known
            .iter()
            .map(|k| (edit_distance(n.as_ref(), k.as_ref()), k))
            .filter(|(d, _)| *d <= 2.max(n.as_ref().len() / 4))
            .min_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)))
            .map(|(_, k)| k.clone());
        out.push((n.clone(), near));
    }
    out
}

/// Levenshtein distance (insertions, deletions, substitutions), by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// What the existing output file holds: its targets and pins (none when there is no file).
#[derive(Default)]
struct Existing {
    targets: Vec<String>,
    pins: Vec<Pin>,
}

/// Reads the existing output file, if any. One that cannot be read is an error, unless
/// `--upgrade` says it is to be replaced anyway.
fn read_existing(args: &LockArgs) -> Result<Existing, CliError> {
    let Some(out) = args.output().filter(|o| o.exists()) else {
        return Ok(Existing::default());
    };
    if out.is_dir() {
        return Err(CliError::usage(format!(
            "-o {}: is a directory; the lock is a file",
            out.display()
        ))
        .hint(format!(
            "name a file, e.g. -o {}",
            out.join("requirements.lock").display()
        )));
    }
    if args.lock_format() == LockFormat::Pylock {
        let parsed = std::fs::read_to_string(out)
            .map_err(|e| e.to_string())
            .and_then(|t| pylock::parse(&t, out, false).map_err(|e| e.to_string()));
        return match parsed {
            Ok(p) => Ok(Existing {
                targets: p.lock.targets,
                pins: p.lock.pins,
            }),
            Err(_) if args.upgrade => Ok(Existing::default()),
            Err(e) => Err(
                CliError::usage(format!("cannot read the existing lock: {e}"))
                    .hint("delete it or pass --upgrade to start afresh"),
            ),
        };
    }
    let file = match RequirementsFile::from_path(out) {
        Ok(f) => f,
        Err(_) if args.upgrade => return Ok(Existing::default()),
        Err(e) => {
            return Err(
                CliError::usage(format!("cannot read the existing lock: {e}"))
                    .hint("delete it or pass --upgrade to start afresh"),
            )
        }
    };
    Ok(Existing {
        targets: crate::lock::header_targets(&file.header_comments),
        pins: Lock::from_requirements(&file, false)
            .map(|l| l.pins)
            .unwrap_or_default(),
    })
}

/// Where the targets come from when no `--target` is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TargetsFrom {
    Config,
    ExistingLock,
    Host,
}

/// The targets to use without `--target`: `[tool.pinwheel] targets`, else the existing lock's
/// `# targets:` line, else none (this machine).
fn default_targets<'a>(
    config: &'a [String],
    existing: &'a [String],
) -> (&'a [String], TargetsFrom) {
    if !config.is_empty() {
        (config, TargetsFrom::Config)
    } else if !existing.is_empty() {
        (existing, TargetsFrom::ExistingLock)
    } else {
        (&[], TargetsFrom::Host)
    }
}

/// A project's `requires-python` must admit every target's Python: a lock for an image whose
/// Python the project does not support is a mistake in the targets or in the project.
fn check_requires_python(
    path: &Path,
    spec: &pep440_rs::VersionSpecifiers,
    targets: &[Target],
) -> Result<(), CliError> {
    let excluded: Vec<String> = targets
        .iter()
        .filter(|t| !spec.contains(&t.python_full_version()))
        .map(|t| format!("{} (Python {})", t.canonical(), t.python_full_version()))
        .collect();
    if excluded.is_empty() {
        return Ok(());
    }
    Err(CliError::usage(format!(
        "{}: [project] requires-python `{spec}` excludes the target{} {}",
        path.display(),
        if excluded.len() == 1 { "" } else { "s" },
        excluded.join(", ")
    ))
    .hint("lock for targets whose Python the project supports (--target, [tool.pinwheel] targets), or change requires-python"))
}

pub async fn run(args: LockArgs) -> Result<u8, CliError> {
    let printer = Printer::new(args.quiet, args.verbose);
    let started = Instant::now();
    refuse_foreign_flags(&args)?;
    crate::interrupt::set_doing(format!(
        "locking {} ({})",
        args.src
            .iter()
            .map(|s| s.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
        match args.output() {
            Some(out) => format!("{} is left as it was", out.display()),
            None => "nothing was printed".to_string(),
        }
    ));
    let inputs = load_inputs(&args)?;
    if let Some(out) = args.output() {
        super::refuse_overwriting_inputs(&format!("-o {}", out.display()), out, &inputs.files)?;
    }
    let existing = read_existing(&args)?;
    let (fallback, from) = default_targets(&inputs.config.targets, &existing.targets);
    let (targets, host) = resolve_targets(&args.targets, fallback)?;
    if args.targets.targets.is_empty() {
        match (host, from, args.output()) {
            (true, ..) if args.targets.python_version.is_some() => printer.info(format_args!(
                "No --target given: locking for this machine's platform with Python {}: {}.",
                args.targets.python_version.as_deref().unwrap_or_default(),
                targets[0].canonical()
            )),
            (true, ..) => printer.info(format_args!(
                "No --target given: locking for this machine, {} (the `python3` on PATH).",
                targets[0].canonical()
            )),
            (false, TargetsFrom::ExistingLock, Some(out)) => printer.info(format_args!(
                "No --target given: locking for the targets of {}: {}.",
                out.display(),
                super::names(&targets)
            )),
            _ => {}
        }
    }
    printer.detail(format_args!(
        "Targets: {} ({})",
        super::names(&targets),
        match (host, from) {
            _ if !args.targets.targets.is_empty() => "--target",
            (true, _) => "this machine",
            (false, TargetsFrom::Config) => "[tool.pinwheel] targets",
            (false, TargetsFrom::ExistingLock) => "the existing lock",
            (false, TargetsFrom::Host) => "this machine",
        }
    ));
    for (path, spec) in &inputs.requires_python {
        check_requires_python(path, spec, &targets)?;
    }
    let exclude_newer = match args
        .exclude_newer
        .as_deref()
        .or(inputs.config.exclude_newer.as_deref())
    {
        Some(s) => Some(parse_exclude_newer(s, jiff::Timestamp::now())?),
        None => None,
    };
    if let Some(cut) = &exclude_newer {
        printer.detail(format_args!(
            "Ignoring files uploaded after {}",
            cut.timestamp()
        ));
    }
    let cutoff = exclude_newer.as_ref().map(|e| e.cutoff);
    // Source-only releases get their metadata built; their build requirements are resolved
    // with the same --exclude-newer.
    let builder = crate::pep517::Builder::new(crate::pep517::BuildOptions {
        python: None,
        exclude_newer: cutoff,
    });
    let client = build_client(
        &args.index,
        inputs.index_url.as_ref(),
        &inputs.extra_index_urls,
        &inputs.find_links,
        inputs.config.index_url.as_ref(),
        &inputs.config.extra_index_urls,
        Some(std::sync::Arc::new(builder)),
    )?;
    let mut only_binary_values = inputs.only_binary.clone();
    only_binary_values.extend(inputs.config.only_binary.iter().cloned());
    only_binary_values.extend(args.only_binary.iter().cloned());
    let (only_binary_all, only_binary) = parse_only_binary(&only_binary_values)?;
    let mut no_binary_values = inputs.no_binary.clone();
    no_binary_values.extend(args.no_binary.iter().cloned());
    let (no_binary_all, no_binary) = parse_only_binary(&no_binary_values)?;
    // Recorded in the lock as one `--no-binary` line (pip and `wheelhouse` read it back).
    let mut no_binary_recorded: Vec<String> = no_binary.iter().map(|n| n.to_string()).collect();
    no_binary_recorded.sort();
    if no_binary_all {
        no_binary_recorded.insert(0, ":all:".to_string());
    }
    if no_binary_all && only_binary_all {
        return Err(CliError::usage(
            "--no-binary :all: and --only-binary :all: leave no file to install",
        )
        .hint("name the packages of one of them"));
    }
    if let Some(both) = no_binary.intersection(&only_binary).next() {
        return Err(CliError::usage(format!(
            "{both} is given both --no-binary and --only-binary"
        ))
        .hint("keep one of them for it"));
    }

    // Keep the pins of an existing output file unless released.
    let release_names: Vec<PackageName> = args
        .upgrade_package
        .iter()
        .map(|n| {
            PackageName::from_str(n)
                .map_err(|e| CliError::usage(format!("--upgrade-package {n}: {e}")))
        })
        .collect::<Result<_, _>>()?;
    let release: HashSet<PackageName> = release_names.iter().cloned().collect();
    // Every package name the run knows of, to catch a misspelt --upgrade-package.
    let mut known: HashSet<PackageName> = inputs
        .requirements
        .iter()
        .chain(&inputs.constraints)
        .map(|o| o.requirement.name.clone())
        .chain(existing.pins.iter().map(|p| p.name.clone()))
        .collect();
    // Each fork keeps the pin its targets had (a forked lock pins a name once per fork).
    let mut preferences = Preferences::default();
    if !args.upgrade {
        for p in &existing.pins {
            if !release.contains(&p.name) {
                let marker = p
                    .marker
                    .as_ref()
                    .map_or(pep508_rs::MarkerTree::TRUE, |m| m.tree().clone());
                preferences.insert(p.name.clone(), p.version.clone(), marker);
            }
        }
    }
    let settings = Settings {
        targets: targets.clone(),
        exclude_newer: cutoff,
        pre: args.pre || inputs.pre,
        preferences,
        only_binary_all,
        only_binary,
        no_binary_all,
        no_binary,
        prefer_binary: args.prefer_binary || inputs.prefer_binary,
        fork_strategy: match (args.fork_strategy, inputs.config.fork_strategy.as_deref()) {
            (Some(arg), _) => arg.into(),
            (None, Some("fewest")) => ForkStrategy::Fewest,
            (None, _) => ForkStrategy::Newest,
        },
    };
    printer.detail(format_args!(
        "Resolving {} for {} on {}",
        super::count(inputs.requirements.len(), "requirement"),
        super::count(targets.len(), "target"),
        client.index_names().join(", ")
    ));
    let status = Status::start(&printer);
    let resolved =
        resolve::resolve(&client, inputs.requirements, inputs.constraints, settings).await;
    status.stop();
    let resolution = resolved.map_err(|e| match e {
        ResolveError::Index(e @ IndexError::NotFound { offline: false, .. }) => {
            not_found(e, &client, &known)
        }
        ResolveError::Index(e) => CliError::from(e),
        ResolveError::NoSolution { .. } | ResolveError::Unserved { .. } => {
            CliError::new(exit::RESOLUTION, e.to_string())
        }
        ResolveError::DirectReference { .. } => CliError::new(exit::USAGE, e.to_string()),
        ResolveError::Metadata { .. } | ResolveError::Thread(_) => {
            CliError::new(exit::NETWORK, e.to_string())
        }
    })?;
    let progress = crate::progress::snapshot();
    printer.detail(format_args!(
        "Resolved {} in {:.2}s ({} sent in all)",
        super::count(resolution.pins.len(), "package"),
        started.elapsed().as_secs_f64(),
        super::count(progress.requests, "request"),
    ));
    known.extend(resolution.pins.iter().map(|p| p.name.clone()));
    for w in &resolution.warnings {
        printer.warn(w);
    }
    for (name, near) in unknown_names(&release_names, &known) {
        let hint = near
            .map(|n| format!("; did you mean {n}?"))
            .unwrap_or_default();
        printer.warn(format_args!(
            "--upgrade-package {name} names no package of the input, the existing lock \
             or the resolution: nothing to upgrade{hint}"
        ));
    }
    let (mut lock, files) = build_lock(&client, &resolution, &targets, &args, &printer).await?;
    if let Some(ExcludeNewer {
        relative: Some(span),
        ..
    }) = &exclude_newer
    {
        lock.header.push(format!(
            "--exclude-newer \"{span}\" resolved to {}",
            exclude_newer
                .as_ref()
                .map(ExcludeNewer::timestamp)
                .unwrap_or_default()
        ));
    }
    if host {
        lock.header.push(
            "no --target was given: the targets are this machine's (the python3 on PATH)".into(),
        );
    }
    lock.header.push(if args.all_hashes {
        "hashes: every file of each pinned version (--all-hashes)".into()
    } else {
        "hashes: the files the targets below install; --all-hashes would list every file".into()
    });
    if args.no_header {
        lock.header.clear();
    }
    // The indexes travel with the lock (without credentials), so `wheelhouse` and `check`
    // ask the same ones without flags.
    let indexes: Vec<url::Url> = client
        .index_names()
        .iter()
        .filter_map(|u| url::Url::parse(u).ok())
        .collect();
    let mut options = if args.no_emit_index_url {
        LockOptions::default()
    } else {
        LockOptions::recorded(&indexes, client.find_links())
    };
    // The cut-off travels with the lock: `wheelhouse` resolves build requirements with it.
    options.exclude_newer = exclude_newer.as_ref().map(|e| e.cutoff);
    options.no_binary = no_binary_recorded;
    let text = match args.lock_format() {
        LockFormat::Requirements => lock.render_with_options(!args.no_annotate, &options),
        LockFormat::Pylock => pylock::render(
            &lock,
            &files,
            &options,
            !args.no_emit_index_url,
            &command_line(),
        ),
    };
    match args.output() {
        Some(path) => {
            crate::fs::write_atomic(path, text.as_bytes()).map_err(|e| {
                CliError::new(exit::IO, format!("cannot write {}: {e}", path.display()))
            })?;
            printer.detail(format_args!("Wrote {}", path.display()));
        }
        None => printer.stdout(&text),
    }
    printer.info(format_args!(
        "Resolved {} for {} in {:.2}s",
        super::count(lock.pins.len(), "package"),
        super::count(targets.len(), "target"),
        started.elapsed().as_secs_f64()
    ));
    Ok(exit::OK)
}

/// A package no index has. When no project at all was found on an index other than PyPI, the
/// URL is the likelier mistake; else the spelling, with the nearest name the run knows of.
fn not_found(e: IndexError, client: &IndexClient, known: &HashSet<PackageName>) -> CliError {
    let IndexError::NotFound { package, .. } = &e else {
        return CliError::from(e);
    };
    let near = PackageName::from_str(package).ok().and_then(|n| {
        let others: HashSet<PackageName> = known.iter().filter(|k| **k != n).cloned().collect();
        unknown_names(&[n], &others)
            .pop()
            .and_then(|(_, near)| near)
    });
    let only_pypi = client
        .index_names()
        .iter()
        .all(|u| u.trim_end_matches('/') == "https://pypi.org/simple");
    let hint = match near {
        Some(n) => format!(
            "did you mean {n} (named in the input or the existing lock)? Else add the index \
             that has {package} with --extra-index-url"
        ),
        None if !client.found_any() && !only_pypi => "no project at all was found on the \
            indexes asked: check the index URL (PyPI's is https://pypi.org/simple/), or the \
            spelling of the package"
            .into(),
        None => e.hint().unwrap_or_default(),
    };
    CliError::from(e).hint(hint)
}

/// The status line while the resolver works, on a terminal: packages decided, requests in
/// flight, the source build running. Hidden elsewhere; gone when stopped.
struct Status {
    bar: indicatif::ProgressBar,
    ticker: Option<tokio::task::JoinHandle<()>>,
}

impl Status {
    fn start(printer: &Printer) -> Status {
        let bar = printer.status();
        if bar.is_hidden() {
            return Status { bar, ticker: None };
        }
        let shown = bar.clone();
        let ticker = tokio::spawn(async move {
            let mut every = tokio::time::interval(std::time::Duration::from_millis(100));
            loop {
                every.tick().await;
                shown.set_message(status_line(&crate::progress::snapshot()));
            }
        });
        Status {
            bar,
            ticker: Some(ticker),
        }
    }

    fn stop(self) {
        if let Some(t) = self.ticker {
            t.abort();
        }
        self.bar.finish_and_clear();
    }
}

/// `Resolving: 42 packages, 12 requests in flight, building foo-1.0.tar.gz`.
fn status_line(p: &crate::progress::Snapshot) -> String {
    let mut line = format!(
        "Resolving: {}, {} in flight",
        super::count(p.decided, "package"),
        super::count(p.in_flight, "request")
    );
    match p.builds.as_slice() {
        [] => {}
        [one] => line.push_str(&format!(", building {one}")),
        [first, rest @ ..] => line.push_str(&format!(", building {first} and {} more", rest.len())),
    }
    line
}

/// The command line as written in the lock's header, credentials removed.
fn command_line() -> String {
    render_command_line(std::env::args().skip(1))
}

/// `pinwheel ARGS...` with the userinfo of every URL in any argument masked, whatever the
/// spelling (`--index-url URL`, `--index-url=URL`, `-iURL`, `--find-links=URL`).
fn render_command_line(args: impl IntoIterator<Item = String>) -> String {
    std::iter::once("pinwheel".to_string())
        .chain(
            args.into_iter()
                .map(|a| crate::index::simple::redact_text(&a)),
        )
        .collect::<Vec<_>>()
        .join(" ")
}

/// The lock for a resolution: the lock model decides what it records; the files the index
/// listed without a sha256 are fetched and hashed here. With, per pin, the index it came from
/// and its files (what a PEP 751 lock lists).
async fn build_lock(
    client: &IndexClient,
    resolution: &resolve::Resolution,
    targets: &[Target],
    args: &LockArgs,
    printer: &Printer,
) -> Result<(Lock, Vec<PinFiles>), CliError> {
    let sources: Vec<String> = args
        .src
        .iter()
        .map(|p| {
            Path::new(p)
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default()
        })
        .collect();
    let header = vec![
        format!(
            "This file was generated by pinwheel {} from {}:",
            env!("CARGO_PKG_VERSION"),
            sources.join(", ")
        ),
        format!("  {}", command_line()),
    ];
    let (mut lock, unhashed) = lock_from_resolution(resolution, targets, args.all_hashes, header);
    if !unhashed.is_empty() {
        printer.detail(format_args!(
            "Hashing {} the listings give no sha256 for",
            super::count(unhashed.len(), "file")
        ));
    }
    let mut files = Vec::new();
    for rp in &resolution.pins {
        let index = match &rp.url {
            Some(_) => None,
            None => client
                .project(rp.name.as_ref())
                .await
                .ok()
                .map(|p| p.source.to_string())
                .filter(|s| s.contains("://")),
        };
        files.push(PinFiles {
            index,
            parents: rp.parents.iter().cloned().collect(),
            files: rp
                .files
                .iter()
                .map(|c| LockedFile {
                    name: c.file.filename.clone(),
                    url: c.file.url.clone(),
                    size: c.file.size,
                    upload_time: c.file.upload_time,
                    sha256: c.file.sha256.clone().unwrap_or_default(),
                    requires_python: c.file.requires_python.as_ref().map(|r| r.to_string()),
                })
                .collect(),
        });
    }
    for u in unhashed {
        let bytes = client.fetch_bytes(&u.file.url()).await?;
        let sha = hex::encode(Sha256::digest(&bytes));
        if let Some(f) = files[u.pin]
            .files
            .iter_mut()
            .find(|f| f.name == u.file.filename)
        {
            f.sha256 = sha.clone();
        }
        lock.add_hash(u.pin, HashDigest::sha256(&sha));
    }
    Ok((lock, files))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_status_line_names_packages_requests_and_builds() {
        let mut p = crate::progress::Snapshot {
            in_flight: 3,
            requests: 40,
            decided: 12,
            builds: vec![],
        };
        assert_eq!(
            status_line(&p),
            "Resolving: 12 packages, 3 requests in flight"
        );
        p.builds = vec!["a-1.tar.gz".into()];
        p.in_flight = 1;
        assert_eq!(
            status_line(&p),
            "Resolving: 12 packages, 1 request in flight, building a-1.tar.gz"
        );
        p.builds.push("b-2.tar.gz".into());
        assert!(status_line(&p).ends_with("building a-1.tar.gz and 1 more"));
    }

    #[test]
    fn targets_without_flags_come_from_config_then_the_existing_lock() {
        let config = vec!["python:3.12-slim".to_string()];
        let lock = vec!["cp311-win_amd64".to_string()];
        assert_eq!(
            default_targets(&config, &lock),
            (&config[..], TargetsFrom::Config)
        );
        assert_eq!(
            default_targets(&[], &lock),
            (&lock[..], TargetsFrom::ExistingLock)
        );
        assert_eq!(default_targets(&[], &[]), (&[][..], TargetsFrom::Host));
    }

    #[test]
    fn requires_python_must_admit_every_target() {
        let targets: Vec<Target> = ["cp312-manylinux_2_28_x86_64", "cp311-win_amd64"]
            .iter()
            .map(|t| Target::parse(t).unwrap())
            .collect();
        let path = Path::new("pyproject.toml");
        let spec = |s: &str| pep440_rs::VersionSpecifiers::from_str(s).unwrap();
        assert!(check_requires_python(path, &spec(">=3.10"), &targets).is_ok());
        let err = check_requires_python(path, &spec(">=3.12"), &targets).unwrap_err();
        assert_eq!(err.code, exit::USAGE);
        assert!(
            err.message.contains("pyproject.toml")
                && err.message.contains(">=3.12")
                && err.message.contains("cp311-win_amd64")
                && !err.message.contains("cp312-"),
            "{}",
            err.message
        );
    }

    #[test]
    fn unknown_upgrade_names_come_with_the_nearest_known_name() {
        let name = |s: &str| PackageName::from_str(s).unwrap();
        let known: HashSet<PackageName> = ["requests", "urllib3", "idna"].map(name).into();
        let got = unknown_names(
            &[name("reqests"), name("idna"), name("zzz"), name("reqests")],
            &known,
        );
        assert_eq!(
            got,
            [
                (name("reqests"), Some(name("requests"))),
                (name("zzz"), None)
            ]
        );
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    #[test]
    fn command_line_never_holds_credentials() {
        let args = [
            "lock",
            "req.in",
            "--index-url=http://al:pw1@h/simple/",
            "--extra-index-url",
            "https://bo:pw2@h2/simple/",
            "-ihttps://tok3@h3/",
            "--find-links=https://cy:pw4@h4/links/",
        ];
        let line = render_command_line(args.iter().map(|s| s.to_string()));
        for secret in ["al", "pw1", "bo", "pw2", "tok3", "cy", "pw4"] {
            assert!(
                !line.contains(&format!("{secret}:")) && !line.contains(&format!("{secret}@")),
                "{line}"
            );
        }
        assert_eq!(
            line,
            "pinwheel lock req.in --index-url=http://****@h/simple/ --extra-index-url \
             https://****@h2/simple/ -ihttps://****@h3/ --find-links=https://****@h4/links/"
        );
    }
}
