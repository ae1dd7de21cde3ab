//! Bundles made by someone other than the platform, and bundles made to exhaust the verifier:
//! each attack as a forger would mount it with stock tools (Python's `zipfile` and `hashlib`,
//! OpenSSL), and what `writ verify` and `/verify` make of it.

use crate::common::tools::needs;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use super::*;
use writ::bundle::verify::{verify, Control, Trust};

/// Re-signs a bundle as a forger would: `change` the records file, recompute both manifests,
/// Payload-Oxum and the tag manifest, sign with a fresh Ed25519 key from OpenSSL and ship that
/// key inside. `key_id` is `own` (the forger's key's id, consistent) or `keep` (the platform's).
const FORGE: &str = r#"
import base64, hashlib, re, subprocess, sys, zipfile, os
src, dst, work, key_id = sys.argv[1:5]
with zipfile.ZipFile(src) as z:
    entries = {i.filename: z.read(i) for i in z.infolist()}
root = [n[: -len("/bagit.txt")] for n in entries if n.endswith("/bagit.txt")][0]
entries[root + "/data/records/subscriber export.csv"] = b"uid,email\nU999,someone-else@example.com\n"
payload = {n[len(root) + 1:]: b for n, b in entries.items() if n.startswith(root + "/data/")}
for alg in ("sha256", "sha512"):
    lines = "".join(f"{hashlib.new(alg, b).hexdigest()}  {p}\n" for p, b in sorted(payload.items()))
    entries[f"{root}/manifest-{alg}.txt"] = lines.encode()
key, pub = os.path.join(work, "forger.key"), os.path.join(work, "forger.pub.pem")
subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", key], check=True)
subprocess.run(["openssl", "pkey", "-in", key, "-pubout", "-out", pub], check=True)
pem = open(pub, "rb").read()
der = base64.b64decode(b"".join(l for l in pem.splitlines() if not l.startswith(b"-----")))
forger_id = hashlib.sha256(der[12:]).hexdigest()[:16]
info = entries[root + "/bag-info.txt"].decode()
oxum = f"{sum(len(b) for b in payload.values())}.{len(payload)}"
info = re.sub(r"Payload-Oxum: .*", "Payload-Oxum: " + oxum, info)
if key_id == "own":
    info = re.sub(r"Writ-Key-Id: .*", "Writ-Key-Id: " + forger_id, info)
entries[root + "/bag-info.txt"] = info.encode()
tags = ["bagit.txt", "bag-info.txt", "manifest-sha256.txt", "manifest-sha512.txt"]
tm = "".join(f"{hashlib.sha256(entries[root + '/' + t]).hexdigest()}  {t}\n" for t in tags).encode()
entries[root + "/tagmanifest-sha256.txt"] = tm
tm_path, sig_path = os.path.join(work, "tm.txt"), os.path.join(work, "sig")
open(tm_path, "wb").write(tm)
subprocess.run(["openssl", "pkeyutl", "-sign", "-inkey", key, "-rawin", "-in", tm_path, "-out", sig_path], check=True)
entries[root + ".sig"] = open(sig_path, "rb").read()
entries[root + ".pub.pem"] = pem
with zipfile.ZipFile(dst, "w", zipfile.ZIP_STORED) as out:
    for name, data in entries.items():
        out.writestr(name, data)
print(forger_id)
"#;

