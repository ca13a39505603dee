//! When a request is tried again, and after how long: the retry policy of every HTTP request
//! pinwheel makes. Pure: the client asks it, then sleeps and sends.
//!
//! Transient failures are retried: a connection refused or reset, a timeout, a body cut short,
//! HTTP 429 and 5xx (the server's `Retry-After`, RFC 9110 10.2.3, is honoured up to
//! [`MAX_RETRY_AFTER`]). The wait between tries doubles from [`Policy::base`] up to
//! [`Policy::cap`], with jitter (each wait is drawn from its upper half) so that many clients
//! failed by one outage do not come back in step. Answers that will not change — 404, 403,
//! 401, other 4xx, a hash mismatch — are never retried.

use std::time::Duration;

/// The longest `Retry-After` honoured; a server asking for more is not waited for that long.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// How often and how patiently to retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Tries after the first (pip's `--retries`).
    pub retries: u32,
    /// The wait before the first retry (before jitter).
    pub base: Duration,
    /// The longest wait between two tries.
    pub cap: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            retries: 5,
            base: Duration::from_millis(250),
            cap: Duration::from_secs(20),
        }
    }
}

/// Whether an HTTP status is worth another try.
pub fn transient_status(status: u16) -> bool {
    status == 429
        || status == 408
        || (500..=599).contains(&status) && status != 501 && status != 505
}

/// A `Retry-After` value: delay seconds, or an HTTP date (IMF-fixdate) measured from `now`
/// (Unix seconds). `None` when unreadable.
pub fn parse_retry_after(value: &str, now: i64) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = jiff::fmt::rfc2822::parse(value)
        .ok()?
        .timestamp()
        .as_second();
    Some(Duration::from_secs(at.saturating_sub(now).max(0) as u64))
}

impl Policy {
    /// The wait before try `attempt + 1` (`attempt` counts from 1, the first try), given the
    /// server's `Retry-After` if any and `jitter` in `[0, 1)`. `None`: no tries are left.
    pub fn wait(
        &self,
        attempt: u32,
        retry_after: Option<Duration>,
        jitter: f64,
    ) -> Option<Duration> {
        if attempt > self.retries {
            return None;
        }
        if let Some(asked) = retry_after {
            return Some(asked.min(MAX_RETRY_AFTER));
        }
        let doubled = self
            .base
            .saturating_mul(1u32 << (attempt - 1).min(20))
            .min(self.cap);
        Some(doubled.div_f64(2.0).mul_f64(1.0 + jitter.clamp(0.0, 1.0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_with_jitter_up_to_the_cap_then_stop() {
        let p = Policy {
            retries: 3,
            base: Duration::from_millis(100),
            cap: Duration::from_millis(300),
        };
        assert_eq!(p.wait(1, None, 0.0), Some(Duration::from_millis(50)));
        assert_eq!(p.wait(1, None, 1.0), Some(Duration::from_millis(100)));
        assert_eq!(p.wait(2, None, 1.0), Some(Duration::from_millis(200)));
        assert_eq!(p.wait(3, None, 1.0), Some(Duration::from_millis(300)));
        assert_eq!(p.wait(4, None, 0.5), None);
        let none = Policy { retries: 0, ..p };
        assert_eq!(none.wait(1, None, 0.5), None);
    }

    #[test]
    fn retry_after_is_honoured_up_to_a_bound() {
        let p = Policy::default();
        assert_eq!(
            p.wait(1, Some(Duration::from_secs(3)), 0.9),
            Some(Duration::from_secs(3))
        );
        assert_eq!(
            p.wait(1, Some(Duration::from_secs(3600)), 0.9),
            Some(MAX_RETRY_AFTER)
        );
    }

    #[test]
    fn retry_after_in_both_spellings() {
        assert_eq!(parse_retry_after(" 7 ", 0), Some(Duration::from_secs(7)));
        // 1994-11-06T08:49:37Z is 784111777.
        let date = "Sun, 06 Nov 1994 08:49:37 GMT";
        assert_eq!(
            parse_retry_after(date, 784_111_770),
            Some(Duration::from_secs(7))
        );
        assert_eq!(parse_retry_after(date, 784_111_800), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", 0), None);
    }

    #[test]
    fn only_transient_statuses_are_retried() {
        for s in [429, 500, 502, 503, 504, 408] {
            assert!(transient_status(s), "{s}");
        }
        for s in [400, 401, 403, 404, 410, 416, 501, 200, 304] {
            assert!(!transient_status(s), "{s}");
        }
    }
}
