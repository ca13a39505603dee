//! A URL that never shows its credentials. An index URL may carry `user:token@`; every URL that
//! reaches an error, a log line, a lock or a manifest is a `DisplaySafeUrl`, whose `Display` and
//! `Debug` leave the userinfo out, so no call site has to remember to hide it.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use url::Url;

/// Shared, so that errors carrying one stay small and cheap to clone.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct DisplaySafeUrl(Arc<Url>);

impl DisplaySafeUrl {
    /// Whether the URL carries a username or a password.
    pub fn has_credentials(&self) -> bool {
        !self.0.username().is_empty() || self.0.password().is_some()
    }
}

impl From<Url> for DisplaySafeUrl {
    fn from(url: Url) -> Self {
        DisplaySafeUrl(Arc::new(url))
    }
}

impl From<&Url> for DisplaySafeUrl {
    fn from(url: &Url) -> Self {
        DisplaySafeUrl(Arc::new(url.clone()))
    }
}

impl Deref for DisplaySafeUrl {
    type Target = Url;

    fn deref(&self) -> &Url {
        &self.0
    }
}

impl fmt::Display for DisplaySafeUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.has_credentials() {
            return fmt::Display::fmt(&self.0, f);
        }
        let mut shown = Url::clone(&self.0);
        let _ = shown.set_username("");
        let _ = shown.set_password(None);
        fmt::Display::fmt(&shown, f)
    }
}

impl fmt::Debug for DisplaySafeUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DisplaySafeUrl({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_and_debug_hide_credentials() {
        let u =
            DisplaySafeUrl::from(Url::parse("https://user:secret@example.org/simple/").unwrap());
        assert_eq!(u.to_string(), "https://example.org/simple/");
        assert_eq!(
            format!("{u:?}"),
            "DisplaySafeUrl(https://example.org/simple/)"
        );
        assert!(u.has_credentials());
        // The request still has them (through `Deref`).
        assert_eq!(u.password(), Some("secret"));
        let token = DisplaySafeUrl::from(Url::parse("https://tok@h/x").unwrap());
        assert_eq!(token.to_string(), "https://h/x");
        let plain = DisplaySafeUrl::from(Url::parse("file:///tmp/x.whl").unwrap());
        assert_eq!(plain.to_string(), "file:///tmp/x.whl");
    }
}
