//! Diagnostic traces on standard error, switched on per topic by `PINWHEEL_LOG`, a comma- or
//! space-separated list: `http` (every request: URL without credentials, status, time),
//! `resolve` (every decision, backtrack, conflict and metadata read of the resolver, one line
//! each, in an order that depends only on the input and the index's data), `pubgrub` (the
//! solver's own log: unit propagation, learned incompatibilities), `build` (what PEP 517
//! metadata builds do: environments made or reused, pip used instead, times).

use std::sync::OnceLock;

/// Whether traces of `topic` were asked for.
pub fn enabled(topic: &str) -> bool {
    static TOPICS: OnceLock<Vec<String>> = OnceLock::new();
    TOPICS
        .get_or_init(|| {
            std::env::var("PINWHEEL_LOG")
                .unwrap_or_default()
                .split([',', ' '])
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .collect()
        })
        .iter()
        .any(|t| t == topic || t == "all")
}

/// Prints one trace line, `topic: message`, when the topic is enabled.
#[macro_export]
macro_rules! trace {
    ($topic:literal, $($arg:tt)*) => {
        if $crate::trace::enabled($topic) {
            eprintln!("{}: {}", $topic, format_args!($($arg)*));
        }
    };
}

/// Forwards the `log` records of the solver (pubgrub) to standard error under `pubgrub`.
struct SolverLog;

impl log::Log for SolverLog {
    fn enabled(&self, metadata: &log::Metadata) -> bool {
        metadata.level() <= log::Level::Info && metadata.target().starts_with("pubgrub")
    }

    fn log(&self, record: &log::Record) {
        if self.enabled(record.metadata()) {
            eprintln!("pubgrub: {}", record.args());
        }
    }

    fn flush(&self) {}
}

/// Installs the solver's log forwarding when `PINWHEEL_LOG` asks for it (once per process).
pub fn init() {
    static LOGGER: SolverLog = SolverLog;
    if enabled("pubgrub") && log::set_logger(&LOGGER).is_ok() {
        log::set_max_level(log::LevelFilter::Info);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn topics_are_matched_whole() {
        // The process environment is shared by the tests: only check the parser's shape.
        let parse = |s: &str| -> Vec<String> {
            s.split([',', ' '])
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .collect()
        };
        assert_eq!(parse("http,resolve"), ["http", "resolve"]);
        assert_eq!(parse(" resolve  http "), ["resolve", "http"]);
    }
}
