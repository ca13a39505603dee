//! The Simple Repository API's project page, parsed: PEP 691 (JSON) and PEP 503 (HTML), with
//! the PEP 592 (yanked), PEP 658/714 (core metadata), PEP 700 (upload time, size) and
//! `data-requires-python` (PEP 345 via PEP 503) fields. Pure: bytes and a base URL in, files out.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use url::Url;

use super::DisplaySafeUrl;
use crate::distribution::RequiresPython;

/// What pinwheel asks for: JSON first, HTML as fallback (PEP 691 content negotiation).
pub const ACCEPT: &str =
    "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01";

/// One file of a project as an index lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexFile {
    pub filename: String,
    /// Absolute URL, fragment removed. Kept as text: listings hold tens of thousands of files
    /// and only the few that are fetched need parsing (`IndexFile::url`).
    pub url: String,
    /// Lowercase hex sha256 when the index gives one.
    pub sha256: Option<String>,
    pub requires_python: Option<RequiresPython>,
    /// `Some(reason)` when yanked (the reason may be empty).
    pub yanked: Option<String>,
    /// Seconds since the Unix epoch (PEP 700 `upload-time`).
    pub upload_time: Option<i64>,
    pub size: Option<u64>,
    /// PEP 658/714: the index serves `<url>.metadata`; the inner value is its sha256 if given.
    pub core_metadata: Option<Option<String>>,
}

impl IndexFile {
    /// A file named by a URL alone (a direct reference `name @ URL`): its name is the last path
    /// segment and its sha256 the `#sha256=` fragment, if any.
    pub fn from_url(url: &Url) -> IndexFile {
        let filename = url
            .path_segments()
            .and_then(|mut s| s.next_back())
            .map(|s| {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8_lossy()
                    .into_owned()
            })
            .unwrap_or_default();
        let mut clean = url.clone();
        clean.set_fragment(None);
        IndexFile {
            filename,
            url: clean.into(),
            sha256: fragment_hash(url),
            requires_python: None,
            yanked: None,
            upload_time: None,
            size: None,
            core_metadata: None,
        }
    }

    /// The file's URL, parsed. Stored URLs were produced by `Url::join`, so they parse.
    pub fn url(&self) -> Url {
        Url::parse(&self.url).expect("index file URLs are stored absolute")
    }
}

/// A project page: the files in listing order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectPage {
    pub files: Vec<IndexFile>,
}

#[derive(Debug, thiserror::Error)]
pub enum SimpleError {
    #[error("the index answered {url} with JSON that is not a PEP 691 project page: {source}")]
    Json {
        url: DisplaySafeUrl,
        #[source]
        source: serde_json::Error,
    },
    #[error("the index listed a file with an invalid URL {href:?} on {url}")]
    BadHref { url: DisplaySafeUrl, href: String },
}

#[derive(Deserialize)]
struct JsonPage {
    files: Vec<JsonFile>,
}

#[derive(Deserialize)]
struct JsonFile {
    filename: String,
    url: String,
    #[serde(default)]
    hashes: std::collections::HashMap<String, String>,
    #[serde(rename = "requires-python", default)]
    requires_python: Option<String>,
    #[serde(default)]
    yanked: Option<serde_json::Value>,
    #[serde(rename = "upload-time", default)]
    upload_time: Option<String>,
    #[serde(default)]
    size: Option<u64>,
    #[serde(rename = "core-metadata", default)]
    core_metadata: Option<serde_json::Value>,
    #[serde(rename = "dist-info-metadata", default)]
    dist_info_metadata: Option<serde_json::Value>,
}

