//! Errors of the requirements readers: each names the file (and line, when there is one) and
//! what is wrong; [`RequirementsError::hint`] says how to fix it.

use std::path::PathBuf;

use super::FileLine;

/// Failure to read a requirements file or a pyproject.toml.
///
/// `Display` gives the location and the problem; [`RequirementsError::hint`] gives one line
/// telling the user how to fix it. IO failures keep the `std::io::Error` as their `source`.
#[derive(Debug, thiserror::Error)]
pub enum RequirementsError {
    /// The top-level file could not be read.
    #[error("cannot read {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The IO error.
        #[source]
        source: std::io::Error,
    },

    /// A file given (or named by `-r`/`-c`) is a directory.
    #[error("{}{}: is a directory, not a requirements file", at_origin(origin), path.display())]
    Directory {
        /// The `-r`/`-c` line, for an included file.
        origin: Option<FileLine>,
        /// The directory.
        path: PathBuf,
    },

    /// A file given (or named by `-r`/`-c`) is not UTF-8 text.
    #[error("{}{}: {problem}", at_origin(origin), path.display())]
    NotText {
        /// The `-r`/`-c` line, for an included file.
        origin: Option<FileLine>,
        /// The file.
        path: PathBuf,
        /// Where and what: `line 3, byte 7: not UTF-8 text`.
        problem: NotText,
    },

    /// A file named by `-r`/`-c` could not be read.
    #[error("{origin}: cannot read included file {}", path.display())]
    IncludeRead {
        /// The `-r`/`-c` line.
        origin: FileLine,
        /// The included file, joined to the including file's directory.
        path: PathBuf,
        /// The IO error.
        #[source]
        source: std::io::Error,
    },

    /// `-r`/`-c` named a URL; only local files are supported.
    #[error("{origin}: cannot include `{url}`: only local files can be included")]
    RemoteInclude {
        /// The `-r`/`-c` line.
        origin: FileLine,
        /// The URL as written.
        url: String,
    },

    /// `-r`/`-c` includes form a cycle.
    #[error("{origin}: including {} again makes a cycle: {}", path.display(), chain_text(chain))]
    IncludeCycle {
        /// The `-r`/`-c` line that closes the cycle.
        origin: FileLine,
        /// The file included again.
        path: PathBuf,
        /// The chain of files from the top-level file to the one included again.
        chain: Vec<PathBuf>,
    },

    /// A requirement that `pep508_rs` rejects.
    #[error(
        "{origin}: invalid requirement `{text}`: {}",
        crate::distribution::pep508::describe(error)
    )]
    InvalidRequirement {
        /// Where it was written.
        origin: FileLine,
        /// The requirement text.
        text: String,
        /// The PEP 508 parser's error, shown by `pep508::describe` (may span several lines, with
        /// a caret underline). Not a `source`: its own `Display` panics on some spans.
        error: Box<pep508_rs::Pep508Error>,
    },

    /// A bare URL or path without a package name.
    #[error("{origin}: `{text}` is a URL or path without a package name")]
    UnnamedRequirement {
        /// Where it was written.
        origin: FileLine,
        /// The line as written.
        text: String,
    },

    /// A VCS requirement (`git+https://...`), which cannot be pinned to hashed files.
    #[error("{origin}: VCS requirement `{text}` is not supported")]
    VcsRequirement {
        /// Where it was written.
        origin: FileLine,
        /// The requirement as written.
        text: String,
    },

    /// An editable requirement (`-e` / `--editable`).
    #[error("{origin}: editable requirement `{text}` is not supported")]
    Editable {
        /// Where it was written.
        origin: FileLine,
        /// The line as written.
        text: String,
    },

    /// An option pip does not know, or that cannot appear in a requirements file.
    #[error("{origin}: unknown option `{option}`")]
    UnknownOption {
        /// Where it was written.
        origin: FileLine,
        /// The option as written.
        option: String,
    },

    /// A pip option pinwheel does not support.
    #[error("{origin}: option `{option}` is not supported: {reason}")]
    UnsupportedOption {
        /// Where it was written.
        origin: FileLine,
        /// The option as written.
        option: String,
        /// Why it is not supported.
        reason: &'static str,
    },

    /// A file-wide option (like `--index-url`) written after a requirement on the same line.
    #[error("{origin}: option `{option}` cannot follow a requirement; only `--hash` can")]
    OptionOnRequirementLine {
        /// Where it was written.
        origin: FileLine,
        /// The option as written.
        option: String,
    },

    /// `--hash` on a line without a requirement.
    #[error("{origin}: `--hash` without a requirement on the same line")]
    HashWithoutRequirement {
        /// Where it was written.
        origin: FileLine,
    },

    /// An option that takes a value was given none.
    #[error("{origin}: option `{option}` needs a value")]
    MissingOptionValue {
        /// Where it was written.
        origin: FileLine,
        /// The option.
        option: String,
    },

    /// An index URL that does not parse.
    #[error("{origin}: invalid URL `{value}` for `{option}`: {source}")]
    InvalidUrl {
        /// Where it was written.
        origin: FileLine,
        /// The option (or pyproject key).
        option: String,
        /// The value as written.
        value: String,
        /// Why it does not parse.
        #[source]
        source: url::ParseError,
    },

    /// A `--hash` value that is not `sha256:<hex>` (or sha384/sha512).
    #[error("{origin}: invalid hash `{value}`: {source}")]
    InvalidHash {
        /// Where it was written.
        origin: FileLine,
        /// The value as written.
        value: String,
        /// What is wrong with it.
        #[source]
        source: crate::distribution::HashError,
    },

    /// pyproject.toml is not valid TOML, or a field has the wrong type.
    #[error("{origin}: invalid pyproject.toml: {problem}")]
    InvalidPyProject {
        /// Where the problem is.
        origin: FileLine,
        /// What the TOML reader or pinwheel says.
        #[source]
        problem: PyProjectProblem,
    },

    /// `[project]` lists a field pinwheel needs in `dynamic`.
    #[error("{origin}: `project.{field}` is dynamic (computed by the build backend), so pinwheel cannot read it")]
    DynamicField {
        /// The `dynamic` line.
        origin: FileLine,
        /// The field, e.g. `dependencies`.
        field: String,
    },

    /// pyproject.toml has neither `[project]` nor the requested dependency groups.
    #[error("{}: no `[project]` table, so there are no dependencies to read", path.display())]
    NoProject {
        /// The pyproject.toml.
        path: PathBuf,
    },

    /// An extra that `[project.optional-dependencies]` does not define.
    #[error("{}: unknown extra `{extra}`; available extras: {}", path.display(), list_text(available))]
    UnknownExtra {
        /// The pyproject.toml.
        path: PathBuf,
        /// The extra as requested.
        extra: String,
        /// The extras the file defines.
        available: Vec<String>,
    },

    /// A dependency group that `[dependency-groups]` does not define.
    #[error("{}: unknown dependency group `{group}`; available groups: {}", path.display(), list_text(available))]
    UnknownGroup {
        /// The pyproject.toml.
        path: PathBuf,
        /// The group as requested.
        group: String,
        /// The groups the file defines.
        available: Vec<String>,
    },

    /// `{include-group = "..."}` names a group that does not exist.
    #[error(
        "{origin}: `include-group = \"{group}\"` names an unknown group; available groups: {}",
        list_text(available)
    )]
    UnknownIncludedGroup {
        /// The include line.
        origin: FileLine,
        /// The group as written.
        group: String,
        /// The groups the file defines.
        available: Vec<String>,
    },

    /// Dependency groups include each other in a cycle.
    #[error("{origin}: dependency groups include each other in a cycle: {}", cycle.join(" -> "))]
    GroupCycle {
        /// The include line that closes the cycle.
        origin: FileLine,
        /// The group names along the cycle, first and last equal.
        cycle: Vec<String>,
    },

    /// Two group names normalize to the same name.
    #[error("{}: dependency groups `{first}` and `{second}` have the same normalized name", path.display())]
    DuplicateGroup {
        /// The pyproject.toml.
        path: PathBuf,
        /// The first spelling.
        first: String,
        /// The second spelling.
        second: String,
    },
}

