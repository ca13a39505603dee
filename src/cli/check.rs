//! `pinwheel check`: which pins of a lock install from a wheel on each target, which would
//! need a compiler (sdist) or cannot install at all, and which version would have a wheel.
//! Needs only the index listings: no downloads.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use pep440_rs::VersionSpecifiers;
use pep508_rs::{PackageName, VersionOrUrl};

use super::printer::{Printer, Verbosity};
use super::{
    build_client, check_stale_hashes, exit, fetch_listings, lock_targets, parse_exclude_newer,
    read_lock, CliError, IndexArgs, TargetArgs,
};
use crate::check::{self, Report, Status};
use crate::requirements::RequirementsFile;

#[derive(Copy, Clone, Debug, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// The lock to check (pinwheel, uv or pip-compile; hashes not required).
    #[arg(value_name = "LOCK")]
    pub lock: PathBuf,
    #[command(flatten)]
    pub targets: TargetArgs,
    #[command(flatten)]
    pub index: IndexArgs,
    /// The loose input the lock came from: suggestions then say whether they satisfy it.
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// Let `sdist` pass (exit 0) when the image can build from source.
    #[arg(long)]
    pub allow_sdist: bool,
    /// Ignore files uploaded after this time when suggesting versions. Default: the cut-off the
    /// lock records (`lock --exclude-newer`).
    #[arg(long, value_name = "TIMESTAMP")]
    pub exclude_newer: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Print only the verdict of each target that fails (human format).
    #[arg(long, short = 'q', conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print every pin of every target, not only the problems (human format).
    #[arg(long, short = 'v')]
    pub verbose: bool,
}

fn input_specifiers(
    path: &std::path::Path,
) -> Result<HashMap<PackageName, VersionSpecifiers>, CliError> {
    let file = RequirementsFile::from_path(path).map_err(CliError::from)?;
    let mut out: HashMap<PackageName, Vec<pep440_rs::VersionSpecifier>> = HashMap::new();
    for e in file.requirements.iter().chain(file.constraints.iter()) {
        let list = out.entry(e.requirement.name.clone()).or_default();
        if let Some(VersionOrUrl::VersionSpecifier(s)) = &e.requirement.version_or_url {
            list.extend(s.iter().cloned());
        }
    }
    Ok(out
        .into_iter()
        .map(|(k, v)| (k, v.into_iter().collect::<VersionSpecifiers>()))
        .collect())
}

pub async fn run(args: CheckArgs) -> Result<u8, CliError> {
    let printer = Printer::new(args.quiet, args.verbose);
    let super::LockInput {
        lock,
        options: file,
        header,
        ..
    } = read_lock(&args.lock, false)?;
    let targets = lock_targets(&printer, &args.targets, &lock, &header)?;
    let input = match &args.input {
        Some(p) => Some(input_specifiers(p)?),
        None => None,
    };
    let exclude_newer = match &args.exclude_newer {
        Some(s) => Some(parse_exclude_newer(s, jiff::Timestamp::now())?.cutoff),
        None => file.exclude_newer,
    };
    let client = build_client(
        &args.index,
        file.index_url.as_ref(),
        &file.extra_index_urls,
        &file.find_links,
        None,
        &[],
        None,
    )?;
    let mut listings = fetch_listings(&client, &lock).await?;
    if let Some(cut) = exclude_newer {
        check::exclude_newer(&lock, &mut listings, cut);
    }
    // What `wheelhouse` built on this machine before (the build cache) tells which sdists it
    // turns into wheels for which targets.
    let cache = client
        .cache()
        .map(|c| crate::wheelhouse::build::BuildCache::new(c.root()));
    let records = std::sync::Mutex::new(HashMap::new());
    let built = |sdist_sha256: &str, target: &crate::platform::Target| {
        let Some(cache) = &cache else {
            return check::Built::Unbuilt;
        };
        let mut records = records.lock().unwrap();
        let kept = records
            .entry(sdist_sha256.to_string())
            .or_insert_with(|| cache.records(sdist_sha256));
        match crate::wheelhouse::build::judge(kept, target) {
            crate::wheelhouse::build::Known::Serves(w) => check::Built::Serves(w),
            crate::wheelhouse::build::Known::NotServed(why) => check::Built::NotServed(why),
            crate::wheelhouse::build::Known::Unbuilt => check::Built::Unbuilt,
        }
    };
    let report = check::check(&lock, &targets, &listings, input.as_ref(), &built);
    check_stale_hashes(&printer, &lock, &report.stale)?;
    match args.format {
        Format::Json => {
            let json = serde_json::to_string_pretty(&report)
                .map_err(|e| CliError::new(exit::IO, e.to_string()))?;
            printer.stdout(&format!("{json}\n"));
        }
        Format::Human => printer.stdout(&render_human(
            &report,
            args.allow_sdist,
            std::io::stdout().is_terminal(),
            printer.verbosity(),
        )),
    }
    Ok(if report.failures(args.allow_sdist).is_empty() {
        exit::OK
    } else {
        exit::FINDINGS
    })
}

fn paint(on: bool, code: &str, s: &str) -> String {
    if on {
        format!("\x1b[{code}m{s}\x1b[0m")
    } else {
        s.to_string()
    }
}

