//! Reading one member of a remote zip (a wheel, PEP 427) from byte ranges: the end of central
//! directory record (with the zip64 locator), the central directory, one local header and its
//! data, per PKWARE's APPNOTE. Pure: callers fetch the ranges (HTTP `Range`) and hand in bytes.
//! This is what lets `lock` read a wheel's METADATA without downloading the wheel.

use std::io::Read;

/// How many bytes of a file's tail to fetch first: enough for the EOCD and, for nearly every
/// wheel, the whole central directory.
pub const TAIL_GUESS: u64 = 64 * 1024;

/// The most a member read out of a wheel (its METADATA, its WHEEL) may hold, compressed or
/// expanded: 64 MiB, as a metadata file fetched on its own (PEP 658). A zip that claims or
/// inflates to more (a zip bomb) is refused, never expanded further.
pub const MAX_MEMBER: u64 = 64 << 20;

/// The most a central directory may hold: 64 MiB (some 500,000 members).
pub const MAX_CENTRAL_DIRECTORY: u64 = 64 << 20;

#[derive(Debug, thiserror::Error)]
pub enum ZipError {
    #[error("not a zip file: no end of central directory record")]
    NoEocd,
    #[error("corrupt zip: {0}")]
    Corrupt(&'static str),
    #[error("unsupported zip compression method {0} (only stored and deflate are)")]
    Method(u16),
    #[error("could not inflate zip member: {0}")]
    Inflate(#[from] std::io::Error),
    #[error("zip member {name} {how} past {} MiB; refused (a zip bomb, or not a wheel)", MAX_MEMBER >> 20)]
    MemberTooLarge { name: String, how: &'static str },
    #[error("the zip's central directory is larger than {} MiB; refused", MAX_CENTRAL_DIRECTORY >> 20)]
    DirectoryTooLarge,
}

/// Where the central directory lies, as absolute offsets in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CentralDirectory {
    pub offset: u64,
    pub size: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CentralEntry {
    pub name: String,
    pub method: u16,
    pub compressed_size: u64,
    pub local_header_offset: u64,
}

fn u16_at(b: &[u8], i: usize) -> Option<u16> {
    b.get(i..i + 2).map(|s| u16::from_le_bytes([s[0], s[1]]))
}
fn u32_at(b: &[u8], i: usize) -> Option<u32> {
    b.get(i..i + 4)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}
fn u64_at(b: &[u8], i: usize) -> Option<u64> {
    b.get(i..i + 8)
        .map(|s| u64::from_le_bytes(s.try_into().unwrap()))
}

/// Finds the central directory from the last bytes of a file. `tail` starts at `tail_offset`.
pub fn locate_central_directory(
    tail: &[u8],
    tail_offset: u64,
) -> Result<CentralDirectory, ZipError> {
    const EOCD: u32 = 0x0605_4b50;
    let start = tail.len().checked_sub(22).ok_or(ZipError::NoEocd)?;
    let pos = (0..=start)
        .rev()
        .take(65_536 + 1)
        .find(|&i| u32_at(tail, i) == Some(EOCD))
        .ok_or(ZipError::NoEocd)?;
    let cd_size = u32_at(tail, pos + 12).ok_or(ZipError::NoEocd)? as u64;
    let cd_offset = u32_at(tail, pos + 16).ok_or(ZipError::NoEocd)? as u64;
    if cd_size != 0xFFFF_FFFF && cd_offset != 0xFFFF_FFFF {
        return bounded(CentralDirectory {
            offset: cd_offset,
            size: cd_size,
        });
    }
    // zip64: the locator sits just before the EOCD and points at the zip64 EOCD record.
    let loc = pos
        .checked_sub(20)
        .ok_or(ZipError::Corrupt("zip64 locator missing"))?;
    if u32_at(tail, loc) != Some(0x0706_4b50) {
        return Err(ZipError::Corrupt("zip64 locator missing"));
    }
    let z64 = u64_at(tail, loc + 8).ok_or(ZipError::Corrupt("zip64 locator"))?;
    let rel = z64
        .checked_sub(tail_offset)
        .and_then(|rel| usize::try_from(rel).ok())
        .ok_or(ZipError::Corrupt("zip64 record outside the fetched tail"))?;
    if u32_at(tail, rel) != Some(0x0606_4b50) {
        return Err(ZipError::Corrupt("zip64 end of central directory"));
    }
    bounded(CentralDirectory {
        size: u64_at(tail, rel + 40).ok_or(ZipError::Corrupt("zip64 record"))?,
        offset: u64_at(tail, rel + 48).ok_or(ZipError::Corrupt("zip64 record"))?,
    })
}

fn bounded(cd: CentralDirectory) -> Result<CentralDirectory, ZipError> {
    if cd.size > MAX_CENTRAL_DIRECTORY {
        return Err(ZipError::DirectoryTooLarge);
    }
    if cd.offset.checked_add(cd.size).is_none() {
        return Err(ZipError::Corrupt(
            "central directory past the end of any file",
        ));
    }
    Ok(cd)
}

/// Parses the central directory's entries.
pub fn parse_central_directory(cd: &[u8]) -> Result<Vec<CentralEntry>, ZipError> {
    let mut out = Vec::new();
    let mut i = 0;
    while u32_at(cd, i) == Some(0x0201_4b50) {
        let bad = ZipError::Corrupt("truncated central directory");
        let method = u16_at(cd, i + 10).ok_or(ZipError::Corrupt("truncated central directory"))?;
        let mut csize = u32_at(cd, i + 20).ok_or(ZipError::Corrupt("truncated"))? as u64;
        let usize_ = u32_at(cd, i + 24).ok_or(ZipError::Corrupt("truncated"))? as u64;
        let name_len = u16_at(cd, i + 28).ok_or(ZipError::Corrupt("truncated"))? as usize;
        let extra_len = u16_at(cd, i + 30).ok_or(ZipError::Corrupt("truncated"))? as usize;
        let comment_len = u16_at(cd, i + 32).ok_or(ZipError::Corrupt("truncated"))? as usize;
        let mut offset = u32_at(cd, i + 42).ok_or(ZipError::Corrupt("truncated"))? as u64;
        let name = cd.get(i + 46..i + 46 + name_len).ok_or(bad)?;
        let name = String::from_utf8_lossy(name).into_owned();
        let extra = cd
            .get(i + 46 + name_len..i + 46 + name_len + extra_len)
            .ok_or(ZipError::Corrupt("truncated extra field"))?;
        // zip64 extended information: the 0xFFFFFFFF fields, in order, are in extra id 1.
        let mut e = 0;
        while e + 4 <= extra.len() {
            let id = u16_at(extra, e).unwrap_or(0);
            let len = u16_at(extra, e + 2).unwrap_or(0) as usize;
            if id == 1 {
                let mut p = e + 4;
                if usize_ == 0xFFFF_FFFF {
                    p += 8;
                }
                if csize == 0xFFFF_FFFF {
                    csize = u64_at(extra, p).ok_or(ZipError::Corrupt("zip64 extra"))?;
                    p += 8;
                }
                if offset == 0xFFFF_FFFF {
                    offset = u64_at(extra, p).ok_or(ZipError::Corrupt("zip64 extra"))?;
                }
            }
            e += 4 + len;
        }
        out.push(CentralEntry {
            name,
            method,
            compressed_size: csize,
            local_header_offset: offset,
        });
        i += 46 + name_len + extra_len + comment_len;
    }
    Ok(out)
}

/// The `.dist-info/METADATA` member of a wheel: the top-level one, preferring the one whose
/// directory names the expected `name-version` prefix.
pub fn find_metadata<'a>(
    entries: &'a [CentralEntry],
    dist_info_prefix: Option<&str>,
) -> Option<&'a CentralEntry> {
    let mut candidates = entries.iter().filter(|e| {
        let parts: Vec<&str> = e.name.split('/').collect();
        parts.len() == 2 && parts[0].ends_with(".dist-info") && parts[1] == "METADATA"
    });
    let first = candidates.clone().next();
    match dist_info_prefix {
        Some(p) => candidates
            .find(|e| {
                e.name
                    .to_ascii_lowercase()
                    .starts_with(&p.to_ascii_lowercase())
            })
            .or(first),
        None => first,
    }
}

/// How many bytes to fetch from the local header on to be sure to hold the member's data.
pub fn member_fetch_len(entry: &CentralEntry) -> u64 {
    (30 + entry.name.len() as u64 + 1024).saturating_add(entry.compressed_size)
}

/// Refuses a member whose compressed size already passes [`MAX_MEMBER`], before any byte of
/// it is fetched.
pub fn check_member_size(entry: &CentralEntry) -> Result<(), ZipError> {
    if entry.compressed_size > MAX_MEMBER {
        return Err(ZipError::MemberTooLarge {
            name: entry.name.clone(),
            how: "is compressed",
        });
    }
    Ok(())
}

/// Given bytes starting at the entry's local header, returns its decompressed content, or
/// `Ok(None)` when more bytes are needed (the returned length says how many in all).
pub fn read_member(
    entry: &CentralEntry,
    from_header: &[u8],
) -> Result<Result<Vec<u8>, u64>, ZipError> {
    check_member_size(entry)?;
    if u32_at(from_header, 0) != Some(0x0403_4b50) {
        return Err(ZipError::Corrupt("bad local file header"));
    }
    let name_len = u16_at(from_header, 26).ok_or(ZipError::Corrupt("local header"))? as usize;
    let extra_len = u16_at(from_header, 28).ok_or(ZipError::Corrupt("local header"))? as usize;
    let start = 30 + name_len + extra_len;
    // At most MAX_MEMBER (checked above): no overflow.
    let end = start + entry.compressed_size as usize;
    let Some(data) = from_header.get(start..end) else {
        return Ok(Err(end as u64));
    };
    Ok(Ok(decompress(entry, data)?))
}

/// The member's bytes, expanded to at most [`MAX_MEMBER`]: a member that inflates further
/// is refused as soon as it passes the bound.
fn decompress(entry: &CentralEntry, data: &[u8]) -> Result<Vec<u8>, ZipError> {
    let mut out = Vec::new();
    match entry.method {
        0 => out.extend_from_slice(data),
        8 => {
            flate2::read::DeflateDecoder::new(data)
                .take(MAX_MEMBER + 1)
                .read_to_end(&mut out)?;
        }
        m => return Err(ZipError::Method(m)),
    }
    if out.len() as u64 > MAX_MEMBER {
        return Err(ZipError::MemberTooLarge {
            name: entry.name.clone(),
            how: "expands",
        });
    }
    Ok(out)
}

/// Reads a member of a complete zip in memory (the fallback when a server ignores ranges).
pub fn read_metadata_from_whole(
    zip: &[u8],
    dist_info_prefix: Option<&str>,
) -> Result<Vec<u8>, ZipError> {
    let tail_start = zip.len().saturating_sub(TAIL_GUESS as usize);
    let cd = locate_central_directory(&zip[tail_start..], tail_start as u64)?;
    let cd_bytes = usize::try_from(cd.offset)
        .ok()
        .zip(usize::try_from(cd.offset + cd.size).ok())
        .and_then(|(start, end)| zip.get(start..end))
        .ok_or(ZipError::Corrupt("central directory out of bounds"))?;
    let entries = parse_central_directory(cd_bytes)?;
    let entry = find_metadata(&entries, dist_info_prefix)
        .ok_or(ZipError::Corrupt("no .dist-info/METADATA in wheel"))?;
    let from = usize::try_from(entry.local_header_offset)
        .ok()
        .and_then(|start| zip.get(start..))
        .ok_or(ZipError::Corrupt("local header out of bounds"))?;
    match read_member(entry, from)? {
        Ok(bytes) => Ok(bytes),
        Err(_) => Err(ZipError::Corrupt("member extends past the end of the file")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn wheel(pad: usize) -> Vec<u8> {
        let mut buf = std::io::Cursor::new(Vec::new());
        {
            let mut z = zip::ZipWriter::new(&mut buf);
            let opts = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            z.start_file("demo/__init__.py", opts).unwrap();
            z.write_all(b"x = 1\n").unwrap();
            z.start_file("demo-1.0.dist-info/METADATA", opts).unwrap();
            z.write_all(b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n")
                .unwrap();
            z.start_file(
                "demo/big.bin",
                opts.compression_method(zip::CompressionMethod::Stored),
            )
            .unwrap();
            let data: Vec<u8> = (0..pad).map(|i| (i * 7 % 251) as u8).collect();
            z.write_all(&data).unwrap();
            z.start_file("demo-1.0.dist-info/RECORD", opts).unwrap();
            z.finish().unwrap();
        }
        buf.into_inner()
    }

    #[test]
    fn reads_metadata_from_ranges() {
        let w = wheel(200_000);
        let tail_start = w.len() - 4096;
        let cd = locate_central_directory(&w[tail_start..], tail_start as u64).unwrap();
        let entries =
            parse_central_directory(&w[cd.offset as usize..(cd.offset + cd.size) as usize])
                .unwrap();
        assert_eq!(entries.len(), 4);
        let e = find_metadata(&entries, Some("demo-1.0")).unwrap();
        assert_eq!(e.name, "demo-1.0.dist-info/METADATA");
        // Too few bytes: asks for more.
        let from = &w[e.local_header_offset as usize..];
        let need = match read_member(e, &from[..10.min(from.len())]) {
            Err(_) => 0,
            Ok(Err(n)) => n,
            Ok(Ok(_)) => panic!("should need more"),
        };
        let _ = need;
        let got = read_member(e, &from[..member_fetch_len(e) as usize])
            .unwrap()
            .unwrap();
        assert!(got.starts_with(b"Metadata-Version: 2.1\nName: demo"));
    }

    #[test]
    fn whole_file_fallback() {
        let w = wheel(10);
        let m = read_metadata_from_whole(&w, None).unwrap();
        assert!(String::from_utf8(m).unwrap().contains("Version: 1.0"));
    }

    /// A real zip whose METADATA inflates to 1 MiB past the bound (about 65 KiB compressed).
    pub(crate) fn zip_bomb() -> Vec<u8> {
        let mut buf = std::io::Cursor::new(Vec::new());
        {
            let mut z = zip::ZipWriter::new(&mut buf);
            let opts = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated)
                .large_file(true);
            z.start_file("bomb-1.0.dist-info/METADATA", opts).unwrap();
            z.write_all(b"Metadata-Version: 2.1\nName: bomb\nVersion: 1.0\n\n")
                .unwrap();
            let zeros = vec![0u8; 1 << 20];
            for _ in 0..(MAX_MEMBER >> 20) + 1 {
                z.write_all(&zeros).unwrap();
            }
            z.finish().unwrap();
        }
        buf.into_inner()
    }

    #[test]
    fn a_member_that_expands_past_the_bound_is_refused() {
        let bomb = zip_bomb();
        assert!(bomb.len() < 1 << 20, "{}", bomb.len());
        let err = read_metadata_from_whole(&bomb, Some("bomb-1.0")).unwrap_err();
        assert!(
            matches!(err, ZipError::MemberTooLarge { how: "expands", .. }),
            "{err}"
        );
        assert_eq!(
            err.to_string(),
            "zip member bomb-1.0.dist-info/METADATA expands past 64 MiB; refused (a zip bomb, or not a wheel)"
        );
        // Through the range reader's path too: the member from its local header.
        let tail_start = bomb.len().saturating_sub(TAIL_GUESS as usize);
        let cd = locate_central_directory(&bomb[tail_start..], tail_start as u64).unwrap();
        let entries =
            parse_central_directory(&bomb[cd.offset as usize..(cd.offset + cd.size) as usize])
                .unwrap();
        let e = find_metadata(&entries, None).unwrap();
        let err = read_member(e, &bomb[e.local_header_offset as usize..]).unwrap_err();
        assert!(matches!(err, ZipError::MemberTooLarge { .. }), "{err}");
    }

    #[test]
    fn a_member_that_claims_more_than_the_bound_is_refused_before_it_is_fetched() {
        let entry = CentralEntry {
            name: "x-1.0.dist-info/METADATA".into(),
            method: 8,
            compressed_size: MAX_MEMBER + 1,
            local_header_offset: 0,
        };
        let err = check_member_size(&entry).unwrap_err();
        assert!(
            err.to_string().contains("is compressed past 64 MiB"),
            "{err}"
        );
        assert!(matches!(
            read_member(&entry, &[]),
            Err(ZipError::MemberTooLarge { .. })
        ));
        // A central directory larger than its bound is refused too.
        let mut eocd = vec![0u8; 22];
        eocd[..4].copy_from_slice(&0x0605_4b50u32.to_le_bytes());
        eocd[12..16].copy_from_slice(&((MAX_CENTRAL_DIRECTORY + 1) as u32).to_le_bytes());
        assert!(matches!(
            locate_central_directory(&eocd, 0),
            Err(ZipError::DirectoryTooLarge)
        ));
    }

    #[test]
    fn not_a_zip() {
        assert!(matches!(
            locate_central_directory(&[0u8; 100], 0),
            Err(ZipError::NoEocd)
        ));
    }
}
