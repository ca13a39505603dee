//! The pip options a lock carries besides its pins: the indexes and `--find-links` locations it
//! was made from (written as pip-compile's `--emit-index-url` does, so `wheelhouse`, `check` and
//! pip itself find the same files), `--only-binary` and `--no-binary`. Never credentials: URLs are written
//! without their userinfo, and the reader finds credentials in `~/.netrc`, the environment or
//! a flag. The `--exclude-newer` cut-off travels too, as a header line. Pure.

use url::Url;

use crate::requirements::RequirementsFile;

/// The index options of a lock, in pip's order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LockOptions {
    /// `--index-url`; `None` leaves the reader's default (PyPI, or `$PIP_INDEX_URL`).
    pub index_url: Option<Url>,
    pub extra_index_urls: Vec<Url>,
    /// `--find-links` locations as written (URLs or paths).
    pub find_links: Vec<String>,
    /// `--only-binary` values (`:all:`, `:none:`, names).
    pub only_binary: Vec<String>,
    /// The `--exclude-newer` cut-off the lock was made with: the last second whose uploads
    /// are kept (seconds since the epoch). Not a pip option, so a header line
    /// (`# exclude-newer: ...`) or a `[tool.pinwheel]` key.
    pub exclude_newer: Option<i64>,
    /// `--no-binary` values: the lock names only the sdists of these packages, and says so
    /// with a pip option line, as pip-compile does.
    pub no_binary: Vec<String>,
}

/// The cut-off (last second kept) a lock's `exclude-newer` text names: uploads before that
/// moment are kept, as `--exclude-newer TIMESTAMP` reads it.
pub fn exclude_newer_cutoff(text: &str) -> Option<i64> {
    let t = text.trim().parse::<jiff::Timestamp>().ok()?;
    Some(t.as_second() - i64::from(t.subsec_nanosecond() == 0))
}

/// PyPI's Simple API, which pip uses when no index is named: not worth a line.
pub const PYPI: &str = "https://pypi.org/simple/";

/// `url` without user name and password.
pub fn without_userinfo(url: &Url) -> Url {
    let mut u = url.clone();
    let _ = u.set_username("");
    let _ = u.set_password(None);
    u
}

/// A `--find-links` value without userinfo when it is a URL (a path is kept as written).
pub fn find_links_without_userinfo(location: &str) -> String {
    match Url::parse(location) {
        Ok(u) if u.has_host() => without_userinfo(&u).to_string(),
        _ => location.to_string(),
    }
}

impl LockOptions {
    /// The options a requirements-format lock states.
    pub fn from_requirements(file: &RequirementsFile) -> Self {
        LockOptions {
            index_url: file.index_url.clone(),
            extra_index_urls: file.extra_index_urls.clone(),
            find_links: file.find_links.clone(),
            only_binary: file.only_binary.clone(),
            exclude_newer: super::header_exclude_newer(&file.header_comments),
            no_binary: file.no_binary.clone(),
        }
    }

    /// The cut-off as a lock writes it: the RFC 3339 moment uploads must come before, as
    /// `--exclude-newer` takes it (so the text reads back to the same cut-off).
    pub fn exclude_newer_text(&self) -> Option<String> {
        self.exclude_newer
            .and_then(|s| jiff::Timestamp::from_second(s + 1).ok())
            .map(|t| t.to_string())
    }

    /// The indexes (first the primary, `--index-url`, then the extras) and find-links a lock
    /// was made from, as the lock records them: without userinfo, the primary left out when it
    /// is PyPI's (pip's default). Duplicates are dropped.
    pub fn recorded(indexes: &[Url], find_links: &[String]) -> Self {
        let clean: Vec<Url> = indexes.iter().map(without_userinfo).collect();
        let mut out = LockOptions::default();
        let mut iter = clean.into_iter();
        if let Some(primary) = iter.next() {
            if !same_index(&primary, PYPI) {
                out.index_url = Some(primary);
            }
        }
        for u in iter {
            if !out.extra_index_urls.contains(&u) && out.index_url.as_ref() != Some(&u) {
                out.extra_index_urls.push(u);
            }
        }
        for f in find_links {
            let f = find_links_without_userinfo(f);
            if !out.find_links.contains(&f) {
                out.find_links.push(f);
            }
        }
        out
    }

    /// Whether the lock names no index option at all.
    pub fn is_empty(&self) -> bool {
        self.index_url.is_none() && self.extra_index_urls.is_empty() && self.find_links.is_empty()
    }

    /// The pip option lines (`--index-url URL`, ...), each ending in a newline; userinfo is
    /// never written, whatever the URLs hold.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if let Some(u) = &self.index_url {
            out.push_str(&format!("--index-url {}\n", without_userinfo(u)));
        }
        for u in &self.extra_index_urls {
            out.push_str(&format!("--extra-index-url {}\n", without_userinfo(u)));
        }
        for f in &self.find_links {
            out.push_str(&format!(
                "--find-links {}\n",
                find_links_without_userinfo(f)
            ));
        }
        if !self.no_binary.is_empty() {
            out.push_str(&format!("--no-binary {}\n", self.no_binary.join(",")));
        }
        out
    }
}

/// Whether `url` names the index `other` (a trailing slash does not matter).
pub fn same_index(url: &Url, other: &str) -> bool {
    url.as_str().trim_end_matches('/') == other.trim_end_matches('/')
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    /// The text a lock records reads back to the same cut-off: uploads before the moment
    /// written, as `--exclude-newer` takes it.
    #[test]
    fn exclude_newer_reads_back_as_written() {
        let midnight: i64 = 1_707_955_200; // 2024-02-15T00:00:00Z
        let opts = LockOptions {
            exclude_newer: Some(midnight - 1),
            ..LockOptions::default()
        };
        let text = opts.exclude_newer_text().unwrap();
        assert_eq!(text, "2024-02-15T00:00:00Z");
        assert_eq!(exclude_newer_cutoff(&text), Some(midnight - 1));
        assert_eq!(
            exclude_newer_cutoff("2024-02-15T00:00:00.5Z"),
            Some(midnight)
        );
        assert_eq!(exclude_newer_cutoff("yesterday"), None);
    }

    #[test]
    fn records_indexes_without_userinfo_and_without_pypi() {
        let got = LockOptions::recorded(
            &[
                url("https://al:pw@pkgs.acme.example/simple/"),
                url("https://tok@extra.example/simple/"),
                url("https://pkgs.acme.example/simple/"),
            ],
            &["https://cy:pw4@h4/links/".into(), "./wheels".into()],
        );
        let text = got.render();
        assert_eq!(
            text,
            "--index-url https://pkgs.acme.example/simple/\n\
             --extra-index-url https://extra.example/simple/\n\
             --find-links https://h4/links/\n\
             --find-links ./wheels\n"
        );
        for secret in ["al", "pw", "tok", "cy", "pw4", "@"] {
            assert!(!text.contains(&format!("{secret}@")), "{text}");
        }
        let pypi = LockOptions::recorded(&[url("https://pypi.org/simple")], &[]);
        assert!(pypi.is_empty() && pypi.render().is_empty());
    }

    #[test]
    fn reads_back_what_it_renders() {
        let opts = LockOptions::recorded(
            &[
                url("http://127.0.0.1:8080/simple/"),
                url("https://b.example/simple/"),
            ],
            &["/srv/wheels".into()],
        );
        let file = RequirementsFile::parse_str(&opts.render(), Path::new("r.lock")).unwrap();
        assert_eq!(LockOptions::from_requirements(&file), opts);
    }
}
