//! Verifies a bundle ZIP as it is, without unpacking it: every payload file against both
//! manifests, `Payload-Oxum`, every tag file against the tag manifest, and the Ed25519 signature
//! over the tag manifest, with a key given by the verifier or else the one inside the bundle.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Seek};

use ring::digest;
use serde::Serialize;

use super::keys::PublicKey;
use super::{key_file, signature_file};

/// Tag files are small; anything larger than this is not a tag file Writ wrote.
const TAG_LIMIT: u64 = 64 * 1024 * 1024;

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub file: String,
    pub ok: bool,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// True only when every finding holds.
    pub valid: bool,
    /// The key that checked the signature, and whether it was the verifier's own.
    pub key_id: Option<String>,
    pub key_given: bool,
    /// What `bag-info.txt` says: the case reference and bundle number.
    pub reference: Option<String>,
    pub bundle: Option<String>,
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn failures(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| !f.ok)
    }
}

struct Findings(Vec<Finding>);

impl Findings {
    fn ok(&mut self, file: &str, message: impl Into<String>) {
        self.0.push(Finding {
            file: file.to_owned(),
            ok: true,
            message: message.into(),
        });
    }
    fn fail(&mut self, file: &str, message: impl Into<String>) {
        self.0.push(Finding {
            file: file.to_owned(),
            ok: false,
            message: message.into(),
        });
    }
}

fn parse_manifest(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|line| {
            let (digest, path) = line.split_once(char::is_whitespace)?;
            Some((path.trim_start().to_owned(), digest.to_ascii_lowercase()))
        })
        .collect()
}

fn parse_info(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|line| line.split_once(':'))
        .map(|(label, value)| (label.trim().to_owned(), value.trim().to_owned()))
        .collect()
}

/// The SHA-256 and SHA-512 (hex) and the size of all `reader` yields, read 64 KiB at a time.
struct Digests {
    sha256: String,
    sha512: String,
    size: u64,
}

fn digests(reader: &mut impl Read) -> std::io::Result<Digests> {
    let (mut d256, mut d512) = (
        digest::Context::new(&digest::SHA256),
        digest::Context::new(&digest::SHA512),
    );
    let mut buffer = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        match reader.read(&mut buffer)? {
            0 => break,
            n => {
                d256.update(&buffer[..n]);
                d512.update(&buffer[..n]);
                size += n as u64;
            }
        }
    }
    Ok(Digests {
        sha256: hex::encode(d256.finish()),
        sha512: hex::encode(d512.finish()),
        size,
    })
}

/// The digests of the payload entries `(index, path)`, in that order, taken on every core: the
/// entries are shared out among workers that each read the ZIP through a reader of their own.
fn payload_digests<R: Read + Seek + Send>(
    open: &(impl Fn() -> std::io::Result<R> + Sync),
    entries: &[(usize, String)],
) -> Vec<(String, std::io::Result<Digests>)> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(entries.len().max(1));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut results: Vec<Option<std::io::Result<Digests>>> = std::iter::repeat_with(|| None)
        .take(entries.len())
        .collect();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    let mut archive = open()
                        .map_err(zip::result::ZipError::Io)
                        .and_then(zip::ZipArchive::new);
                    loop {
                        let at = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some((index, _)) = entries.get(at) else {
                            return done;
                        };
                        let read = match archive.as_mut() {
                            Ok(archive) => archive
                                .by_index(*index)
                                .map_err(std::io::Error::other)
                                .and_then(|mut file| digests(&mut file)),
                            Err(e) => Err(std::io::Error::other(e.to_string())),
                        };
                        done.push((at, read));
                    }
                })
            })
            .collect();
        for handle in handles {
            for (at, read) in handle.join().expect("a digest worker panicked") {
                results[at] = Some(read);
            }
        }
    });
    entries
        .iter()
        .zip(results)
        .map(|((_, path), read)| (path.clone(), read.expect("every entry was hashed")))
        .collect()
}

