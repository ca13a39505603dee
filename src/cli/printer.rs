//! The one way commands talk to the user: knows `-q` and `-v` and whether standard error is a
//! terminal. The product of a command (a lock, a report) goes to standard output; everything
//! else (results, warnings, phase lines, live status lines) to standard error, through here:
//!
//! - [`Printer::info`]: what was done (`Resolved 12 packages ...`); not with `-q`.
//! - [`Printer::detail`]: phase lines and per-item detail; only with `-v`.
//! - [`Printer::warn`]: `warning: ...`; not with `-q`.
//! - [`Printer::always`]: what the user must act on whatever the verbosity.
//! - [`Printer::status`]: a live status line on a terminal, drawn nowhere otherwise; lines
//!   printed while it shows appear above it, and it disappears when finished.

use std::fmt::Display;
use std::io::{IsTerminal, Write};
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::CliError;

/// How much to say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    /// Errors, and what the user must act on.
    Quiet,
    /// Also results and warnings.
    Normal,
    /// Also phase lines and per-item detail.
    Verbose,
}

impl Verbosity {
    pub fn from_flags(quiet: bool, verbose: bool) -> Verbosity {
        match (quiet, verbose) {
            (true, _) => Verbosity::Quiet,
            (false, true) => Verbosity::Verbose,
            (false, false) => Verbosity::Normal,
        }
    }
}

pub struct Printer {
    verbosity: Verbosity,
    /// Live status lines are drawn (standard error is a terminal, and not `-q`).
    live: bool,
    multi: MultiProgress,
}

impl Printer {
    /// For this process: live status lines when standard error is a terminal whose `TERM` is
    /// not `dumb`.
    pub fn new(quiet: bool, verbose: bool) -> Printer {
        let tty =
            std::io::stderr().is_terminal() && std::env::var("TERM").map_or(true, |t| t != "dumb");
        Printer::with(Verbosity::from_flags(quiet, verbose), tty)
    }

    pub fn with(verbosity: Verbosity, tty: bool) -> Printer {
        let live = tty && verbosity > Verbosity::Quiet;
        let target = if live {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        Printer {
            verbosity,
            live,
            multi: MultiProgress::with_draw_target(target),
        }
    }

    pub fn verbosity(&self) -> Verbosity {
        self.verbosity
    }

    /// Whether live status lines are drawn.
    pub fn live(&self) -> bool {
        self.live
    }

    fn line(&self, msg: &dyn Display) {
        self.multi.suspend(|| {
            let _ = writeln!(std::io::stderr().lock(), "{msg}");
        });
    }

    /// What was done; not with `-q`.
    pub fn info(&self, msg: impl Display) {
        if self.verbosity >= Verbosity::Normal {
            self.line(&msg);
        }
    }

    /// Phase lines and detail; only with `-v`.
    pub fn detail(&self, msg: impl Display) {
        if self.verbosity >= Verbosity::Verbose {
            self.line(&msg);
        }
    }

    /// `warning: MSG`; not with `-q`.
    pub fn warn(&self, msg: impl Display) {
        if self.verbosity >= Verbosity::Normal {
            self.line(&format_args!("warning: {msg}"));
        }
    }

    /// What the user must act on, whatever the verbosity.
    pub fn always(&self, msg: impl Display) {
        self.line(&msg);
    }

    /// The command's product, on standard output.
    pub fn stdout(&self, text: &str) {
        self.multi.suspend(|| {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
        });
    }

    /// An error, with its hint (credentials in either are masked).
    pub fn error(e: &CliError) {
        let redact = crate::index::simple::redact_text;
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "error: {}", redact(&e.message));
        if let Some(h) = &e.hint {
            let _ = writeln!(err, "  hint: {}", redact(h));
        }
    }

    /// A spinner with a message, drawn on a terminal only; `finish_and_clear` removes it.
    pub fn status(&self) -> ProgressBar {
        if !self.live {
            return ProgressBar::hidden();
        }
        let pb = self.multi.add(ProgressBar::new_spinner());
        pb.set_style(
            ProgressStyle::with_template("{spinner} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        pb.enable_steady_tick(Duration::from_millis(100));
        pb
    }

    /// A progress bar of `len` units in `template` (indicatif's), drawn on a terminal only.
    pub fn bar(&self, len: u64, template: &str) -> ProgressBar {
        if !self.live {
            return ProgressBar::hidden();
        }
        let pb = self.multi.add(ProgressBar::new(len));
        pb.set_style(
            ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        pb
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_set_the_verbosity() {
        assert_eq!(Verbosity::from_flags(true, false), Verbosity::Quiet);
        assert_eq!(Verbosity::from_flags(false, true), Verbosity::Verbose);
        assert_eq!(Verbosity::from_flags(false, false), Verbosity::Normal);
    }

    #[test]
    fn status_lines_are_drawn_only_on_a_terminal_and_not_when_quiet() {
        assert!(Printer::with(Verbosity::Normal, true).live());
        assert!(Printer::with(Verbosity::Verbose, true).live());
        assert!(!Printer::with(Verbosity::Quiet, true).live());
        assert!(!Printer::with(Verbosity::Verbose, false).live());
        assert!(Printer::with(Verbosity::Normal, false).status().is_hidden());
    }
}
