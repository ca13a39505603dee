//! PEP 508 dependency specifiers and markers, parsed by `pep508_rs` behind a guard: version
//! 0.9 panics on some inputs instead of refusing them (a name or an extra ending in `-`, `_`
//! or `.` followed by more text, as in `idna_ >=3` or `x[a_]`: its own name check disagrees
//! with its grammar; a non-ASCII character outside quotes in a marker, as in
//! `x ; os_name == 'nt' é`: it counts characters where it slices bytes), and its error's
//! `Display` panics on some spans. Every PEP 508 string
//! pinwheel reads (requirement files, pyproject.toml, core metadata, locks, sdists' build
//! requirements) goes through here, so any text is refused with a message, never a panic.
//! Pure.

use std::str::FromStr;

use pep508_rs::{MarkerTree, Pep508Error, Pep508ErrorSource, Pep508Url, Requirement};

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')
}

/// The error `pep508_rs` should give, for the inputs where it panics instead.
fn refuse<T: Pep508Url>(text: &str, start: usize, what: &str, ident: &str) -> Pep508Error<T> {
    Pep508Error {
        message: Pep508ErrorSource::String(format!(
            "{what} `{ident}` must end with a letter or digit, not `{}`",
            ident.chars().last().unwrap_or(' ')
        )),
        start,
        len: ident.len(),
        input: text.to_string(),
    }
}

/// Finds a name or extra that `pep508_rs` would panic on: one that starts with a letter or
/// digit, consists of name characters and ends with a separator (`-`, `_`, `.`), where the
/// grammar goes on to parse it as a whole identifier.
fn unparseable_identifier<T: Pep508Url>(text: &str) -> Option<Pep508Error<T>> {
    let start = text.len() - text.trim_start().len();
    let rest = &text[start..];
    if !rest.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return None;
    }
    let name_len = rest.find(|c: char| !is_name_char(c)).unwrap_or(rest.len());
    let name = &rest[..name_len];
    // At the very end of the text `pep508_rs` refuses it properly.
    if name.ends_with(['-', '_', '.']) && name_len < rest.len() {
        return Some(refuse(text, start, "the package name", name));
    }
    let after = &rest[name_len..];
    let trimmed = after.trim_start();
    let extras = trimmed.strip_prefix('[')?;
    // The extras as `pep508_rs` walks them: an identifier, whitespace, then `,` or `]`; it
    // panics on an identifier that ends with a separator and is followed by the end, by
    // whitespace, by `,` or by `]`, and stops with an error at anything else.
    let mut list = extras;
    loop {
        let item = list.trim_start();
        if !item.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            return None;
        }
        let n = item.find(|c: char| !is_name_char(c)).unwrap_or(item.len());
        let ident = &item[..n];
        let next = item[n..].chars().next();
        if !next.is_none_or(|c| c == ',' || c == ']' || c.is_whitespace()) {
            return None;
        }
        if ident.ends_with(['-', '_', '.']) {
            let at = text.len() - item.len();
            return Some(refuse(text, at, "the extra", ident));
        }
        list = item[n..].trim_start().strip_prefix(',')?;
    }
}

/// Where the marker of a requirement starts (after its `;`), if it has one: the first `;` of a
/// version requirement; for a URL requirement (`name @ url`), the first `;` after whitespace
/// that follows the URL, as `pep508_rs` reads it.
fn marker_start(text: &str) -> Option<usize> {
    let semicolon = text.find(';')?;
    let Some(at) = text.find('@').filter(|&at| at < semicolon) else {
        return Some(semicolon + 1);
    };
    let after = &text[at + 1..];
    let url_start = after.len() - after.trim_start().len();
    let url_end = after[url_start..]
        .find(char::is_whitespace)
        .map(|n| url_start + n)?;
    let rest = &after[url_end..];
    let semi = rest.trim_start().strip_prefix(';')?;
    Some(text.len() - semi.len())
}

/// A non-ASCII character outside quoted strings of a marker: never valid there, and what
/// `pep508_rs` panics on.
fn non_ascii_outside_quotes<T: Pep508Url>(text: &str, from: usize) -> Option<Pep508Error<T>> {
    let mut quote = None;
    for (i, c) in text[from..].char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '\'' || c == '"' => quote = Some(c),
            None if !c.is_ascii() => {
                return Some(Pep508Error {
                    message: Pep508ErrorSource::String(format!(
                        "Unexpected character `{c}` in the marker: outside quotes a marker is \
                         ASCII (names, operators, `and`, `or`)"
                    )),
                    start: from + i,
                    len: c.len_utf8(),
                    input: text.to_string(),
                })
            }
            None => {}
        }
    }
    None
}

