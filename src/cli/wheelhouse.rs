//! `pinwheel wheelhouse` and `pinwheel verify`: every target's files for a lock in one
//! directory, verified, with the `--no-index` requirements file and the manifest; and the CI
//! gate that re-checks a wheelhouse against its manifest.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use clap::Args;
use futures::StreamExt;

use super::Printer;
use super::{
    build_client, check_stale_hashes, exit, fetch_listings, lock_targets, read_lock, CliError,
    IndexArgs, TargetArgs,
};
use crate::index::IndexClient;
use crate::lock::plan::{self, Choice};
use crate::lock::Lock;
use crate::platform::Target;
use crate::wheelhouse::build::BuiltRecord;
use crate::wheelhouse::builds::{Builds, Job};
use crate::wheelhouse::download::{self, DownloadError, Fetched};
use crate::wheelhouse::simple_tree;
use crate::wheelhouse::static_index::{self, IndexedFile};
use crate::wheelhouse::{self as wh, Manifest, ManifestFile};

#[derive(Args, Debug)]
pub struct WheelhouseArgs {
    /// The lock: from `pinwheel lock`, `uv pip compile --generate-hashes` or `pip-compile --generate-hashes`.
    #[arg(value_name = "LOCK")]
    pub lock: PathBuf,
    /// The wheelhouse directory (created if missing).
    #[arg(long, short = 'd', value_name = "DIR", default_value = "wheelhouse")]
    pub dest: PathBuf,
    #[command(flatten)]
    pub targets: TargetArgs,
    #[command(flatten)]
    pub index: IndexArgs,
    /// Fail, listing every case, when a target would need an sdist of these packages: `:all:`,
    /// `:none:` or package names (comma separated, repeatable), as pip's --only-binary.
    #[arg(long, value_name = "NAMES")]
    pub only_binary: Vec<String>,
    /// Pass over the wheels of these packages and build their sdists here, as pip's
    /// --no-binary: `:all:`, `:none:` or package names (comma separated, repeatable).
    #[arg(long, value_name = "NAMES")]
    pub no_binary: Vec<String>,
    /// Accept a lock without hashes: fetch the files and record their hashes.
    #[arg(long)]
    pub allow_unhashed: bool,
    /// Resolve the build requirements of sdists (built here, or kept for the image's pip) as of
    /// this moment, as `lock --exclude-newer` reads it. Default: the cut-off the lock records.
    #[arg(long, value_name = "WHEN")]
    pub exclude_newer: Option<String>,
    /// Put sdists in as they are, for the image's pip to build; by default a pin that has no
    /// wheel for some target is built into a wheel here (PEP 517), for the targets it can serve.
    #[arg(long)]
    pub no_build: bool,
    /// Remove files in the wheelhouse that the lock does not need.
    #[arg(long)]
    pub prune: bool,
    /// Downloads at once.
    #[arg(long, short = 'j', default_value_t = 16, value_name = "N")]
    pub jobs: usize,
    /// Also write a static package index over the files: a PEP 503 `simple/` tree with PEP 691
    /// JSON pages (`index.json`), for a web server or object store to serve as --index-url.
    #[arg(long = "index")]
    pub static_index: bool,
    /// Print only errors and the sdist summary.
    #[arg(long, short = 'q', conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print every file, also those already present.
    #[arg(long, short = 'v')]
    pub verbose: bool,
}

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// The wheelhouse directory to check against its pinwheel-manifest.json.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Print only errors.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// How messages name pin `i`: its name, with the version when the lock pins the name twice.
pub fn pin_label(lock: &Lock, i: usize) -> String {
    let pin = &lock.pins[i];
    if lock.pins.iter().filter(|p| p.name == pin.name).count() > 1 {
        format!("{}=={}", pin.name, pin.version)
    } else {
        pin.name.to_string()
    }
}

fn human_bytes(n: u64) -> String {
    if n >= 1 << 20 {
        format!("{:.1} MiB", n as f64 / (1u64 << 20) as f64)
    } else if n >= 1 << 10 {
        format!("{:.1} KiB", n as f64 / 1024.0)
    } else {
        format!("{n} B")
    }
}

