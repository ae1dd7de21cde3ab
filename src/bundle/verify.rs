//! Verifies a bundle ZIP as it is, without unpacking it: the archive's layout (entries capped by
//! what its size can hold, no overlapping or repeated entries, nothing outside the bag), every
//! payload file against both manifests, `Payload-Oxum`, every tag file against the tag manifest,
//! and the Ed25519 signature over the tag manifest — by a key the verifier trusts (the keys the
//! platform publishes, or one given), or else only by the key inside the bundle, which proves
//! the bundle intact but not who made it.
//!
//! Work is bounded by the upload: with no two entries sharing bytes, each byte of the file is
//! hashed at most twice (payload once; tag files once more against the tag manifest), and the
//! findings kept are capped however many the bundle provokes.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Seek};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use ring::digest;
use serde::Serialize;

use super::keys::PublicKey;
use super::survey::{self, Span};
use super::{key_file, signature_file};

/// Tag files are small; anything larger than this is not a tag file Writ wrote.
const TAG_LIMIT: u64 = 64 * 1024 * 1024;

/// The longest payload path a manifest line may carry.
const MAX_PATH: u64 = 1024;

/// Findings of each kind (failures, passes) kept for the report; the rest are counted.
pub const LISTED: usize = 200;

/// The tag files Writ writes, which the tag manifest must cover.
const REQUIRED_TAGS: [&str; 4] = [
    "bagit.txt",
    "bag-info.txt",
    "manifest-sha256.txt",
    "manifest-sha512.txt",
];

/// Whose keys the signature is checked against.
#[derive(Debug, Clone)]
pub enum Trust {
    /// The keys the platform publishes (active and retired): the server's own, or `--keys`.
    Published(Vec<PublicKey>),
    /// One key the verifier holds (`--key`).
    Given(PublicKey),
    /// None: only the key shipped inside the bundle, which anyone can make.
    BundleOnly,
}

/// Lets the caller stop a verification (the client went away) and see how far it got.
#[derive(Debug, Default)]
pub struct Control {
    cancelled: AtomicBool,
    hashed: AtomicU64,
}

impl Control {
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }
    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }
    /// Bytes hashed so far.
    pub fn hashed(&self) -> u64 {
        self.hashed.load(Ordering::Relaxed)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub file: String,
    pub ok: bool,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// True only when every check holds and the signature is by a key the verifier trusts.
    pub valid: bool,
    /// Every check holds (the signature included, by whichever key checked it).
    pub intact: bool,
    /// The key that checked the signature, and where it came from: `published`, `given` or
    /// `bundle` (the bundle's own key: proves nothing about who signed).
    pub key_id: Option<String>,
    pub key_source: Option<&'static str>,
    /// What `bag-info.txt` says: the case reference and bundle number.
    pub reference: Option<String>,
    pub bundle: Option<String>,
    /// At most `LISTED` failures and `LISTED` passes, in the order found.
    pub findings: Vec<Finding>,
    pub failed: u64,
    pub passed: u64,
    /// Findings counted but not listed.
    pub unlisted: u64,
    /// The verification was stopped before it finished.
    pub stopped: bool,
}

impl Report {
    pub fn failures(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| !f.ok)
    }
}

#[derive(Default)]
struct Findings {
    listed: Vec<Finding>,
    failed: u64,
    passed: u64,
}

impl Findings {
    fn push(&mut self, file: &str, ok: bool, message: String) {
        let count = if ok {
            &mut self.passed
        } else {
            &mut self.failed
        };
        *count += 1;
        if *count <= LISTED as u64 {
            self.listed.push(Finding {
                file: file.to_owned(),
                ok,
                message,
            });
        }
    }
    fn ok(&mut self, file: &str, message: impl Into<String>) {
        self.push(file, true, message.into());
    }
    fn fail(&mut self, file: &str, message: impl Into<String>) {
        self.push(file, false, message.into());
    }
}