impl RequirementsError {
    /// One line telling the user how to fix the problem.
    pub fn hint(&self) -> String {
        match self {
            Self::Directory { .. } => "name the file inside it, e.g. requirements.txt or pyproject.toml".into(),
            Self::NotText { .. } => "save the file as UTF-8 (pip reads requirements files as UTF-8 too), e.g. `iconv -f latin1 -t utf-8 FILE`".into(),
            Self::Read { .. } => "check the path; run pinwheel from the directory that holds the file or pass its full path".into(),
            Self::IncludeRead { .. } => "`-r`/`-c` paths are relative to the file that contains them; fix the path or create the file".into(),
            Self::RemoteInclude { .. } => "download the file and include it by its local path".into(),
            Self::IncludeCycle { .. } => "remove one of the `-r`/`-c` lines so that no file includes itself".into(),
            Self::InvalidRequirement { .. } => "write a PEP 508 requirement, e.g. `requests>=2.31`, `pkg[extra]==1.0 ; python_version < \"3.12\"` or `pkg @ https://host/pkg-1.0-py3-none-any.whl` (a direct reference needs a full URL: https:// or file:///absolute/path)".into(),
            Self::UnnamedRequirement { .. } => "put the package name in front: `name @ https://example.org/name-1.0-py3-none-any.whl`".into(),
            Self::VcsRequirement { .. } => "pin a released version (`name==1.2.3`) or build a wheel, publish it to an index and require it by version".into(),
            Self::Editable { .. } => "editable installs cannot be locked; require a released version, or build a wheel and use `name @ file:///abs/path/name-1.0-py3-none-any.whl`".into(),
            Self::UnknownOption { .. } => "supported options: -r, -c, -i/--index-url, --extra-index-url, -f/--find-links, --no-index, --pre, --only-binary, --prefer-binary, --trusted-host, --require-hashes, and --hash after a requirement".into(),
            Self::UnsupportedOption { .. } => "remove the option from the file".into(),
            Self::OptionOnRequirementLine { .. } => "put the option on a line of its own".into(),
            Self::HashWithoutRequirement { .. } => "write `--hash` after its requirement, on the same line or a `\\`-continued one".into(),
            Self::MissingOptionValue { option, .. } => format!("write the value after the option: `{option} VALUE` or `{option}=VALUE`"),
            Self::InvalidUrl { .. } => "write a full URL with scheme, e.g. `https://pypi.org/simple`".into(),
            Self::InvalidHash { .. } => "write `--hash=sha256:` followed by the 64 hex digits of the file's SHA-256".into(),
            Self::InvalidPyProject { .. } => "fix the TOML at that line (see https://packaging.python.org/en/latest/specifications/pyproject-toml/)".into(),
            Self::DynamicField { .. } => "list the requirements in a requirements.in file and lock that instead".into(),
            Self::NoProject { .. } => "add a `[project]` table with `dependencies`, or choose a dependency group".into(),
            Self::UnknownExtra { .. } => "choose one of the available extras, or add it under `[project.optional-dependencies]`".into(),
            Self::UnknownGroup { .. } | Self::UnknownIncludedGroup { .. } => "choose one of the available groups, or add it under `[dependency-groups]`".into(),
            Self::GroupCycle { .. } => "remove one of the `include-group` entries so that no group includes itself".into(),
            Self::DuplicateGroup { .. } => "group names are compared after normalization (case, `-`, `_`, `.`); rename or merge one".into(),
        }
    }
}