fn forge(bundle: &Path, out: &Path, key_id: &str) -> String {
    let work = out.with_extension("work");
    std::fs::create_dir_all(&work).unwrap();
    let output = run(Command::new("/usr/bin/python3").args([
        "-c",
        FORGE,
        bundle.to_str().unwrap(),
        out.to_str().unwrap(),
        work.to_str().unwrap(),
        key_id,
    ]));
    assert!(output.status.success(), "{}", text(&output));
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// Adds entries to a copy of `bundle` with Python's `zipfile` (stored, as Writ writes).
fn with_entries(bundle: &Path, out: &Path, added: &[(&str, &str)]) {
    std::fs::copy(bundle, out).unwrap();
    let script = "import json, sys, zipfile\nz = zipfile.ZipFile(sys.argv[1], 'a')\nfor name, body in json.loads(sys.argv[2]):\n    z.writestr(name, body)\nz.close()\n";
    let added = serde_json::to_string(added).unwrap();
    let output =
        run(Command::new("/usr/bin/python3").args(["-c", script, out.to_str().unwrap(), &added]));
    assert!(output.status.success(), "{}", text(&output));
}

/// The sealed bundle of a fresh case, saved in `dir`, with the platform's published keys.
async fn sealed_bundle(app: &TestApp, dir: &Path) -> (PathBuf, PathBuf, String) {
    let case = approved_with_production(app).await;
    let (_, sealed) = seal(app, &case.legal, &case.reference).await;
    let (_, bytes) = download(app, &case.officer, sealed["download"].as_str().unwrap()).await;
    let zip = dir.join("bundle.zip");
    std::fs::write(&zip, &bytes).unwrap();
    let keys = saved_keys(app, dir).await;
    (zip, keys, sealed["key_id"].as_str().unwrap().to_owned())
}

/// `/verify` as a visitor uses it; the page it answers.
async fn verify_page(app: &TestApp, bundle: &[u8]) -> (Status, String) {
    let (_, page) = app.page("/verify").await;
    let (content_type, body) = multipart(&[
        Part::text("csrf", &common::csrf_of(&page)),
        Part::file("bundle", "bundle.zip", bundle),
    ]);
    app.post_page("/verify", content_type, body).await
}

#[rocket::async_test]
async fn a_bundle_re_signed_with_the_forgers_own_key_is_not_the_platforms() {
    needs!(Openssl);
    let app = TestApp::new().await;
    let dir = tempfile::tempdir().unwrap();
    let (zip, keys, platform_key) = sealed_bundle(&app, dir.path()).await;
    let forged = dir.path().join("forged.zip");
    let forger_key = forge(&zip, &forged, "own");
    assert_ne!(forger_key, platform_key);

    // Every hash and the signature hold — by the key the forger shipped.
    let alone = writ_verify(&forged, None);
    assert_eq!(alone.status.code(), Some(3), "{}", text(&alone));
    assert!(
        text(&alone).contains("INTACT BUT NOT AUTHENTICATED"),
        "{}",
        text(&alone)
    );
    assert!(text(&alone).contains(&format!(
        "signature checked with key {forger_key} (the key inside the bundle itself"
    )));

    // Against the keys the platform publishes, it is a forgery.
    let anchored = writ_verify_with(&forged, &["--keys", keys.to_str().unwrap()]);
    assert_eq!(anchored.status.code(), Some(1), "{}", text(&anchored));
    assert!(
        text(&anchored).contains("not signed by this platform: none of the 1 keys it publishes verifies tagmanifest-sha256.txt"),
        "{}",
        text(&anchored)
    );
    assert!(text(&anchored).contains(&format!(
        "it is by key {forger_key}, shipped inside the bundle"
    )));
    let original = writ_verify_with(&zip, &["--keys", keys.to_str().unwrap()]);
    assert_eq!(original.status.code(), Some(0), "{}", text(&original));

    // The server checks against its own keys, whatever the bundle carries.
    let (status, page) = verify_page(&app, &std::fs::read(&forged).unwrap()).await;
    assert_eq!(status, Status::Ok);
    assert!(page.contains("Not valid"), "{page}");
    assert!(page.contains("not signed by this platform"), "{page}");
    assert!(!page.contains("this platform signed it"));
    let (_, page) = verify_page(&app, &std::fs::read(&zip).unwrap()).await;
    assert!(
        page.contains("Valid</span>: every check holds, and this platform signed it"),
        "{page}"
    );
    assert!(page.contains("(published by this platform)"));
}

#[rocket::async_test]
async fn a_key_id_that_is_not_the_signing_key_fails() {
    needs!(Openssl);
    let app = TestApp::new().await;
    let dir = tempfile::tempdir().unwrap();
    let (zip, _, platform_key) = sealed_bundle(&app, dir.path()).await;
    let forged = dir.path().join("forged.zip");
    let forger_key = forge(&zip, &forged, "keep");
    let verdict = writ_verify(&forged, None);
    assert_eq!(verdict.status.code(), Some(1), "{}", text(&verdict));
    assert!(
        text(&verdict).contains(&format!(
            "FAIL bag-info.txt: Writ-Key-Id names key {platform_key}, but the signature is by key {forger_key}"
        )),
        "{}",
        text(&verdict)
    );
}

#[rocket::async_test]
async fn files_outside_the_signed_bag_fail_the_verdict() {
    let app = TestApp::new().await;
    let dir = tempfile::tempdir().unwrap();
    let (zip, keys, _) = sealed_bundle(&app, dir.path()).await;
    let root = {
        let listing = run(Command::new("/usr/bin/python3").args([
            "-c",
            "import sys, zipfile; print([n for n in zipfile.ZipFile(sys.argv[1]).namelist() if n.endswith('/bagit.txt')][0][:-10])",
            zip.to_str().unwrap(),
        ]));
        String::from_utf8_lossy(&listing.stdout).trim().to_owned()
    };
    let extended = dir.path().join("extended.zip");
    with_entries(
        &zip,
        &extended,
        &[
            (
                &format!("{root}/instructions.txt"),
                "Also disclose everything.",
            ),
            ("README.txt", "open me"),
            (&format!("{root}/../../escape.sh"), "rm -rf ~"),
        ],
    );
    let verdict = writ_verify_with(&extended, &["--keys", keys.to_str().unwrap()]);
    let out = text(&verdict);
    assert_eq!(verdict.status.code(), Some(1), "{out}");
    assert!(out.contains(&format!("FAIL {root}/instructions.txt: outside data/ and not a tag file the tag manifest covers")), "{out}");
    assert!(out.contains("FAIL README.txt: outside data/"), "{out}");
    assert!(out.contains("escape.sh: an unsafe path"), "{out}");
    assert!(out.contains("NOT VALID: 3 of"), "{out}");
}

/// A ZIP whose central directory lists `copies` entries that all point at one stored file of
/// `size` bytes under `ROOT/data/` — the overlapping-entries bomb.
fn overlapping_zip(size: usize, copies: usize) -> Vec<u8> {
    let data = vec![b'A'; size];
    let crc = crc32(&data);
    let name = b"LE-2026-000001-1/data/records/a";
    let mut zip = Vec::new();
    zip.extend_from_slice(&[0x50, 0x4b, 0x03, 0x04, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    zip.extend_from_slice(&crc.to_le_bytes());
    zip.extend_from_slice(&(size as u32).to_le_bytes());
    zip.extend_from_slice(&(size as u32).to_le_bytes());
    zip.extend_from_slice(&(name.len() as u16).to_le_bytes());
    zip.extend_from_slice(&[0, 0]);
    zip.extend_from_slice(name);
    zip.extend_from_slice(&data);
    let directory_start = zip.len();
    let mut names: Vec<Vec<u8>> = (0..copies)
        .map(|i| format!("LE-2026-000001-1/data/records/{i:05}").into_bytes())
        .collect();
    names.push(b"LE-2026-000001-1/bagit.txt".to_vec());
    for entry in &names {
        zip.extend_from_slice(&[0x50, 0x4b, 0x01, 0x02, 20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        zip.extend_from_slice(&crc.to_le_bytes());
        zip.extend_from_slice(&(size as u32).to_le_bytes());
        zip.extend_from_slice(&(size as u32).to_le_bytes());
        zip.extend_from_slice(&(entry.len() as u16).to_le_bytes());
        zip.extend_from_slice(&[0; 12]); // extra, comment, disk, attributes
        zip.extend_from_slice(&0u32.to_le_bytes()); // every entry: the one local header
        zip.extend_from_slice(entry);
    }
    let directory_size = zip.len() - directory_start;
    zip.extend_from_slice(&[0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0]);
    zip.extend_from_slice(&(names.len() as u16).to_le_bytes());
    zip.extend_from_slice(&(names.len() as u16).to_le_bytes());
    zip.extend_from_slice(&(directory_size as u32).to_le_bytes());
    zip.extend_from_slice(&(directory_start as u32).to_le_bytes());
    zip.extend_from_slice(&[0, 0]);
    zip
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for byte in data {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[rocket::async_test]
async fn entries_sharing_bytes_are_refused_before_anything_is_hashed() {
    let bomb = overlapping_zip(4 * 1024 * 1024, 300);
    // Python's reader sees 301 files: 300 of them 4 MiB each out of a 4 MiB archive.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bomb.zip");
    std::fs::write(&path, &bomb).unwrap();
    let listed = run(Command::new("/usr/bin/python3").args([
        "-c",
        "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print(len(z.infolist()), sum(i.file_size for i in z.infolist()))",
        path.to_str().unwrap(),
    ]));
    assert_eq!(
        String::from_utf8_lossy(&listed.stdout).trim(),
        format!("301 {}", 301 * 4 * 1024 * 1024)
    );

    let control = Control::default();
    let open = || std::fs::File::open(&path).map(std::io::BufReader::new);
    let report = verify(open, &Trust::BundleOnly, &control);
    assert!(!report.valid);
    assert_eq!(control.hashed(), 0, "not a byte was hashed");
    assert_eq!(report.failed, 1);
    assert!(
        report.findings[0]
            .message
            .contains("share bytes: every entry must have bytes of its own"),
        "{:?}",
        report.findings
    );

    let app = TestApp::new().await;
    let (status, page) = verify_page(&app, &bomb).await;
    assert_eq!(status, Status::Ok);
    assert!(page.contains("share bytes"), "{page}");
}

#[rocket::async_test]
async fn more_entries_than_the_file_can_hold_are_refused_unread() {
    // An end record that declares 60 000 entries in a file of a few hundred bytes.
    let mut zip = overlapping_zip(16, 1);
    let at = zip.len() - 22;
    zip[at + 8..at + 10].copy_from_slice(&60_000u16.to_le_bytes());
    zip[at + 10..at + 12].copy_from_slice(&60_000u16.to_le_bytes());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("many.zip");
    std::fs::write(&path, &zip).unwrap();
    let verdict = writ_verify(&path, None);
    assert_eq!(verdict.status.code(), Some(1));
    assert!(
        text(&verdict).contains("declares 60000 entries; a bundle of"),
        "{}",
        text(&verdict)
    );
}

#[rocket::async_test]
async fn a_manifest_of_a_million_lines_is_refused_and_findings_stay_bounded() {
    let app = TestApp::new().await;
    let dir = tempfile::tempdir().unwrap();
    let (zip, _, _) = sealed_bundle(&app, dir.path()).await;

    // 1 000 000 manifest lines for a bundle of five payload files.
    let script = r#"
import sys, zipfile
src, dst, lines = sys.argv[1], sys.argv[2], int(sys.argv[3])
with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_STORED) as zout:
    for info in zin.infolist():
        data = zin.read(info)
        if info.filename.endswith("/manifest-sha256.txt"):
            data = b"".join(b"%064x  data/f%07d\n" % (i, i) for i in range(lines))
        zout.writestr(info, data)
"#;
    for (lines, refusal) in [
        (1_000_000, "manifest-sha256.txt</code> far too large: 80000000 bytes, where this bundle allows at most 6930"),
        (60, "manifest-sha256.txt</code> lists 60 files, but the bundle holds 5 payload files"),
    ] {
        let huge = dir.path().join(format!("manifest-{lines}.zip"));
        let output = run(Command::new("/usr/bin/python3").args([
            "-c",
            script,
            zip.to_str().unwrap(),
            huge.to_str().unwrap(),
            &lines.to_string(),
        ]));
        assert!(output.status.success(), "{}", text(&output));
        let (status, page) = verify_page(&app, &std::fs::read(&huge).unwrap()).await;
        assert_eq!(status, Status::Ok);
        assert!(page.contains(refusal), "{}", &page[..page.len().min(6000)]);
        assert!(page.len() < 200_000, "the page is {} bytes", page.len());
    }

    // 3 000 payload files that no manifest lists: counted, 200 listed, the rest summed up.
    let mut script = String::from("import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1], 'a')\nroot = [n for n in z.namelist() if n.endswith('/bagit.txt')][0][:-10]\nfor i in range(3000):\n    z.writestr(f'{root}/data/records/extra{i:04}.csv', b'x')\nz.close()\n");
    script.push('\n');
    let many = dir.path().join("many-files.zip");
    std::fs::copy(&zip, &many).unwrap();
    let output =
        run(Command::new("/usr/bin/python3").args(["-c", &script, many.to_str().unwrap()]));
    assert!(output.status.success(), "{}", text(&output));
    let control = Control::default();
    let open = || std::fs::File::open(&many).map(std::io::BufReader::new);
    let report = verify(open, &Trust::BundleOnly, &control);
    assert!(report.failed > 3000, "{}", report.failed);
    assert_eq!(report.failures().count(), writ::bundle::verify::LISTED);
    assert!(report.unlisted >= 2800);
    let (_, page) = verify_page(&app, &std::fs::read(&many).unwrap()).await;
    assert!(
        page.contains(&format!(
            "… and {} more findings, not listed.",
            report.unlisted
        )),
        "the page says how many more"
    );

    let cli = writ_verify(&many, None);
    let out = text(&cli);
    assert_eq!(out.lines().filter(|l| l.starts_with("FAIL ")).count(), 200);
    assert!(
        out.contains(&format!("… and {} more failures", report.failed - 200)),
        "{out}"
    );
}

#[rocket::async_test]
async fn a_stopped_check_stops_hashing_and_says_so() {
    let app = TestApp::new().await;
    let dir = tempfile::tempdir().unwrap();
    let (zip, _, _) = sealed_bundle(&app, dir.path()).await;
    let control = Control::default();
    control.cancel();
    let open = || std::fs::File::open(&zip).map(std::io::BufReader::new);
    let report = verify(open, &Trust::BundleOnly, &control);
    assert!(report.stopped && !report.valid && !report.intact);
    assert_eq!(control.hashed(), 0);
    assert!(report
        .failures()
        .any(|f| f.message == "the verification was stopped before it finished"));
}

#[rocket::async_test]
async fn terminal_escapes_in_a_bundle_are_printed_harmlessly() {
    let app = TestApp::new().await;
    let dir = tempfile::tempdir().unwrap();
    let (zip, _, _) = sealed_bundle(&app, dir.path()).await;
    let evil = dir.path().join("evil.zip");
    with_entries(
        &zip,
        &evil,
        &[("\u{1b}[2J\u{1b}[32mVALID: all checks hold\u{1b}[0m", "x")],
    );
    let verdict = writ_verify(&evil, None);
    let out = String::from_utf8(verdict.stdout).unwrap();
    assert!(!out.contains('\u{1b}'), "{out:?}");
    assert!(
        out.contains(
            "FAIL \\u{001b}[2J\\u{001b}[32mVALID: all checks hold\\u{001b}[0m: outside data/"
        ),
        "{out}"
    );
}

/// Sends the start of a `/verify` upload to a live server — the parts in `preamble`, then the
/// head of the file part and up to a first MiB of it — and leaves the rest unsent. A server that
/// answers early (a refusal) is heard at once: sending stops and its status line is kept, so the
/// reset that follows its close cannot swallow the answer.
fn start_upload(base: &str, cookie: &str, preamble: &str) -> Upload {
    let address = base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let boundary = "writ-test-boundary";
    let head = format!(
        "{preamble}--{boundary}\r\nContent-Disposition: form-data; name=\"bundle\"; filename=\"b.zip\"\r\nContent-Type: application/zip\r\n\r\n"
    );
    let length = head.len() + 512 * 1024 * 1024;
    write!(
        stream,
        "POST /verify HTTP/1.1\r\nHost: {address}\r\nCookie: {cookie}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {length}\r\n\r\n{head}"
    )
    .unwrap();
    let mut upload = Upload {
        stream,
        answered: None,
    };
    for _ in 0..16 {
        if upload.answer_waiting() || upload.stream.write_all(&[0u8; 64 * 1024]).is_err() {
            break;
        }
    }
    if upload.answer_waiting() {
        upload.answered = Some(read_status_line(&mut upload.stream));
    }
    upload
}

/// An upload begun by [`start_upload`], and the server's status line if it answered already.
struct Upload {
    stream: TcpStream,
    answered: Option<String>,
}

impl Upload {
    /// Whether the server has begun to answer (without waiting for it).
    fn answer_waiting(&self) -> bool {
        self.stream.set_nonblocking(true).unwrap();
        let waiting = matches!(self.stream.peek(&mut [0u8; 1]), Ok(n) if n > 0);
        self.stream.set_nonblocking(false).unwrap();
        waiting
    }
}

fn status_line(upload: &mut Upload) -> String {
    match upload.answered.take() {
        Some(line) => line,
        None => read_status_line(&mut upload.stream),
    }
}

fn read_status_line(stream: &mut TcpStream) -> String {
    let mut answer = [0u8; 64];
    let n = stream.read(&mut answer).unwrap_or(0);
    String::from_utf8_lossy(&answer[..n])
        .lines()
        .next()
        .unwrap_or("")
        .to_owned()
}

fn incoming(site: &common::live::Site) -> usize {
    std::fs::read_dir(site.documents_dir().join("incoming"))
        .map(|dir| dir.count())
        .unwrap_or(0)
}

/// The cookies and CSRF token a browser gets with the verify page.
async fn visitor(server: &common::live::Server) -> (String, String) {
    let response = reqwest::Client::new()
        .get(server.url("/verify"))
        .send()
        .await
        .unwrap();
    let cookies: Vec<String> = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .collect();
    let csrf = common::csrf_of(&response.text().await.unwrap());
    (cookies.join("; "), csrf)
}

#[rocket::async_test]
async fn verify_refuses_a_missing_token_and_a_full_house_before_reading_the_file() {
    use common::live::{Server, Site};
    let site = Site::new();
    let server = Server::start(&site, &[("WRIT_MAX_CONCURRENT_VERIFY", "1")]);
    let (cookie, csrf) = visitor(&server).await;

    // No token ahead of the file: 403 while the body is still being sent, nothing written.
    let mut forged = start_upload(&server.base(), &cookie, "");
    assert_eq!(status_line(&mut forged), "HTTP/1.1 403 Forbidden");
    assert_eq!(incoming(&site), 0, "no byte of the file was written");
    drop(forged);

    // A real visitor's upload (token first) holds the one slot while it is sent…
    let preamble = format!(
        "--writ-test-boundary\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n"
    );
    let slow = start_upload(&server.base(), &cookie, &preamble);
    common::live::wait_for(Duration::from_secs(10), "the upload to be staged", || {
        (incoming(&site) == 1).then_some(())
    });
    // …so a second check is turned away at once with 503.
    let mut second = start_upload(&server.base(), &cookie, &preamble);
    assert_eq!(status_line(&mut second), "HTTP/1.1 503 Service Unavailable");
    drop(second);
    // The visitor gives up: the staged copy goes, and the slot is free again.
    drop(slow);
    common::live::wait_for(
        Duration::from_secs(10),
        "the staged copy to be removed",
        || (incoming(&site) == 0).then_some(()),
    );
    let mut third = start_upload(&server.base(), &cookie, &preamble);
    common::live::wait_for(
        Duration::from_secs(10),
        "the next upload to be staged",
        || (incoming(&site) == 1).then_some(()),
    );
    third.stream.shutdown(std::net::Shutdown::Both).unwrap();
    let _ = status_line(&mut third);
}

/// A bundle-shaped ZIP of `size` bytes of payload in one stored file, written as it is made.
fn large_zip(path: &Path, size: u64) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let name = b"LE-2026-000001-1/data/records/big.bin";
    let chunk = vec![0u8; 1 << 20];
    let mut crc = crc32fast::Hasher::new();
    for _ in 0..size / chunk.len() as u64 {
        crc.update(&chunk);
    }
    let crc = crc.finalize();
    let header =
        |out: &mut dyn Write, central: bool, name: &[u8], size: u32, crc: u32, offset: u32| {
            if central {
                out.write_all(&[0x50, 0x4b, 0x01, 0x02, 20, 0]).unwrap();
            } else {
                out.write_all(&[0x50, 0x4b, 0x03, 0x04]).unwrap();
            }
            out.write_all(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]).unwrap();
            out.write_all(&crc.to_le_bytes()).unwrap();
            out.write_all(&size.to_le_bytes()).unwrap();
            out.write_all(&size.to_le_bytes()).unwrap();
            out.write_all(&(name.len() as u16).to_le_bytes()).unwrap();
            out.write_all(&[0, 0]).unwrap();
            if central {
                out.write_all(&[0; 10]).unwrap();
                out.write_all(&offset.to_le_bytes()).unwrap();
            }
            out.write_all(name).unwrap();
        };
    let bagit = b"BagIt-Version: 1.0\n";
    let bagit_name = b"LE-2026-000001-1/bagit.txt";
    header(&mut out, false, name, size as u32, crc, 0);
    for _ in 0..size / chunk.len() as u64 {
        out.write_all(&chunk).unwrap();
    }
    let second = 30 + name.len() as u64 + size;
    header(
        &mut out,
        false,
        bagit_name,
        bagit.len() as u32,
        crc32fast::hash(bagit),
        0,
    );
    out.write_all(bagit).unwrap();
    let directory = second + 30 + bagit_name.len() as u64 + bagit.len() as u64;
    header(&mut out, true, name, size as u32, crc, 0);
    header(
        &mut out,
        true,
        bagit_name,
        bagit.len() as u32,
        crc32fast::hash(bagit),
        second as u32,
    );
    let directory_size = 2 * 46 + name.len() + bagit_name.len();
    out.write_all(&[0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, 2, 0, 2, 0])
        .unwrap();
    out.write_all(&(directory_size as u32).to_le_bytes())
        .unwrap();
    out.write_all(&(directory as u32).to_le_bytes()).unwrap();
    out.write_all(&[0, 0]).unwrap();
    out.flush().unwrap();
}

#[rocket::async_test]
async fn a_check_stops_when_the_visitor_goes_away() {
    use common::live::{Server, Site};
    let site = Site::new();
    let server = Server::start(&site, &[]);
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("large.zip");
    let size = 1u64 << 30;
    large_zip(&zip, size);
    // The file is a readable ZIP: Python lists both entries.
    let listed = run(Command::new("/usr/bin/python3").args([
        "-c",
        "import sys, zipfile; print(len(zipfile.ZipFile(sys.argv[1]).infolist()))",
        zip.to_str().unwrap(),
    ]));
    assert_eq!(
        String::from_utf8_lossy(&listed.stdout).trim(),
        "2",
        "{}",
        text(&listed)
    );

    let (cookie, csrf) = visitor(&server).await;
    let boundary = "writ-test-boundary";
    let head = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"bundle\"; filename=\"b.zip\"\r\nContent-Type: application/zip\r\n\r\n"
    );
    let tail = format!("\r\n--{boundary}--\r\n");
    let length = head.len() as u64 + std::fs::metadata(&zip).unwrap().len() + tail.len() as u64;
    let address = server.base().trim_start_matches("http://").to_owned();
    let mut stream = TcpStream::connect(&address).unwrap();
    write!(
        stream,
        "POST /verify HTTP/1.1\r\nHost: {address}\r\nCookie: {cookie}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {length}\r\n\r\n{head}"
    )
    .unwrap();
    std::io::copy(&mut std::fs::File::open(&zip).unwrap(), &mut stream).unwrap();
    stream.write_all(tail.as_bytes()).unwrap();
    // The whole bundle is sent; the visitor closes the tab before the verdict.
    drop(stream);
    let line = common::live::wait_for(Duration::from_secs(60), "the check to stop", || {
        server
            .log_text()
            .lines()
            .find(|l| l.contains("a bundle check stopped after"))
            .map(str::to_owned)
    });
    let hashed: u64 = line
        .split("stopped after ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!(hashed < size, "stopped part-way: {line}");
    println!("{line}");
    common::live::wait_for(Duration::from_secs(10), "the upload to be removed", || {
        (incoming(&site) == 0).then_some(())
    });
}