pub async fn run(args: WheelhouseArgs) -> Result<u8, CliError> {
    let printer = Printer::new(args.quiet, args.verbose);
    let started = Instant::now();
    let super::LockInput {
        lock,
        options: file,
        header,
        listed,
    } = read_lock(&args.lock, !args.allow_unhashed)?;
    let targets = lock_targets(&printer, &args.targets, &lock, &header)?;
    let cutoff = match &args.exclude_newer {
        Some(s) => Some(super::parse_exclude_newer(s, jiff::Timestamp::now())?.cutoff),
        None => file.exclude_newer,
    };
    for name in [wh::REQUIREMENTS, wh::MANIFEST] {
        let out = args.dest.join(name);
        super::refuse_overwriting_inputs(
            &format!("-d {}: writing {}", args.dest.display(), out.display()),
            &out,
            std::slice::from_ref(&args.lock),
        )
        .map_err(|e| {
            e.hint("give the wheelhouse its own directory (-d), or keep the lock outside it")
        })?;
    }
    let client = build_client(
        &args.index,
        file.index_url.as_ref(),
        &file.extra_index_urls,
        &file.find_links,
        None,
        &[],
        None,
    )?;

    // A PEP 751 lock names its files' URLs, and installers fetch them from there (as uv
    // does): no index is asked, unless the command line names one.
    let listings = match listed {
        Some(listed) if !args.index.names_a_source() => {
            printer.detail(format_args!(
                "fetching the files at the URLs {} lists (--index-url or --find-links fetch them from an index instead)",
                args.lock.display()
            ));
            listed
        }
        _ => fetch_listings(&client, &lock).await?,
    };
    let plan = plan::plan(&lock, &targets, &listings);
    check_stale_hashes(&printer, &lock, &plan.stale)?;
    // --no-binary: those pins' wheels are passed over, as pip does; their sdists are fetched
    // and built here (the lock's hashes were checked against every file above).
    // The lock's own --no-binary line first (`lock --no-binary`), then the flags.
    let mut no_binary_values = file.no_binary.clone();
    no_binary_values.extend(args.no_binary.iter().cloned());
    let (no_binary_all, no_binary) = super::parse_only_binary(&no_binary_values)?;
    let plan = if no_binary_all || !no_binary.is_empty() {
        let sources: Vec<Vec<crate::index::IndexFile>> = lock
            .pins
            .iter()
            .zip(&listings)
            .map(|(pin, files)| {
                let wheels_out = no_binary_all || no_binary.contains(&pin.name);
                files
                    .iter()
                    .filter(|f| !(wheels_out && f.filename.ends_with(".whl")))
                    .cloned()
                    .collect()
            })
            .collect();
        plan::plan(&lock, &targets, &sources)
    } else {
        plan
    };
    let missing = plan.missing(&targets);
    if !missing.is_empty() {
        let list: Vec<String> = missing
            .iter()
            .map(|(p, t)| format!("  {} on {t}", pin_label(&lock, *p)))
            .collect();
        return Err(CliError::usage(format!(
            "nothing in the lock installs on these targets (no compatible wheel, no sdist with a locked hash):\n{}",
            list.join("\n")
        ))
        .hint("re-lock for these targets with `pinwheel lock --target ...`"));
    }
    let fallbacks = plan.sdist_fallbacks(&targets);
    // The lock's own --only-binary lines first (pip honours them too), then the flags.
    let mut only_binary_values = file.only_binary.clone();
    only_binary_values.extend(args.only_binary.iter().cloned());
    let (only_binary_all, only_binary) = super::parse_only_binary(&only_binary_values)?;
    let refused: Vec<&(usize, String)> = fallbacks
        .iter()
        .filter(|(p, _)| {
            let name = &lock.pins[*p].name;
            (only_binary_all || only_binary.contains(name))
                && !(no_binary_all || no_binary.contains(name))
        })
        .collect();
    if !refused.is_empty() {
        let list: Vec<String> = refused
            .iter()
            .map(|(p, t)| format!("  {} on {t}", pin_label(&lock, *p)))
            .collect();
        return Err(CliError::new(
            exit::FINDINGS,
            format!("--only-binary: these pins have no wheel for the target, only an sdist:\n{}", list.join("\n")),
        )
        .hint("see `pinwheel check` for versions that do have wheels, or drop --only-binary (`--only-binary :none:` overrides the lock's own) to build them in the image"));
    }

    std::fs::create_dir_all(&args.dest).map_err(|e| {
        CliError::new(
            exit::IO,
            format!("cannot create {}: {e}", args.dest.display()),
        )
    })?;
    // One run at a time per directory (two CI jobs on a shared volume): the second waits,
    // then finds the first's files present and verified. The lock is on the directory itself.
    let lock_path = args.dest.clone();
    let lock_err = |e: std::io::Error| {
        CliError::new(
            exit::IO,
            format!("cannot lock {}: {e}", lock_path.display()),
        )
    };
    let _dir_lock = match crate::lockfile::try_lock(&lock_path).map_err(lock_err)? {
        Some(held) => held,
        None => {
            eprintln!(
                "Waiting for another pinwheel writing {} to finish...",
                args.dest.display()
            );
            let path = lock_path.clone();
            tokio::task::spawn_blocking(move || crate::lockfile::lock(&path))
                .await
                .map_err(|e| CliError::new(exit::IO, e.to_string()))?
                .map_err(lock_err)?
        }
    };
    download::clean_parts(&args.dest);
    simple_tree::clean_temporaries(&args.dest);

    // Download every distinct file once. On a terminal, progress bars; else one line per
    // file added to the wheelhouse (with -v also those already present).
    let total_bytes: u64 = plan.files.values().filter_map(|f| f.file.size).sum();
    let overall = printer.bar(
        total_bytes,
        "{spinner} [{elapsed_precise}] {bar:30} {bytes}/{total_bytes} {bytes_per_sec} {msg}",
    );
    let file_count = plan.files.len();
    let doing = |n: usize| {
        crate::interrupt::set_doing(format!(
            "filling {}: {n} of {file_count} files verified and in place, requirements.txt and the manifest not yet written; re-run to finish",
            args.dest.display()
        ))
    };
    doing(0);
    let done = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let printer_ref = &printer;
    let results: Vec<Result<Fetched, DownloadError>> = futures::stream::iter(plan.files.values())
        .map(|pf| {
            let client = client.clone();
            let dest = args.dest.clone();
            let overall = overall.clone();
            let done = done.clone();
            async move {
                let bar = printer_ref.bar(
                    pf.file.size.unwrap_or(0),
                    "  {msg:50!} {bytes:>10}/{total_bytes:10}",
                );
                bar.set_message(pf.file.filename.clone());
                let on_bytes = {
                    let bar = bar.clone();
                    let overall = overall.clone();
                    move |n: u64| {
                        bar.inc(n);
                        overall.inc(n);
                    }
                };
                let accepted = pf.accepted();
                let r = download::fetch(
                    &client,
                    &pf.file.url(),
                    &pf.file.filename,
                    accepted.as_deref(),
                    &dest,
                    &on_bytes,
                )
                .await;
                bar.finish_and_clear();
                let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                if r.is_ok() {
                    doing(n);
                }
                overall.set_message(format!("{n}/{file_count} files"));
                if !printer_ref.live() {
                    match &r {
                        Ok(f) if f.reused => printer_ref.detail(format_args!(
                            "present  {} ({})",
                            f.filename,
                            human_bytes(f.size)
                        )),
                        Ok(f) => printer_ref.info(format_args!(
                            "{}  {} ({})",
                            if f.from_cache { "cached " } else { "fetched" },
                            f.filename,
                            human_bytes(f.size)
                        )),
                        Err(e) => printer_ref.info(format_args!("failed   {e}")),
                    }
                }
                r
            }
        })
        .buffer_unordered(args.jobs.max(1))
        .collect()
        .await;
    overall.finish_and_clear();
    let mut fetched: BTreeMap<String, Fetched> = BTreeMap::new();
    let mut errors = Vec::new();
    for r in results {
        match r {
            Ok(f) => {
                fetched.insert(f.filename.clone(), f);
            }
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        let code = if errors
            .iter()
            .any(|e| matches!(e, DownloadError::Hash { .. }))
        {
            exit::INTEGRITY
        } else {
            exit::NETWORK
        };
        let list: Vec<String> = errors.iter().map(|e| format!("  {e}")).collect();
        // The hint of the failure that matters most: a mismatch, else the index's own advice.
        let hint = if code == exit::INTEGRITY {
            Some("a hash mismatch means the index (or --find-links location) serves other bytes than the lock was made from: re-lock, or check the source".to_string())
        } else {
            errors.iter().find_map(|e| match e {
                DownloadError::Index { source, .. } => source.hint(),
                _ => None,
            })
        };
        let err = CliError::new(
            code,
            format!(
                "{} file(s) could not be put in the wheelhouse:\n{}",
                errors.len(),
                list.join("\n")
            ),
        );
        return Err(match hint {
            Some(h) => err.hint(h),
            None => err,
        });
    }

    // Wheels built from the sdists, for the targets they can serve.
    let build_run = BuildRun {
        client: &client,
        dest: &args.dest,
        cutoff,
    };
    let built = if args.no_build {
        BuiltWheels::default()
    } else {
        build_sdists(&build_run, &lock, &targets, &plan, &fetched, &printer).await?
    };

    // requirements.txt: the hashes of the files present, per pin.
    let mut present: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
    let mut manifest_files = Vec::new();
    for (name, pf) in &plan.files {
        let f = &fetched[name];
        let mut pins: BTreeSet<String> = BTreeSet::new();
        let mut tnames: BTreeSet<String> = BTreeSet::new();
        for (pin, t) in &pf.serves {
            present.entry(*pin).or_default().insert(f.sha256.clone());
            let p = &lock.pins[*pin];
            pins.insert(format!("{}=={}", p.name, p.version));
            // A target a built wheel serves no longer installs the sdist.
            if !built.serves.contains_key(&(*pin, t.clone())) {
                tnames.insert(t.clone());
            }
        }
        manifest_files.push(ManifestFile {
            filename: name.clone(),
            size: f.size,
            sha256: f.sha256.clone(),
            pins: pins.into_iter().collect(),
            targets: tnames.into_iter().collect(),
            built_from: None,
            build_requirement_of: Vec::new(),
        });
    }
    for (name, w) in &built.wheels {
        let mut pins: BTreeSet<String> = BTreeSet::new();
        let mut tnames: BTreeSet<String> = BTreeSet::new();
        for ((pin, t), file) in &built.serves {
            if file == name {
                present.entry(*pin).or_default().insert(w.sha256.clone());
                let p = &lock.pins[*pin];
                pins.insert(format!("{}=={}", p.name, p.version));
                tnames.insert(t.clone());
            }
        }
        manifest_files.push(ManifestFile {
            filename: name.clone(),
            size: w.size,
            sha256: w.sha256.clone(),
            pins: pins.into_iter().collect(),
            targets: tnames.into_iter().collect(),
            built_from: Some(w.built_from.clone()),
            build_requirement_of: Vec::new(),
        });
    }
    manifest_files.sort_by(|a, b| a.filename.cmp(&b.filename));
    // Sdists that stay: pip builds them in the image, from their build requirements' wheels.
    let (stays, built_sdists): (Vec<SdistChoice>, Vec<SdistChoice>) = plan
        .choices
        .iter()
        .enumerate()
        .flat_map(|(p, choices)| {
            choices
                .iter()
                .enumerate()
                .filter_map(move |(i, c)| match c {
                    Choice::Sdist(file) => Some((p, i, file.clone())),
                    _ => None,
                })
        })
        .partition(|(p, i, _)| !built.serves.contains_key(&(*p, targets[*i].canonical())));
    let build_reqs = if stays.is_empty() {
        BuildRequirementWheels::default()
    } else {
        build_requirement_wheels(&build_run, &lock, &targets, &stays).await?
    };
    // A static index lists the sdists that were built too, and the lock's hashes name the sdist,
    // not the wheel built here: pip `--require-hashes -r LOCK` against the index builds them,
    // so their build requirements' wheels go on the index as well.
    let index_build_reqs = if args.static_index && !built_sdists.is_empty() {
        build_requirement_wheels(&build_run, &lock, &targets, &built_sdists).await?
    } else {
        BuildRequirementWheels::default()
    };
    let mut build_req_files = build_reqs.files.clone();
    for (name, (fetched, targets_of, of)) in &index_build_reqs.files {
        let entry = build_req_files
            .entry(name.clone())
            .or_insert_with(|| (fetched.clone(), BTreeSet::new(), BTreeSet::new()));
        entry.1.extend(targets_of.iter().cloned());
        entry.2.extend(of.iter().cloned());
    }
    for (name, (fetched, targets_of, of)) in &build_req_files {
        if manifest_files.iter().any(|m| &m.filename == name) {
            continue;
        }
        manifest_files.push(ManifestFile {
            filename: name.clone(),
            size: fetched.size,
            sha256: fetched.sha256.clone(),
            pins: Vec::new(),
            targets: targets_of.iter().cloned().collect(),
            built_from: None,
            build_requirement_of: of.iter().cloned().collect(),
        });
    }
    manifest_files.sort_by(|a, b| a.filename.cmp(&b.filename));
    let target_names: Vec<String> = targets.iter().map(Target::canonical).collect();
    let reqs = wh::render_requirements(&lock, &present, &target_names);
    let manifest = Manifest {
        generator: format!("pinwheel {}", env!("CARGO_PKG_VERSION")),
        targets: target_names.clone(),
        files: manifest_files,
    };
    let write = |name: &str, bytes: &[u8]| {
        crate::fs::write_atomic(&args.dest.join(name), bytes).map_err(|e| {
            CliError::new(
                exit::IO,
                format!("cannot write {}: {e}", args.dest.join(name).display()),
            )
        })
    };
    write(wh::REQUIREMENTS, reqs.as_bytes())?;
    let json =
        serde_json::to_vec_pretty(&manifest).map_err(|e| CliError::new(exit::IO, e.to_string()))?;
    write(wh::MANIFEST, &json)?;
    if !args.static_index && args.dest.join(simple_tree::SIMPLE).is_dir() {
        printer.always(format_args!(
            "{} is the static index of an earlier `--index` run and was left as it was; pass --index to bring it up to date",
            args.dest.join(simple_tree::SIMPLE).display()
        ));
    }
    if args.static_index {
        write_static_index(&args.dest, &plan, &manifest)?;
        write(
            wh::INDEX_REQUIREMENTS,
            wh::render_index_requirements(&lock, &present, &target_names).as_bytes(),
        )?;
    }

    // Files present that the lock does not need.
    let needed: BTreeSet<&String> = manifest.files.iter().map(|f| &f.filename).collect();
    let extra: Vec<String> = wh::dist_files(&args.dest)
        .map_err(|e| CliError::new(exit::IO, e.to_string()))?
        .into_iter()
        .filter(|n| !needed.contains(n))
        .collect();
    if !extra.is_empty() {
        if args.prune {
            for n in &extra {
                std::fs::remove_file(args.dest.join(n))
                    .map_err(|e| CliError::new(exit::IO, format!("cannot remove {n}: {e}")))?;
            }
            printer.info(format_args!(
                "Pruned {} the lock does not need: {}",
                super::count(extra.len(), "file"),
                extra.join(", ")
            ));
        } else {
            printer.always(format_args!(
                "{} in {} {} not needed by the lock (remove {} with --prune): {}",
                super::count(extra.len(), "file"),
                args.dest.display(),
                if extra.len() == 1 { "is" } else { "are" },
                if extra.len() == 1 { "it" } else { "them" },
                extra.join(", ")
            ));
        }
    }

    if !stays.is_empty() {
        printer.always("These pins have no wheel for the target; pip will build them from the sdist in the image, which needs a compiler there if they hold compiled code:");
        for (p, i, file) in &stays {
            let t = targets[*i].canonical();
            let note = match build_reqs.notes.get(&(file.clone(), t.clone())) {
                Some(n) => n.clone(),
                None => "no build requirements".to_string(),
            };
            let why = built
                .not_served
                .get(&(*p, t.clone()))
                .map(|w| format!("; not built here: {w}"))
                .unwrap_or_default();
            printer.always(format_args!(
                "  {} on {t} ({note}{why})",
                pin_label(&lock, *p)
            ));
        }
        if !build_reqs.missing.is_empty() {
            printer.always(format_args!(
                "pip install --no-index needs the build requirements in the wheelhouse too: {} (no wheel for the target on the index); add them to the lock's input, or install them in the image and run pip with --no-build-isolation",
                build_reqs.missing.join(", ")
            ));
        }
    }
    if !index_build_reqs.missing.is_empty() {
        printer.always(format_args!(
            "the static index lacks wheels of these build requirements of the sdists built here: {} (no wheel for the target on the index); pip --require-hashes -r LOCK against it cannot build those sdists, while requirements.index.txt installs the built wheels",
            index_build_reqs.missing.join(", ")
        ));
    }
    let reused = fetched.values().filter(|f| f.reused).count();
    let cached = fetched.values().filter(|f| f.from_cache).count();
    let bytes: u64 = fetched
        .values()
        .filter(|f| !f.reused && !f.from_cache)
        .map(|f| f.size)
        .sum();
    printer.info(format_args!(
        "Wheelhouse {}: {} ({} downloaded, {} already present, {} from the cache), {} fetched, in {:.2}s",
        args.dest.display(),
        super::count(fetched.len(), "file"),
        fetched.len() - reused - cached,
        reused,
        cached,
        human_bytes(bytes),
        started.elapsed().as_secs_f64()
    ));
    if !built.wheels.is_empty() {
        printer.info(format_args!(
            "  and {} built from sdists here: {}",
            super::count(built.wheels.len(), "wheel"),
            built.wheels.keys().cloned().collect::<Vec<_>>().join(", ")
        ));
    }
    for (i, t) in targets.iter().enumerate() {
        let (mut wheels, mut sdists) = (0, 0);
        for (p, choices) in plan.choices.iter().enumerate() {
            match &choices[i] {
                Choice::Wheel(_) => wheels += 1,
                Choice::Sdist(_) if built.serves.contains_key(&(p, t.canonical())) => wheels += 1,
                Choice::Sdist(_) => sdists += 1,
                _ => {}
            }
        }
        printer.info(format_args!(
            "  {}: {wheels} wheel{}, {sdists} sdist{}",
            t.canonical(),
            if wheels == 1 { "" } else { "s" },
            if sdists == 1 { "" } else { "s" }
        ));
    }
    if !built.failures.is_empty() {
        let list: Vec<String> = built.failures.iter().map(|f| format!("  {f}")).collect();
        return Err(CliError::new(
            exit::BUILD,
            format!(
                "{} could not be built into a wheel; the wheelhouse was written with the sdist in its place (verified):\n{}",
                super::count(built.failures.len(), "sdist"),
                list.join("\n")
            ),
        )
        .hint("build in the image instead with `--no-build` (it needs what the backend asked for), lock with `--only-binary NAME` to pick a version with wheels, or upgrade to a newer version that has wheels (`pinwheel check` lists them)"));
    }
    Ok(exit::OK)
}

/// The static index over every file of the manifest (the lock's files, the wheels built here,
/// the build requirements' wheels): sha256, size and `Requires-Python` of the bytes in the
/// wheelhouse (its own metadata), upload times as the index listed them (none for a wheel built
/// here), written whole or not at all.
fn write_static_index(
    dest: &std::path::Path,
    plan: &plan::Plan,
    manifest: &Manifest,
) -> Result<(), CliError> {
    let mut files = Vec::new();
    for m in &manifest.files {
        let listed = plan.files.get(&m.filename);
        let mut f = match simple_tree::describe(&dest.join(&m.filename)) {
            Ok(f) => f,
            // A file of the lock whose metadata cannot be read here: the listing's facts.
            Err(_) if listed.is_some() => IndexedFile {
                filename: m.filename.clone(),
                project: m
                    .pins
                    .first()
                    .and_then(|p| p.split_once("=="))
                    .map(|(n, _)| crate::index::normalize(n))
                    .unwrap_or_default(),
                version: m
                    .pins
                    .first()
                    .and_then(|p| p.split_once("=="))
                    .map(|(_, v)| v.to_string())
                    .unwrap_or_default(),
                size: m.size,
                sha256: m.sha256.clone(),
                requires_python: None,
                upload_time: None,
            },
            Err(why) => {
                return Err(CliError::new(
                    exit::IO,
                    format!("cannot index {}: {why}", dest.join(&m.filename).display()),
                ))
            }
        };
        if let Some(pf) = listed {
            f.upload_time = pf.file.upload_time;
            if f.requires_python.is_none() {
                f.requires_python = pf.file.requires_python.as_ref().map(|r| r.to_string());
            }
        }
        files.push(f);
    }
    simple_tree::write(dest, &static_index::pages(&files)).map_err(|e| {
        CliError::new(
            exit::IO,
            format!(
                "cannot write {}: {e}",
                dest.join(simple_tree::SIMPLE).display()
            ),
        )
    })
}

pub fn verify(args: VerifyArgs) -> Result<u8, CliError> {
    let printer = Printer::new(args.quiet, false);
    let path = args.dir.join(wh::MANIFEST);
    let bytes = std::fs::read(&path).map_err(|e| {
        CliError::usage(format!("cannot read {}: {e}", path.display()))
            .hint("point verify at a directory written by `pinwheel wheelhouse`")
    })?;
    let manifest: Manifest = serde_json::from_slice(&bytes).map_err(|e| {
        CliError::usage(format!("{}: not a pinwheel manifest: {e}", path.display()))
    })?;
    let problems =
        wh::verify(&args.dir, &manifest).map_err(|e| CliError::new(exit::IO, e.to_string()))?;
    if problems.is_empty() {
        printer.info(format_args!(
            "{}: {} the manifest",
            args.dir.display(),
            match manifest.files.len() {
                1 => "the 1 file matches".to_string(),
                n => format!("all {n} files match"),
            }
        ));
        return Ok(exit::OK);
    }
    let list: Vec<String> = problems.iter().map(|p| format!("  {p}")).collect();
    Err(CliError::new(
        exit::INTEGRITY,
        format!(
            "{} does not match its manifest:\n{}",
            args.dir.display(),
            list.join("\n")
        ),
    )
    .hint(verify_hint(&problems)))
}

/// What restores a wheelhouse: `wheelhouse` puts back missing and changed files; files the
/// manifest does not list go only with `--prune`.
fn verify_hint(problems: &[wh::Problem]) -> &'static str {
    let extra = problems.iter().any(|p| matches!(p, wh::Problem::Extra(_)));
    let other = problems.iter().any(|p| !matches!(p, wh::Problem::Extra(_)));
    match (extra, other) {
        (true, false) => "remove the files the manifest does not list with `pinwheel wheelhouse LOCK -d DIR --prune`",
        (true, true) => "re-run `pinwheel wheelhouse LOCK -d DIR --prune` to restore the files and remove those the manifest does not list",
        _ => "re-run `pinwheel wheelhouse` to restore it",
    }
}

