//! A forward-only ZIP writer for stored (uncompressed) entries whose size and CRC-32 are known
//! before they are written: no seeking back and no data descriptors, so the archive can be
//! encrypted and hashed as it is written. ZIP64 fields appear wherever a size, an offset or the
//! number of entries needs them (APPNOTE 6.3.10, sections 4.3 and 4.5.3).

use std::io::{self, Write};

use chrono::{Datelike, NaiveDateTime, Timelike};

const LOCAL: u32 = 0x0403_4b50;
const CENTRAL: u32 = 0x0201_4b50;
const END: u32 = 0x0605_4b50;
const END64: u32 = 0x0606_4b50;
const LOCATOR64: u32 = 0x0706_4b50;
const UTF8_NAMES: u16 = 1 << 11;
const MAX32: u64 = 0xFFFF_FFFF;

struct Entry {
    name: String,
    size: u64,
    crc: u32,
    offset: u64,
}

pub struct ZipOut<W: Write> {
    out: W,
    offset: u64,
    entries: Vec<Entry>,
    time: u16,
    date: u16,
}

/// Counts and checks what an entry's body writes.
struct Body<'a, W: Write> {
    out: &'a mut W,
    written: u64,
    crc: crc32fast::Hasher,
}

impl<W: Write> Write for Body<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.out.write(buf)?;
        self.crc.update(&buf[..n]);
        self.written += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

fn le16(v: &mut Vec<u8>, x: u16) {
    v.extend_from_slice(&x.to_le_bytes());
}
fn le32(v: &mut Vec<u8>, x: u32) {
    v.extend_from_slice(&x.to_le_bytes());
}
fn le64(v: &mut Vec<u8>, x: u64) {
    v.extend_from_slice(&x.to_le_bytes());
}
fn clamp32(x: u64) -> u32 {
    x.min(MAX32) as u32
}

impl<W: Write> ZipOut<W> {
    /// Every entry is dated `at` (MS-DOS time, to the even second).
    pub fn new(out: W, at: NaiveDateTime) -> ZipOut<W> {
        let year = (at.year().clamp(1980, 2107) - 1980) as u16;
        ZipOut {
            out,
            offset: 0,
            entries: Vec::new(),
            time: (at.hour() as u16) << 11 | (at.minute() as u16) << 5 | (at.second() as u16 / 2),
            date: year << 9 | (at.month() as u16) << 5 | at.day() as u16,
        }
    }

    fn emit(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.out.write_all(bytes)?;
        self.offset += bytes.len() as u64;
        Ok(())
    }