/// A manifest's `digest path` lines, at most `most` of them; `Err` carries how many it has.
fn parse_manifest(text: &str, most: usize) -> Result<BTreeMap<String, String>, usize> {
    let mut lines = BTreeMap::new();
    let mut count = 0;
    for line in text.lines() {
        let Some((digest, path)) = line.split_once(char::is_whitespace) else {
            continue;
        };
        count += 1;
        if count <= most {
            lines.insert(path.trim_start().to_owned(), digest.to_ascii_lowercase());
        }
    }
    if count > most {
        Err(count)
    } else {
        Ok(lines)
    }
}

fn parse_info(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|line| line.split_once(':'))
        .map(|(label, value)| (label.trim().to_owned(), value.trim().to_owned()))
        .collect()
}

/// A name that a stock unzip could write outside the folder it unpacks into.
fn unsafe_name(name: &str) -> bool {
    name.starts_with('/')
        || name.contains('\\')
        || name.contains('\0')
        || name.split('/').any(|part| part == ".." || part == ".")
        || name.chars().nth(1) == Some(':')
}

/// The SHA-256 and SHA-512 (hex) and the size of all `reader` yields, read 64 KiB at a time.
struct Digests {
    sha256: String,
    sha512: String,
    size: u64,
}

fn digests(reader: &mut impl Read, control: &Control) -> std::io::Result<Digests> {
    let (mut d256, mut d512) = (
        digest::Context::new(&digest::SHA256),
        digest::Context::new(&digest::SHA512),
    );
    let mut buffer = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        if control.is_cancelled() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::Interrupted,
                "the verification was stopped",
            ));
        }
        match reader.read(&mut buffer)? {
            0 => break,
            n => {
                d256.update(&buffer[..n]);
                d512.update(&buffer[..n]);
                size += n as u64;
                control.hashed.fetch_add(n as u64, Ordering::Relaxed);
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
    control: &Control,
) -> Vec<(String, std::io::Result<Digests>)> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(entries.len().max(1));
    let next = AtomicU64::new(0);
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
                        let at = next.fetch_add(1, Ordering::Relaxed) as usize;
                        let Some((index, _)) = entries.get(at) else {
                            return done;
                        };
                        let read = match archive.as_mut() {
                            Ok(archive) => archive
                                .by_index(*index)
                                .map_err(std::io::Error::other)
                                .and_then(|mut file| digests(&mut file, control)),
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
/// hashed on every core, each with a reader of its own), the signature against `trust`.
pub fn verify<R: Read + Seek + Send>(
    open: impl Fn() -> std::io::Result<R> + Sync,
    trust: &Trust,
    control: &Control,
) -> Report {
    let mut findings = Findings::default();
    let mut report = Report {
        valid: false,
        intact: false,
        key_id: None,
        key_source: None,
        reference: None,
        bundle: None,
        findings: Vec::new(),
        failed: 0,
        passed: 0,
        unlisted: 0,
        stopped: false,
    };
    let authenticated = check(&open, trust, control, &mut findings, &mut report);
    report.stopped = control.is_cancelled();
    if report.stopped {
        findings.fail("bundle", "the verification was stopped before it finished");
    }
    report.intact = findings.failed == 0 && findings.passed > 0;
    report.valid = report.intact && authenticated;
    report.failed = findings.failed;
    report.passed = findings.passed;
    report.unlisted = findings.failed + findings.passed - findings.listed.len() as u64;
    report.findings = findings.listed;
    report
}

/// Every check, in order; returns whether the signature is by a key the verifier trusts.
fn check<R: Read + Seek + Send>(
    open: &(impl Fn() -> std::io::Result<R> + Sync),
    trust: &Trust,
    control: &Control,
    findings: &mut Findings,
    report: &mut Report,
) -> bool {
    let Some(mut bag) = open_bag(open, findings) else {
        return false;
    };
    let tags = read_tag_files(&mut bag, findings);
    report.reference = tags.info.get("External-Identifier").cloned();
    report.bundle = tags.info.get("Writ-Bundle-Number").cloned();
    check_entries(&bag, &tags, findings);
    let Some(oxum) = check_payload(open, &bag, &tags, control, findings) else {
        return false;
    };
    check_oxum(&tags, oxum, findings);
    check_tag_manifest(&mut bag, &tags, control, findings);
    check_signature(&bag, tags, trust, findings, report)
}

/// The archive of a bag whose layout is sound, with what the checks need to find its files.
struct Bag<R> {
    archive: zip::ZipArchive<R>,
    /// The bag's folder, the one holding `bagit.txt`.
    root: String,
    /// Every entry's name, in the archive's order.
    names: Vec<String>,
    /// The payload entries: their index in the archive and their path in the bag (`data/…`).
    payload: Vec<(usize, String)>,
    /// The signature and the public key, beside the bag's folder.
    sig_name: String,
    key_name: String,
}

impl<R: Read + Seek> Bag<R> {
    /// The entry of `name`: a tag file inside the bag (`bag-info.txt`), or the signature or key
    /// beside it.
    fn entry(&self, name: &str) -> String {
        if name == self.sig_name || name == self.key_name {
            name.to_owned()
        } else {
            format!("{}/{name}", self.root)
        }
    }

    fn read(&mut self, name: &str, limit: u64, findings: &mut Findings) -> Option<Vec<u8>> {
        let entry = self.entry(name);
        read_small(&mut self.archive, &entry, name, limit, findings)
    }
}

/// Step 1, the archive: its end records first, so that a file declaring more entries than it
/// can hold is refused before any reader builds an index of them; then no repeated names, the
/// layout, and a bag folder.
fn open_bag<R: Read + Seek>(
    open: &impl Fn() -> std::io::Result<R>,
    findings: &mut Findings,
) -> Option<Bag<R>> {
    let surveyed = open()
        .map_err(|e| format!("could not be read: {e}"))
        .and_then(|mut reader| survey::survey(&mut reader));
    let surveyed = match surveyed {
        Ok(surveyed) => surveyed,
        Err(reason) => {
            findings.fail("bundle", reason);
            return None;
        }
    };
    let mut archive = match open()
        .map_err(zip::result::ZipError::Io)
        .and_then(zip::ZipArchive::new)
    {
        Ok(archive) => archive,
        Err(e) => {
            findings.fail("bundle", format!("not a readable ZIP archive: {e}"));
            return None;
        }
    };
    if archive.len() as u64 != surveyed.entries {
        findings.fail(
            "bundle",
            "two or more entries share a name: each reader would see a different file",
        );
        return None;
    }
    if let Err(reason) = layout(&mut archive) {
        findings.fail("bundle", reason);
        return None;
    }
    let names: Vec<String> = archive.file_names().map(str::to_owned).collect();
    let Some(root) = names
        .iter()
        .filter_map(|n| n.strip_suffix("/bagit.txt"))
        .find(|root| !root.contains('/') && !root.is_empty())
        .map(str::to_owned)
    else {
        findings.fail("bagit.txt", "missing: this is not a BagIt bag");
        return None;
    };
    let prefix = format!("{root}/");
    let payload: Vec<(usize, String)> = (0..archive.len())
        .filter_map(|index| {
            let name = archive.name_for_index(index)?;
            let path = name.strip_prefix(&prefix)?;
            (path.starts_with("data/") && !name.ends_with('/')).then(|| (index, path.to_owned()))
        })
        .collect();
    Some(Bag {
        sig_name: signature_file(&root),
        key_name: key_file(&root),
        archive,
        root,
        names,
        payload,
    })
}

/// What the tag files and the two files beside the bag say.
struct TagFiles {
    /// `bag-info.txt`'s labels (empty when it is missing) and whether it was read.
    info: BTreeMap<String, String>,
    has_info: bool,
    /// The payload manifests (empty when missing or refused).
    sha256: BTreeMap<String, String>,
    sha512: BTreeMap<String, String>,
    /// The tag manifest, as signed, and its lines (`Err` carries how many when too many).
    tagmanifest: Option<Vec<u8>>,
    tags: Option<Result<BTreeMap<String, String>, usize>>,
    signature: Option<Vec<u8>>,
    bundled_key: Option<String>,
}

fn text(bytes: &Option<Vec<u8>>) -> Option<String> {
    bytes
        .as_deref()
        .map(|b| String::from_utf8_lossy(b).into_owned())
}

/// Step 2, the tag files, each read within its limit: `bagit.txt` (whose version is checked
/// here), `bag-info.txt`, the two manifests, the tag manifest, the signature and the key.
fn read_tag_files<R: Read + Seek>(bag: &mut Bag<R>, findings: &mut Findings) -> TagFiles {
    let bagit = bag.read("bagit.txt", TAG_LIMIT, findings);
    match text(&bagit) {
        Some(t) if t.contains("BagIt-Version: 1.0") => findings.ok("bagit.txt", "BagIt 1.0"),
        Some(_) => findings.fail("bagit.txt", "does not declare BagIt-Version 1.0"),
        None => {}
    }
    let info_bytes = bag.read("bag-info.txt", TAG_LIMIT, findings);
    let info = text(&info_bytes)
        .map(|t| parse_info(&t))
        .unwrap_or_default();

    // A manifest may list no more files than the bundle holds, each on a line of a digest and
    // a path of at most `MAX_PATH` bytes.
    let files = bag.payload.len();
    let manifest_limit = (files as u64 + 1) * (128 + 2 + MAX_PATH + 1);
    let mut manifest = |name: &str, findings: &mut Findings| {
        let text = text(&bag.read(name, manifest_limit, findings))?;
        match parse_manifest(&text, files) {
            Ok(lines) => Some(lines),
            Err(lines) => {
                findings.fail(
                    name,
                    format!("lists {lines} files, but the bundle holds {files} payload files"),
                );
                None
            }
        }
    };
    let sha256 = manifest("manifest-sha256.txt", findings).unwrap_or_default();
    let sha512 = manifest("manifest-sha512.txt", findings).unwrap_or_default();
    let tagmanifest = bag.read("tagmanifest-sha256.txt", TAG_LIMIT, findings);
    let sig_name = bag.sig_name.clone();
    let signature = bag.read(&sig_name, TAG_LIMIT, findings);
    let key_name = bag.key_name.clone();
    let bundled_key = text(&bag.read(&key_name, TAG_LIMIT, findings));
    let tags = text(&tagmanifest).map(|t| parse_manifest(&t, bag.names.len()));
    TagFiles {
        info,
        has_info: info_bytes.is_some(),
        sha256,
        sha512,
        tagmanifest,
        tags,
        signature,
        bundled_key,
    }
}

/// Step 3: nothing in the archive but the bag's payload, its tag files and the two files
/// beside it, and no name that would unpack outside its folder.
fn check_entries<R>(bag: &Bag<R>, tags: &TagFiles, findings: &mut Findings) {
    let prefix = format!("{}/", bag.root);
    for name in &bag.names {
        let inside = name.strip_prefix(&prefix);
        let allowed = *name == bag.sig_name
            || *name == bag.key_name
            || match inside {
                Some("" | "tagmanifest-sha256.txt") => true,
                Some(path) if path.starts_with("data/") => true,
                // Their coverage by the tag manifest is checked, and named, on its own.
                Some(path) if REQUIRED_TAGS.contains(&path) => true,
                Some(path) => matches!(&tags.tags, Some(Ok(tags)) if tags.contains_key(path)),
                None => false,
            };
        if unsafe_name(name) {
            findings.fail(
                name,
                "an unsafe path: unpacking it would write outside the folder",
            );
        } else if !allowed {
            findings.fail(
                name,
                "outside data/ and not a tag file the tag manifest covers: not part of the signed bag",
            );
        }
    }
}

/// Step 4: every payload file, streamed through both digests and held against both manifests,
/// then every file a manifest lists but the bundle lacks. Returns the payload's bytes and files
/// (for `Payload-Oxum`), or `None` when the verification was stopped.
fn check_payload<R: Read + Seek + Send>(
    open: &(impl Fn() -> std::io::Result<R> + Sync),
    bag: &Bag<R>,
    tags: &TagFiles,
    control: &Control,
    findings: &mut Findings,
) -> Option<(u64, u64)> {
    let mut seen = BTreeSet::new();
    let (mut octets, mut count) = (0u64, 0u64);
    for (path, read) in payload_digests(open, &bag.payload, control) {
        seen.insert(path.clone());
        let Digests {
            sha256: got256,
            sha512: got512,
            size,
        } = match read {
            Ok(got) => got,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                findings.fail(&path, format!("could not be read: {e}"));
                continue;
            }
        };
        octets += size;
        count += 1;
        let mut problems = Vec::new();
        match tags.sha256.get(&path) {
            None => problems.push("not listed in manifest-sha256.txt".to_owned()),
            Some(want) if *want != got256 => {
                problems.push("SHA-256 does not match manifest-sha256.txt".to_owned())
            }
            _ => {}
        }
        match tags.sha512.get(&path) {
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
    if control.is_cancelled() {
        return None;
    }
    for path in tags.sha256.keys().chain(tags.sha512.keys()) {
        if seen.insert(path.clone()) {
            findings.fail(path, "listed in a manifest but missing from the bundle");
        }
    }
    Some((octets, count))
}

/// Step 5: `Payload-Oxum` against the payload's bytes and files.
fn check_oxum(tags: &TagFiles, (octets, count): (u64, u64), findings: &mut Findings) {
    match tags.info.get("Payload-Oxum") {
        Some(oxum) if *oxum == format!("{octets}.{count}") => findings.ok(
            "bag-info.txt",
            format!("Payload-Oxum {oxum} matches the payload"),
        ),
        Some(oxum) => findings.fail(
            "bag-info.txt",
            format!("Payload-Oxum says {oxum}, the payload is {octets}.{count}"),
        ),
        None if tags.has_info => findings.fail("bag-info.txt", "has no Payload-Oxum"),
        None => {}
    }
}

/// Step 6: the tag files against the tag manifest; payload files are the manifests' business.
fn check_tag_manifest<R: Read + Seek>(
    bag: &mut Bag<R>,
    tags: &TagFiles,
    control: &Control,
    findings: &mut Findings,
) {
    match &tags.tags {
        Some(Err(lines)) => findings.fail(
            "tagmanifest-sha256.txt",
            format!(
                "lists {lines} files, but the bundle holds {} entries",
                bag.names.len()
            ),
        ),
        Some(Ok(listed)) => {
            for required in REQUIRED_TAGS {
                if !listed.contains_key(required) {
                    findings.fail(required, "not covered by tagmanifest-sha256.txt");
                }
            }
            for (name, want) in listed {
                if name.starts_with("data/") {
                    findings.fail(
                        name,
                        "a payload file listed in tagmanifest-sha256.txt, which covers tag files only",
                    );
                    continue;
                }
                let got = bag
                    .archive
                    .by_name(&format!("{}/{name}", bag.root))
                    .ok()
                    .and_then(|mut f| digests(&mut f, control).ok())
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
        None => {}
    }
}

/// Step 7: the signature of the tag manifest, by a key of `trust` (or the bundle's own), then
/// that `bag-info.txt` names the signing key and the key shipped beside the bag is that key.
/// Returns whether the signer is a key the verifier trusts.
fn check_signature<R>(
    bag: &Bag<R>,
    tags: TagFiles,
    trust: &Trust,
    findings: &mut Findings,
    report: &mut Report,
) -> bool {
    let (Some(message), Some(signature)) = (tags.tagmanifest, tags.signature) else {
        return false;
    };
    let bundled = tags.bundled_key.as_deref().map(PublicKey::from_pem);
    let signed = signer(
        trust,
        bundled.flatten(),
        &message,
        &signature,
        &bag.sig_name,
        findings,
    );
    let Some((signer, source)) = signed else {
        return false;
    };
    let id = signer.id();
    report.key_id = Some(id.clone());
    report.key_source = Some(source);
    match tags.info.get("Writ-Key-Id") {
        Some(named) if *named == id => findings.ok(
            "bag-info.txt",
            format!("Writ-Key-Id {id} is the signing key"),
        ),
        Some(named) => findings.fail(
            "bag-info.txt",
            format!("Writ-Key-Id names key {named}, but the signature is by key {id}"),
        ),
        None => findings.fail("bag-info.txt", "has no Writ-Key-Id"),
    }
    match bundled {
        Some(Some(key)) if key == signer => {}
        Some(Some(key)) => findings.fail(
            &bag.key_name,
            format!(
                "is key {}, not the key {id} that signed the bundle",
                key.id()
            ),
        ),
        Some(None) => findings.fail(&bag.key_name, "is not an Ed25519 public key in PEM form"),
        None => {}
    }
    source != "bundle"
}

/// The key whose signature of `message` holds, and where it came from; a failing finding if none.
fn signer(
    trust: &Trust,
    bundled: Option<PublicKey>,
    message: &[u8],
    signature: &[u8],
    sig_name: &str,
    findings: &mut Findings,
) -> Option<(PublicKey, &'static str)> {
    let verifies = |key: &PublicKey| key.verifies(message, signature);
    let found = match trust {
        Trust::Published(keys) => match keys.iter().find(|k| verifies(k)) {
            Some(key) => Ok((*key, "published")),
            None => {
                let by = match bundled.filter(verifies) {
                    Some(key) => format!(
                        " (it is by key {}, shipped inside the bundle, which was never published: a forgery, or another issuer's bundle)",
                        key.id()
                    ),
                    None => String::new(),
                };
                Err(format!(
                    "not signed by this platform: none of the {} keys it publishes verifies tagmanifest-sha256.txt{by}",
                    keys.len()
                ))
            }
        },
        Trust::Given(key) if verifies(key) => Ok((*key, "given")),
        Trust::Given(key) => Err(format!(
            "does not verify tagmanifest-sha256.txt with key {}",
            key.id()
        )),
        Trust::BundleOnly => match bundled {
            Some(key) if verifies(&key) => Ok((key, "bundle")),
            Some(key) => Err(format!(
                "does not verify tagmanifest-sha256.txt with key {}",
                key.id()
            )),
            None => Err(
                "no Ed25519 public key to check it with (give the published keys with --keys)"
                    .into(),
            ),
        },
    };
    match found {
        Ok((key, source)) => {
            let whose = match source {
                "published" => "a key this platform publishes",
                "given" => "the key given",
                _ => "the key inside the bundle, which proves the bundle unchanged but not who signed it",
            };
            findings.ok(
                sig_name,
                format!(
                    "a valid Ed25519 signature of tagmanifest-sha256.txt by key {} ({whose})",
                    key.id()
                ),
            );
            Some((key, source))
        }
        Err(reason) => {
            findings.fail(sig_name, reason);
            None
        }
    }
}

/// The bytes of the small file `full` (named `name` in findings), at most `limit` of them.
fn read_small<R: Read + Seek>(
    archive: &mut zip::ZipArchive<R>,
    full: &str,
    name: &str,
    limit: u64,
    findings: &mut Findings,
) -> Option<Vec<u8>> {
    let mut file = match archive.by_name(full) {
        Ok(file) => file,
        Err(_) => {
            findings.fail(name, "missing from the bundle");
            return None;
        }
    };
    if file.size() > limit {
        findings.fail(
            name,
            format!(
                "far too large: {} bytes, where this bundle allows at most {limit}",
                file.size()
            ),
        );
        return None;
    }
    let mut bytes = Vec::with_capacity(file.size() as usize);
    match file.by_ref().take(limit).read_to_end(&mut bytes) {
        Ok(_) => Some(bytes),
        Err(e) => {
            findings.fail(name, format!("could not be read: {e}"));
            None
        }
    }
}

/// Refuses entries that are compressed (Writ stores every file), that lie about their size, or
/// whose bytes overlap another's.
fn layout<R: Read + Seek>(archive: &mut zip::ZipArchive<R>) -> Result<(), String> {
    let directory_start = archive.central_directory_start();
    let mut spans = Vec::with_capacity(archive.len());
    for index in 0..archive.len() {
        let entry = archive
            .by_index_raw(index)
            .map_err(|e| format!("not a readable ZIP archive: {e}"))?;
        let name = entry.name().to_owned();
        if entry.compression() != zip::CompressionMethod::Stored {
            return Err(format!(
                "the entry “{name}” is compressed; Writ stores every file of a bundle as it is"
            ));
        }
        if entry.size() != entry.compressed_size() {
            return Err(format!("the entry “{name}” misstates its size"));
        }
        let end = entry.data_start().saturating_add(entry.compressed_size());
        spans.push(Span {
            name,
            start: entry.header_start(),
            end,
        });
    }
    match survey::overlap(spans, directory_start) {
        Some(reason) => Err(reason),
        None => Ok(()),
    }
}
