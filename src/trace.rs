//! Diagnostic traces on standard error through `tracing`, switched on per topic by
//! `PINWHEEL_LOG`, a comma- or space-separated list of tracing targets: `http` (every request:
//! URL without credentials, status, time), `resolve` (every decision, backtrack, conflict and
//! metadata read of the resolver, one line each, in an order that depends only on the input and
//! the index's data), `pubgrub` (the solver's own log: unit propagation, learned
//! incompatibilities), `build` (what PEP 517 metadata and wheel builds do: environments made or
//! reused, pip used instead, times), `prefetch` (what is fetched ahead of the resolver); `all`
//! is every one of them.
//!
//! Code emits events with `tracing::debug!(target: "http", ...)`; [`init`] installs a
//! subscriber that keeps the asked-for targets and writes each event as one line,
//! `target: message`. Nothing is installed (and events cost next to nothing) when the variable
//! is unset.

use tracing::level_filters::LevelFilter;
use tracing::{Event, Subscriber};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::fmt::format::{self, FormatEvent, FormatFields};
use tracing_subscriber::fmt::FmtContext;
use tracing_subscriber::registry::LookupSpan;

/// The topics there are, each a tracing target.
pub const TOPICS: [&str; 5] = ["http", "resolve", "prefetch", "pubgrub", "build"];

/// The topics `PINWHEEL_LOG`'s value asks for (`all`: every topic), known ones only, in
/// [`TOPICS`] order. Pure.
pub fn topics(value: &str) -> Vec<&'static str> {
    let asked: Vec<&str> = value.split([',', ' ']).filter(|t| !t.is_empty()).collect();
    TOPICS
        .into_iter()
        .filter(|t| asked.iter().any(|a| a == t || *a == "all"))
        .collect()
}

/// The filter that keeps the events of `topics` (and nothing of other crates). Pure.
pub fn filter(topics: &[&str]) -> Targets {
    Targets::new().with_targets(topics.iter().map(|t| (t.to_string(), LevelFilter::TRACE)))
}

/// Writes an event as `target: message` (then its other fields as `name=value`).
struct TopicLine;

impl<S, N> FormatEvent<S, N> for TopicLine
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: format::Writer<'_>,
        event: &Event<'_>,
    ) -> std::fmt::Result {
        write!(writer, "{}: ", event.metadata().target())?;
        ctx.field_format().format_fields(writer.by_ref(), event)?;
        writeln!(writer)
    }
}

/// Forwards the `log` records of the solver (pubgrub) into tracing under the `pubgrub` target.
struct SolverLog;

impl log::Log for SolverLog {
    fn enabled(&self, metadata: &log::Metadata) -> bool {
        metadata.level() <= log::Level::Info && metadata.target().starts_with("pubgrub")
    }

    fn log(&self, record: &log::Record) {
        if self.enabled(record.metadata()) {
            tracing::debug!(target: "pubgrub", "{}", record.args());
        }
    }

    fn flush(&self) {}
}

/// Installs the subscriber for the topics `PINWHEEL_LOG` asks for, writing to standard error
/// (once per process; nothing when no topic is asked for).
pub fn init() {
    let value = std::env::var("PINWHEEL_LOG").unwrap_or_default();
    let topics = topics(&value);
    if topics.is_empty() {
        return;
    }
    use tracing_subscriber::layer::SubscriberExt;
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .event_format(TopicLine);
    let subscriber = tracing_subscriber::registry()
        .with(layer)
        .with(filter(&topics));
    if tracing::subscriber::set_global_default(subscriber).is_err() {
        return;
    }
    static LOGGER: SolverLog = SolverLog;
    if topics.contains(&"pubgrub") && log::set_logger(&LOGGER).is_ok() {
        log::set_max_level(log::LevelFilter::Info);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_are_matched_whole() {
        assert_eq!(topics("http,resolve"), ["http", "resolve"]);
        assert_eq!(topics(" resolve  http "), ["http", "resolve"]);
        assert_eq!(topics("htt,resolver"), Vec::<&str>::new());
        assert_eq!(topics("all"), TOPICS);
    }

    #[test]
    fn the_filter_keeps_the_topics_only() {
        let f = filter(&["http", "build"]);
        assert!(f.would_enable("http", &tracing::Level::DEBUG));
        assert!(f.would_enable("build", &tracing::Level::DEBUG));
        assert!(!f.would_enable("resolve", &tracing::Level::DEBUG));
        assert!(!f.would_enable("hyper::proto", &tracing::Level::DEBUG));
    }
}
