//! A file's hash as pip's hash-checking mode writes it (`--hash=sha256:<hex>`) and indexes list
//! it (PEP 503 `#sha256=<hex>` fragments, PEP 691 `hashes`): an algorithm and a lowercase hex
//! digest, validated once where it is read. Displays as `algorithm:hex`; sorts as that text does.

use std::fmt;
use std::str::FromStr;

/// The algorithms pip accepts in `--hash` (hashlib's guaranteed ones minus the weak).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HashAlgorithm {
    Sha256,
    Sha384,
    Sha512,
}

impl HashAlgorithm {
    pub fn as_str(self) -> &'static str {
        match self {
            HashAlgorithm::Sha256 => "sha256",
            HashAlgorithm::Sha384 => "sha384",
            HashAlgorithm::Sha512 => "sha512",
        }
    }

    /// Hex digits in a digest.
    pub fn hex_len(self) -> usize {
        match self {
            HashAlgorithm::Sha256 => 64,
            HashAlgorithm::Sha384 => 96,
            HashAlgorithm::Sha512 => 128,
        }
    }

    fn parse(name: &str) -> Option<HashAlgorithm> {
        match name.to_ascii_lowercase().as_str() {
            "sha256" => Some(HashAlgorithm::Sha256),
            "sha384" => Some(HashAlgorithm::Sha384),
            "sha512" => Some(HashAlgorithm::Sha512),
            _ => None,
        }
    }
}

/// An algorithm and its digest (lowercase hex of the algorithm's length).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HashDigest {
    algorithm: HashAlgorithm,
    digest: String,
}

/// Why a hash was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HashError {
    #[error("expected `algorithm:hexdigest`")]
    NoAlgorithm,
    /// An algorithm pip does not accept (lowercased).
    #[error("algorithm `{0}` is not accepted; use sha256, sha384 or sha512")]
    Algorithm(String),
    #[error("the digest must be hexadecimal")]
    NotHex,
    #[error(
        "a {} digest has {} hex digits, this one has {digits}",
        algorithm.as_str(),
        algorithm.hex_len()
    )]
    Length {
        algorithm: HashAlgorithm,
        digits: usize,
    },
}

impl HashDigest {
    /// An algorithm and digest given apart (`sha256` and `<hex>` of a URL fragment or a PEP 691
    /// `hashes` table).
    pub fn new(algorithm: &str, digest: &str) -> Result<HashDigest, HashError> {
        let algorithm = HashAlgorithm::parse(algorithm)
            .ok_or_else(|| HashError::Algorithm(algorithm.to_ascii_lowercase()))?;
        if !digest.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(HashError::NotHex);
        }
        if digest.len() != algorithm.hex_len() {
            return Err(HashError::Length {
                algorithm,
                digits: digest.len(),
            });
        }
        Ok(HashDigest {
            algorithm,
            digest: digest.to_ascii_lowercase(),
        })
    }

    /// A sha256 digest computed here or listed by an index, as lowercase (or any case) hex.
    pub fn sha256(hex: &str) -> HashDigest {
        HashDigest {
            algorithm: HashAlgorithm::Sha256,
            digest: hex.to_ascii_lowercase(),
        }
    }

    /// The hex digest when this is a sha256 (what indexes list and pinwheel computes).
    pub fn sha256_hex(&self) -> Option<&str> {
        (self.algorithm == HashAlgorithm::Sha256).then_some(self.digest.as_str())
    }

    /// The first accepted `algorithm=hex` of a URL fragment (`#sha256=...&egg=...`).
    pub fn from_fragment(fragment: &str) -> Option<HashDigest> {
        fragment.split('&').find_map(|part| {
            let (algorithm, digest) = part.split_once('=')?;
            let algorithm = HashAlgorithm::parse(algorithm)?;
            (!digest.is_empty() && digest.chars().all(|c| c.is_ascii_hexdigit())).then(|| {
                HashDigest {
                    algorithm,
                    digest: digest.to_ascii_lowercase(),
                }
            })
        })
    }
}

impl FromStr for HashDigest {
    type Err = HashError;

    /// `algorithm:hexdigest`, as pip's `--hash` takes it.
    fn from_str(value: &str) -> Result<HashDigest, HashError> {
        let (algorithm, digest) = value.split_once(':').ok_or(HashError::NoAlgorithm)?;
        HashDigest::new(algorithm, digest)
    }
}

impl fmt::Display for HashDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm.as_str(), self.digest)
    }
}

/// Compares with the text a lock writes (`sha256:<hex>`, lowercase).
impl PartialEq<String> for HashDigest {
    fn eq(&self, other: &String) -> bool {
        other
            .split_once(':')
            .is_some_and(|(a, d)| a == self.algorithm.as_str() && d == self.digest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_validates_and_lowercases() {
        let upper = "AB".repeat(32);
        let h: HashDigest = format!("SHA256:{upper}").parse().unwrap();
        assert_eq!(h.to_string(), format!("sha256:{}", "ab".repeat(32)));
        assert_eq!(h.sha256_hex(), Some("ab".repeat(32).as_str()));
        assert_eq!(h, format!("sha256:{}", "ab".repeat(32)));
        assert_ne!(h, format!("sha256:{upper}"));
        for (bad, why) in [
            ("sha256", "algorithm:hexdigest"),
            ("md5:abc", "not accepted"),
            ("sha256:abc", "64 hex digits"),
            (&format!("sha256:{}", "z".repeat(64)), "hexadecimal"),
        ] {
            let err = bad.parse::<HashDigest>().unwrap_err();
            assert!(err.to_string().contains(why), "{bad}: {err}");
        }
        let h512: HashDigest = format!("sha512:{}", "0".repeat(128)).parse().unwrap();
        assert_eq!(h512.sha256_hex(), None);
    }

    #[test]
    fn sorts_as_its_text() {
        let a = HashDigest::sha256(&"b".repeat(64));
        let b: HashDigest = format!("sha384:{}", "a".repeat(96)).parse().unwrap();
        let c = HashDigest::sha256(&"a".repeat(64));
        let mut v = [a.clone(), b.clone(), c.clone()];
        v.sort();
        let mut texts: Vec<String> = [a, b, c].iter().map(|h| h.to_string()).collect();
        texts.sort();
        assert_eq!(v.iter().map(|h| h.to_string()).collect::<Vec<_>>(), texts);
    }

    #[test]
    fn fragments() {
        let hex = "0f".repeat(32);
        assert_eq!(
            HashDigest::from_fragment(&format!("egg=x&SHA256={hex}"))
                .unwrap()
                .to_string(),
            format!("sha256:{hex}")
        );
        assert_eq!(HashDigest::from_fragment("md5=abc"), None);
        assert_eq!(HashDigest::from_fragment("sha256="), None);
    }
}
