//! Reading an input file as text the way pip does: a UTF-8 byte order mark is dropped (pip's
//! `auto_decode` honours BOMs), anything else must be UTF-8. A file that is not text, or a path
//! that names a directory, is reported with what is wrong and where, not as "cannot read".

use std::path::Path;

/// Why a file could not be taken as text.
#[derive(Debug)]
pub enum TextError {
    /// The path names a directory.
    Directory,
    /// A byte sequence that is not UTF-8, at this 1-based line and column (bytes).
    NotUtf8 { line: usize, column: usize },
    /// Starts with a UTF-16 or UTF-32 byte order mark.
    Utf16,
    /// Any other IO failure (missing, permissions).
    Io(std::io::Error),
}

/// The UTF-8 byte order mark.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Reads `path` as UTF-8 text, without a leading byte order mark.
pub fn read_text(path: &Path) -> Result<String, TextError> {
    if path.is_dir() {
        return Err(TextError::Directory);
    }
    let bytes = std::fs::read(path).map_err(TextError::Io)?;
    decode(bytes)
}

/// UTF-8 text of `bytes`, without a leading byte order mark.
pub fn decode(mut bytes: Vec<u8>) -> Result<String, TextError> {
    if bytes.starts_with(BOM) {
        bytes.drain(..BOM.len());
    } else if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(TextError::Utf16);
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        TextError::NotUtf8 {
            line,
            column: valid.len() - line_start + 1,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_utf8_bom_is_dropped() {
        assert_eq!(
            decode(b"\xEF\xBB\xBFidna>=3\n".to_vec()).unwrap(),
            "idna>=3\n"
        );
        assert_eq!(decode(b"idna\n".to_vec()).unwrap(), "idna\n");
    }

    #[test]
    fn invalid_bytes_are_located() {
        match decode(b"a\nb\xE9c\n".to_vec()) {
            Err(TextError::NotUtf8 { line, column }) => assert_eq!((line, column), (2, 2)),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            decode(b"\xFF\xFEa\x00".to_vec()),
            Err(TextError::Utf16)
        ));
    }
}