/// Parses a PEP 691 JSON project page; relative file URLs resolve against `base`.
pub fn parse_json(body: &[u8], base: &Url) -> Result<ProjectPage, SimpleError> {
    let page: JsonPage = serde_json::from_slice(body).map_err(|source| SimpleError::Json {
        url: DisplaySafeUrl::from(base),
        source,
    })?;
    let mut files = Vec::with_capacity(page.files.len());
    for f in page.files {
        let url = resolve(base, &f.url)?;
        let yanked = match f.yanked {
            Some(serde_json::Value::Bool(true)) => Some(String::new()),
            Some(serde_json::Value::String(s)) => Some(s),
            _ => None,
        };
        let core_metadata = metadata_field(f.core_metadata.or(f.dist_info_metadata));
        files.push(IndexFile {
            filename: f.filename,
            url: url.into(),
            sha256: f.hashes.get("sha256").map(|h| h.to_ascii_lowercase()),
            requires_python: f.requires_python.and_then(RequiresPython::new),
            yanked,
            upload_time: f.upload_time.as_deref().and_then(parse_timestamp),
            size: f.size,
            core_metadata,
        });
    }
    Ok(ProjectPage { files })
}

fn metadata_field(v: Option<serde_json::Value>) -> Option<Option<String>> {
    match v? {
        serde_json::Value::Bool(true) => Some(None),
        serde_json::Value::Object(map) => Some(
            map.get("sha256")
                .and_then(|h| h.as_str())
                .map(|s| s.to_ascii_lowercase()),
        ),
        _ => None,
    }
}

/// Parses a PEP 503 HTML project page: every `<a href>` is a file.
pub fn parse_html(body: &str, base: &Url) -> Result<ProjectPage, SimpleError> {
    let mut base = base.clone();
    let mut files = Vec::new();
    let lower = body.to_ascii_lowercase();
    // A <base href> changes how relative links resolve (pip honours it).
    if let Some(pos) = lower.find("<base ") {
        if let Some(end) = lower[pos..].find('>') {
            let attrs = parse_attrs(&body[pos + 5..pos + end]);
            if let Some((_, href)) = attrs.iter().find(|(k, _)| k == "href") {
                base = resolve(&base, href)?;
            }
        }
    }
    let mut at = 0;
    while let Some(rel) = lower[at..].find("<a") {
        let start = at + rel;
        let after = lower.as_bytes().get(start + 2).copied();
        if !matches!(after, Some(b' ' | b'\t' | b'\n' | b'\r')) {
            at = start + 2;
            continue;
        }
        let Some(tag_end) = find_tag_end(body, start) else {
            break;
        };
        let attrs = parse_attrs(&body[start + 2..tag_end]);
        let close = lower[tag_end..]
            .find("</a")
            .map(|i| tag_end + i)
            .unwrap_or(body.len());
        let text = unescape(body[tag_end + 1..close].trim());
        at = close;
        let Some(href) = attrs.iter().find(|(k, _)| k == "href").map(|(_, v)| v) else {
            continue;
        };
        let full = resolve(&base, href)?;
        let sha256 = fragment_hash(&full);
        let mut url = full;
        url.set_fragment(None);
        let filename = if text.is_empty() {
            percent_encoding::percent_decode_str(
                url.path_segments()
                    .and_then(|mut s| s.next_back())
                    .unwrap_or(""),
            )
            .decode_utf8_lossy()
            .into_owned()
        } else {
            text
        };
        let get = |k: &str| attrs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        let core_metadata = get("data-core-metadata")
            .or_else(|| get("data-dist-info-metadata"))
            .and_then(|v| {
                if v == "false" {
                    None
                } else if let Some(h) = v.strip_prefix("sha256=") {
                    Some(Some(h.to_ascii_lowercase()))
                } else {
                    Some(None)
                }
            });
        files.push(IndexFile {
            filename,
            url: url.into(),
            sha256,
            requires_python: get("data-requires-python").and_then(RequiresPython::new),
            yanked: get("data-yanked"),
            upload_time: None,
            size: None,
            core_metadata,
        });
    }
    Ok(ProjectPage { files })
}

/// The end of a start tag (its `>`), skipping `>` inside quoted attribute values.
fn find_tag_end(s: &str, start: usize) -> Option<usize> {
    let mut quote = None;
    for (i, c) in s[start..].char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return Some(start + i),
            _ => {}
        }
    }
    None
}

