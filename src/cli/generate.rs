//! `pinwheel completions SHELL` and `pinwheel man`: shell completion scripts (clap_complete)
//! and man pages in roff (clap_mangen), generated from the argument definitions themselves, so
//! they never drift from `--help`.

use std::path::PathBuf;

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use super::Printer;
use super::{exit, Cli, CliError};

#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: Shell,
}

#[derive(Args, Debug)]
pub struct ManArgs {
    /// Write pinwheel.1 and a page per command (pinwheel-lock.1, ...) into this directory
    /// instead of printing pinwheel.1.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// The completion script for `args.shell`, on standard output.
pub fn completions(args: CompletionsArgs) -> Result<u8, CliError> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "pinwheel", &mut script);
    Printer::new(false, false).stdout(&String::from_utf8_lossy(&script));
    Ok(exit::OK)
}

/// The man page(s): pinwheel.1 on standard output, or every page into `--dir`.
pub fn man(args: ManArgs) -> Result<u8, CliError> {
    let io = |e: std::io::Error| CliError::new(exit::IO, format!("cannot write the man page: {e}"));
    match args.dir {
        Some(dir) => {
            std::fs::create_dir_all(&dir).map_err(io)?;
            clap_mangen::generate_to(Cli::command(), &dir).map_err(io)?;
            Printer::new(false, false)
                .info(format_args!("Wrote the man pages to {}", dir.display()));
        }
        None => {
            let mut page = Vec::new();
            clap_mangen::Man::new(Cli::command())
                .render(&mut page)
                .map_err(io)?;
            Printer::new(false, false).stdout(&String::from_utf8_lossy(&page));
        }
    }
    Ok(exit::OK)
}
