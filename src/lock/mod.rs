//! The lock: exact pins with sha256 hashes, markers and `# via` provenance, in pip's
//! requirements-file format (`pip install --require-hashes -r`), as written by pinwheel and read
//! back from pinwheel, `uv pip compile --generate-hashes` and `pip-compile --generate-hashes`.
//! Pure: the model, its rendering and its reading from a parsed requirements file.

use pep440_rs::{Operator, Version};

use pep508_rs::{MarkerEnvironment, MarkerTree, PackageName, VersionOrUrl};

use crate::distribution::HashDigest;
use crate::requirements::RequirementsFile;

pub mod options;
pub mod plan;
pub mod pylock;
pub mod recorded;
pub mod resolved;
pub mod selector;

/// The line prefix that records a lock's targets; `wheelhouse` and `check` read it back.
pub const TARGETS_PREFIX: &str = "targets:";

/// The line prefix that records a lock's `--exclude-newer` cut-off (an RFC 3339 timestamp);
/// `wheelhouse` resolves build requirements with it, `check` looks for other versions with it.
pub const EXCLUDE_NEWER_PREFIX: &str = "exclude-newer:";

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Lock {
    /// Comment lines (without `# `) written at the top.
    pub header: Vec<String>,
    /// Canonical target names the lock was made for.
    pub targets: Vec<String>,
    pub pins: Vec<Pin>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Pin {
    pub name: PackageName,
    pub version: Version,
    /// A PEP 508 marker limiting the pin to some targets.
    pub marker: Option<PinMarker>,
    /// Sorted (as their `algorithm:hex` text).
    pub hashes: Vec<HashDigest>,
    pub via: Vec<String>,
    /// A direct reference (`name @ url`) instead of an index pin.
    pub url: Option<String>,
}

/// A pin's marker: parsed once, where the lock is made or read, and written back as it was
/// written (a lock's text stays byte for byte what the tool that made it wrote).
#[derive(Debug, Clone)]
pub struct PinMarker {
    text: String,
    tree: MarkerTree,
}

impl PinMarker {
    /// A marker read from a lock line, already parsed; `None` when it is always true.
    pub fn from_tree(tree: &MarkerTree) -> Option<PinMarker> {
        Some(PinMarker {
            text: tree.try_to_string()?,
            tree: tree.clone(),
        })
    }

    /// Parses a marker's text, e.g. `python_version == '3.11'`.
    pub fn parse(text: &str) -> Result<PinMarker, String> {
        let tree = crate::distribution::pep508::marker(text).map_err(|e| {
            format!(
                "invalid marker `{text}`: {}",
                crate::distribution::pep508::describe(&e)
            )
        })?;
        Ok(PinMarker {
            text: text.to_string(),
            tree,
        })
    }

    /// Whether the marker holds in the environment (a target's, see `Target::marker_env`).
    pub fn evaluate(&self, env: &MarkerEnvironment) -> bool {
        self.tree.evaluate(env, &[])
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The parsed marker.
    pub fn tree(&self) -> &MarkerTree {
        &self.tree
    }
}

impl PartialEq for PinMarker {
    fn eq(&self, other: &Self) -> bool {
        self.tree == other.tree
    }
}

impl std::fmt::Display for PinMarker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("{origin}: `{line}` is not pinned with `==`; a lock needs exact versions\n  hint: generate the lock with `pinwheel lock`, `uv pip compile --generate-hashes` or `pip-compile --generate-hashes`")]
    NotPinned { origin: String, line: String },
    #[error("{origin}: `{name}` has no --hash; {what}\n  hint: re-generate the lock with hashes, or pass --allow-unhashed")]
    Unhashed {
        origin: String,
        name: String,
        what: String,
    },
    #[error("{origin}: `{name}` is pinned twice in the lock")]
    Duplicate { origin: String, name: String },
}

impl Pin {
    /// The requirement line without hashes: `name==1.0 ; marker` or `name @ url ; marker`.
    pub fn requirement(&self) -> String {
        let mut s = match &self.url {
            Some(u) => format!("{} @ {}", self.name, u),
            None => format!("{}=={}", self.name, self.version),
        };
        if let Some(m) = &self.marker {
            s.push_str(" ; ");
            s.push_str(m.as_str());
        }
        s
    }

    /// The pin as a requirements-file entry: requirement, hashes, optional `# via` block.
    pub fn render(&self, annotate: bool) -> String {
        let mut out = self.requirement();
        for h in &self.hashes {
            out.push_str(" \\\n    --hash=");
            out.push_str(&h.to_string());
        }
        out.push('\n');
        if annotate && !self.via.is_empty() {
            if self.via.len() == 1 {
                out.push_str(&format!("    # via {}\n", self.via[0]));
            } else {
                out.push_str("    # via\n");
                for v in &self.via {
                    out.push_str(&format!("    #   {v}\n"));
                }
            }
        }
        out
    }
}