/// Attributes of a start tag's inside (`name="v" name2='v' flag`), names lowercased, values unescaped.
fn parse_attrs(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        let ns = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'=' && b[i] != b'>' {
            i += 1;
        }
        if ns == i {
            i += 1;
            continue;
        }
        let name = s[ns..i].to_ascii_lowercase();
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i < b.len() && b[i] == b'=' {
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            let value = if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                let q = b[i];
                let vs = i + 1;
                let mut j = vs;
                while j < b.len() && b[j] != q {
                    j += 1;
                }
                i = (j + 1).min(b.len());
                &s[vs..j.min(b.len())]
            } else {
                let vs = i;
                while i < b.len() && !b[i].is_ascii_whitespace() {
                    i += 1;
                }
                &s[vs..i]
            };
            out.push((name, unescape(value)));
        } else {
            out.push((name, String::new()));
        }
    }
    out
}

fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(p) = rest.find('&') {
        out.push_str(&rest[..p]);
        rest = &rest[p..];
        let Some(end) = rest.find(';').filter(|&e| e <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let ent = &rest[1..end];
        let ch = match ent {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ if ent.starts_with("#x") || ent.starts_with("#X") => {
                u32::from_str_radix(&ent[2..], 16)
                    .ok()
                    .and_then(char::from_u32)
            }
            _ if ent.starts_with('#') => ent[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match ch {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn resolve(base: &Url, href: &str) -> Result<Url, SimpleError> {
    base.join(href.trim()).map_err(|_| SimpleError::BadHref {
        url: DisplaySafeUrl::from(base),
        href: href.to_string(),
    })
}

/// The `#sha256=` fragment of a file URL (PEP 503).
pub fn fragment_hash(url: &Url) -> Option<String> {
    let frag = url.fragment()?;
    frag.split('&')
        .find_map(|kv| kv.strip_prefix("sha256="))
        .map(|h| h.to_ascii_lowercase())
}

/// An RFC 3339 timestamp (PEP 700) as Unix seconds.
pub fn parse_timestamp(s: &str) -> Option<i64> {
    s.parse::<Timestamp>().ok().map(|t| t.as_second())
}

/// Any text (a command-line argument, say `--index-url=https://user:pw@host/simple/`) with the
/// userinfo of every `scheme://userinfo@host` in it replaced by `****`. The authority ends at the
/// first `/`, `?`, `#`, `\` or whitespace, and its last `@` ends the userinfo, as URL parsers
/// read it.
pub fn redact_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let (head, tail) = rest.split_at(i + 3);
        out.push_str(head);
        let end = tail
            .find(|c: char| matches!(c, '/' | '?' | '#' | '\\') || c.is_whitespace())
            .unwrap_or(tail.len());
        match tail[..end].rfind('@') {
            Some(at) => {
                out.push_str("****");
                rest = &tail[at..];
            }
            None => rest = tail,
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Url {
        Url::parse("https://example.org/simple/demo/").unwrap()
    }

    #[test]
    fn json_page_fields() {
        let body = br#"{"meta":{"api-version":"1.1"},"name":"demo","files":[
          {"filename":"demo-1.0-py3-none-any.whl","url":"../../files/demo-1.0-py3-none-any.whl",
           "hashes":{"sha256":"ABCD"},"requires-python":">=3.8","yanked":"bad","upload-time":"2024-01-02T03:04:05.123456Z",
           "size":12,"core-metadata":{"sha256":"ee"}},
          {"filename":"demo-1.0.tar.gz","url":"https://cdn.example/demo-1.0.tar.gz","hashes":{},"yanked":false,"core-metadata":false}
        ],"versions":["1.0"]}"#;
        let page = parse_json(body, &base()).unwrap();
        let f = &page.files[0];
        assert_eq!(
            f.url.as_str(),
            "https://example.org/files/demo-1.0-py3-none-any.whl"
        );
        assert_eq!(f.sha256.as_deref(), Some("abcd"));
        assert_eq!(
            f.requires_python.as_ref().map(|r| r.to_string()).as_deref(),
            Some(">=3.8")
        );
        assert_eq!(f.yanked.as_deref(), Some("bad"));
        assert_eq!(f.upload_time, Some(1704164645));
        assert_eq!(f.core_metadata, Some(Some("ee".to_string())));
        let s = &page.files[1];
        assert_eq!(s.yanked, None);
        assert_eq!(s.core_metadata, None);
        assert_eq!(s.sha256, None);
    }

    #[test]
    fn json_legacy_dist_info_metadata_and_bool_yank() {
        let body = br#"{"files":[{"filename":"a-1-py3-none-any.whl","url":"a.whl","hashes":{},"yanked":true,"dist-info-metadata":true}]}"#;
        let page = parse_json(body, &base()).unwrap();
        assert_eq!(page.files[0].yanked.as_deref(), Some(""));
        assert_eq!(page.files[0].core_metadata, Some(None));
    }

    #[test]
    fn json_error_names_url() {
        let err = parse_json(b"<html>", &base()).unwrap_err();
        assert!(err.to_string().contains("https://example.org/simple/demo/"));
    }

    #[test]
    fn html_page_fields() {
        let body = r#"<!DOCTYPE html><html><body>
          <a href="../../files/demo-1.0-py3-none-any.whl#sha256=AbCd" data-requires-python="&gt;=3.8,&lt;4" data-core-metadata="sha256=ff">demo-1.0-py3-none-any.whl</a><br/>
          <a data-yanked="" href='https://cdn.example/x/demo-0.9.tar.gz#md5=00'>demo-0.9.tar.gz</a>
          <a href="demo-0.8.zip" data-dist-info-metadata="true"></a>
        </body></html>"#;
        let page = parse_html(body, &base()).unwrap();
        assert_eq!(page.files.len(), 3);
        let f = &page.files[0];
        assert_eq!(f.filename, "demo-1.0-py3-none-any.whl");
        assert_eq!(
            f.url.as_str(),
            "https://example.org/files/demo-1.0-py3-none-any.whl"
        );
        assert_eq!(f.sha256.as_deref(), Some("abcd"));
        assert_eq!(
            f.requires_python.as_ref().map(|r| r.to_string()).as_deref(),
            Some(">=3.8,<4")
        );
        assert_eq!(f.core_metadata, Some(Some("ff".into())));
        assert_eq!(page.files[1].yanked.as_deref(), Some(""));
        assert_eq!(page.files[1].sha256, None);
        assert_eq!(page.files[2].filename, "demo-0.8.zip");
        assert_eq!(page.files[2].core_metadata, Some(None));
    }

    #[test]
    fn html_base_tag() {
        let body = r#"<html><head><base href="https://mirror.example/pkgs/"></head><a href="demo-1.0.tar.gz">demo-1.0.tar.gz</a></html>"#;
        let page = parse_html(body, &base()).unwrap();
        assert_eq!(
            page.files[0].url.as_str(),
            "https://mirror.example/pkgs/demo-1.0.tar.gz"
        );
    }

    #[test]
    fn redact_text_masks_userinfo_anywhere() {
        for (arg, want) in [
            (
                "--index-url=http://user:pw@host:8080/simple/",
                "--index-url=http://****@host:8080/simple/",
            ),
            ("-ihttps://tok@host/simple", "-ihttps://****@host/simple"),
            (
                "https://u:p@a/x https://v@b",
                "https://****@a/x https://****@b",
            ),
            ("https://a:p%40ss@host?q", "https://****@host?q"),
            ("https://u:p@ss@host/", "https://****@host/"),
            // No userinfo: unchanged, including an `@` past the authority.
            ("https://host/pkg@1.0", "https://host/pkg@1.0"),
            ("name @ file:///tmp/x.whl", "name @ file:///tmp/x.whl"),
            ("requirements.in", "requirements.in"),
        ] {
            assert_eq!(redact_text(arg), want, "{arg}");
        }
    }
}
