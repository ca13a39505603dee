//! `pinwheel index DIR`: the static package index (PEP 503 `simple/` pages with PEP 691 JSON
//! beside them) over a directory of wheels and sdists that already exists — a wheelhouse made
//! earlier, or any directory of distributions — for a static file server or an object store to
//! serve as `--index-url URL/simple/`. Idempotent (the same files give the same bytes; a tree
//! that is current is left alone) and atomic (the new tree replaces the old one whole).

use std::path::PathBuf;

use clap::Args;

use super::Printer;
use super::{exit, CliError};
use crate::wheelhouse::simple_tree::{self, SIMPLE};
use crate::wheelhouse::static_index;

#[derive(Args, Debug)]
pub struct IndexDirArgs {
    /// The directory of wheels and sdists; the pages go to DIR/simple/. Hidden files,
    /// subdirectories and a wheelhouse's own files (requirements.txt, manifest) are passed over.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Print only errors.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

pub fn run(args: IndexDirArgs) -> Result<u8, CliError> {
    let printer = Printer::new(args.quiet, false);
    let dir = &args.dir;
    if !dir.is_dir() {
        return Err(CliError::usage(format!(
            "{}: not a directory",
            dir.display()
        ))
        .hint("give the directory that holds the wheels and sdists, e.g. a wheelhouse written by `pinwheel wheelhouse -d DIR`"));
    }
    // One writer at a time (a `wheelhouse` run filling the same directory takes the same lock).
    let lock_err =
        |e: std::io::Error| CliError::new(exit::IO, format!("cannot lock {}: {e}", dir.display()));
    let _held = match crate::lockfile::try_lock(dir).map_err(lock_err)? {
        Some(held) => held,
        None => {
            eprintln!(
                "Waiting for another pinwheel writing {} to finish...",
                dir.display()
            );
            crate::lockfile::lock(dir).map_err(lock_err)?
        }
    };
    simple_tree::clean_temporaries(dir);
    let times = simple_tree::previous_upload_times(dir);
    let scan = simple_tree::scan(dir, &times)
        .map_err(|e| CliError::usage(format!("cannot read {}: {e}", dir.display())))?;
    if !scan.refused.is_empty() {
        let list: Vec<String> = scan
            .refused
            .iter()
            .map(|r| format!("  {}: {}", r.filename, r.reason))
            .collect();
        return Err(CliError::usage(format!(
            "{} in {} {} not a distribution the index can list; nothing was written:\n{}",
            super::count(scan.refused.len(), "file"),
            dir.display(),
            if scan.refused.len() == 1 { "is" } else { "are" },
            list.join("\n")
        ))
        .hint("move them out of the directory (or into a subdirectory, which is passed over), or replace a damaged file"));
    }
    if scan.files.is_empty() {
        return Err(CliError::usage(format!(
            "{} holds no wheel or sdist to index",
            dir.display()
        ))
        .hint("fill it first, e.g. with `pinwheel wheelhouse LOCK -d DIR`"));
    }
    let pages = static_index::pages(&scan.files);
    let projects = pages.len() / 2 - 1;
    let what = format!(
        "{} of {}",
        super::count(scan.files.len(), "file"),
        super::count(projects, "project")
    );
    let simple = dir.join(SIMPLE);
    if simple_tree::is_current(dir, &pages) {
        printer.info(format_args!("{} is up to date: {what}", simple.display()));
        return Ok(exit::OK);
    }
    crate::interrupt::set_doing(format!(
        "writing {} (the previous index, if any, stays as it was)",
        simple.display()
    ));
    simple_tree::write(dir, &pages)
        .map_err(|e| CliError::new(exit::IO, format!("cannot write {}: {e}", simple.display())))?;
    printer.info(format_args!(
        "Wrote {}: {what} (PEP 503 index.html, PEP 691 index.json); serve {} and install with --index-url URL/simple/",
        simple.display(),
        dir.display()
    ));
    Ok(exit::OK)
}