/// The human report, per target: the pins grouped by status (with `-v` every group, by default
/// only `sdist` and `none`, and only for targets that have them), then each target's verdict
/// (with `-q` only those of targets that fail).
pub fn render_human(
    report: &Report,
    allow_sdist: bool,
    color: bool,
    verbosity: Verbosity,
) -> String {
    let mut out = String::new();
    let mut verdicts = Vec::new();
    for target in &report.targets {
        let entries: Vec<_> = report
            .entries
            .iter()
            .filter(|e| &e.target == target)
            .collect();
        let problems = entries
            .iter()
            .any(|e| matches!(e.status, Status::Sdist | Status::None));
        let table = verbosity == Verbosity::Verbose || (verbosity == Verbosity::Normal && problems);
        if table {
            out.push_str(&format!("{}\n", paint(color, "1", target)));
        }
        let width = entries
            .iter()
            .map(|e| e.name.len() + e.version.len() + 1)
            .max()
            .unwrap_or(0);
        for status in [
            Status::Wheel,
            Status::Pure,
            Status::Build,
            Status::Sdist,
            Status::None,
        ] {
            let group: Vec<_> = entries.iter().filter(|e| e.status == status).collect();
            let shown =
                verbosity == Verbosity::Verbose || matches!(status, Status::Sdist | Status::None);
            if group.is_empty() || !table || !shown {
                continue;
            }
            let (code, note) = match status {
                Status::Wheel => ("32", "platform wheel"),
                Status::Pure => ("32", "pure-Python wheel"),
                Status::Build => (
                    "32",
                    "source only, built into a wheel by `pinwheel wheelhouse`: no compiler in the image",
                ),
                Status::Sdist => (
                    "33",
                    "source only: the image builds it, with a compiler if it holds compiled code",
                ),
                Status::None => ("31", "nothing installable"),
            };
            out.push_str(&format!(
                "  {} ({}): {note}\n",
                paint(color, code, status.label()),
                group.len()
            ));
            for e in group {
                let pin = format!("{} {}", e.name, e.version);
                let mut line = format!("    {pin:width$}  {}", e.file.as_deref().unwrap_or("-"));
                if let Some(w) = &e.unhashed_wheel {
                    line.push_str(&format!(
                        "  -> {} has a wheel ({w}) the lock's hashes do not cover",
                        e.version
                    ));
                } else if let Some(s) = &e.suggestion {
                    let fits = match s.satisfies_input {
                        Some(true) => ", satisfies the input",
                        Some(false) => ", does NOT satisfy the input",
                        None => "",
                    };
                    line.push_str(&format!(
                        "  -> {} {} has a wheel ({}){fits}",
                        s.direction, s.version, s.file
                    ));
                } else if matches!(e.status, Status::Sdist | Status::None) {
                    line.push_str("  -> no version has a wheel for this target");
                }
                if let Some(note) = &e.build_note {
                    line.push_str(&format!("\n      ({note})"));
                }
                out.push_str(&line);
                out.push('\n');
            }
        }
        let failing: Vec<_> = entries
            .iter()
            .filter(|e| e.status == Status::None || (e.status == Status::Sdist && !allow_sdist))
            .collect();
        let needing_compiler: Vec<_> = entries
            .iter()
            .filter(|e| e.status == Status::Sdist)
            .collect();
        let none: Vec<_> = entries
            .iter()
            .filter(|e| e.status == Status::None)
            .collect();
        let uncovered = entries
            .iter()
            .filter(|e| e.unhashed_wheel.is_some())
            .count();
        let verdict = if failing.is_empty() && needing_compiler.is_empty() {
            paint(
                color,
                "32",
                &match entries.len() {
                    1 => format!("the 1 pin installs from a wheel on {target}"),
                    n => format!("all {n} pins install from wheels on {target}"),
                },
            )
        } else {
            let mut parts = Vec::new();
            let unbuilt: Vec<&str> = needing_compiler
                .iter()
                .filter(|e| e.build_note.as_deref() == Some(check::UNBUILT))
                .map(|e| e.name.as_str())
                .collect();
            let known: Vec<&str> = needing_compiler
                .iter()
                .filter(|e| e.build_note.as_deref() != Some(check::UNBUILT))
                .map(|e| e.name.as_str())
                .collect();
            if !known.is_empty() {
                parts.push(format!(
                    "{} of {} pins need a compiler on {target}: {}",
                    known.len(),
                    entries.len(),
                    known.join(", ")
                ));
            }
            if !unbuilt.is_empty() {
                parts.push(format!(
                    "{} of {} pins are source only on {target} and not built yet (`pinwheel wheelhouse` builds them; pure Python needs no compiler): {}",
                    unbuilt.len(),
                    entries.len(),
                    unbuilt.join(", ")
                ));
            }
            if !none.is_empty() {
                let names: Vec<&str> = none.iter().map(|e| e.name.as_str()).collect();
                parts.push(format!(
                    "{} cannot install at all: {}",
                    none.len(),
                    names.join(", ")
                ));
            }
            let mut v = paint(
                color,
                if failing.is_empty() { "33" } else { "31" },
                &parts.join("; "),
            );
            if uncovered > 0 {
                v.push_str(&format!(
                    "\n  the lock was not made for {target}: {} of these {} a wheel for it whose \
                     hash the lock does not list; re-lock with --target {target} added",
                    uncovered,
                    if uncovered == 1 {
                        "pins has"
                    } else {
                        "pins have"
                    }
                ));
            }
            v
        };
        if verbosity > Verbosity::Quiet || !failing.is_empty() {
            verdicts.push(verdict);
        }
        if table {
            out.push('\n');
        }
    }
    for v in verdicts {
        out.push_str(&v);
        out.push('\n');
    }
    out
}