/// The wheels built from the run's sdists, and for which (pin, target) pairs.
#[derive(Debug, Default)]
struct BuiltWheels {
    /// Built wheel file name → its record.
    wheels: BTreeMap<String, BuiltRecord>,
    /// (pin, target) → the built wheel that serves it.
    serves: BTreeMap<(usize, String), String>,
    /// (pin, target) → why no built wheel serves it.
    not_served: BTreeMap<(usize, String), String>,
    /// One line per failed build: the package, the sdist, the backend's last lines.
    failures: Vec<String>,
}

/// Builds every sdist of the plan into wheels (or takes them from the build cache), copies the
/// wheels that serve a target into the wheelhouse, and says what it did.
/// What the builds of a run share: the index client, the wheelhouse directory, and the cut-off
/// for build requirements (`--exclude-newer`, else the lock's).
struct BuildRun<'a> {
    client: &'a IndexClient,
    dest: &'a Path,
    cutoff: Option<i64>,
}

async fn build_sdists(
    run: &BuildRun<'_>,
    lock: &Lock,
    targets: &[Target],
    plan: &plan::Plan,
    fetched: &BTreeMap<String, Fetched>,
    printer: &Printer,
) -> Result<BuiltWheels, CliError> {
    let (client, cutoff) = (run.client, run.cutoff);
    let mut out = BuiltWheels::default();
    let sdists: Vec<(&String, &plan::PlannedFile)> = plan
        .files
        .iter()
        .filter(|(_, pf)| pf.is_sdist && !pf.serves.is_empty())
        .collect();
    if sdists.is_empty() {
        return Ok(out);
    }
    let builds = Builds::new(client.cache().map(|c| c.root()), cutoff).map_err(|e| {
        CliError::new(
            exit::IO,
            format!("cannot make a directory for built wheels: {e}"),
        )
    })?;
    for (name, pf) in sdists {
        let mut job_targets: Vec<Target> = Vec::new();
        for (_, t) in &pf.serves {
            if let Some(target) = targets.iter().find(|x| &x.canonical() == t) {
                if !job_targets.contains(target) {
                    job_targets.push(target.clone());
                }
            }
        }
        let pin = &lock.pins[pf.serves[0].0];
        let job = Job {
            project: pin.name.to_string(),
            sdist: name.clone(),
            sdist_sha256: fetched[name].sha256.clone(),
            path: run.dest.join(name),
            targets: job_targets,
        };
        printer.info(format_args!("building  {name} ..."));
        let outcome = builds.run(client, &job).await;
        for (index, w) in outcome.wheels.iter().enumerate() {
            let served: Vec<&String> = outcome
                .served
                .iter()
                .filter(|(_, &i)| i == index)
                .map(|(t, _)| t)
                .collect();
            if served.is_empty() {
                continue;
            }
            let dest = run.dest.join(&w.record.wheel);
            let current = download::hash_file(&dest).ok().map(|(h, _)| h);
            if current.as_deref() != Some(w.record.sha256.as_str()) {
                let bytes = std::fs::read(&w.path).map_err(|e| {
                    CliError::new(exit::IO, format!("cannot read {}: {e}", w.path.display()))
                })?;
                crate::fs::write_atomic(&dest, &bytes).map_err(|e| {
                    CliError::new(exit::IO, format!("cannot write {}: {e}", dest.display()))
                })?;
            }
            out.wheels.insert(w.record.wheel.clone(), w.record.clone());
            let whom = if w.record.pure {
                "pure Python: every target".to_string()
            } else {
                format!(
                    "platform wheel (this machine's libraries): {}",
                    served
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            printer.info(format_args!(
                "{}  {}   from {} (sha256 {}), {whom}",
                if w.from_cache { "reused " } else { "built  " },
                w.record.wheel,
                name,
                job.sdist_sha256
            ));
        }
        for (t, why) in &outcome.not_served {
            if outcome.failure.is_none() {
                printer.info(format_args!("  not for {t}: {why}"));
            }
        }
        for (p, t) in &pf.serves {
            if let Some(&i) = outcome.served.get(t) {
                out.serves
                    .insert((*p, t.clone()), outcome.wheels[i].record.wheel.clone());
            } else if let Some(why) = outcome.not_served.get(t) {
                out.not_served.insert((*p, t.clone()), why.clone());
            }
        }
        if let Some(failure) = outcome.failure {
            printer.always(format_args!(
                "failed    {name}: the build failed (the sdist stays)"
            ));
            for (p, t) in &pf.serves {
                out.not_served
                    .entry((*p, t.clone()))
                    .or_insert_with(|| "the build failed".to_string());
            }
            let failure = failure.to_string();
            let indented: Vec<String> = failure.lines().map(|l| format!("    {l}")).collect();
            out.failures.push(format!(
                "{} {} ({name}):\n{}",
                pin.name,
                pin.version,
                indented.join("\n")
            ));
        }
    }
    Ok(out)
}

/// A target's sdist: (pin, target index, sdist file name).
type SdistChoice = (usize, usize, String);

/// The wheels of the build requirements of the sdists that stay, fetched into the wheelhouse
/// for their targets, so that the image's `pip install --no-index` can build them (with
/// `--index`, also those of the sdists built here, which the static index lists).
#[derive(Debug, Default)]
struct BuildRequirementWheels {
    /// File name → (the file, its targets, `name==version` of the pins that need it).
    files: BTreeMap<String, (Fetched, BTreeSet<String>, BTreeSet<String>)>,
    /// (sdist, target) → what the summary says of its build requirements.
    notes: BTreeMap<(String, String), String>,
    /// Build requirements that no wheel on the index and no pin of the lock provides.
    missing: Vec<String>,
}

async fn build_requirement_wheels(
    run: &BuildRun<'_>,
    lock: &Lock,
    targets: &[Target],
    stays: &[SdistChoice],
) -> Result<BuildRequirementWheels, CliError> {
    let (client, cutoff) = (run.client, run.cutoff);
    let mut out = BuildRequirementWheels::default();
    let mut requires_of: BTreeMap<String, Result<Vec<String>, wh::BuildRequiresError>> =
        BTreeMap::new();
    for (p, i, file) in stays {
        let target = &targets[*i];
        let key = (file.clone(), target.canonical());
        let pin = &lock.pins[*p];
        let of = format!("{}=={}", pin.name, pin.version);
        let requires = requires_of
            .entry(file.clone())
            .or_insert_with(|| wh::sdist_build_requires(&run.dest.join(file)))
            .clone();
        let requires = match requires {
            Err(e) => {
                out.notes
                    .insert(key, format!("build requirements unknown: {file}: {e}"));
                continue;
            }
            Ok(r) if r.is_empty() => {
                out.notes.insert(key, "no build requirements".to_string());
                continue;
            }
            Ok(r) => plan::build_installs(&r, lock, target),
        };
        let source = format!("the build requirements of {file}");
        match crate::pep517::env::resolve_wheels_for(client, target, &requires, &source, cutoff)
            .await
        {
            Ok(wheels) => {
                for w in wheels {
                    if let Some(entry) = out.files.get_mut(&w.filename) {
                        entry.1.insert(target.canonical());
                        entry.2.insert(of.clone());
                        continue;
                    }
                    let accept = w.sha256.clone().map(|h| vec![h]);
                    let f = download::fetch(
                        client,
                        &w.url,
                        &w.filename,
                        accept.as_deref(),
                        run.dest,
                        &|_| {},
                    )
                    .await
                    .map_err(|e| {
                        let code = if matches!(e, DownloadError::Hash { .. }) {
                            exit::INTEGRITY
                        } else {
                            exit::NETWORK
                        };
                        CliError::new(code, format!("a build requirement's wheel: {e}"))
                    })?;
                    out.files.insert(
                        w.filename.clone(),
                        (
                            f,
                            BTreeSet::from([target.canonical()]),
                            BTreeSet::from([of.clone()]),
                        ),
                    );
                }
                out.notes.insert(
                    key,
                    format!(
                        "builds with {}: their wheels are in the wheelhouse",
                        requires.join(", ")
                    ),
                );
            }
            Err(why) => {
                tracing::debug!(target: "build", "{source} for {}: {why}", target.canonical());
                for m in plan::missing_build_requires(lock, &requires, target) {
                    if !out.missing.contains(&m) {
                        out.missing.push(m);
                    }
                }
                out.notes
                    .insert(key, format!("builds with {}", requires.join(", ")));
            }
        }
    }
    Ok(out)
}
