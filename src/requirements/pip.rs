//! The pip requirements-file format (pip's `req_file` syntax around PEP 508).
//!
//! Processing follows pip's order: physical lines ending in `\` are joined (a comment line ends
//! a continuation), comments are removed (`#` at the start of a line or after whitespace, so a
//! URL's `#sha256=` fragment stays), `${NAME}` environment variables are expanded, and each
//! logical line is split into a requirement part (tokens before the first token starting with
//! `-`) and an options part.

use std::path::{Path, PathBuf};

use url::Url;

use super::{Entry, Origin, RequirementsError};
use crate::distribution::HashDigest;

/// A parsed pip requirements file, with its `-r` and `-c` includes merged in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequirementsFile {
    /// Requirements in order, from this file and its `-r` includes.
    pub requirements: Vec<Entry>,
    /// Constraints from `-c` includes.
    pub constraints: Vec<Entry>,
    /// `-i` / `--index-url` (the last one wins, as in pip).
    pub index_url: Option<Url>,
    /// `--extra-index-url`, in order, without duplicates.
    pub extra_index_urls: Vec<Url>,
    /// `-f` / `--find-links` values as written (URLs or paths).
    pub find_links: Vec<String>,
    /// `--no-index`.
    pub no_index: bool,
    /// `--pre`.
    pub pre: bool,
    /// `--only-binary` values, split at commas (`:all:`, `:none:` or package names).
    pub only_binary: Vec<String>,
    /// `--no-binary` values, split at commas (`:all:`, `:none:` or package names).
    pub no_binary: Vec<String>,
    /// `--prefer-binary`.
    pub prefer_binary: bool,
    /// The leading `#` comment lines of the top-level file, without the `#` and one following
    /// space (blank lines between them are skipped). A lock's `# targets: ...` line reads back
    /// from here.
    pub header_comments: Vec<String>,
    /// Every file read: this one first, then its `-r`/`-c` includes, as named (so that an
    /// output can be checked not to overwrite any of them).
    pub files: Vec<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Requirement,
    Constraint,
}

impl RequirementsFile {
    /// Read and parse a requirements file and its includes.
    pub fn from_path(path: &Path) -> Result<Self, RequirementsError> {
        let content = super::text::read_text(path)
            .map_err(|e| RequirementsError::from_text(e, path, None))?;
        Self::parse_str(&content, path)
    }

    /// Parse requirements-file text. `path` names the file in errors and origins, and `-r`/`-c`
    /// includes are read relative to its directory.
    pub fn parse_str(content: &str, path: &Path) -> Result<Self, RequirementsError> {
        let mut parser = Parser {
            out: RequirementsFile {
                header_comments: header_comments(content),
                ..Self::default()
            },
            stack: Vec::new(),
        };
        parser.parse(content, path, Kind::Requirement)?;
        Ok(parser.out)
    }
}

/// The leading comment block of a file.
fn header_comments(content: &str) -> Vec<String> {
    let mut comments = Vec::new();
    for line in content.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        let Some(comment) = trimmed.strip_prefix('#') else {
            break;
        };
        comments.push(comment.strip_prefix(' ').unwrap_or(comment).to_string());
    }
    comments
}

struct Parser {
    out: RequirementsFile,
    /// Files being parsed, outermost first: the path as named and its canonical form.
    stack: Vec<(PathBuf, PathBuf)>,
}

impl Parser {
    fn parse(&mut self, content: &str, path: &Path, kind: Kind) -> Result<(), RequirementsError> {
        let canonical = canonical(path);
        self.out.files.push(path.to_path_buf());
        self.stack.push((path.to_path_buf(), canonical));
        for (line, text) in logical_lines(content) {
            let origin = Origin::new(path, line);
            let text = expand_env_vars(&text);
            self.parse_line(&text, origin, path, kind)?;
        }
        self.stack.pop();
        Ok(())
    }

