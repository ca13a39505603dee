//! The wheelhouse as a static package index: a PEP 503 `simple/` tree of HTML pages and, beside
//! each `index.html`, the PEP 691 JSON page `index.json` (API version 1.1: sha256, `requires-python`,
//! size, upload time, PEP 700 `versions`), over the wheelhouse's own files, so a static file
//! server or an object store bucket serves the directory as `--index-url URL/simple/`. Files
//! are linked relative to the pages (`../../FILE`). Pure: the pages from the file list.

use std::collections::{BTreeMap, BTreeSet};

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// One file of the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexedFile {
    pub filename: String,
    /// The project's normalized name (PEP 503).
    pub project: String,
    pub version: String,
    pub size: u64,
    /// Lowercase hex.
    pub sha256: String,
    pub requires_python: Option<String>,
    /// Seconds since the Unix epoch.
    pub upload_time: Option<i64>,
}

/// What a URL path segment may hold unescaped (RFC 3986 unreserved); `+` in local versions is
/// escaped, as object stores read a bare `+` as a space.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn href(filename: &str, sha256: &str) -> String {
    format!(
        "../../{}#sha256={sha256}",
        utf8_percent_encode(filename, SEGMENT)
    )
}

/// The pages, as (path relative to the wheelhouse, content): `simple/index.html`,
/// `simple/index.json`, and per project `simple/NAME/index.html` and `simple/NAME/index.json`.
pub fn pages(files: &[IndexedFile]) -> Vec<(String, String)> {
    let mut projects: BTreeMap<&str, Vec<&IndexedFile>> = BTreeMap::new();
    for f in files {
        projects.entry(&f.project).or_default().push(f);
    }
    let mut out = Vec::new();
    let mut root = String::from(
        "<!DOCTYPE html>\n<html>\n<head><meta name=\"pypi:repository-version\" content=\"1.1\"><title>Simple index</title></head>\n<body>\n",
    );
    for name in projects.keys() {
        root.push_str(&format!("<a href=\"{name}/\">{name}</a><br/>\n"));
    }
    root.push_str("</body>\n</html>\n");
    out.push(("simple/index.html".to_string(), root));
    let root_json = serde_json::json!({
        "meta": {"api-version": "1.1"},
        "projects": projects.keys().map(|n| serde_json::json!({"name": n})).collect::<Vec<_>>(),
    });
    out.push(("simple/index.json".to_string(), format!("{root_json:#}\n")));
    for (name, mut list) in projects {
        list.sort_by(|a, b| a.filename.cmp(&b.filename));
        let mut html = format!(
            "<!DOCTYPE html>\n<html>\n<head><meta name=\"pypi:repository-version\" content=\"1.1\"><title>Links for {name}</title></head>\n<body>\n<h1>Links for {name}</h1>\n"
        );
        let mut json_files = Vec::new();
        let mut versions = BTreeSet::new();
        for f in &list {
            let mut attrs = format!("href=\"{}\"", html_escape(&href(&f.filename, &f.sha256)));
            if let Some(rp) = &f.requires_python {
                attrs.push_str(&format!(" data-requires-python=\"{}\"", html_escape(rp)));
            }
            html.push_str(&format!(
                "<a {attrs}>{}</a><br/>\n",
                html_escape(&f.filename)
            ));
            versions.insert(f.version.clone());
            let mut entry = serde_json::json!({
                "filename": f.filename,
                "url": format!("../../{}", utf8_percent_encode(&f.filename, SEGMENT)),
                "hashes": {"sha256": f.sha256},
                "requires-python": f.requires_python,
                "size": f.size,
                "yanked": false,
            });
            if let Some(t) = f
                .upload_time
                .and_then(|s| jiff::Timestamp::from_second(s).ok())
            {
                entry["upload-time"] = serde_json::json!(t.to_string());
            }
            json_files.push(entry);
        }
        html.push_str("</body>\n</html>\n");
        let json = serde_json::json!({
            "meta": {"api-version": "1.1"},
            "name": name,
            "files": json_files,
            "versions": versions.into_iter().collect::<Vec<_>>(),
        });
        out.push((format!("simple/{name}/index.html"), html));
        out.push((format!("simple/{name}/index.json"), format!("{json:#}\n")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, project: &str, version: &str) -> IndexedFile {
        IndexedFile {
            filename: name.into(),
            project: project.into(),
            version: version.into(),
            size: 10,
            sha256: "a".repeat(64),
            requires_python: Some(">=3.8,<4".into()),
            upload_time: Some(1_704_067_200),
        }
    }

    #[test]
    fn pep_503_and_691_pages_for_every_project() {
        let pages = pages(&[
            file(
                "torch-2.4.0+cpu-cp312-cp312-linux_x86_64.whl",
                "torch",
                "2.4.0+cpu",
            ),
            file(
                "typing_extensions-4.0.0-py3-none-any.whl",
                "typing-extensions",
                "4.0.0",
            ),
        ]);
        let paths: Vec<&str> = pages.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            paths,
            [
                "simple/index.html",
                "simple/index.json",
                "simple/torch/index.html",
                "simple/torch/index.json",
                "simple/typing-extensions/index.html",
                "simple/typing-extensions/index.json"
            ]
        );
        let html = &pages[2].1;
        assert!(
            html.contains(&format!(
                "<a href=\"../../torch-2.4.0%2Bcpu-cp312-cp312-linux_x86_64.whl#sha256={}\" data-requires-python=\"&gt;=3.8,&lt;4\">torch-2.4.0+cpu-cp312-cp312-linux_x86_64.whl</a>",
                "a".repeat(64)
            )),
            "{html}"
        );
        let json: serde_json::Value = serde_json::from_str(&pages[3].1).unwrap();
        assert_eq!(json["meta"]["api-version"], "1.1");
        assert_eq!(json["versions"], serde_json::json!(["2.4.0+cpu"]));
        let f = &json["files"][0];
        assert_eq!(f["hashes"]["sha256"], "a".repeat(64));
        assert_eq!(f["size"], 10);
        assert_eq!(f["upload-time"], "2024-01-01T00:00:00Z");
        assert_eq!(f["requires-python"], ">=3.8,<4");
        let root: serde_json::Value = serde_json::from_str(&pages[1].1).unwrap();
        assert_eq!(root["projects"][1]["name"], "typing-extensions");
    }
}
