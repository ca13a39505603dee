//! Index credentials: userinfo in index URLs and `~/.netrc` (the format curl and pip read).
//! Credentials are attached per host and never appear in messages or written files.

use std::collections::HashMap;
use std::path::Path;

use url::Url;

#[derive(Debug, Clone, Default)]
pub struct Credentials {
    by_host: HashMap<String, (String, Option<String>)>,
    netrc: HashMap<String, (String, String)>,
    netrc_default: Option<(String, String)>,
}

impl Credentials {
    /// Takes the userinfo out of `url` (returned without it) and remembers it for the host.
    pub fn take_from_url(&mut self, url: &Url) -> Url {
        let mut clean = url.clone();
        if !url.username().is_empty() {
            let user = percent_encoding::percent_decode_str(url.username())
                .decode_utf8_lossy()
                .into_owned();
            let pass = url.password().map(|p| {
                percent_encoding::percent_decode_str(p)
                    .decode_utf8_lossy()
                    .into_owned()
            });
            if let Some(host) = url.host_str() {
                self.by_host.insert(host_key(url, host), (user, pass));
            }
            let _ = clean.set_username("");
            let _ = clean.set_password(None);
        }
        clean
    }

    /// Reads `$NETRC` or `~/.netrc` when present; a missing file is not an error.
    pub fn load_netrc(&mut self) {
        let path = std::env::var_os("NETRC")
            .map(std::path::PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".netrc")));
        if let Some(text) = path.and_then(|p| std::fs::read_to_string(p).ok()) {
            self.parse_netrc(&text);
        }
    }

    /// Adds the entries of a netrc file's text (`machine`, `default`, `login`, `password`;
    /// `account` skipped; parsing stops at `macdef`). Any text is accepted.
    pub fn parse_netrc(&mut self, text: &str) {
        let mut tokens = text.split_whitespace();
        let mut current: Option<Option<String>> = None; // Some(Some(host)) or Some(None)=default
        let (mut login, mut password) = (None::<String>, None::<String>);
        let flush = |this: &mut Self,
                     cur: &Option<Option<String>>,
                     l: &mut Option<String>,
                     p: &mut Option<String>| {
            if let (Some(machine), Some(user)) = (cur, l.take()) {
                let pass = p.take().unwrap_or_default();
                match machine {
                    Some(h) => {
                        this.netrc.entry(h.clone()).or_insert((user, pass));
                    }
                    None => this.netrc_default = Some((user, pass)),
                }
            }
            *l = None;
            *p = None;
        };
        while let Some(tok) = tokens.next() {
            match tok {
                "machine" => {
                    flush(self, &current, &mut login, &mut password);
                    current = tokens.next().map(|h| Some(h.to_string()));
                }
                "default" => {
                    flush(self, &current, &mut login, &mut password);
                    current = Some(None);
                }
                "login" => login = tokens.next().map(str::to_string),
                "password" => password = tokens.next().map(str::to_string),
                "account" => {
                    tokens.next();
                }
                "macdef" => break,
                _ => {}
            }
        }
        flush(self, &current, &mut login, &mut password);
    }

    /// The credentials to send to `url`'s host, if any.
    pub fn for_url(&self, url: &Url) -> Option<(String, Option<String>)> {
        let host = url.host_str()?;
        if let Some(c) = self.by_host.get(&host_key(url, host)) {
            return Some(c.clone());
        }
        if let Some(c) = self.by_host.get(host) {
            return Some(c.clone());
        }
        self.netrc
            .get(host)
            .or(self.netrc_default.as_ref())
            .map(|(u, p)| (u.clone(), Some(p.clone())))
    }
}

fn host_key(url: &Url, host: &str) -> String {
    match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_userinfo_is_taken_out_and_applied_per_host() {
        let mut c = Credentials::default();
        let clean = c.take_from_url(
            &Url::parse("https://al%40ice:s3cret@pkgs.example:8443/simple/").unwrap(),
        );
        assert_eq!(clean.as_str(), "https://pkgs.example:8443/simple/");
        let got = c.for_url(&Url::parse("https://pkgs.example:8443/files/x.whl").unwrap());
        assert_eq!(got, Some(("al@ice".into(), Some("s3cret".into()))));
        assert_eq!(
            c.for_url(&Url::parse("https://other.example/").unwrap()),
            None
        );
    }

    #[test]
    fn netrc_machine_and_default() {
        let mut c = Credentials::default();
        c.parse_netrc("machine a.example login u1 password p1\n default login du password dp\n");
        let a = c.for_url(&Url::parse("https://a.example/simple/").unwrap());
        assert_eq!(a, Some(("u1".into(), Some("p1".into()))));
        let b = c.for_url(&Url::parse("https://b.example/simple/").unwrap());
        assert_eq!(b, Some(("du".into(), Some("dp".into()))));
    }
}
