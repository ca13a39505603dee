//! A built wheel's `WHEEL` file read back (PEP 427: `Root-Is-Purelib`, `Tag`), and retagging a
//! wheel built on this machine from the unportable `linux_<arch>` platform to the machine's
//! own PEP 600 `manylinux_X_Y_<arch>` (or PEP 656 `musllinux_X_Y_<arch>`) tag.
//!
//! Why: pip accepts `linux_<arch>` on every Linux of that architecture, glibc and musl alike, so
//! a wheel built on a glibc machine and left tagged `linux_x86_64` would be installed on Alpine,
//! and fail there. Tagged with the machine's libc and version, pip takes it exactly where that
//! libc (at that version or newer) is, as pinwheel's own choice does. The rename rewrites the
//! file name, the `Tag` lines of `WHEEL` and `WHEEL`'s line in `RECORD`; every other member is
//! copied as it is. It does not vendor shared libraries (auditwheel's `repair`): a wheel that
//! links a library outside the libc needs that library in the image. Pure: bytes in and out.

use std::io::{Read, Write};

use base64::Engine;
use sha2::{Digest, Sha256};

use super::filename::{FilenameError, WheelFilename};

/// Why a built wheel's `WHEEL` could not be read, or the wheel could not be retagged.
#[derive(Debug, thiserror::Error)]
pub enum WheelFileError {
    /// The archive (or a member's header in it) is not a readable zip.
    #[error(transparent)]
    Zip(zip::result::ZipError),
    #[error("no .dist-info/WHEEL at the top of the archive")]
    NoWheelFile,
    #[error("several .dist-info/WHEEL files")]
    SeveralWheelFiles,
    /// A member the retagging rewrites is missing or unreadable.
    #[error("{member}: {source}")]
    Member {
        member: String,
        #[source]
        source: zip::result::ZipError,
    },
    /// A member's bytes could not be read (or are not UTF-8 text).
    #[error("{member}: {source}")]
    Read {
        member: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{member} expands past {limit_mib} MiB; refused")]
    TooLarge { member: String, limit_mib: u64 },
    /// The wheel's own file name does not parse.
    #[error(transparent)]
    Filename(FilenameError),
    #[error("no platform field")]
    NoPlatformField,
    /// The retagged archive could not be written.
    #[error(transparent)]
    Write(std::io::Error),
}

impl From<zip::result::ZipError> for WheelFileError {
    fn from(e: zip::result::ZipError) -> Self {
        WheelFileError::Zip(e)
    }
}

/// What a wheel says of itself in `.dist-info/WHEEL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WheelInfo {
    pub root_is_purelib: bool,
    /// The `Tag` lines (`py3-none-any`).
    pub tags: Vec<String>,
}

impl WheelInfo {
    /// A pure-Python wheel: purelib at its root and every tag `*-none-any`.
    pub fn is_pure(&self) -> bool {
        self.root_is_purelib
            && !self.tags.is_empty()
            && self.tags.iter().all(|t| t.ends_with("-none-any"))
    }
}

/// The `.dist-info/WHEEL` member of a wheel archive, found at the archive's top.
fn wheel_member(names: &[String]) -> Result<String, WheelFileError> {
    let found: Vec<&String> = names
        .iter()
        .filter(|n| {
            n.strip_suffix("/WHEEL")
                .is_some_and(|d| d.ends_with(".dist-info") && !d.contains('/'))
        })
        .collect();
    match found.as_slice() {
        [one] => Ok(one.to_string()),
        [] => Err(WheelFileError::NoWheelFile),
        _ => Err(WheelFileError::SeveralWheelFiles),
    }
}

/// Reads `WHEEL` from a wheel's bytes.
pub fn wheel_info(bytes: &[u8]) -> Result<WheelInfo, WheelFileError> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))?;
    let names: Vec<String> = zip.file_names().map(str::to_string).collect();
    let member = wheel_member(&names)?;
    let mut text = String::new();
    let limit = super::zip_ranges::MAX_MEMBER;
    if let Err(source) = zip
        .by_name(&member)?
        .take(limit + 1)
        .read_to_string(&mut text)
    {
        return Err(WheelFileError::Read { member, source });
    }
    if text.len() as u64 > limit {
        return Err(WheelFileError::TooLarge {
            member,
            limit_mib: limit >> 20,
        });
    }
    Ok(parse_wheel_file(&text))
}

