//! pyproject.toml as an input: `[project]` dependencies and extras (PEP 621), dependency
//! groups (PEP 735) and pinwheel's `[tool.pinwheel]` settings.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use pep508_rs::{PackageName, VersionOrUrl};
use serde::Deserialize;
use toml::Spanned;
use url::Url;

use super::error::PyProjectProblem;
use super::{FileLine, RequirementLine, RequirementsError};

/// pinwheel's settings from `[tool.pinwheel]`; every key is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ToolConfig {
    /// `targets`: target spellings as written (image names or tags), empty when unset.
    pub targets: Vec<String>,
    /// `index-url`.
    pub index_url: Option<Url>,
    /// `extra-index-urls`, empty when unset.
    pub extra_index_urls: Vec<Url>,
    /// `exclude-newer`, as written (a date or timestamp, quoted or a bare TOML date; the CLI
    /// interprets it).
    pub exclude_newer: Option<String>,
    /// `only-binary`, empty when unset.
    pub only_binary: Vec<String>,
    /// `fork-strategy`: `newest` (or uv's `requires-python`) or `fewest`, checked when read.
    pub fork_strategy: Option<String>,
}

/// A parsed pyproject.toml.
#[derive(Debug, Clone)]
pub struct PyProject {
    /// The file, as given to [`PyProject::from_path`].
    pub path: PathBuf,
    /// `project.name`, normalized; `None` without a `[project]` table.
    pub name: Option<PackageName>,
    /// `project.requires-python`, if given.
    pub requires_python: Option<pep440_rs::VersionSpecifiers>,
    content: String,
    project: Option<RawProject>,
    /// Normalized group name → (name as written, items).
    groups: BTreeMap<String, (String, Vec<Spanned<GroupItem>>)>,
    tool: ToolConfig,
}

