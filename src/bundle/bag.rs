//! The bag of DESIGN §7, written into a ZIP: under `ROOT/` the payload (`data/`), `bagit.txt`,
//! `bag-info.txt` (with `Payload-Oxum`), `manifest-sha256.txt`, `manifest-sha512.txt` and
//! `tagmanifest-sha256.txt`; beside it `ROOT.sig`, the Ed25519 signature over the tag manifest,
//! and `ROOT.pub.pem`, the public key.

use std::collections::BTreeSet;
use std::io::{self, Write};

use ring::digest;

use super::keys::Signer;
use super::zipout::ZipOut;
use super::{key_file, signature_file};

pub const BAGIT_TXT: &str = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n";

/// A payload file whose size, CRC-32 and digests are known before it is written.
#[derive(Debug, Clone)]
pub struct PayloadFile {
    /// Relative to the bag, e.g. `data/records/export.csv`.
    pub path: String,
    pub size: u64,
    pub crc32: u32,
    pub sha256: String,
    pub sha512: String,
}

impl PayloadFile {
    /// A file generated in memory (the certificate, the custody record).
    pub fn of_bytes(path: &str, bytes: &[u8]) -> PayloadFile {
        PayloadFile {
            path: path.to_owned(),
            size: bytes.len() as u64,
            crc32: crc32fast::hash(bytes),
            sha256: hex::encode(digest::digest(&digest::SHA256, bytes)),
            sha512: hex::encode(digest::digest(&digest::SHA512, bytes)),
        }
    }
}

/// A name for a produced file inside `data/<category>/`: letters, digits, `.`, `-`, `_` and
/// spaces only (nothing a manifest would have to escape), unique within the bag.
pub fn payload_path(category: &str, filename: &str, taken: &mut BTreeSet<String>) -> String {
    let cleaned: String = filename
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_owned();
    let base = if cleaned.is_empty() {
        "file".to_owned()
    } else {
        cleaned
    };
    let (stem, extension) = match base.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem.to_owned(), format!(".{ext}")),
        _ => (base.clone(), String::new()),
    };
    let mut path = format!("data/{category}/{base}");
    let mut n = 2;
    while !taken.insert(path.clone()) {
        path = format!("data/{category}/{stem} ({n}){extension}");
        n += 1;
    }
    path
}

/// Writes the bag under `root/`. `stored` files are streamed by `read`, given each file's index
/// in `stored`; `generated` ones are
/// small and in memory. `info` are the `bag-info.txt` fields besides `Payload-Oxum`.
pub fn write<W: Write>(
    zip: &mut ZipOut<W>,
    root: &str,
    stored: &[PayloadFile],
    mut read: impl FnMut(usize, &mut dyn Write) -> io::Result<()>,
    generated: &[(String, Vec<u8>)],
    info: &[(String, String)],
    signer: &Signer,
) -> io::Result<()> {
    let mut payload = Vec::with_capacity(stored.len() + generated.len());
    for (index, file) in stored.iter().enumerate() {
        zip.add(
            &format!("{root}/{}", file.path),
            file.size,
            file.crc32,
            |w| read(index, w),
        )?;
        payload.push(file.clone());
    }
    for (path, bytes) in generated {
        zip.add_bytes(&format!("{root}/{path}"), bytes)?;
        payload.push(PayloadFile::of_bytes(path, bytes));
    }
    payload.sort_by(|a, b| a.path.cmp(&b.path));

    let octets: u64 = payload.iter().map(|f| f.size).sum();
    let mut bag_info = String::new();
    for (label, value) in info {
        bag_info.push_str(&format!("{label}: {value}\n"));
    }
    bag_info.push_str(&format!("Payload-Oxum: {octets}.{}\n", payload.len()));
    let manifest = |digest: fn(&PayloadFile) -> &str| -> String {
        payload
            .iter()
            .map(|f| format!("{}  {}\n", digest(f), f.path))
            .collect()
    };
    let tags = [
        ("bagit.txt", BAGIT_TXT.to_owned()),
        ("bag-info.txt", bag_info),
        ("manifest-sha256.txt", manifest(|f| &f.sha256)),
        ("manifest-sha512.txt", manifest(|f| &f.sha512)),
    ];
    let mut tagmanifest = String::new();
    for (name, text) in &tags {
        zip.add_bytes(&format!("{root}/{name}"), text.as_bytes())?;
        tagmanifest.push_str(&format!(
            "{}  {name}\n",
            hex::encode(digest::digest(&digest::SHA256, text.as_bytes()))
        ));
    }
    zip.add_bytes(
        &format!("{root}/tagmanifest-sha256.txt"),
        tagmanifest.as_bytes(),
    )?;
    zip.add_bytes(&signature_file(root), &signer.sign(tagmanifest.as_bytes()))?;
    zip.add_bytes(&key_file(root), signer.public_key().pem().as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_names_are_plain_and_unique() {
        let mut taken = BTreeSet::new();
        assert_eq!(
            payload_path("records", "export.csv", &mut taken),
            "data/records/export.csv"
        );
        assert_eq!(
            payload_path("records", "export.csv", &mut taken),
            "data/records/export (2).csv"
        );
        assert_eq!(
            payload_path("content", "../../etc/pass%wd\n", &mut taken),
            "data/content/_.._etc_pass_wd_"
        );
        assert_eq!(
            payload_path("content", "...", &mut taken),
            "data/content/file"
        );
    }
}
