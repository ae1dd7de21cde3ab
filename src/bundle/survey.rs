//! What a ZIP says about itself, read before anything trusts it: the end-of-central-directory
//! record gives the number of entries and the size of the central directory, so a file that
//! declares more entries than its size can honestly hold is refused before a reader builds an
//! index of them; and once opened, the entries' byte ranges must neither overlap nor repeat a
//! name, so that no byte is hashed twice and no two readers see different files under one name.

use std::io::{self, Read, Seek, SeekFrom};

/// More entries than any bundle Writ seals (one per produced file, plus seven).
pub const MAX_ENTRIES: u64 = 100_000;

/// The smallest honest entry: a 30-byte local header and a 46-byte central record, each with a
/// name of at least one byte.
const MIN_ENTRY_BYTES: u64 = 30 + 46 + 2;

const EOCD: [u8; 4] = [0x50, 0x4b, 0x05, 0x06];
const ZIP64_LOCATOR: [u8; 4] = [0x50, 0x4b, 0x06, 0x07];
const ZIP64_EOCD: [u8; 4] = [0x50, 0x4b, 0x06, 0x06];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Survey {
    /// The file's length in bytes.
    pub length: u64,
    /// Entries the central directory declares.
    pub entries: u64,
}

fn u16_at(b: &[u8], at: usize) -> u64 {
    u64::from(u16::from_le_bytes([b[at], b[at + 1]]))
}

fn u32_at(b: &[u8], at: usize) -> u64 {
    u64::from(u32::from_le_bytes(
        b[at..at + 4].try_into().expect("4 bytes"),
    ))
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}

/// Reads the end records of `reader`; `Err` says in words why the file is refused.
pub fn survey(reader: &mut (impl Read + Seek)) -> Result<Survey, String> {
    let io = |e: io::Error| format!("could not be read: {e}");
    let length = reader.seek(SeekFrom::End(0)).map_err(io)?;
    if length < 22 {
        return Err("not a readable ZIP archive: too short".into());
    }
    let tail_len = length.min(22 + 65_535);
    reader
        .seek(SeekFrom::Start(length - tail_len))
        .map_err(io)?;
    let mut tail = vec![0u8; tail_len as usize];
    reader.read_exact(&mut tail).map_err(io)?;
    // The last record whose comment runs exactly to the end of the file.
    let at = (0..=tail.len() - 22)
        .rev()
        .find(|&i| tail[i..i + 4] == EOCD && i + 22 + u16_at(&tail, i + 20) as usize == tail.len())
        .ok_or("not a readable ZIP archive: no end of central directory")?;
    let (mut entries, mut directory) = (u16_at(&tail, at + 10), u32_at(&tail, at + 12));
    if entries == 0xffff || directory == 0xffff_ffff || u32_at(&tail, at + 16) == 0xffff_ffff {
        // ZIP64: the locator sits just before the record and points at the ZIP64 record.
        let locator = at
            .checked_sub(20)
            .filter(|&l| tail[l..l + 4] == ZIP64_LOCATOR)
            .ok_or("not a readable ZIP archive: its ZIP64 locator is missing")?;
        let record_at = u64_at(&tail, locator + 8);
        if record_at.saturating_add(56) > length {
            return Err("not a readable ZIP archive: its ZIP64 record lies outside it".into());
        }
        let mut record = [0u8; 56];
        reader.seek(SeekFrom::Start(record_at)).map_err(io)?;
        reader.read_exact(&mut record).map_err(io)?;
        if record[..4] != ZIP64_EOCD {
            return Err("not a readable ZIP archive: no ZIP64 end of central directory".into());
        }
        entries = u64_at(&record, 32);
        directory = u64_at(&record, 40);
    }
    let honest = (length / MIN_ENTRY_BYTES).min(MAX_ENTRIES);
    if entries > honest {
        return Err(format!(
            "declares {entries} entries; a bundle of {length} bytes can hold at most {honest}"
        ));
    }
    if directory > length {
        return Err(format!(
            "declares a central directory of {directory} bytes in a file of {length}"
        ));
    }
    Ok(Survey { length, entries })
}

/// Where one entry's bytes lie: from its local header to the end of its data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub name: String,
    pub start: u64,
    pub end: u64,
}

/// The first two entries whose bytes overlap, or one that runs into the central directory.
pub fn overlap(mut spans: Vec<Span>, directory_start: u64) -> Option<String> {
    spans.sort_by_key(|s| (s.start, s.end));
    for pair in spans.windows(2) {
        if pair[1].start < pair[0].end {
            return Some(format!(
                "the entries “{}” and “{}” share bytes: every entry must have bytes of its own",
                pair[0].name, pair[1].name
            ));
        }
    }
    spans
        .last()
        .filter(|last| last.end > directory_start)
        .map(|last| format!("the entry “{}” runs into the central directory", last.name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn eocd(entries: u16, directory: u32, offset: u32) -> Vec<u8> {
        let mut b = EOCD.to_vec();
        b.extend_from_slice(&[0, 0, 0, 0]);
        b.extend_from_slice(&entries.to_le_bytes());
        b.extend_from_slice(&entries.to_le_bytes());
        b.extend_from_slice(&directory.to_le_bytes());
        b.extend_from_slice(&offset.to_le_bytes());
        b.extend_from_slice(&[0, 0]);
        b
    }

    #[test]
    fn entries_are_capped_by_what_the_file_can_hold() {
        let mut file = vec![0u8; 1000];
        file.extend(eocd(12, 0, 0));
        assert_eq!(
            survey(&mut Cursor::new(&file)),
            Ok(Survey {
                length: 1022,
                entries: 12
            })
        );
        let mut file = vec![0u8; 1000];
        file.extend(eocd(60_000, 0, 0));
        let refused = survey(&mut Cursor::new(&file)).unwrap_err();
        assert_eq!(
            refused,
            "declares 60000 entries; a bundle of 1022 bytes can hold at most 13"
        );
        assert!(survey(&mut Cursor::new(b"PK\x05\x06 short")).is_err());
        assert!(survey(&mut Cursor::new(vec![0u8; 100])).is_err());
    }

    #[test]
    fn overlapping_entries_are_named() {
        let span = |name: &str, start, end| Span {
            name: name.into(),
            start,
            end,
        };
        assert_eq!(overlap(vec![span("a", 0, 10), span("b", 10, 20)], 20), None);
        assert_eq!(
            overlap(vec![span("b", 5, 20), span("a", 0, 10)], 30).unwrap(),
            "the entries “a” and “b” share bytes: every entry must have bytes of its own"
        );
        assert!(overlap(vec![span("a", 0, 30)], 20)
            .unwrap()
            .contains("central directory"));
    }
}