    fn parse_line(
        &mut self,
        text: &str,
        origin: Origin,
        path: &Path,
        kind: Kind,
    ) -> Result<(), RequirementsError> {
        let (args, options) = split_args_options(text);
        let tokens = shell_split(options);
        let options = parse_options(&tokens, &origin)?;
        if args.is_empty() {
            for option in options {
                self.apply_option(option, &origin, path)?;
            }
            return Ok(());
        }
        let mut hashes = Vec::new();
        for option in options {
            match option {
                Opt::Hash(hash) => hashes.push(hash),
                other => {
                    return Err(RequirementsError::OptionOnRequirementLine {
                        origin,
                        option: other.name().to_string(),
                    })
                }
            }
        }
        let requirement = parse_requirement(args, &origin)?;
        let entry = Entry {
            requirement,
            hashes,
            origin,
        };
        match kind {
            Kind::Requirement => self.out.requirements.push(entry),
            Kind::Constraint => self.out.constraints.push(entry),
        }
        Ok(())
    }

    fn apply_option(
        &mut self,
        option: Opt,
        origin: &Origin,
        path: &Path,
    ) -> Result<(), RequirementsError> {
        match option {
            // pip: a `-r` inside a constraints file reads requirements, and a `-c` anywhere
            // reads constraints; the including file's kind does not carry over.
            Opt::Requirement(value) => self.include(&value, origin, path, Kind::Requirement)?,
            Opt::Constraint(value) => self.include(&value, origin, path, Kind::Constraint)?,
            Opt::IndexUrl(url) => self.out.index_url = Some(url),
            Opt::ExtraIndexUrl(url) => {
                if !self.out.extra_index_urls.contains(&url) {
                    self.out.extra_index_urls.push(url);
                }
            }
            Opt::FindLinks(value) => {
                if !self.out.find_links.contains(&value) {
                    self.out.find_links.push(value);
                }
            }
            Opt::NoIndex => self.out.no_index = true,
            Opt::Pre => self.out.pre = true,
            Opt::OnlyBinary(values) => {
                for value in values {
                    if !self.out.only_binary.contains(&value) {
                        self.out.only_binary.push(value);
                    }
                }
            }
            Opt::NoBinary(values) => {
                for value in values {
                    if !self.out.no_binary.contains(&value) {
                        self.out.no_binary.push(value);
                    }
                }
            }
            Opt::PreferBinary => self.out.prefer_binary = true,
            Opt::Ignored(_) => {}
            Opt::Hash(_) => {
                return Err(RequirementsError::HashWithoutRequirement {
                    origin: origin.clone(),
                })
            }
        }
        Ok(())
    }