/// A PEP 508 requirement, or the reason it is not one.
pub fn requirement<T: Pep508Url>(text: &str) -> Result<Requirement<T>, Pep508Error<T>> {
    if let Some(err) = unparseable_identifier(text) {
        return Err(err);
    }
    if let Some(err) = marker_start(text).and_then(|at| non_ascii_outside_quotes(text, at)) {
        return Err(err);
    }
    Requirement::from_str(text)
}

/// A PEP 508 marker expression, or the reason it is not one.
pub fn marker(text: &str) -> Result<MarkerTree, Pep508Error> {
    if let Some(err) = non_ascii_outside_quotes(text, 0) {
        return Err(err);
    }
    MarkerTree::from_str(text)
}

/// The error as `pep508_rs` shows it (message, input, a caret under the span), or message and
/// input alone when its span is one its `Display` would panic on.
pub fn describe<T: Pep508Url>(err: &Pep508Error<T>) -> String
where
    T::Err: std::fmt::Display,
{
    let input = &err.input;
    let span_fits = if err.start == input.len() {
        err.len <= 1
    } else {
        err.start
            .checked_add(err.len)
            .is_some_and(|end| end <= input.len() && input.is_char_boundary(end))
            && input.is_char_boundary(err.start)
    };
    if span_fits {
        err.to_string()
    } else {
        format!("{}\n{}", err.message, input)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pep508_rs::VerbatimUrl;

    /// Regression: each of these panicked in `pep508_rs` (found by tests/properties.rs).
    #[test]
    fn names_and_extras_ending_in_a_separator_are_refused_not_panicked_on() {
        for (text, says) in [
            ("a_¡\0", "package name `a_`"),
            ("idna_ >=3", "package name `idna_`"),
            ("idna- ; python_version > '3'", "package name `idna-`"),
            ("requests.[socks]", "package name `requests.`"),
            ("x[a_]", "extra `a_`"),
            ("x [ ok , b-. ]>=1", "extra `b-.`"),
            // Found by the fuzz target `metadata`: whitespace (a vertical tab) after the extra.
            (
                "b[bbbbbbrbibbbbbbY.\u{b}\u{b}equ\u{b}",
                "extra `bbbbbbrbibbbbbbY.`",
            ),
            ("x[a_", "extra `a_`"),
            ("x[ok,a.\t]", "extra `a.`"),
        ] {
            let err = requirement::<VerbatimUrl>(text).unwrap_err();
            let shown = describe(&err);
            assert!(shown.contains(says), "{text}: {shown}");
        }
        // Valid ones still parse; a name at the very end is refused by pep508_rs itself.
        for ok in [
            "a_b>=1",
            "x[a_b, c]",
            "x @ https://h/a_-1.0.tar.gz",
            "a.b-c_d",
        ] {
            requirement::<VerbatimUrl>(ok).unwrap();
        }
        assert!(requirement::<VerbatimUrl>("a_").is_err());
    }

    /// Regression: a non-ASCII character outside quotes in a marker panicked in `pep508_rs`
    /// (found by tests/properties.rs in a core metadata `Requires-Dist`).
    #[test]
    fn non_ascii_outside_quotes_in_a_marker_is_refused_not_panicked_on() {
        for text in [
            "x ; extra == 'a'é",
            "x ; os_name == 'nt' é",
            "idna>=3 ; extra == 'idna'\u{fffd}\u{7f}es-Dist: foo",
            "x @ https://h/x.whl ; python_version == '3' ≥",
        ] {
            let err = requirement::<VerbatimUrl>(text).unwrap_err();
            assert!(
                describe(&err).contains("in the marker"),
                "{text}: {}",
                describe(&err)
            );
        }
        assert!(marker("os_name == 'nt' é").is_err());
        // Inside quotes, and in a URL, it is no concern of the guard.
        requirement::<VerbatimUrl>("x ; platform_release == 'é'").unwrap();
        requirement::<VerbatimUrl>("x @ https://h/é.whl ; os_name == 'nt'").unwrap();
        marker("platform_release == 'é' and os_name == 'nt'").unwrap();
    }

    #[test]
    fn an_error_span_past_the_end_is_shown_without_panicking() {
        let err: Pep508Error<VerbatimUrl> = Pep508Error {
            message: Pep508ErrorSource::String("Expected a version".into()),
            start: 3,
            len: 4,
            input: "x>=".into(),
        };
        assert_eq!(describe(&err), "Expected a version\nx>=");
        let inside: Pep508Error<VerbatimUrl> = Pep508Error {
            message: Pep508ErrorSource::String("bad".into()),
            start: 1,
            len: 1,
            input: "é".into(),
        };
        assert_eq!(describe(&inside), "bad\né");
    }
}
