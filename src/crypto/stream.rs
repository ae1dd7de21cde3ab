//! Documents at rest: AES-256-GCM over 64 KiB segments, so files of any size are encrypted and
//! decrypted in constant memory. Each segment's nonce is a random per-file prefix, the segment
//! counter and a last-segment flag, so segments can be neither reordered nor truncated.
//!
//! File layout: `WRIT1` · 7-byte nonce prefix · segments of (≤ 64 KiB ciphertext + 16-byte tag).

use std::fmt;
use std::io::{self, Read, Write};

use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM};

pub const SEGMENT: usize = 64 * 1024;
const TAG: usize = 16;
const MAGIC: &[u8; 5] = b"WRIT1";

#[derive(Clone)]
pub struct DocumentKey([u8; 32]);

impl DocumentKey {
    pub fn from_bytes(bytes: &[u8]) -> Option<DocumentKey> {
        <[u8; 32]>::try_from(bytes).ok().map(DocumentKey)
    }
    pub(crate) fn bytes(&self) -> &[u8; 32] {
        &self.0
    }
    pub(crate) fn aead(&self) -> LessSafeKey {
        LessSafeKey::new(
            UnboundKey::new(&AES_256_GCM, &self.0).expect("a 32-byte key fits AES-256"),
        )
    }
}

impl fmt::Debug for DocumentKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DocumentKey(<redacted>)")
    }
}

fn nonce(prefix: &[u8; 7], counter: u32, last: bool) -> Nonce {
    let mut bytes = [0u8; 12];
    bytes[..7].copy_from_slice(prefix);
    bytes[7..11].copy_from_slice(&counter.to_be_bytes());
    bytes[11] = u8::from(last);
    Nonce::assume_unique_for_key(bytes)
}

/// Encrypts a stream pushed to it piece by piece. `aad` binds the file to its document id.
pub struct Sealer {
    key: LessSafeKey,
    prefix: [u8; 7],
    counter: u32,
    pending: Vec<u8>,
    aad: Vec<u8>,
}

impl Sealer {
    /// Returns the sealer and the file header to write first.
    pub fn new(key: &DocumentKey, aad: &[u8]) -> (Sealer, Vec<u8>) {
        let prefix = super::random_bytes::<7>();
        let mut header = MAGIC.to_vec();
        header.extend_from_slice(&prefix);
        let sealer = Sealer {
            key: key.aead(),
            prefix,
            counter: 0,
            pending: Vec::with_capacity(SEGMENT),
            aad: aad.to_vec(),
        };
        (sealer, header)
    }

    /// Adds plaintext; appends every segment it completes to `out`.
    pub fn push(&mut self, mut data: &[u8], out: &mut Vec<u8>) -> io::Result<()> {
        while !data.is_empty() {
            // A full segment is sealed only once more data shows it is not the last.
            if self.pending.len() == SEGMENT {
                self.seal_pending(false, out)?;
            }
            let take = (SEGMENT - self.pending.len()).min(data.len());
            self.pending.extend_from_slice(&data[..take]);
            data = &data[take..];
        }
        Ok(())
    }

    /// Seals the last segment (possibly empty).
    pub fn finish(mut self, out: &mut Vec<u8>) -> io::Result<()> {
        self.seal_pending(true, out)
    }

    fn seal_pending(&mut self, last: bool, out: &mut Vec<u8>) -> io::Result<()> {
        let nonce = nonce(&self.prefix, self.counter, last);
        self.counter = self
            .counter
            .checked_add(1)
            .ok_or_else(|| io::Error::other("document too large to encrypt"))?;
        let mut segment = std::mem::take(&mut self.pending);
        self.key
            .seal_in_place_append_tag(nonce, Aad::from(&self.aad), &mut segment)
            .map_err(|_| io::Error::other("encryption failed"))?;
        out.extend_from_slice(&segment);
        segment.clear();
        self.pending = segment;
        Ok(())
    }
}

/// Decrypts a whole stored file from `input` to `output`, segment by segment.
/// Fails if any segment was altered, reordered, dropped or the file was cut short.
pub fn decrypt(
    key: &DocumentKey,
    aad: &[u8],
    mut input: impl Read,
    mut output: impl Write,
) -> io::Result<u64> {
    let corrupt = || {
        io::Error::new(
            io::ErrorKind::InvalidData,
            "document failed its integrity check",
        )
    };
    let mut header = [0u8; 12];
    input.read_exact(&mut header)?;
    if &header[..5] != MAGIC {
        return Err(corrupt());
    }
    let prefix: [u8; 7] = header[5..].try_into().map_err(|_| corrupt())?;
    let key = key.aead();
    let mut current = read_segment(&mut input)?;
    let mut counter = 0u32;
    let mut written = 0u64;
    loop {
        let next = read_segment(&mut input)?;
        let last = next.is_empty();
        let mut segment = current;
        let plain = key
            .open_in_place(nonce(&prefix, counter, last), Aad::from(aad), &mut segment)
            .map_err(|_| corrupt())?;
        output.write_all(plain)?;
        written += plain.len() as u64;
        if last {
            return Ok(written);
        }
        counter = counter.checked_add(1).ok_or_else(corrupt)?;
        current = next;
    }
}

/// Reads up to one sealed segment; empty at end of file.
fn read_segment(input: &mut impl Read) -> io::Result<Vec<u8>> {
    let mut segment = vec![0u8; SEGMENT + TAG];
    let mut filled = 0;
    while filled < segment.len() {
        match input.read(&mut segment[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    segment.truncate(filled);
    Ok(segment)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seal(key: &DocumentKey, data: &[u8], piece: usize) -> Vec<u8> {
        let (mut sealer, mut out) = Sealer::new(key, b"doc-1");
        for chunk in data.chunks(piece.max(1)) {
            sealer.push(chunk, &mut out).unwrap();
        }
        sealer.finish(&mut out).unwrap();
        out
    }

    #[test]
    fn round_trips_every_size() {
        let key = DocumentKey::from_bytes(&[7u8; 32]).unwrap();
        for size in [0, 1, SEGMENT - 1, SEGMENT, SEGMENT + 1, 3 * SEGMENT + 17] {
            let data: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
            let sealed = seal(&key, &data, 10_000);
            let mut plain = Vec::new();
            decrypt(&key, b"doc-1", sealed.as_slice(), &mut plain).unwrap();
            assert_eq!(plain, data, "size {size}");
        }
    }

    #[test]
    fn detects_tampering_truncation_and_swapping() {
        let key = DocumentKey::from_bytes(&[7u8; 32]).unwrap();
        let data = vec![1u8; 2 * SEGMENT + 5];
        let sealed = seal(&key, &data, 4096);
        let mut flipped = sealed.clone();
        flipped[100] ^= 1;
        assert!(decrypt(&key, b"doc-1", flipped.as_slice(), io::sink()).is_err());
        let truncated = &sealed[..12 + SEGMENT + TAG];
        assert!(decrypt(&key, b"doc-1", truncated, io::sink()).is_err());
        assert!(decrypt(&key, b"doc-2", sealed.as_slice(), io::sink()).is_err());
    }
}