impl Lock {
    pub fn render(&self, annotate: bool) -> String {
        self.render_with_options(annotate, &options::LockOptions::default())
    }

    /// The lock in pip's requirements format with its index options (`--index-url` ...) after
    /// the header, as pip-compile writes them.
    pub fn render_with_options(&self, annotate: bool, opts: &options::LockOptions) -> String {
        let mut out = String::new();
        for h in &self.header {
            if h.is_empty() {
                out.push_str("#\n");
            } else {
                out.push_str(&format!("# {h}\n"));
            }
        }
        if !self.targets.is_empty() {
            out.push_str(&format!("# {TARGETS_PREFIX} {}\n", self.targets.join(" ")));
        }
        if let Some(t) = opts.exclude_newer_text() {
            out.push_str(&format!("# {EXCLUDE_NEWER_PREFIX} {t}\n"));
        }
        out.push_str(&opts.render());
        for p in &self.pins {
            out.push_str(&p.render(annotate));
        }
        out
    }

    /// Reads a lock from a parsed requirements file: every entry must be an exact pin (or a
    /// direct URL). With `require_hashes`, every entry must carry at least one hash.
    pub fn from_requirements(
        file: &RequirementsFile,
        require_hashes: bool,
    ) -> Result<Lock, LockError> {
        let mut pins: Vec<Pin> = Vec::new();
        for e in &file.requirements {
            let req = &e.requirement;
            let origin = e.origin.to_string();
            // A direct reference's `#sha256=` fragment counts as its hash when it has no
            // --hash (as in pip's hash-checking mode).
            let mut url_hash = None;
            let (version, url) = match &req.version_or_url {
                Some(VersionOrUrl::VersionSpecifier(s)) => {
                    let exact = s
                        .iter()
                        .find(|s| matches!(s.operator(), Operator::Equal | Operator::ExactEqual));
                    match exact {
                        Some(spec) if s.iter().count() == 1 => (spec.version().clone(), None),
                        _ => {
                            return Err(LockError::NotPinned {
                                origin,
                                line: req.to_string(),
                            })
                        }
                    }
                }
                Some(VersionOrUrl::Url(u)) => {
                    // The file name is the last path segment, percent-decoded (`%2B` is `+`).
                    let file = crate::index::IndexFile::from_url(&u.to_url());
                    url_hash = file.sha256;
                    let name = file.filename;
                    let version =
                        crate::distribution::filename::DistFilename::parse(&name, &req.name)
                            .map(|d| d.version().clone())
                            .map_err(|_| LockError::NotPinned {
                                origin: origin.clone(),
                                line: req.to_string(),
                            })?;
                    (version, Some(u.to_string()))
                }
                None => {
                    return Err(LockError::NotPinned {
                        origin,
                        line: req.to_string(),
                    })
                }
            };
            let mut hashes = e.hashes.clone();
            if hashes.is_empty() {
                hashes.extend(url_hash.map(|h| HashDigest::sha256(&h)));
            }
            hashes.sort();
            hashes.dedup();
            if require_hashes && hashes.is_empty() {
                return Err(LockError::Unhashed {
                    origin,
                    name: req.name.to_string(),
                    what: "pinwheel verifies every file against the lock".into(),
                });
            }
            if pins
                .iter()
                .any(|p| p.name == req.name && p.marker == PinMarker::from_tree(&req.marker))
            {
                return Err(LockError::Duplicate {
                    origin,
                    name: req.name.to_string(),
                });
            }
            pins.push(Pin {
                name: req.name.clone(),
                version,
                marker: PinMarker::from_tree(&req.marker),
                hashes,
                via: Vec::new(),
                url,
            });
        }
        let targets = header_targets(&file.header_comments);
        Ok(Lock {
            header: Vec::new(),
            targets,
            pins,
        })
    }

    pub fn pin(&self, name: &PackageName) -> Option<&Pin> {
        self.pins.iter().find(|p| &p.name == name)
    }
}

/// The cut-off a lock's `# exclude-newer:` header line records, in seconds since the epoch
/// (none without the line, or when it does not read as a timestamp).
pub fn header_exclude_newer(header_comments: &[String]) -> Option<i64> {
    header_comments
        .iter()
        .find_map(|l| l.trim().strip_prefix(EXCLUDE_NEWER_PREFIX))
        .and_then(options::exclude_newer_cutoff)
}

