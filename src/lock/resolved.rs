//! From a resolution to the lock model: which files' hashes each pin records (those its targets
//! install, every file with `--all-hashes`, and sdists always, since a target may build from
//! one), the marker that selects exactly the pin's targets, and direct URLs written without
//! credentials. Pure: files the index listed without a sha256 come back as [`Unhashed`], for the
//! caller to fetch and hash ([`Lock::add_hash`]).

use std::collections::BTreeSet;

use super::{selector, Lock, Pin};
use crate::distribution::HashDigest;
use crate::index::{DisplaySafeUrl, IndexFile};
use crate::platform::Target;
use crate::resolve::Resolution;

/// A file the lock needs the sha256 of, which the index did not list.
#[derive(Debug, Clone)]
pub struct Unhashed {
    /// The pin's index in the lock.
    pub pin: usize,
    pub file: IndexFile,
}

/// The lock for `resolution` over `targets` (the settings' targets, in order), with `header`
/// comment lines; and the files whose hashes remain to be computed.
pub fn lock_from_resolution(
    resolution: &Resolution,
    targets: &[Target],
    all_hashes: bool,
    header: Vec<String>,
) -> (Lock, Vec<Unhashed>) {
    let mut pins = Vec::new();
    let mut unhashed = Vec::new();
    for rp in &resolution.pins {
        let needed: Vec<&Target> = rp.targets.iter().map(|&i| &targets[i]).collect();
        let mut hashes = BTreeSet::new();
        for c in &rp.files {
            let keep = all_hashes || !c.is_wheel() || needed.iter().any(|t| c.installs_on(t));
            if !keep {
                continue;
            }
            match &c.file.sha256 {
                Some(h) => {
                    hashes.insert(HashDigest::sha256(h));
                }
                None => unhashed.push(Unhashed {
                    pin: pins.len(),
                    file: c.file.clone(),
                }),
            }
        }
        pins.push(Pin {
            name: rp.name.clone(),
            version: rp.version.clone(),
            marker: selector::marker_for(targets, &rp.targets),
            hashes: hashes.into_iter().collect(),
            via: rp.via.iter().cloned().collect(),
            // Credentials stay out of the lock: wheelhouse finds them in ~/.netrc or an index URL.
            url: rp.url.as_ref().map(|u| DisplaySafeUrl::from(u).to_string()),
        });
    }
    let lock = Lock {
        header,
        targets: targets.iter().map(Target::canonical).collect(),
        pins,
    };
    (lock, unhashed)
}

impl Lock {
    /// Records a hash computed for pin `pin` (by index), keeping the hashes sorted and distinct.
    pub fn add_hash(&mut self, pin: usize, hash: HashDigest) {
        let hashes = &mut self.pins[pin].hashes;
        if let Err(at) = hashes.binary_search(&hash) {
            hashes.insert(at, hash);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;
    use crate::distribution::DistFilename;
    use crate::resolve::{Candidate, ResolvedPin};

    fn file(name: &str, sha: Option<char>) -> IndexFile {
        let mut f = IndexFile::from_url(
            &url::Url::parse(&format!("https://files.example/{name}")).unwrap(),
        );
        f.sha256 = sha.map(|c| c.to_string().repeat(64));
        f
    }

    #[test]
    fn hashes_what_the_targets_install_and_returns_what_is_unlisted() {
        let targets: Vec<Target> = ["cp312-manylinux_2_28_x86_64", "cp312-win_amd64"]
            .iter()
            .map(|t| Target::parse(t).unwrap())
            .collect();
        let name = pep508_rs::PackageName::from_str("lib").unwrap();
        let cand = |file: IndexFile| Candidate {
            filename: DistFilename::parse(&file.filename, &name).unwrap(),
            file,
        };
        let pin = ResolvedPin {
            name: name.clone(),
            version: pep440_rs::Version::from_str("1.0").unwrap(),
            files: vec![
                cand(file(
                    "lib-1.0-cp312-cp312-manylinux_2_28_x86_64.whl",
                    Some('b'),
                )),
                cand(file("lib-1.0-cp312-cp312-macosx_14_0_arm64.whl", Some('c'))),
                cand(file("lib-1.0.tar.gz", None)),
                cand(file("lib-1.0-py3-none-any.whl", Some('a'))),
            ],
            targets: vec![0],
            via: ["-r requirements.in".to_string()].into(),
            parents: Default::default(),
            url: None,
        };
        let resolution = Resolution {
            pins: vec![pin],
            warnings: Vec::new(),
        };
        let (mut lock, unhashed) = lock_from_resolution(&resolution, &targets, false, vec![]);
        let p = &lock.pins[0];
        // The macOS wheel serves no target; the sdist is kept but was listed without a hash.
        assert_eq!(
            p.hashes,
            [
                format!("sha256:{}", "a".repeat(64)),
                format!("sha256:{}", "b".repeat(64))
            ]
        );
        assert_eq!(
            p.marker.as_ref().unwrap().as_str(),
            "sys_platform == 'linux'"
        );
        assert_eq!(unhashed.len(), 1);
        assert_eq!(unhashed[0].file.filename, "lib-1.0.tar.gz");
        lock.add_hash(unhashed[0].pin, HashDigest::sha256(&"0".repeat(64)));
        lock.add_hash(unhashed[0].pin, HashDigest::sha256(&"0".repeat(64)));
        assert_eq!(lock.pins[0].hashes.len(), 3);
        assert_eq!(lock.pins[0].hashes[0], format!("sha256:{}", "0".repeat(64)));
        let (all, _) = lock_from_resolution(&resolution, &targets, true, vec![]);
        assert_eq!(all.pins[0].hashes.len(), 3);
    }
}
