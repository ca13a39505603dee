//! Reading a tar stream (POSIX ustar, pax and GNU, as sdists are) within a budget the reader
//! sets member by member. The `tar` crate reads a member's extended headers (a GNU long name or
//! link, a pax record) whole into memory before it hands the member out, so a compressed
//! stream a few KiB long could make it allocate gigabytes: [`Metered`] counts the bytes taken
//! from the stream and fails a read once the allowance [`Meter::allow`] last set runs out. The
//! caller allows a member's data (its size, in 512-byte blocks) plus [`MEMBER_HEADERS`] for the
//! headers of the next one. Pure (a `Read` adapter).

use std::cell::Cell;
use std::io::Read;
use std::rc::Rc;

/// The most a member's headers may take (its 512-byte header, GNU long name and link, pax
/// records, sparse maps, padding); real ones take a few KiB (`PATH_MAX` is 4 KiB).
pub const MEMBER_HEADERS: u64 = 1 << 20;

/// The tar block size: a member's data is padded to a multiple of it.
const BLOCK: u64 = 512;

/// The allowance of a [`Metered`] reader, shared with whoever sets it.
#[derive(Debug, Clone, Default)]
pub struct Meter(Rc<MeterState>);

#[derive(Debug, Default)]
struct MeterState {
    left: Cell<u64>,
    exceeded: Cell<bool>,
}

impl Meter {
    /// From now on, at most `bytes` more may be read.
    pub fn allow(&self, bytes: u64) {
        self.0.left.set(bytes);
    }

    /// Allows a member of `size` bytes (rounded up to whole blocks) and the next member's
    /// headers.
    pub fn allow_member(&self, size: u64) {
        self.allow(
            size.div_ceil(BLOCK)
                .saturating_mul(BLOCK)
                .saturating_add(MEMBER_HEADERS),
        );
    }

    /// Whether a read failed because the allowance ran out (so a failed read of the archive is
    /// this refusal, not damage).
    pub fn exceeded(&self) -> bool {
        self.0.exceeded.get()
    }
}

/// A reader that takes no more than its [`Meter`] allows.
pub struct Metered<R> {
    inner: R,
    meter: Meter,
}

impl<R> Metered<R> {
    /// `inner`, metered; it may read [`MEMBER_HEADERS`] before the first member.
    pub fn new(inner: R) -> (Self, Meter) {
        let meter = Meter::default();
        meter.allow(MEMBER_HEADERS);
        (
            Metered {
                inner,
                meter: meter.clone(),
            },
            meter,
        )
    }
}

impl<R: Read> Read for Metered<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let left = self.meter.0.left.get();
        if buf.is_empty() {
            return Ok(0);
        }
        if left == 0 {
            self.meter.0.exceeded.set(true);
            return Err(std::io::Error::other(format!(
                "a member's headers (a long name or pax record) pass {} KiB; refused",
                MEMBER_HEADERS >> 10
            )));
        }
        let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        self.meter.0.left.set(left - n as u64);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tar whose first member has a GNU long name of `name_len` bytes.
    fn long_name_tar(name_len: usize) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_size(2);
        h.set_mode(0o644);
        let name = format!("demo-1.0/{}", "n".repeat(name_len));
        b.append_data(&mut h, name, &b"hi"[..]).unwrap();
        b.into_inner().unwrap()
    }

    fn walk(bytes: &[u8]) -> (std::io::Result<Vec<u64>>, Meter) {
        let (reader, meter) = Metered::new(bytes);
        let mut ar = tar::Archive::new(reader);
        let sizes = (|| {
            let mut sizes = Vec::new();
            for e in ar.entries()? {
                let mut e = e?;
                meter.allow_member(e.size());
                std::io::copy(&mut e, &mut std::io::sink())?;
                sizes.push(e.size());
            }
            Ok(sizes)
        })();
        (sizes, meter)
    }

    #[test]
    fn members_within_their_allowance_read_whole() {
        let (sizes, meter) = walk(&long_name_tar(300));
        assert_eq!(sizes.unwrap(), [2]);
        assert!(!meter.exceeded());
    }

    #[test]
    fn a_long_name_past_the_allowance_is_refused_before_it_is_read() {
        let (sizes, meter) = walk(&long_name_tar((MEMBER_HEADERS + 1) as usize));
        let err = sizes.unwrap_err();
        assert!(meter.exceeded(), "{err}");
    }
}
