//! A file's Requires-Python (PEP 345, listed by indexes as PEP 503 `data-requires-python` and PEP
//! 691 `requires-python`): kept as written, parsed at most once, on first use. Listings hold tens
//! of thousands of files and only the candidates' ever get asked, so the parse is lazy; every
//! question about it goes through `admits`.

use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use pep440_rs::{Version, VersionSpecifiers};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub struct RequiresPython {
    text: String,
    parsed: OnceLock<Option<VersionSpecifiers>>,
}

impl RequiresPython {
    /// `None` for an empty value (indexes write `data-requires-python=""` for "any").
    pub fn new(text: impl Into<String>) -> Option<RequiresPython> {
        let text = text.into();
        (!text.trim().is_empty()).then(|| RequiresPython {
            text,
            parsed: OnceLock::new(),
        })
    }

    /// The specifiers, or `None` when they do not parse.
    pub fn specifiers(&self) -> Option<&VersionSpecifiers> {
        self.parsed
            .get_or_init(|| VersionSpecifiers::from_str(&self.text).ok())
            .as_ref()
    }

    /// Whether a Python of this (full) version may install the file. pip ignores a
    /// Requires-Python it cannot parse, and so do we.
    pub fn admits(&self, python: &Version) -> bool {
        self.specifiers().is_none_or(|s| s.contains(python))
    }
}

impl Clone for RequiresPython {
    fn clone(&self) -> Self {
        RequiresPython {
            text: self.text.clone(),
            parsed: self.parsed.clone(),
        }
    }
}

impl PartialEq for RequiresPython {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for RequiresPython {}

impl fmt::Debug for RequiresPython {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RequiresPython({:?})", self.text)
    }
}

impl fmt::Display for RequiresPython {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Serialize for RequiresPython {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.text.serialize(s)
    }
}

impl<'de> Deserialize<'de> for RequiresPython {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Ok(RequiresPython {
            text,
            parsed: OnceLock::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::from_str(s).unwrap()
    }

    #[test]
    fn admits_by_the_specifiers_and_ignores_what_does_not_parse() {
        let rp = RequiresPython::new(">=3.9, <4").unwrap();
        assert!(rp.admits(&v("3.12.0")));
        assert!(!rp.admits(&v("3.8.10")));
        // pip ignores an invalid Requires-Python: so do we.
        let bad = RequiresPython::new(">=3.6.*").unwrap();
        assert!(bad.admits(&v("3.12.0")));
        assert_eq!(bad.to_string(), ">=3.6.*");
        assert!(RequiresPython::new("  ").is_none());
    }

    #[test]
    fn serialises_as_the_text_written() {
        let rp = RequiresPython::new(">=3.8").unwrap();
        let json = serde_json::to_string(&rp).unwrap();
        assert_eq!(json, "\">=3.8\"");
        let back: RequiresPython = serde_json::from_str(&json).unwrap();
        assert_eq!(back, rp);
        assert!(back.admits(&v("3.8.0")));
    }
}