/// What is wrong with a file that is not UTF-8 text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotText {
    /// A byte sequence that is not UTF-8, at this 1-based line and byte column.
    #[error("line {line}, byte {column}: not UTF-8 text")]
    NotUtf8 { line: usize, column: usize },
    #[error("UTF-16 text; pinwheel reads UTF-8")]
    Utf16,
}

/// What is wrong in a pyproject.toml (at the line the error names).
#[derive(Debug, thiserror::Error)]
pub enum PyProjectProblem {
    /// Not TOML, or a key of the wrong type: the TOML reader's message (its position is the
    /// error's line).
    #[error("{}", .0.message())]
    Toml(Box<toml::de::Error>),
    #[error("invalid `project.name`: {0}")]
    Name(#[source] pep508_rs::InvalidNameError),
    #[error("invalid `project.requires-python`: {0}")]
    RequiresPython(#[source] pep440_rs::VersionSpecifiersParseError),
    /// `tool.pinwheel.exclude-newer` of another TOML type (its name).
    #[error("`tool.pinwheel.exclude-newer` must be a date or a string, not {0}")]
    ExcludeNewerType(&'static str),
    #[error("`tool.pinwheel.fork-strategy` is `{0}`: expected `newest` (or `requires-python`) or `fewest`")]
    ForkStrategy(String),
}

fn chain_text(chain: &[PathBuf]) -> String {
    chain
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(" -> ")
}

fn list_text(items: &[String]) -> String {
    if items.is_empty() {
        "(none)".to_string()
    } else {
        items.join(", ")
    }
}

/// `path:line: ` for an included file's `-r`/`-c` line, else nothing.
fn at_origin(origin: &Option<FileLine>) -> String {
    origin
        .as_ref()
        .map(|o| format!("{o}: "))
        .unwrap_or_default()
}

impl RequirementsError {
    /// The error for a file that could not be read as text: `origin` is the `-r`/`-c` line of
    /// an included file.
    pub(crate) fn from_text(
        e: super::text::TextError,
        path: &std::path::Path,
        origin: Option<FileLine>,
    ) -> Self {
        use super::text::TextError;
        let path = path.to_path_buf();
        let problem = |p: NotText| RequirementsError::NotText {
            origin: origin.clone(),
            path: path.clone(),
            problem: p,
        };
        match e {
            TextError::Directory => RequirementsError::Directory {
                origin: origin.clone(),
                path: path.clone(),
            },
            TextError::NotUtf8 { line, column } => problem(NotText::NotUtf8 { line, column }),
            TextError::Utf16 => problem(NotText::Utf16),
            TextError::Io(source) => match origin.clone() {
                Some(origin) => RequirementsError::IncludeRead {
                    origin,
                    path,
                    source,
                },
                None => RequirementsError::Read { path, source },
            },
        }
    }
}