fn parse_wheel_file(text: &str) -> WheelInfo {
    let mut info = WheelInfo {
        root_is_purelib: false,
        tags: Vec::new(),
    };
    for line in text.lines() {
        let Some((k, v)) = line.split_once(':') else {
            continue;
        };
        match k.trim().to_ascii_lowercase().as_str() {
            "root-is-purelib" => info.root_is_purelib = v.trim().eq_ignore_ascii_case("true"),
            "tag" => info.tags.push(v.trim().to_string()),
            _ => {}
        }
    }
    info
}

/// Renames `linux_<arch>` platform tags of the wheel `bytes` (named `filename`) to `platform`
/// (`manylinux_2_36_x86_64`); `None` when the wheel has no `linux_*` tag (pure, or already
/// tagged portably). Returns the new file name and bytes.
pub fn retag_linux(
    bytes: &[u8],
    filename: &str,
    platform: &str,
) -> Result<Option<(String, Vec<u8>)>, WheelFileError> {
    let parsed = WheelFilename::parse(filename).map_err(WheelFileError::Filename)?;
    let is_linux = |p: &str| p.starts_with("linux_");
    if !parsed.platform_tags.iter().any(|p| is_linux(p)) {
        return Ok(None);
    }
    let mut platforms: Vec<String> = Vec::new();
    for p in &parsed.platform_tags {
        let p = if is_linux(p) {
            platform.to_string()
        } else {
            p.clone()
        };
        if !platforms.contains(&p) {
            platforms.push(p);
        }
    }
    let renamed = WheelFilename {
        platform_tags: platforms,
        ..parsed.clone()
    };
    // The stem as the backend spelt it, with only the platform field replaced.
    let stem = filename.strip_suffix(".whl").unwrap_or(filename);
    let (head, _) = stem
        .rsplit_once('-')
        .ok_or(WheelFileError::NoPlatformField)?;
    let new_name = format!("{head}-{}.whl", renamed.platform_tags.join("."));

    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))?;
    let names: Vec<String> = zip.file_names().map(str::to_string).collect();
    let wheel_name = wheel_member(&names)?;
    let record_name = format!(
        "{}/RECORD",
        wheel_name.strip_suffix("/WHEEL").unwrap_or(&wheel_name)
    );
    let read = |zip: &mut zip::ZipArchive<std::io::Cursor<&[u8]>>, name: &str| {
        let mut text = String::new();
        zip.by_name(name)
            .map_err(|source| WheelFileError::Member {
                member: name.to_string(),
                source,
            })?
            .read_to_string(&mut text)
            .map_err(|source| WheelFileError::Read {
                member: name.to_string(),
                source,
            })?;
        Ok::<_, WheelFileError>(text)
    };
    let wheel_text = read(&mut zip, &wheel_name)?;
    let mut new_wheel = String::new();
    for line in wheel_text.lines() {
        match line.split_once(':') {
            Some((k, v)) if k.trim().eq_ignore_ascii_case("tag") => {
                let tag = v.trim();
                match tag.rsplit_once('-') {
                    Some((interp, plat)) if is_linux(plat) => {
                        new_wheel.push_str(&format!("Tag: {interp}-{platform}\n"))
                    }
                    _ => new_wheel.push_str(&format!("{line}\n")),
                }
            }
            _ => new_wheel.push_str(&format!("{line}\n")),
        }
    }
    let record_text = read(&mut zip, &record_name)?;
    let wheel_hash = format!(
        "sha256={}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(&new_wheel))
    );
    let mut new_record = String::new();
    for line in record_text.lines() {
        if line.split(',').next() == Some(wheel_name.as_str()) {
            new_record.push_str(&format!("{wheel_name},{wheel_hash},{}\n", new_wheel.len()));
        } else {
            new_record.push_str(&format!("{line}\n"));
        }
    }

    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut out);
        for i in 0..zip.len() {
            let member = zip.by_index_raw(i)?;
            let name = member.name().to_string();
            let replaced = if name == wheel_name {
                Some(new_wheel.as_bytes())
            } else if name == record_name {
                Some(new_record.as_bytes())
            } else {
                None
            };
            match replaced {
                None => w.raw_copy_file(member)?,
                Some(body) => {
                    let mut opts = zip::write::SimpleFileOptions::default()
                        .compression_method(zip::CompressionMethod::Deflated);
                    if let Some(t) = member.last_modified() {
                        opts = opts.last_modified_time(t);
                    }
                    if let Some(mode) = member.unix_mode() {
                        opts = opts.unix_permissions(mode);
                    }
                    drop(member);
                    w.start_file(name.as_str(), opts)?;
                    w.write_all(body).map_err(WheelFileError::Write)?;
                }
            }
        }
        w.finish()?;
    }
    Ok(Some((new_name, out.into_inner())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wheel(tag: &str, purelib: bool) -> Vec<u8> {
        let wheel = format!(
            "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: {purelib}\nTag: {tag}\n"
        );
        let files = [
            ("demo/__init__.py", "x = 1\n".to_string()),
            ("demo-1.0.dist-info/METADATA", "Name: demo\n".to_string()),
            ("demo-1.0.dist-info/WHEEL", wheel),
        ];
        let mut record = String::new();
        for (n, b) in &files {
            let h = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(b));
            record.push_str(&format!("{n},sha256={h},{}\n", b.len()));
        }
        record.push_str("demo-1.0.dist-info/RECORD,,\n");
        let mut out = std::io::Cursor::new(Vec::new());
        let mut z = zip::ZipWriter::new(&mut out);
        for (n, b) in files.iter().chain([&("demo-1.0.dist-info/RECORD", record)]) {
            z.start_file(*n, zip::write::SimpleFileOptions::default())
                .unwrap();
            z.write_all(b.as_bytes()).unwrap();
        }
        z.finish().unwrap();
        out.into_inner()
    }

    #[test]
    fn reads_purity_from_the_wheel_file() {
        assert!(wheel_info(&wheel("py3-none-any", true)).unwrap().is_pure());
        let plat = wheel_info(&wheel("cp311-cp311-linux_x86_64", false)).unwrap();
        assert!(!plat.is_pure());
        assert_eq!(plat.tags, ["cp311-cp311-linux_x86_64"]);
        assert!(!wheel_info(&wheel("py3-none-any", false)).unwrap().is_pure());
    }

    #[test]
    fn linux_tags_become_the_machines_and_the_wheel_stays_valid() {
        let bytes = wheel("cp311-cp311-linux_x86_64", false);
        let (name, new) = retag_linux(
            &bytes,
            "demo-1.0-cp311-cp311-linux_x86_64.whl",
            "manylinux_2_36_x86_64",
        )
        .unwrap()
        .unwrap();
        assert_eq!(name, "demo-1.0-cp311-cp311-manylinux_2_36_x86_64.whl");
        assert_eq!(
            wheel_info(&new).unwrap().tags,
            ["cp311-cp311-manylinux_2_36_x86_64"]
        );
        // Every member is still RECORD's, WHEEL with the hash and size of its new bytes (what
        // an installer checks every member against).
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&new)).unwrap();
        let mut member = |n: &str| {
            let mut text = String::new();
            zip.by_name(n).unwrap().read_to_string(&mut text).unwrap();
            text
        };
        let record = member("demo-1.0.dist-info/RECORD");
        let wheel_file = member("demo-1.0.dist-info/WHEEL");
        for n in ["demo/__init__.py", "demo-1.0.dist-info/METADATA"] {
            let body = member(n);
            let h = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(&body));
            assert!(
                record.contains(&format!("{n},sha256={h},{}\n", body.len())),
                "{record}"
            );
        }
        let h =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(&wheel_file));
        assert!(
            record.contains(&format!(
                "demo-1.0.dist-info/WHEEL,sha256={h},{}\n",
                wheel_file.len()
            )),
            "{record}"
        );
        // Pure and portable wheels are left alone.
        assert!(retag_linux(
            &wheel("py3-none-any", true),
            "demo-1.0-py3-none-any.whl",
            "x"
        )
        .unwrap()
        .is_none());
    }
}