    /// Adds `name` (`size` bytes, CRC-32 `crc`), whose bytes `body` writes. Fails if `body`
    /// writes other bytes than announced: the archive would lie about them.
    pub fn add(
        &mut self,
        name: &str,
        size: u64,
        crc: u32,
        body: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> io::Result<()> {
        let zip64 = size >= MAX32;
        let mut header = Vec::with_capacity(30 + name.len() + 20);
        le32(&mut header, LOCAL);
        le16(&mut header, if zip64 { 45 } else { 20 });
        le16(&mut header, UTF8_NAMES);
        le16(&mut header, 0); // stored
        le16(&mut header, self.time);
        le16(&mut header, self.date);
        le32(&mut header, crc);
        let (stated, extra) = if zip64 {
            (MAX32 as u32, 20)
        } else {
            (size as u32, 0)
        };
        le32(&mut header, stated);
        le32(&mut header, stated);
        le16(&mut header, name.len() as u16);
        le16(&mut header, extra);
        header.extend_from_slice(name.as_bytes());
        if zip64 {
            le16(&mut header, 0x0001);
            le16(&mut header, 16);
            le64(&mut header, size);
            le64(&mut header, size);
        }
        let offset = self.offset;
        self.emit(&header)?;
        let mut counted = Body {
            out: &mut self.out,
            written: 0,
            crc: crc32fast::Hasher::new(),
        };
        body(&mut counted)?;
        let (written, actual) = (counted.written, counted.crc.finalize());
        self.offset += written;
        if written != size || actual != crc {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{name} changed while it was being sealed"),
            ));
        }
        self.entries.push(Entry {
            name: name.to_owned(),
            size,
            crc,
            offset,
        });
        Ok(())
    }

    /// Adds a small file held in memory.
    pub fn add_bytes(&mut self, name: &str, bytes: &[u8]) -> io::Result<()> {
        self.add(name, bytes.len() as u64, crc32fast::hash(bytes), |w| {
            w.write_all(bytes)
        })
    }

    /// Writes the central directory and returns the output.
    pub fn finish(mut self) -> io::Result<W> {
        let start = self.offset;
        let entries = std::mem::take(&mut self.entries);
        for entry in &entries {
            let (big_size, big_offset) = (entry.size >= MAX32, entry.offset >= MAX32);
            let mut extra = Vec::new();
            if big_size || big_offset {
                let mut fields = Vec::new();
                if big_size {
                    le64(&mut fields, entry.size);
                    le64(&mut fields, entry.size);
                }
                if big_offset {
                    le64(&mut fields, entry.offset);
                }
                le16(&mut extra, 0x0001);
                le16(&mut extra, fields.len() as u16);
                extra.extend_from_slice(&fields);
            }
            let mut header = Vec::with_capacity(46 + entry.name.len() + extra.len());
            le32(&mut header, CENTRAL);
            le16(&mut header, 3 << 8 | 45); // made by: Unix, ZIP 4.5
            le16(&mut header, if extra.is_empty() { 20 } else { 45 });
            le16(&mut header, UTF8_NAMES);
            le16(&mut header, 0);
            le16(&mut header, self.time);
            le16(&mut header, self.date);
            le32(&mut header, entry.crc);
            le32(&mut header, clamp32(entry.size));
            le32(&mut header, clamp32(entry.size));
            le16(&mut header, entry.name.len() as u16);
            le16(&mut header, extra.len() as u16);
            le16(&mut header, 0); // comment
            le16(&mut header, 0); // disk
            le16(&mut header, 0); // internal attributes
            le32(&mut header, 0o100644 << 16); // a regular file, rw-r--r--
            le32(&mut header, clamp32(entry.offset));
            header.extend_from_slice(entry.name.as_bytes());
            header.extend_from_slice(&extra);
            self.emit(&header)?;
        }
        let (count, size) = (entries.len() as u64, self.offset - start);
        let mut end = Vec::new();
        if count >= 0xFFFF || start >= MAX32 || size >= MAX32 {
            let record = self.offset;
            le32(&mut end, END64);
            le64(&mut end, 44);
            le16(&mut end, 45);
            le16(&mut end, 45);
            le32(&mut end, 0);
            le32(&mut end, 0);
            le64(&mut end, count);
            le64(&mut end, count);
            le64(&mut end, size);
            le64(&mut end, start);
            le32(&mut end, LOCATOR64);
            le32(&mut end, 0);
            le64(&mut end, record);
            le32(&mut end, 1);
        }
        le32(&mut end, END);
        le16(&mut end, 0);
        le16(&mut end, 0);
        le16(&mut end, count.min(0xFFFF) as u16);
        le16(&mut end, count.min(0xFFFF) as u16);
        le32(&mut end, clamp32(size));
        le32(&mut end, clamp32(start));
        le16(&mut end, 0);
        self.emit(&end)?;
        self.out.flush()?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn a_stock_reader_reads_what_it_writes() {
        let at = NaiveDateTime::parse_from_str("2026-11-26 10:20:30", "%Y-%m-%d %H:%M:%S").unwrap();
        let mut zip = ZipOut::new(Vec::new(), at);
        zip.add_bytes("bag/bagit.txt", b"BagIt-Version: 1.0\n")
            .unwrap();
        let body = vec![7u8; 100_000];
        zip.add(
            "bag/data/records/a b.bin",
            body.len() as u64,
            crc32fast::hash(&body),
            |w| {
                w.write_all(&body[..50_000])?;
                w.write_all(&body[50_000..])
            },
        )
        .unwrap();
        let bytes = zip.finish().unwrap();
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(archive.len(), 2);
        let mut text = String::new();
        archive
            .by_name("bag/bagit.txt")
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, "BagIt-Version: 1.0\n");
        let mut read = Vec::new();
        archive
            .by_name("bag/data/records/a b.bin")
            .unwrap()
            .read_to_end(&mut read)
            .unwrap();
        assert_eq!(read, body);
    }

    #[test]
    fn a_body_that_differs_from_its_announcement_is_refused() {
        let at = NaiveDateTime::parse_from_str("2026-11-26 10:20:30", "%Y-%m-%d %H:%M:%S").unwrap();
        let mut zip = ZipOut::new(Vec::new(), at);
        let error = zip
            .add("x", 3, crc32fast::hash(b"abc"), |w| w.write_all(b"abd"))
            .unwrap_err();
        assert!(error
            .to_string()
            .contains("changed while it was being sealed"));
    }
}