/// The targets a lock's `# targets:` header line names (none without the line).
pub fn header_targets(header_comments: &[String]) -> Vec<String> {
    header_comments
        .iter()
        .find_map(|l| l.trim().strip_prefix(TARGETS_PREFIX))
        .map(|rest| rest.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;
    use std::str::FromStr;

    fn pin(name: &str, v: &str) -> Pin {
        Pin {
            name: PackageName::from_str(name).unwrap(),
            version: Version::from_str(v).unwrap(),
            marker: None,
            hashes: vec![
                HashDigest::sha256(&"a".repeat(64)),
                HashDigest::sha256(&"b".repeat(64)),
            ],
            via: vec!["fastapi".into(), "httpx".into()],
            url: None,
        }
    }

    #[test]
    fn renders_pip_compile_style() {
        let mut lock = Lock {
            header: vec!["This file was generated by pinwheel".into()],
            targets: vec!["cp312-manylinux_2_41_x86_64".into()],
            pins: vec![pin("anyio", "4.6.0")],
        };
        lock.pins[0].marker = None;
        let mut one = pin("pywin32", "306");
        one.marker = PinMarker::parse("sys_platform == 'win32'").ok();
        one.via = vec!["-r requirements.in".into()];
        lock.pins.push(one);
        assert_eq!(
            lock.render(true),
            format!("# This file was generated by pinwheel\n# targets: cp312-manylinux_2_41_x86_64\n\
             anyio==4.6.0 \\\n    --hash=sha256:{a} \\\n    --hash=sha256:{b}\n    # via\n    #   fastapi\n    #   httpx\n\
             pywin32==306 ; sys_platform == 'win32' \\\n    --hash=sha256:{a} \\\n    --hash=sha256:{b}\n    # via -r requirements.in\n",
            a = "a".repeat(64),
            b = "b".repeat(64)
            )
        );
        assert!(!lock.render(false).contains("# via"));
    }

    #[test]
    fn reads_back_what_it_renders() {
        let mut lock = Lock {
            header: vec!["generated".into()],
            targets: vec![
                "cp312-manylinux_2_41_x86_64".into(),
                "cp312-musllinux_1_2_x86_64".into(),
            ],
            pins: vec![pin("anyio", "4.6.0"), pin("idna", "3.10")],
        };
        lock.pins[1].marker = PinMarker::parse("python_version == '3.12'").ok();
        let text = lock.render(true);
        let file = RequirementsFile::parse_str(&text, Path::new("requirements.lock")).unwrap();
        let back = Lock::from_requirements(&file, true).unwrap();
        assert_eq!(back.targets, lock.targets);
        assert_eq!(back.pins.len(), 2);
        assert_eq!(back.pins[0].hashes, lock.pins[0].hashes);
        assert_eq!(back.pins[1].version.to_string(), "3.10");
        // Read back, the marker is the same marker (parsed, compared as a marker).
        assert_eq!(back.pins[1].marker, lock.pins[1].marker);
        let m = back.pins[1].marker.clone().unwrap();
        // pep508_rs writes `python_version == '3.12'` back as `python_full_version == '3.12.*'`.
        assert!(
            m.as_str().contains("python_full_version == '3.12.*'"),
            "{m}"
        );
    }

    #[test]
    fn refuses_unpinned_and_unhashed() {
        let file = RequirementsFile::parse_str("anyio>=4\n", Path::new("r.txt")).unwrap();
        let err = Lock::from_requirements(&file, true)
            .unwrap_err()
            .to_string();
        assert!(err.contains("r.txt") && err.contains("not pinned"), "{err}");
        let file = RequirementsFile::parse_str("anyio==4.0\n", Path::new("r.txt")).unwrap();
        let err = Lock::from_requirements(&file, true)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("no --hash") && err.contains("--allow-unhashed"),
            "{err}"
        );
        assert!(Lock::from_requirements(&file, false).is_ok());
    }

    #[test]
    fn direct_references_need_a_hash_too() {
        let url = "https://files.example/lib-1.0-py3-none-any.whl";
        let file =
            RequirementsFile::parse_str(&format!("lib @ {url}\n"), Path::new("r.txt")).unwrap();
        let err = Lock::from_requirements(&file, true)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("no --hash") && err.contains("--allow-unhashed"),
            "{err}"
        );
        // The URL's #sha256= fragment is a hash, as in pip's hash-checking mode.
        let h = "ab".repeat(32);
        let file = RequirementsFile::parse_str(
            &format!("lib @ {url}#sha256={}\n", h.to_uppercase()),
            Path::new("r.txt"),
        )
        .unwrap();
        let lock = Lock::from_requirements(&file, true).unwrap();
        assert_eq!(lock.pins[0].hashes, [format!("sha256:{h}")]);
    }

    #[test]
    fn reads_percent_encoded_direct_references() {
        let file = RequirementsFile::parse_str(
            "torch @ https://download.example/whl/torch-2.4.0%2Bcpu-cp312-cp312-linux_x86_64.whl\n",
            Path::new("r.txt"),
        )
        .unwrap();
        let lock = Lock::from_requirements(&file, false).unwrap();
        assert_eq!(lock.pins[0].version.to_string(), "2.4.0+cpu");
        assert!(
            lock.pins[0]
                .url
                .as_deref()
                .unwrap()
                .ends_with("%2Bcpu-cp312-cp312-linux_x86_64.whl"),
            "{:?}",
            lock.pins[0].url
        );
    }
}