    fn include(
        &mut self,
        value: &str,
        origin: &Origin,
        path: &Path,
        kind: Kind,
    ) -> Result<(), RequirementsError> {
        if has_url_scheme(value) {
            return Err(RequirementsError::RemoteInclude {
                origin: origin.clone(),
                url: value.to_string(),
            });
        }
        let included = match path.parent() {
            Some(parent) => parent.join(value),
            None => PathBuf::from(value),
        };
        let included_canonical = canonical(&included);
        if self.stack.iter().any(|(_, c)| *c == included_canonical) {
            let mut chain: Vec<PathBuf> = self.stack.iter().map(|(p, _)| p.clone()).collect();
            chain.push(included.clone());
            return Err(RequirementsError::IncludeCycle {
                origin: origin.clone(),
                path: included,
                chain,
            });
        }
        let content = super::text::read_text(&included)
            .map_err(|e| RequirementsError::from_text(e, &included, Some(origin.clone())))?;
        self.parse(&content, &included, kind)
    }
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Byte index where a comment starts: a `#` at the start of the line or after whitespace,
/// together with the whitespace before it (pip's `(^|\s+)#.*$`).
fn comment_start(line: &str) -> Option<usize> {
    let mut prev_whitespace_start: Option<usize> = None;
    let mut prev: Option<char> = None;
    for (i, c) in line.char_indices() {
        if c == '#' && (i == 0 || prev.is_some_and(char::is_whitespace)) {
            return Some(prev_whitespace_start.unwrap_or(i));
        }
        if c.is_whitespace() {
            if !prev.is_some_and(char::is_whitespace) {
                prev_whitespace_start = Some(i);
            }
        } else {
            prev_whitespace_start = None;
        }
        prev = Some(c);
    }
    None
}

/// Join `\`-continued lines and drop comments and blank lines, keeping the 1-based number of
/// each logical line's first physical line.
fn logical_lines(content: &str) -> Vec<(usize, String)> {
    let mut joined: Vec<(usize, String)> = Vec::new();
    let mut pending: Option<(usize, String)> = None;
    for (index, line) in content.lines().enumerate() {
        let number = index + 1;
        let is_comment = comment_start(line).is_some();
        if !line.ends_with('\\') || is_comment {
            // A comment line is never continued; the leading space keeps a joined comment
            // recognisable as one.
            let line = if is_comment {
                format!(" {line}")
            } else {
                line.to_string()
            };
            match pending.take() {
                Some((first, mut text)) => {
                    text.push_str(&line);
                    joined.push((first, text));
                }
                None => joined.push((number, line)),
            }
        } else {
            let part = line.trim_end_matches('\\');
            match &mut pending {
                Some((_, text)) => text.push_str(part),
                None => pending = Some((number, part.to_string())),
            }
        }
    }
    if let Some(last) = pending {
        joined.push(last);
    }
    joined
        .into_iter()
        .filter_map(|(number, text)| {
            let text = match comment_start(&text) {
                Some(start) => &text[..start],
                None => &text[..],
            };
            let text = text.trim();
            (!text.is_empty()).then(|| (number, text.to_string()))
        })
        .collect()
}

/// Expand `${NAME}` (NAME of `A-Z`, `0-9`, `_`) from the environment; unset variables and any
/// other `$` forms are left as written, as pip does.
pub fn expand_env_vars(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let name_len = after
            .find(|c: char| !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
            .unwrap_or(after.len());
        if name_len > 0 && after[name_len..].starts_with('}') {
            let name = &after[..name_len];
            match std::env::var(name) {
                Ok(value) => out.push_str(&value),
                Err(_) => out.push_str(&rest[start..start + 2 + name_len + 1]),
            }
            rest = &after[name_len + 1..];
        } else {
            out.push_str("${");
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// Split a logical line into the requirement part and the options part: the options start at
/// the first whitespace-separated token that starts with `-`.
fn split_args_options(line: &str) -> (&str, &str) {
    let mut in_token = false;
    for (i, c) in line.char_indices() {
        if c.is_whitespace() {
            in_token = false;
        } else if !in_token {
            in_token = true;
            if c == '-' {
                return (line[..i].trim(), &line[i..]);
            }
        }
    }
    (line.trim(), "")
}

/// Split option text into words like a POSIX shell (pip uses `shlex.split`): whitespace
/// separates, quotes group, a backslash escapes the next character outside single quotes.
fn shell_split(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                for c in chars.by_ref() {
                    if c == '\'' {
                        break;
                    }
                    word.push(c);
                }
            }
            '"' => {
                in_word = true;
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => {
                            if let Some(next) = chars.next() {
                                word.push(next);
                            }
                        }
                        c => word.push(c),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(next) = chars.next() {
                    word.push(next);
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

/// One recognised option with its value.
#[derive(Debug)]
enum Opt {
    Requirement(String),
    Constraint(String),
    IndexUrl(Url),
    ExtraIndexUrl(Url),
    FindLinks(String),
    NoIndex,
    Pre,
    OnlyBinary(Vec<String>),
    NoBinary(Vec<String>),
    PreferBinary,
    Hash(HashDigest),
    /// Accepted and ignored (`--trusted-host`, `--require-hashes`).
    Ignored(&'static str),
}

impl Opt {
    fn name(&self) -> &'static str {
        match self {
            Opt::Requirement(_) => "--requirement",
            Opt::Constraint(_) => "--constraint",
            Opt::IndexUrl(_) => "--index-url",
            Opt::ExtraIndexUrl(_) => "--extra-index-url",
            Opt::FindLinks(_) => "--find-links",
            Opt::NoIndex => "--no-index",
            Opt::Pre => "--pre",
            Opt::OnlyBinary(_) => "--only-binary",
            Opt::NoBinary(_) => "--no-binary",
            Opt::PreferBinary => "--prefer-binary",
            Opt::Hash(_) => "--hash",
            Opt::Ignored(name) => name,
        }
    }
}

/// The canonical long name for a written option, if pip knows it in requirements files.
fn canonical_option(written: &str) -> Option<&'static str> {
    Some(match written {
        "-r" | "--requirement" => "--requirement",
        "-c" | "--constraint" => "--constraint",
        "-i" | "--index-url" => "--index-url",
        "--extra-index-url" => "--extra-index-url",
        "-f" | "--find-links" => "--find-links",
        "--no-index" => "--no-index",
        "--pre" => "--pre",
        "--only-binary" => "--only-binary",
        "--prefer-binary" => "--prefer-binary",
        "--trusted-host" => "--trusted-host",
        "--require-hashes" => "--require-hashes",
        "--hash" => "--hash",
        "-e" | "--editable" => "--editable",
        "--no-binary" => "--no-binary",
        "--use-feature" => "--use-feature",
        "--config-settings" => "--config-settings",
        "--global-option" => "--global-option",
        _ => return None,
    })
}

fn takes_value(option: &str) -> bool {
    !matches!(
        option,
        "--no-index" | "--pre" | "--prefer-binary" | "--require-hashes"
    )
}

fn parse_options(tokens: &[String], origin: &Origin) -> Result<Vec<Opt>, RequirementsError> {
    let mut options = Vec::new();
    let mut iter = tokens.iter();
    while let Some(token) = iter.next() {
        // Split the written option name from an attached value: `--opt=value`, `-xvalue`.
        let (written, attached) = if token.starts_with("--") {
            match token.split_once('=') {
                Some((name, value)) => (name.to_string(), Some(value.to_string())),
                None => (token.clone(), None),
            }
        } else if token.starts_with('-') && token.len() > 2 && token.is_char_boundary(2) {
            let value = token[2..].strip_prefix('=').unwrap_or(&token[2..]);
            (token[..2].to_string(), Some(value.to_string()))
        } else if token.starts_with('-') {
            (token.clone(), None)
        } else {
            return Err(RequirementsError::UnknownOption {
                origin: origin.clone(),
                option: token.clone(),
            });
        };
        let Some(option) = canonical_option(&written) else {
            return Err(RequirementsError::UnknownOption {
                origin: origin.clone(),
                option: written,
            });
        };
        let value = if takes_value(option) {
            match attached.or_else(|| iter.next().cloned()) {
                Some(value) if !value.is_empty() => value,
                _ => {
                    return Err(RequirementsError::MissingOptionValue {
                        origin: origin.clone(),
                        option: written,
                    })
                }
            }
        } else {
            if attached.is_some() {
                return Err(RequirementsError::UnknownOption {
                    origin: origin.clone(),
                    option: token.clone(),
                });
            }
            String::new()
        };
        let opt = match option {
            "--requirement" => Opt::Requirement(value),
            "--constraint" => Opt::Constraint(value),
            "--index-url" => Opt::IndexUrl(parse_url(&written, &value, origin)?),
            "--extra-index-url" => Opt::ExtraIndexUrl(parse_url(&written, &value, origin)?),
            "--find-links" => Opt::FindLinks(value),
            "--no-index" => Opt::NoIndex,
            "--pre" => Opt::Pre,
            "--only-binary" => Opt::OnlyBinary(
                value
                    .split(',')
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .map(String::from)
                    .collect(),
            ),
            "--prefer-binary" => Opt::PreferBinary,
            "--trusted-host" => Opt::Ignored("--trusted-host"),
            "--require-hashes" => Opt::Ignored("--require-hashes"),
            "--hash" => Opt::Hash(parse_hash(&value, origin)?),
            "--editable" => {
                return Err(RequirementsError::Editable {
                    origin: origin.clone(),
                    text: format!("{written} {value}"),
                })
            }
            "--no-binary" => Opt::NoBinary(
                value
                    .split(',')
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .map(String::from)
                    .collect(),
            ),
            _ => {
                return Err(RequirementsError::UnsupportedOption {
                    origin: origin.clone(),
                    option: written,
                    reason:
                        "it configures how pip builds or installs, which a lock does not record",
                })
            }
        };
        options.push(opt);
    }
    Ok(options)
}

fn parse_url(option: &str, value: &str, origin: &Origin) -> Result<Url, RequirementsError> {
    Url::parse(value).map_err(|err| RequirementsError::InvalidUrl {
        origin: origin.clone(),
        option: option.to_string(),
        value: value.to_string(),
        message: err.to_string(),
    })
}

/// Validate `algorithm:hexdigest` and lowercase the digest.
fn parse_hash(value: &str, origin: &Origin) -> Result<HashDigest, RequirementsError> {
    value
        .parse::<HashDigest>()
        .map_err(|e| RequirementsError::InvalidHash {
            origin: origin.clone(),
            value: value.to_string(),
            reason: e.0,
        })
}

/// `scheme://` or `file:` at the start.
fn has_url_scheme(text: &str) -> bool {
    if text
        .get(..5)
        .is_some_and(|head| head.eq_ignore_ascii_case("file:"))
    {
        return true;
    }
    let Some(colon) = text.find("://") else {
        return false;
    };
    let scheme = &text[..colon];
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

const VCS_PREFIXES: [&str; 4] = ["git+", "hg+", "svn+", "bzr+"];

/// A VCS URL at the start of the text or right after `@` / whitespace.
fn is_vcs(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    VCS_PREFIXES.iter().any(|prefix| {
        lower.match_indices(prefix).any(|(i, _)| {
            i == 0
                || lower[..i]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c == '@' || c.is_whitespace())
        })
    })
}

const ARCHIVE_SUFFIXES: [&str; 10] = [
    ".whl", ".zip", ".tar.gz", ".tgz", ".tar", ".tar.bz2", ".tbz", ".tar.xz", ".txz", ".tar.lz",
];

/// A bare URL or path, which pip accepts but which has no package name.
fn is_unnamed(text: &str) -> bool {
    let first = text
        .split(|c: char| c.is_whitespace() || c == ';')
        .next()
        .unwrap_or("");
    if has_url_scheme(first) {
        return true;
    }
    if first.contains('@') {
        return false;
    }
    let without_extras = match first.find('[') {
        Some(i) => &first[..i],
        None => first,
    };
    let lower = without_extras.to_ascii_lowercase();
    first.starts_with(['.', '/', '\\', '~'])
        || without_extras.contains(['/', '\\'])
        || ARCHIVE_SUFFIXES.iter().any(|s| lower.ends_with(s))
}

fn parse_requirement(
    text: &str,
    origin: &Origin,
) -> Result<pep508_rs::Requirement, RequirementsError> {
    if is_vcs(text) {
        return Err(RequirementsError::VcsRequirement {
            origin: origin.clone(),
            text: text.to_string(),
        });
    }
    if is_unnamed(text) {
        return Err(RequirementsError::UnnamedRequirement {
            origin: origin.clone(),
            text: text.to_string(),
        });
    }
    match crate::distribution::pep508::requirement(text) {
        Ok(requirement) => {
            Ok(requirement.with_origin(pep508_rs::RequirementOrigin::File(origin.path.clone())))
        }
        Err(err) => {
            if matches!(
                err.message,
                pep508_rs::Pep508ErrorSource::UnsupportedRequirement(_)
            ) {
                return Err(RequirementsError::UnnamedRequirement {
                    origin: origin.clone(),
                    text: text.to_string(),
                });
            }
            Err(RequirementsError::InvalidRequirement {
                origin: origin.clone(),
                text: text.to_string(),
                message: crate::distribution::pep508::describe(&err),
            })
        }
    }
}

#[cfg(test)]
mod tests;