/// Checks the bundle that `open` reads (each call a new reader of the same ZIP: the payload is
/// hashed on every core, each with a reader of its own); `key` is the verifier's own copy of the
/// signing key, if any.
pub fn verify<R: Read + Seek + Send>(
    open: impl Fn() -> std::io::Result<R> + Sync,
    key: Option<&PublicKey>,
) -> Report {
    let mut findings = Findings(Vec::new());
    let mut report = Report {
        valid: false,
        key_id: None,
        key_given: key.is_some(),
        reference: None,
        bundle: None,
        findings: Vec::new(),
    };
    let mut archive = match open()
        .map_err(zip::result::ZipError::Io)
        .and_then(zip::ZipArchive::new)
    {
        Ok(archive) => archive,
        Err(e) => {
            findings.fail("bundle", format!("not a readable ZIP archive: {e}"));
            report.findings = findings.0;
            return report;
        }
    };
    let names: Vec<String> = archive.file_names().map(str::to_owned).collect();
    let Some(root) = names
        .iter()
        .filter_map(|n| n.strip_suffix("/bagit.txt"))
        .find(|root| !root.contains('/'))
        .map(str::to_owned)
    else {
        findings.fail("bagit.txt", "missing: this is not a BagIt bag");
        report.findings = findings.0;
        return report;
    };
    // Tag files are named inside the bag (`bag-info.txt`); the signature and key beside it.
    let (sig_name, key_name) = (signature_file(&root), key_file(&root));
    let mut small = |name: &str, findings: &mut Findings| -> Option<Vec<u8>> {
        let full = if name == sig_name || name == key_name {
            name.to_owned()
        } else {
            format!("{root}/{name}")
        };
        let mut file = match archive.by_name(&full) {
            Ok(file) => file,
            Err(_) => {
                findings.fail(name, "missing from the bundle");
                return None;
            }
        };
        if file.size() > TAG_LIMIT {
            findings.fail(name, "far too large for a tag file");
            return None;
        }
        let mut bytes = Vec::with_capacity(file.size() as usize);
        match file.by_ref().take(TAG_LIMIT).read_to_end(&mut bytes) {
            Ok(_) => Some(bytes),
            Err(e) => {
                findings.fail(name, format!("could not be read: {e}"));
                None
            }
        }
    };
    let text = |bytes: &Option<Vec<u8>>| {
        bytes
            .as_deref()
            .map(|b| String::from_utf8_lossy(b).into_owned())
    };

    let bagit = small("bagit.txt", &mut findings);
    match text(&bagit) {
        Some(t) if t.contains("BagIt-Version: 1.0") => findings.ok("bagit.txt", "BagIt 1.0"),
        Some(_) => findings.fail("bagit.txt", "does not declare BagIt-Version 1.0"),
        None => {}
    }
    let info_bytes = small("bag-info.txt", &mut findings);
    let info = text(&info_bytes)
        .map(|t| parse_info(&t))
        .unwrap_or_default();
    report.reference = info.get("External-Identifier").cloned();
    report.bundle = info.get("Writ-Bundle-Number").cloned();
    let sha256 = text(&small("manifest-sha256.txt", &mut findings))
        .map(|t| parse_manifest(&t))
        .unwrap_or_default();
    let sha512 = text(&small("manifest-sha512.txt", &mut findings))
        .map(|t| parse_manifest(&t))
        .unwrap_or_default();
    let tagmanifest = small("tagmanifest-sha256.txt", &mut findings);
    let signature = small(&sig_name, &mut findings);
    let bundled_key = text(&small(&key_name, &mut findings));

    // Every payload file, streamed through both digests.
    let prefix = format!("{root}/");
    let mut seen = BTreeSet::new();
    let (mut octets, mut count) = (0u64, 0u64);
    let payload: Vec<(usize, String)> = (0..archive.len())
        .filter_map(|index| {
            let name = archive.name_for_index(index)?;
            let path = name.strip_prefix(&prefix)?;
            (path.starts_with("data/") && !name.ends_with('/')).then(|| (index, path.to_owned()))
        })
        .collect();
    for (path, read) in payload_digests(&open, &payload) {
        seen.insert(path.clone());
        let Digests {
            sha256: got256,
            sha512: got512,
            size,
        } = match read {
            Ok(got) => got,
            Err(e) => {
                findings.fail(&path, format!("could not be read: {e}"));
                continue;
            }
        };
        octets += size;
        count += 1;
        let mut problems = Vec::new();
        match sha256.get(&path) {
            None => problems.push("not listed in manifest-sha256.txt".to_owned()),
            Some(want) if *want != got256 => {
                problems.push("SHA-256 does not match manifest-sha256.txt".to_owned())
            }
            _ => {}
        }
        match sha512.get(&path) {
            None => problems.push("not listed in manifest-sha512.txt".to_owned()),
            Some(want) if *want != got512 => {
                problems.push("SHA-512 does not match manifest-sha512.txt".to_owned())
            }
            _ => {}
        }
        if problems.is_empty() {
            findings.ok(&path, format!("{size} bytes; SHA-256 and SHA-512 match"));
        } else {
            findings.fail(&path, problems.join("; "));
        }
    }
    for path in sha256.keys().chain(sha512.keys()) {
        if seen.insert(path.clone()) {
            findings.fail(path, "listed in a manifest but missing from the bundle");
        }
    }

    match info.get("Payload-Oxum") {
        Some(oxum) if *oxum == format!("{octets}.{count}") => findings.ok(
            "bag-info.txt",
            format!("Payload-Oxum {oxum} matches the payload"),
        ),
        Some(oxum) => findings.fail(
            "bag-info.txt",
            format!("Payload-Oxum says {oxum}, the payload is {octets}.{count}"),
        ),
        None if info_bytes.is_some() => findings.fail("bag-info.txt", "has no Payload-Oxum"),
        None => {}
    }

    // Tag files against the tag manifest.
    if let Some(tags) = text(&tagmanifest).map(|t| parse_manifest(&t)) {
        for required in [
            "bagit.txt",
            "bag-info.txt",
            "manifest-sha256.txt",
            "manifest-sha512.txt",
        ] {
            if !tags.contains_key(required) {
                findings.fail(required, "not covered by tagmanifest-sha256.txt");
            }
        }
        for (name, want) in &tags {
            let got = archive
                .by_name(&format!("{root}/{name}"))
                .ok()
                .and_then(|mut f| digests(&mut f).ok())
                .map(|d| d.sha256);
            match got {
                Some(got) if got == *want => {
                    findings.ok(name, "SHA-256 matches tagmanifest-sha256.txt")
                }
                Some(_) => findings.fail(name, "SHA-256 does not match tagmanifest-sha256.txt"),
                None => findings.fail(name, "listed in tagmanifest-sha256.txt but missing"),
            }
        }
    }

    // The signature over the tag manifest.
    let bundled = bundled_key.as_deref().and_then(PublicKey::from_pem);
    let named = info.get("Writ-Key-Id").cloned();
    let used = key.copied().or(bundled);
    match (used, &tagmanifest, &signature) {
        (None, ..) => findings.fail(
            &sig_name,
            "no Ed25519 public key to check it with (give one with --key)",
        ),
        (Some(public), Some(message), Some(signature)) => {
            let id = public.id();
            report.key_id = Some(id.clone());
            if public.verifies(message, signature) {
                let whose = match &named {
                    Some(named) if *named != id => {
                        format!(" (the bundle names key {named}; the signature is by {id})")
                    }
                    _ => String::new(),
                };
                findings.ok(
                    &sig_name,
                    format!(
                        "a valid Ed25519 signature of tagmanifest-sha256.txt by key {id}{whose}"
                    ),
                );
            } else {
                findings.fail(
                    &sig_name,
                    format!("does not verify tagmanifest-sha256.txt with key {id}"),
                );
            }
        }
        _ => {}
    }
    report.valid = !findings.0.is_empty() && findings.0.iter().all(|f| f.ok);
    report.findings = findings.0;
    report
}