#[derive(Debug, Clone, Deserialize)]
struct RawPyProject {
    project: Option<RawProject>,
    #[serde(rename = "dependency-groups")]
    dependency_groups: Option<BTreeMap<String, Vec<Spanned<GroupItem>>>>,
    tool: Option<RawTool>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct RawProject {
    name: Option<Spanned<String>>,
    requires_python: Option<Spanned<String>>,
    #[serde(default)]
    dependencies: Vec<Spanned<String>>,
    #[serde(default)]
    optional_dependencies: BTreeMap<String, Vec<Spanned<String>>>,
    #[serde(default)]
    dynamic: Vec<Spanned<String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum GroupItem {
    Requirement(String),
    Include {
        #[serde(rename = "include-group")]
        include_group: String,
    },
}

#[derive(Debug, Clone, Deserialize)]
struct RawTool {
    pinwheel: Option<Spanned<RawToolConfig>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawToolConfig {
    targets: Option<Vec<String>>,
    index_url: Option<Spanned<String>>,
    extra_index_urls: Option<Vec<Spanned<String>>>,
    exclude_newer: Option<Spanned<toml::Value>>,
    only_binary: Option<Vec<String>>,
    fork_strategy: Option<Spanned<String>>,
}

/// 1-based line of a byte offset.
fn line_of(content: &str, offset: usize) -> usize {
    let offset = offset.min(content.len());
    content.as_bytes()[..offset]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// PEP 503 / PEP 735 name normalization: lowercase, runs of `-`, `_`, `.` become `-`.
fn normalize_group(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut last_sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !last_sep {
                out.push('-');
            }
            last_sep = true;
        } else {
            out.extend(c.to_lowercase());
            last_sep = false;
        }
    }
    out
}

impl PyProject {
    /// Read and parse a pyproject.toml.
    pub fn from_path(path: &Path) -> Result<Self, RequirementsError> {
        let content = super::text::read_text(path)
            .map_err(|e| RequirementsError::from_text(e, path, None))?;
        Self::parse_str(&content, path)
    }

    /// Parse pyproject.toml text; `path` names the file in errors and origins.
    pub fn parse_str(content: &str, path: &Path) -> Result<Self, RequirementsError> {
        let at = |offset: usize| FileLine::new(path, line_of(content, offset));
        let raw: RawPyProject = toml::from_str(content).map_err(|err: toml::de::Error| {
            RequirementsError::InvalidPyProject {
                origin: at(err.span().map_or(0, |s| s.start)),
                problem: PyProjectProblem::Toml(Box::new(err)),
            }
        })?;

        let mut name = None;
        let mut requires_python = None;
        if let Some(project) = &raw.project {
            if let Some(written) = &project.name {
                name = Some(PackageName::from_str(written.get_ref()).map_err(|err| {
                    RequirementsError::InvalidPyProject {
                        origin: at(written.span().start),
                        problem: PyProjectProblem::Name(err),
                    }
                })?);
            }
            if let Some(written) = &project.requires_python {
                requires_python = Some(
                    pep440_rs::VersionSpecifiers::from_str(written.get_ref()).map_err(|err| {
                        RequirementsError::InvalidPyProject {
                            origin: at(written.span().start),
                            problem: PyProjectProblem::RequiresPython(err),
                        }
                    })?,
                );
            }
        }

        let mut groups: BTreeMap<String, (String, Vec<Spanned<GroupItem>>)> = BTreeMap::new();
        for (written, items) in raw.dependency_groups.unwrap_or_default() {
            let normalized = normalize_group(&written);
            if let Some((first, _)) = groups.get(&normalized) {
                return Err(RequirementsError::DuplicateGroup {
                    path: path.to_path_buf(),
                    first: first.clone(),
                    second: written,
                });
            }
            groups.insert(normalized, (written, items));
        }

        let tool = match raw.tool.and_then(|t| t.pinwheel) {
            None => ToolConfig::default(),
            Some(spanned) => {
                let raw = spanned.into_inner();
                let url = |value: &Spanned<String>, key: &str| {
                    Url::parse(value.get_ref()).map_err(|err| RequirementsError::InvalidUrl {
                        origin: at(value.span().start),
                        option: format!("tool.pinwheel.{key}"),
                        value: value.get_ref().clone(),
                        source: err,
                    })
                };
                ToolConfig {
                    targets: raw.targets.unwrap_or_default(),
                    index_url: raw
                        .index_url
                        .as_ref()
                        .map(|v| url(v, "index-url"))
                        .transpose()?,
                    extra_index_urls: raw
                        .extra_index_urls
                        .unwrap_or_default()
                        .iter()
                        .map(|v| url(v, "extra-index-urls"))
                        .collect::<Result<_, _>>()?,
                    exclude_newer: raw
                        .exclude_newer
                        .map(|value| match value.get_ref() {
                            // Quoted, or a bare TOML date / date-time.
                            toml::Value::String(text) => Ok(text.clone()),
                            toml::Value::Datetime(datetime) => Ok(datetime.to_string()),
                            other => Err(RequirementsError::InvalidPyProject {
                                origin: at(value.span().start),
                                problem: PyProjectProblem::ExcludeNewerType(other.type_str()),
                            }),
                        })
                        .transpose()?,
                    only_binary: raw.only_binary.unwrap_or_default(),
                    fork_strategy: raw
                        .fork_strategy
                        .map(|value| match value.get_ref().as_str() {
                            "newest" | "requires-python" | "fewest" => Ok(value.into_inner()),
                            other => Err(RequirementsError::InvalidPyProject {
                                origin: at(value.span().start),
                                problem: PyProjectProblem::ForkStrategy(other.to_string()),
                            }),
                        })
                        .transpose()?,
                }
            }
        };

        Ok(Self {
            path: path.to_path_buf(),
            name,
            requires_python,
            content: content.to_string(),
            project: raw.project,
            groups,
            tool,
        })
    }

    /// The settings of `[tool.pinwheel]` (all defaults when the table is absent).
    pub fn tool_config(&self) -> ToolConfig {
        self.tool.clone()
    }

    /// The extras `[project.optional-dependencies]` defines, normalized and sorted.
    pub fn extras(&self) -> Vec<String> {
        let mut extras: Vec<String> = self
            .project
            .iter()
            .flat_map(|p| p.optional_dependencies.keys())
            .map(|k| normalize_group(k))
            .collect();
        extras.sort();
        extras.dedup();
        extras
    }

    /// The dependency groups `[dependency-groups]` defines, normalized and sorted.
    pub fn groups(&self) -> Vec<String> {
        self.groups.keys().cloned().collect()
    }

    fn origin(&self, offset: usize) -> FileLine {
        FileLine::new(&self.path, line_of(&self.content, offset))
    }

    fn parse_requirement(
        &self,
        written: &Spanned<String>,
    ) -> Result<RequirementLine, RequirementsError> {
        let origin = self.origin(written.span().start);
        let requirement =
            crate::distribution::pep508::requirement(written.get_ref()).map_err(|err| {
                RequirementsError::InvalidRequirement {
                    origin: origin.clone(),
                    text: written.get_ref().clone(),
                    error: Box::new(err),
                }
            })?;
        Ok(RequirementLine {
            requirement: requirement
                .with_origin(pep508_rs::RequirementOrigin::File(self.path.clone())),
            hashes: Vec::new(),
            origin,
        })
    }

    fn check_not_dynamic(&self, field: &str) -> Result<(), RequirementsError> {
        let Some(project) = &self.project else {
            return Ok(());
        };
        match project.dynamic.iter().find(|d| d.get_ref() == field) {
            Some(d) => Err(RequirementsError::DynamicField {
                origin: self.origin(d.span().start),
                field: field.to_string(),
            }),
            None => Ok(()),
        }
    }

    /// Requirements to lock: `[project].dependencies`, then the optional dependencies of the
    /// chosen extras (all of them with `all_extras`), then the chosen dependency groups with
    /// their `{include-group = "..."}` entries expanded in place.
    ///
    /// A requirement on the project itself with extras (`myproject[test]`, a common way to
    /// combine extras) is replaced by those extras' requirements, with its marker added.
    /// Unknown extras and groups are errors listing the available ones; cycles among groups
    /// are errors.
    pub fn requirements(
        &self,
        extras: &[String],
        all_extras: bool,
        groups: &[String],
    ) -> Result<Vec<RequirementLine>, RequirementsError> {
        let mut out = Vec::new();
        if self.project.is_none() && (groups.is_empty() || !extras.is_empty() || all_extras) {
            return Err(RequirementsError::NoProject {
                path: self.path.clone(),
            });
        }
        if let Some(project) = &self.project {
            self.check_not_dynamic("dependencies")?;
            for written in &project.dependencies {
                out.push(self.parse_requirement(written)?);
            }
        }

        let chosen: Vec<String> = if all_extras {
            self.extras()
        } else {
            let available = self.extras();
            let mut chosen = Vec::new();
            for extra in extras {
                let normalized = normalize_group(extra);
                if !available.contains(&normalized) {
                    return Err(RequirementsError::UnknownExtra {
                        path: self.path.clone(),
                        extra: extra.clone(),
                        available,
                    });
                }
                if !chosen.contains(&normalized) {
                    chosen.push(normalized);
                }
            }
            chosen
        };
        if !chosen.is_empty() {
            self.check_not_dynamic("optional-dependencies")?;
        }
        let mut seen_extras = Vec::new();
        for extra in &chosen {
            self.push_extra(extra, None, &mut seen_extras, &mut out)?;
        }

        let mut seen_groups = Vec::new();
        for group in groups {
            let normalized = normalize_group(group);
            if !self.groups.contains_key(&normalized) {
                return Err(RequirementsError::UnknownGroup {
                    path: self.path.clone(),
                    group: group.clone(),
                    available: self.groups(),
                });
            }
            if seen_groups.contains(&normalized) {
                continue;
            }
            seen_groups.push(normalized.clone());
            let mut stack = Vec::new();
            self.push_group(&normalized, &mut stack, &mut seen_extras, &mut out)?;
        }
        Ok(out)
    }

    /// Push the requirements of one extra (normalized name), expanding self-references.
    /// `marker` is the marker of the self-reference that asked for this extra, if any.
    fn push_extra(
        &self,
        extra: &str,
        marker: Option<&pep508_rs::MarkerTree>,
        seen: &mut Vec<(String, Option<pep508_rs::MarkerTree>)>,
        out: &mut Vec<RequirementLine>,
    ) -> Result<(), RequirementsError> {
        let key = (extra.to_string(), marker.cloned());
        if seen.contains(&key) {
            return Ok(());
        }
        seen.push(key);
        let Some(project) = &self.project else {
            return Ok(());
        };
        let items = project
            .optional_dependencies
            .iter()
            .filter(|(k, _)| normalize_group(k) == extra)
            .flat_map(|(_, v)| v.iter());
        for written in items {
            let entry = self.parse_requirement(written)?;
            self.push_entry(entry, marker, seen, out)?;
        }
        Ok(())
    }

    /// Push an entry, replacing a self-reference with its extras.
    fn push_entry(
        &self,
        mut entry: RequirementLine,
        marker: Option<&pep508_rs::MarkerTree>,
        seen: &mut Vec<(String, Option<pep508_rs::MarkerTree>)>,
        out: &mut Vec<RequirementLine>,
    ) -> Result<(), RequirementsError> {
        if let Some(marker) = marker {
            entry.requirement.marker.and(marker.clone());
        }
        let is_self = self.name.as_ref() == Some(&entry.requirement.name)
            && !matches!(entry.requirement.version_or_url, Some(VersionOrUrl::Url(_)));
        if !is_self {
            out.push(entry);
            return Ok(());
        }
        let available = self.extras();
        let marker = (!entry.requirement.marker.is_true()).then_some(&entry.requirement.marker);
        for extra in &entry.requirement.extras {
            let normalized = normalize_group(extra.as_ref());
            if !available.contains(&normalized) {
                return Err(RequirementsError::UnknownExtra {
                    path: self.path.clone(),
                    extra: extra.to_string(),
                    available,
                });
            }
            self.push_extra(&normalized, marker, seen, out)?;
        }
        Ok(())
    }

    fn push_group(
        &self,
        group: &str,
        stack: &mut Vec<String>,
        seen_extras: &mut Vec<(String, Option<pep508_rs::MarkerTree>)>,
        out: &mut Vec<RequirementLine>,
    ) -> Result<(), RequirementsError> {
        let (written_name, items) = &self.groups[group];
        stack.push(written_name.clone());
        for item in items {
            match item.get_ref() {
                GroupItem::Requirement(text) => {
                    let written = Spanned::new(item.span(), text.clone());
                    let entry = self.parse_requirement(&written)?;
                    self.push_entry(entry, None, seen_extras, out)?;
                }
                GroupItem::Include { include_group } => {
                    let origin = self.origin(item.span().start);
                    let normalized = normalize_group(include_group);
                    let Some((included_name, _)) = self.groups.get(&normalized) else {
                        return Err(RequirementsError::UnknownIncludedGroup {
                            origin,
                            group: include_group.clone(),
                            available: self.groups(),
                        });
                    };
                    if let Some(pos) = stack.iter().position(|g| normalize_group(g) == normalized) {
                        let mut cycle: Vec<String> = stack[pos..].to_vec();
                        cycle.push(included_name.clone());
                        return Err(RequirementsError::GroupCycle { origin, cycle });
                    }
                    self.push_group(&normalized, stack, seen_extras, out)?;
                }
            }
        }
        stack.pop();
        Ok(())
    }
}

#[cfg(test)]
mod tests;
