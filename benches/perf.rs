//! Writ's hot paths, measured against what a user would otherwise do, on this machine, in one run,
//! and checked against the targets of the performance issue. Prints one table.
//!
//! Run: `cargo bench --bench perf` (SQLite), or `cargo bench --bench perf --features postgres`
//! to add PostgreSQL (`WRIT_BENCH_POSTGRES`, default `postgres://postgres@127.0.0.1:5432/postgres`).
//! The release `writ` binary runs as a real server (`writ serve`) on a fresh site; the reference
//! tools are set up here: PyPI `bagit` in `target/bench-venv`, and `zip`, `unzip`, `openssl` and
//! coreutils from Debian when missing.
//!
//! `s3` repeats the upload, the seal and the bundle's download and check with the files in an
//! S3 bucket: on `WRIT_BENCH_S3_ENDPOINT`, else on a moto server (PyPI `moto[server]`, in the
//! same venv) started here.
//!
//! Knobs: `WRIT_BENCH_ONLY=hashing,startup,seal,verify,upload,memory,s3,queue,submissions,audit`,
//! `WRIT_BENCH_GIB` (seal size, 1), `WRIT_BENCH_BIG_GIB` (second seal-memory size, 4; 0 skips),
//! `WRIT_BENCH_CASES` (queue, 100 000), `WRIT_BENCH_SECONDS` (submissions, 60),
//! `WRIT_BENCH_EVENTS` (audit, 1 000 000).

#[path = "../tests/it/common/mod.rs"]
#[allow(unused_imports)]
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::TimeDelta;
use common::live::{browser, officer, staff_token, submit, transition, Server, Site};
use common::{csrf_of, subpoena_request, StaffAccount, PDF};
use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::json;

const MIB: u64 = 1024 * 1024;
const GIB: u64 = 1024 * MIB;

struct Row {
    what: String,
    writ: String,
    against: String,
    ratio: String,
    target: String,
    met: Option<bool>,
}

fn row(
    what: &str,
    writ: String,
    against: String,
    ratio: String,
    target: &str,
    met: Option<bool>,
) -> Row {
    Row {
        what: what.into(),
        writ,
        against,
        ratio,
        target: target.into(),
        met,
    }
}

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

fn wanted(part: &str) -> bool {
    match std::env::var("WRIT_BENCH_ONLY") {
        Ok(list) => list.split(',').any(|p| p.trim() == part),
        Err(_) => true,
    }
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

/// Runs a command to completion, failing loudly; returns how long it took.
fn timed(program: &str, args: &[&str], dir: &Path) -> Duration {
    let started = Instant::now();
    let output = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    let took = started.elapsed();
    assert!(
        output.status.success(),
        "{program} {args:?}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    took
}

/// The reference tools: bagit.py from PyPI in a venv of its own, the rest from Debian.
fn tools() -> PathBuf {
    let missing: Vec<&str> = [("zip", "zip"), ("unzip", "unzip"), ("openssl", "openssl")]
        .iter()
        .filter(|(bin, _)| {
            Command::new("which")
                .arg(bin)
                .output()
                .map_or(true, |o| !o.status.success())
        })
        .map(|(_, package)| *package)
        .collect();
    if !missing.is_empty() {
        let _ = Command::new("apt-get").arg("update").arg("-q").status();
        let status = Command::new("apt-get")
            .args(["install", "-y", "-q"])
            .args(&missing)
            .status()
            .expect("apt-get");
        assert!(status.success(), "could not install {missing:?}");
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-venv");
    let bagit = venv.join("bin/bagit.py");
    if !bagit.exists() {
        let status = Command::new("/usr/bin/python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .expect("python3 -m venv");
        assert!(status.success());
        let status = Command::new(venv.join("bin/pip"))
            .args(["install", "-q", "bagit"])
            .status()
            .expect("pip");
        assert!(status.success(), "pip install bagit");
    }
    bagit
}

/// Peak resident memory of process `pid` since the last [`reset_peak`], in bytes.
fn peak_rss(pid: u32) -> u64 {
    status_bytes(pid, "VmHWM:")
}

/// Resident memory of process `pid` now, in bytes.
fn rss(pid: u32) -> u64 {
    status_bytes(pid, "VmRSS:")
}

/// A `… kB` line of `/proc/PID/status`, in bytes.
fn status_bytes(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    kib * 1024
}

/// Starts a new peak-memory window for `pid` (Linux: `5` to `clear_refs`).
fn reset_peak(pid: u32) {
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").expect("reset the peak RSS");
}

/// Fills `path` with `size` pseudo-random (incompressible) bytes.
fn random_file(path: &Path, size: u64, seed: u64) {
    use std::io::Write;
    let mut out =
        std::io::BufWriter::with_capacity(4 * MIB as usize, std::fs::File::create(path).unwrap());
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut block = vec![0u8; MIB as usize];
    let mut left = size;
    while left > 0 {
        for word in block.chunks_exact_mut(8) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            word.copy_from_slice(&state.to_le_bytes());
        }
        let n = left.min(MIB) as usize;
        out.write_all(&block[..n]).unwrap();
        left -= n as u64;
    }
    out.flush().unwrap();
}

/// `count` files adding up to `total` bytes, of mixed sizes (a few large, many small).
fn production(dir: &Path, total: u64, count: u64) -> Vec<PathBuf> {
    std::fs::create_dir_all(dir).unwrap();
    let weights: Vec<u64> = (0..count).map(|i| (i % 10 + 1).pow(3)).collect();
    let sum: u64 = weights.iter().sum();
    let mut left = total;
    weights
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let size = if i as u64 == count - 1 {
                left
            } else {
                total * w / sum
            };
            left -= size;
            let path = dir.join(format!("export-{i:03}.bin"));
            random_file(&path, size, i as u64 + 1);
            path
        })
        .collect()
}

/// A legal reviewer's view of one approved disclosure, ready for productions.
struct Approved {
    legal: String,
    officer: String,
    reference: String,
}

async fn approved_case(server: &Server, legal: &str, officer: &str) -> Approved {
    let (status, filed) = submit(&browser(), &server.base(), officer, &subpoena_request())
        .await
        .unwrap();
    assert_eq!(status, StatusCode::CREATED, "{filed}");
    let reference = filed["reference"].as_str().unwrap().to_owned();
    for to in ["in_review", "approved"] {
        transition(server, legal, &reference, to).await;
    }
    Approved {
        legal: legal.into(),
        officer: officer.into(),
        reference,
    }
}

/// Uploads `files` as produced records, `per_request` files to a request, streamed from disk.
async fn upload(server: &Server, case: &Approved, files: &[PathBuf], per_request: usize) {
    let client = browser();
    for batch in files.chunks(per_request) {
        let mut form = reqwest::multipart::Form::new().text("category", "records");
        for path in batch {
            let file = rocket::tokio::fs::File::open(path).await.unwrap();
            let len = file.metadata().await.unwrap().len();
            let body = reqwest::Body::wrap_stream(tokio_util::io::ReaderStream::with_capacity(
                file,
                256 * 1024,
            ));
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            form = form.part(
                "files",
                reqwest::multipart::Part::stream_with_length(body, len).file_name(name),
            );
        }
        let response = client
            .post(server.url(&format!(
                "/api/v1/staff/cases/{}/production",
                case.reference
            )))
            .bearer_auth(&case.legal)
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::CREATED,
            "{:?}",
            response.text().await
        );
    }
}

async fn seal(server: &Server, case: &Approved) -> Duration {
    let started = Instant::now();
    let response = browser()
        .post(server.url(&format!("/api/v1/staff/cases/{}/bundles", case.reference)))
        .bearer_auth(&case.legal)
        .send()
        .await
        .unwrap();
    let took = started.elapsed();
    assert_eq!(
        response.status(),
        StatusCode::CREATED,
        "{:?}",
        response.text().await
    );
    took
}

async fn download(server: &Server, case: &Approved, to: &Path) {
    use futures::StreamExt;
    use std::io::Write;
    let response = browser()
        .get(server.url(&format!("/api/v1/requests/{}/bundles/1", case.reference)))
        .bearer_auth(&case.officer)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let mut out = std::fs::File::create(to).unwrap();
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.next().await {
        out.write_all(&chunk.unwrap()).unwrap();
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn main() {
    let runtime = rocket::tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut rows = Vec::new();
    let backends = backends();
    println!(
        "Writ performance, {cores} cores; backends: {}",
        backends.iter().map(|b| b.0).collect::<Vec<_>>().join(", ")
    );

    if wanted("hashing") {
        rows.extend(hashing());
    }
    if wanted("startup") {
        rows.push(startup());
    }
    if ["seal", "verify", "upload", "memory"]
        .iter()
        .any(|p| wanted(p))
    {
        rows.extend(runtime.block_on(bundles()));
    }
    if wanted("s3") {
        rows.extend(runtime.block_on(bundles_in_a_bucket()));
    }
    for (name, url) in &backends {
        if wanted("queue") {
            rows.extend(runtime.block_on(queue(name, url.as_deref())));
        }
        if wanted("submissions") {
            rows.extend(runtime.block_on(submissions(name, url.as_deref())));
        }
        if wanted("audit") {
            rows.push(audit(name, url.as_deref()));
        }
    }

    println!();
    println!("| what | Writ | measured against | ratio | target | met |");
    println!("|---|---|---|---|---|---|");
    for r in &rows {
        let met = match r.met {
            Some(true) => "yes",
            Some(false) => "**no**",
            None => "",
        };
        println!(
            "| {} | {} | {} | {} | {} | {met} |",
            r.what, r.writ, r.against, r.ratio, r.target
        );
    }
}

/// SQLite always; PostgreSQL when built with the feature and the server answers.
fn backends() -> Vec<(&'static str, Option<String>)> {
    let mut list = vec![("SQLite", None)];
    if cfg!(feature = "postgres") {
        let url = std::env::var("WRIT_BENCH_POSTGRES")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        if writ::db::Db::connect(&url, 1).is_ok() {
            list.push(("PostgreSQL", Some(url)));
        } else {
            println!("PostgreSQL at {url} does not answer: SQLite only");
        }
    }
    list
}

/// The limit under every seal and verification: ring's SHA-256 and SHA-512 on one core, against
/// `openssl dgst` on the same 256 MiB (from the page cache), and whether the CPU has SHA-NI.
fn hashing() -> Vec<Row> {
    let sha_ni = std::fs::read_to_string("/proc/cpuinfo").is_ok_and(|c| c.contains(" sha_ni"));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sample.bin");
    random_file(&file, 256 * MIB, 7);
    let bytes = std::fs::read(&file).unwrap();
    let mut rows = Vec::new();
    for (name, algorithm, flag) in [
        ("SHA-256", &ring::digest::SHA256, "-sha256"),
        ("SHA-512", &ring::digest::SHA512, "-sha512"),
    ] {
        let started = Instant::now();
        ring::digest::digest(algorithm, &bytes);
        let ours = started.elapsed();
        let theirs = timed(
            "openssl",
            &["dgst", flag, file.to_str().unwrap()],
            dir.path(),
        );
        let rate = |d: Duration| 256.0 * MIB as f64 / d.as_secs_f64() / 1e9;
        println!(
            "{name}: ring {:.2} GB/s, openssl dgst {:.2} GB/s (sha_ni: {sha_ni})",
            rate(ours),
            rate(theirs)
        );
        rows.push(row(
            &format!("{name} of 256 MiB, one core (CPU has SHA-NI: {sha_ni})"),
            format!("ring: {:.2} GB/s", rate(ours)),
            format!("`openssl dgst {flag}`: {:.2} GB/s", rate(theirs)),
            format!("{:.2}", theirs.as_secs_f64() / ours.as_secs_f64()),
            "— (the limit the targets sit on)",
            None,
        ));
    }
    rows
}

/// From `writ serve` on an empty database (migrations, keys) to the first answer of `/health`.
fn startup() -> Row {
    let mut times = Vec::new();
    for _ in 0..5 {
        let site = Site::on(None);
        let started = Instant::now();
        let server = Server::start(&site, &[]);
        times.push(started.elapsed());
        drop(server);
    }
    times.sort();
    let median = times[times.len() / 2];
    println!(
        "start-up on an empty database: median {} of 5 ({:?})",
        ms(median),
        times
    );
    row(
        "start-up on an empty SQLite database, migrations included (to the first `/health` answer)",
        ms(median),
        "—".into(),
        "—".into(),
        "< 0.5 s",
        Some(median < Duration::from_millis(500)),
    )
}

async fn bundles() -> Vec<Row> {
    let bagit = tools();
    let total = env_num("WRIT_BENCH_GIB", 1) * GIB;
    let big = env_num("WRIT_BENCH_BIG_GIB", 4) * GIB;
    let site = Site::on(None);
    let server = Server::start(&site, &[("WRIT_SUBMISSIONS_PER_HOUR", "100000")]);
    let pid = server.pid();
    let work = site.dir.path().join("work");
    let officer_token = officer(&site, &server, "j.doe@fbi.gov").await;
    let legal = staff_token(&server, &site.staff("lee@writ.example", "legal")).await;
    let mut rows = Vec::new();

    // Uploading one large file: throughput and the server's memory while it streams.
    if wanted("upload") {
        let one = work.join("one");
        std::fs::create_dir_all(&one).unwrap();
        let file = one.join("ledger.bin");
        random_file(&file, GIB, 99);
        let case = approved_case(&server, &legal, &officer_token).await;
        let before = peak_rss(pid);
        reset_peak(pid);
        let started = Instant::now();
        upload(&server, &case, std::slice::from_ref(&file), 1).await;
        let took = started.elapsed();
        let peak = peak_rss(pid);
        let rate = GIB as f64 / took.as_secs_f64() / 1e6;
        println!(
            "upload 1 GiB: {} ({rate:.0} MB/s), server peak RSS {} MiB (before: {} MiB)",
            secs(took),
            peak / MIB,
            before / MIB
        );
        rows.push(row(
            "uploading a 1 GiB production file (hashed, encrypted at rest, fsync'd)",
            format!(
                "{} = {rate:.0} MB/s; server peak {} MiB",
                secs(took),
                peak / MIB
            ),
            "—".into(),
            "—".into(),
            "≥ 100 MB/s; memory flat, < 64 MiB",
            Some(rate >= 100.0 && peak < 64 * MIB),
        ));
        std::fs::remove_file(&file).unwrap();
    }

    // Sealing 200 files, against bagit.py + zip + openssl and against sha256sum + sha512sum.
    if wanted("seal") || wanted("verify") {
        let files = production(&work.join("production"), total, 200);
        let case = approved_case(&server, &legal, &officer_token).await;
        upload(&server, &case, &files, 20).await;
        let idle = rss(pid);
        reset_peak(pid);
        let took = seal(&server, &case).await;
        let peak = peak_rss(pid);
        println!(
            "seal {} GiB in 200 files: {}, server peak RSS {} MiB (resident before: {} MiB)",
            total / GIB,
            secs(took),
            peak / MIB,
            idle / MIB
        );

        // The same signed bundle made by hand.
        let stock = work.join("stock");
        std::fs::create_dir_all(&stock).unwrap();
        timed(
            "openssl",
            &["genpkey", "-algorithm", "ed25519", "-out", "key.pem"],
            &stock,
        );
        timed(
            "cp",
            &["-al", work.join("production").to_str().unwrap(), "bag"],
            &stock,
        );
        let by_hand = timed(
            bagit.to_str().unwrap(),
            &["--sha256", "--sha512", "bag"],
            &stock,
        ) + timed("zip", &["-0", "-r", "-q", "bag.zip", "bag"], &stock)
            + timed(
                "openssl",
                &[
                    "pkeyutl",
                    "-sign",
                    "-rawin",
                    "-inkey",
                    "key.pem",
                    "-in",
                    "bag/tagmanifest-sha256.txt",
                    "-out",
                    "bag.sig",
                ],
                &stock,
            )
            + timed("sync", &["bag.zip"], &stock);
        let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
        let mut sums = vec!["-b"];
        sums.extend(names.iter().map(String::as_str));
        let coreutils = timed("sha256sum", &sums, &stock) + timed("sha512sum", &sums, &stock);
        let ratio = by_hand.as_secs_f64() / took.as_secs_f64();
        let sums_ratio = took.as_secs_f64() / coreutils.as_secs_f64();
        println!(
            "by hand {}, sha256sum+sha512sum {}",
            secs(by_hand),
            secs(coreutils)
        );
        if wanted("seal") {
            rows.push(row(
                &format!("sealing a {} GiB production (200 files, mixed sizes), bundle fsync'd", total / GIB),
                secs(took),
                format!("`bagit.py --sha256 --sha512` + `zip -0 -r` + `openssl pkeyutl -sign -rawin` + `sync`: {}", secs(by_hand)),
                format!("{ratio:.1}x faster"),
                "≥ 2x faster",
                Some(ratio >= 2.0),
            ));
            rows.push(row(
                "the same seal",
                secs(took),
                format!(
                    "`sha256sum` + `sha512sum` of the same files: {}",
                    secs(coreutils)
                ),
                format!("{sums_ratio:.2}"),
                "< 1.0",
                Some(sums_ratio < 1.0),
            ));
            rows.push(row(
                &format!(
                    "seal peak memory, whole server process, {} GiB",
                    total / GIB
                ),
                format!("{} MiB", peak / MIB),
                "—".into(),
                "—".into(),
                "< 64 MiB",
                Some(peak < 64 * MIB),
            ));
        }

        if wanted("verify") {
            let bundle = work.join("bundle.zip");
            download(&server, &case, &bundle).await;
            let writ_bin = env!("CARGO_BIN_EXE_writ");
            let keys = work.join("signing-keys.json");
            let published = reqwest::get(server.url("/.well-known/writ/signing-keys.json"))
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            std::fs::write(&keys, published).unwrap();
            let ours = timed(
                writ_bin,
                &[
                    "verify",
                    bundle.to_str().unwrap(),
                    "--keys",
                    keys.to_str().unwrap(),
                ],
                &work,
            );
            let unz = work.join("unzipped");
            let root = format!("{}-1", case.reference);
            let theirs = timed(
                "unzip",
                &["-q", bundle.to_str().unwrap(), "-d", unz.to_str().unwrap()],
                &work,
            ) + timed(bagit.to_str().unwrap(), &["--validate", &root], &unz)
                + timed(
                    "openssl",
                    &[
                        "pkeyutl",
                        "-verify",
                        "-pubin",
                        "-inkey",
                        &format!("{root}.pub.pem"),
                        "-rawin",
                        "-in",
                        &format!("{root}/tagmanifest-sha256.txt"),
                        "-sigfile",
                        &format!("{root}.sig"),
                    ],
                    &unz,
                );
            let ratio = theirs.as_secs_f64() / ours.as_secs_f64();
            println!(
                "writ verify {}, unzip + bagit.py --validate + openssl {}",
                secs(ours),
                secs(theirs)
            );
            rows.push(row(
                &format!(
                    "`writ verify BUNDLE.zip`, {} GiB (reads the ZIP directly)",
                    total / GIB
                ),
                secs(ours),
                format!(
                    "`unzip` + `bagit.py --validate` + `openssl pkeyutl -verify`: {}",
                    secs(theirs)
                ),
                format!("{ratio:.1}x faster"),
                "≥ 4x faster",
                Some(ratio >= 4.0),
            ));
            std::fs::remove_dir_all(&unz).unwrap();
            std::fs::remove_file(&bundle).unwrap();
        }
        std::fs::remove_dir_all(&stock).unwrap();
        std::fs::remove_dir_all(work.join("production")).unwrap();
    }

    // The seal's memory at a larger size: it must not grow with the production.
    if wanted("memory") && big > 0 {
        let files = production(&work.join("big"), big, 8);
        let case = approved_case(&server, &legal, &officer_token).await;
        upload(&server, &case, &files, 8).await;
        std::fs::remove_dir_all(work.join("big")).unwrap();
        reset_peak(pid);
        let took = seal(&server, &case).await;
        let peak = peak_rss(pid);
        println!(
            "seal {} GiB: {}, server peak RSS {} MiB",
            big / GIB,
            secs(took),
            peak / MIB
        );
        rows.push(row(
            &format!("seal peak memory, whole server process, {} GiB", big / GIB),
            format!("{} MiB ({})", peak / MIB, secs(took)),
            "—".into(),
            "—".into(),
            "< 64 MiB",
            Some(peak < 64 * MIB),
        ));
    }
    rows
}

/// An S3 server for the bucket figures: `WRIT_BENCH_S3_ENDPOINT`, or moto started here (kept
/// running by the returned child until it is dropped).
fn s3_server() -> (String, Option<std::process::Child>) {
    if let Ok(endpoint) = std::env::var("WRIT_BENCH_S3_ENDPOINT") {
        return (endpoint, None);
    }
    let venv = tools().parent().unwrap().to_owned();
    let moto = venv.join("moto_server");
    if !moto.exists() {
        let status = Command::new(venv.join("pip"))
            .args(["install", "-q", "moto[server]"])
            .status()
            .expect("pip");
        assert!(status.success(), "pip install moto[server]");
    }
    let port = common::live::free_port();
    let child = Command::new(moto)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("moto_server");
    common::live::wait_for(Duration::from_secs(30), "moto", || {
        std::net::TcpStream::connect(("127.0.0.1", port)).ok()
    });
    (format!("http://127.0.0.1:{port}"), Some(child))
}

/// Upload, seal, download and `writ verify` with the files in a bucket (the server as on one of
/// several machines): time and the server's peak memory. The S3 server runs on the same two
/// cores.
async fn bundles_in_a_bucket() -> Vec<Row> {
    let (endpoint, _moto) = s3_server();
    std::env::set_var("WRIT_TEST_S3_ENDPOINT", &endpoint);
    let total = env_num("WRIT_BENCH_GIB", 1) * GIB;
    let site = Site::apart();
    let server = Server::start(&site, &[("WRIT_SUBMISSIONS_PER_HOUR", "100000")]);
    let pid = server.pid();
    let work = site.dir.path().join("work");
    let officer_token = officer(&site, &server, "j.doe@fbi.gov").await;
    let legal = staff_token(&server, &site.staff("lee@writ.example", "legal")).await;
    let mut rows = Vec::new();

    let files = production(&work.join("production"), total, 200);
    let case = approved_case(&server, &legal, &officer_token).await;
    reset_peak(pid);
    let started = Instant::now();
    upload(&server, &case, &files, 20).await;
    let uploaded = started.elapsed();
    let upload_peak = peak_rss(pid);
    std::fs::remove_dir_all(work.join("production")).unwrap();
    reset_peak(pid);
    let sealed = seal(&server, &case).await;
    let seal_peak = peak_rss(pid);
    let bundle = work.join("bundle.zip");
    reset_peak(pid);
    let started = Instant::now();
    download(&server, &case, &bundle).await;
    let downloaded = started.elapsed();
    let download_peak = peak_rss(pid);
    let keys = work.join("signing-keys.json");
    let published = reqwest::get(server.url("/.well-known/writ/signing-keys.json"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    std::fs::write(&keys, published).unwrap();
    let verified = timed(
        env!("CARGO_BIN_EXE_writ"),
        &[
            "verify",
            bundle.to_str().unwrap(),
            "--keys",
            keys.to_str().unwrap(),
        ],
        &work,
    );
    let mb = |d: Duration| total as f64 / d.as_secs_f64() / 1e6;
    println!(
        "S3 ({endpoint}): upload {} GiB in 200 files {} ({:.0} MB/s, peak {} MiB); seal {} (peak {} MiB); \
         download {} (peak {} MiB); writ verify {}",
        total / GIB,
        secs(uploaded),
        mb(uploaded),
        upload_peak / MIB,
        secs(sealed),
        seal_peak / MIB,
        secs(downloaded),
        download_peak / MIB,
        secs(verified)
    );
    rows.push(row(
        &format!(
            "S3 bucket (moto): uploading a {} GiB production, 200 files, to the bucket",
            total / GIB
        ),
        format!(
            "{} = {:.0} MB/s; server peak {} MiB",
            secs(uploaded),
            mb(uploaded),
            upload_peak / MIB
        ),
        "—".into(),
        "—".into(),
        "memory flat, < 64 MiB",
        Some(upload_peak < 64 * MIB),
    ));
    rows.push(row(
        "S3 bucket: sealing it (ranged reads in, multipart upload out)",
        format!("{}; server peak {} MiB", secs(sealed), seal_peak / MIB),
        "—".into(),
        "—".into(),
        "memory flat, < 64 MiB",
        Some(seal_peak < 64 * MIB),
    ));
    rows.push(row(
        "S3 bucket: the requester's download of the bundle, then `writ verify`",
        format!(
            "{} ({:.0} MB/s; server peak {} MiB) + {}",
            secs(downloaded),
            mb(downloaded),
            download_peak / MIB,
            secs(verified)
        ),
        "—".into(),
        "—".into(),
        "memory flat, < 64 MiB",
        Some(download_peak < 64 * MIB),
    ));
    rows
}

/// Signs a member of staff in through the sign-in form; the client keeps the session cookie.
async fn staff_pages(server: &Server, account: &StaffAccount) -> reqwest::Client {
    let client = browser();
    let page = client
        .get(server.url("/staff"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_of(&page);
    // The API sign-in used this step's code; a code is good once, so take the next step's.
    let code = account.code(1);
    let response = client
        .post(server.url("/staff/sign-in"))
        .form(&[
            ("email", account.email.as_str()),
            ("password", &account.password),
            ("code", &code),
            ("csrf", &csrf),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    client
}

/// The legal queue with `WRIT_BENCH_CASES` cases: API and page, sorted by due date, filtered.
async fn queue(backend: &str, postgres: Option<&str>) -> Vec<Row> {
    let cases = env_num("WRIT_BENCH_CASES", 100_000) as usize;
    let site = Site::on(postgres);
    let server = Server::start(&site, &[]);
    let account = site.staff("lee@writ.example", "legal");
    let token = staff_token(&server, &account).await;
    let pages = staff_pages(&server, &account).await;
    let started = Instant::now();
    let db = writ::db::Db::connect(&site.url, 2).unwrap();
    seed_cases(&db, cases);
    println!(
        "{backend}: seeded {cases} cases in {}",
        secs(started.elapsed())
    );
    let api = browser();
    let probes = [
        ("API, open cases by due date", "/api/v1/staff/cases", true),
        (
            "API, state = in_review",
            "/api/v1/staff/cases?state=in_review",
            true,
        ),
        ("API, overdue", "/api/v1/staff/cases?overdue=true", true),
        ("API, page 20", "/api/v1/staff/cases?page=20", true),
        ("page, open cases by due date", "/staff/queue", false),
        (
            "page, state = legal_queue",
            "/staff/queue?state=legal_queue",
            false,
        ),
        (
            "page, type = disclosure",
            "/staff/queue?type=disclosure",
            false,
        ),
        (
            "page, newest filed first",
            "/staff/queue?sort=-filed",
            false,
        ),
        (
            "API, search: reference, any state",
            "/api/v1/staff/cases?q=le-2025-042424",
            true,
        ),
        (
            "API, search: target",
            "/api/v1/staff/cases?q=USER4242@example.com",
            true,
        ),
        (
            "API, search: requester, every case",
            "/api/v1/staff/cases?q=bench@fbi",
            true,
        ),
        (
            "API, search: nothing found",
            "/api/v1/staff/cases?q=nothing-here",
            true,
        ),
    ];
    let mut all = Vec::new();
    let mut worst = ("", Duration::ZERO);
    for (name, path, is_api) in probes {
        let mut times = Vec::new();
        for _ in 0..40 {
            let started = Instant::now();
            let request = if is_api {
                api.get(server.url(path)).bearer_auth(&token)
            } else {
                pages.get(server.url(path))
            };
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            response.bytes().await.unwrap();
            times.push(started.elapsed());
        }
        times.sort();
        let p95 = percentile(&times, 0.95);
        println!(
            "{backend} {name:<36} p50 {:>8}  p95 {:>8}",
            ms(percentile(&times, 0.5)),
            ms(p95)
        );
        if p95 > worst.1 {
            worst = (name, p95);
        }
        all.extend(times);
    }
    all.sort();
    let p95 = percentile(&all, 0.95);
    vec![row(
        &format!("legal queue, API and HTML page, {cases} cases, filtered and sorted by due date ({backend})"),
        format!("p95 {} (slowest probe: {} p95 {})", ms(p95), worst.0, ms(worst.1)),
        "—".into(),
        "—".into(),
        "p95 < 25 ms",
        Some(worst.1 < Duration::from_millis(25)),
    )]
}

/// Cases in every state, one target each, due dates spread around now.
fn seed_cases(db: &writ::db::Db, cases: usize) {
    use writ::db::models::case::{NewCase, TargetRow};
    use writ::db::models::new_id;
    use writ::db::schema::requesters;
    use writ::domain::clock;
    use writ::domain::vocab::{CaseState, InstrumentKind, RequestType, Track};
    const STATES: &[CaseState] = &[
        CaseState::LegalQueue,
        CaseState::InReview,
        CaseState::NeedsInfo,
        CaseState::Approved,
        CaseState::Closed,
        CaseState::Rejected,
        CaseState::Fulfilled,
    ];
    let mut conn = db.get().unwrap();
    let now = clock::now();
    let requester = new_id();
    diesel::insert_into(requesters::table)
        .values((
            requesters::id.eq(&requester),
            requesters::track.eq("agency"),
            requesters::email.eq("bench@fbi.gov"),
            requesters::country.eq("US"),
            requesters::created_at.eq(now),
        ))
        .execute(&mut *conn)
        .unwrap();
    for chunk in 0..cases.div_ceil(5_000) {
        writ::db::write_tx(&mut conn, |conn| {
            for i in chunk * 5_000..((chunk + 1) * 5_000).min(cases) {
                let id = new_id();
                let kind = if i % 50 == 0 {
                    RequestType::EmergencyDisclosure
                } else {
                    RequestType::Disclosure
                };
                NewCase {
                    id: id.clone(),
                    reference: format!("LE-2025-{:06}", i + 1),
                    track: Track::Agency,
                    request_type: kind,
                    state: STATES[i % STATES.len()],
                    requester_id: requester.clone(),
                    instrument_kind: InstrumentKind::Subpoena,
                    instrument_reference: format!("GJ-{i}"),
                    issuing_authority: "Grand jury".into(),
                    issued_on: None,
                    expires_on: None,
                    data_categories: "[\"subscriber_info\"]".into(),
                    records_from: None,
                    records_to: None,
                    ndo_present: i % 7 == 0,
                    ndo_until: None,
                    requested_deadline: None,
                    summary: "Benchmark case".into(),
                    emergency_details: None,
                    freeze_details: None,
                    court_details: None,
                    agency_domain: Some("fbi.gov".into()),
                    authority_established: true,
                    authority_checks: "[]".into(),
                    due_at: now + TimeDelta::minutes((i as i64 % 86_400) - 20_000),
                    created_at: now - TimeDelta::minutes(i as i64),
                    updated_at: now,
                    signer_mfa: "totp".into(),
                    fraud_signals: "[]".into(),
                    validated_by: None,
                    legal_entity: None,
                    legal_entity_name: None,
                    enforcing_notified: false,
                    objection_until: None,
                }
                .insert(conn)?;
                TargetRow::insert_all(
                    conn,
                    &[TargetRow {
                        id: new_id(),
                        case_id: id,
                        position: 0,
                        kind: "email".into(),
                        value: format!("user{i}@example.com"),
                        chain: None,
                        role: "suspect".into(),
                    }],
                )?;
            }
            Ok::<_, writ::error::AppError>(())
        })
        .unwrap();
    }
}

/// `clients` clients sending `send` in a loop for `seconds`; returns (latencies, errors).
async fn load<F, Fut>(clients: usize, seconds: u64, send: F) -> (Vec<Duration>, usize)
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let send = Arc::new(send);
    let stop = Arc::new(AtomicBool::new(false));
    let results = Arc::new(Mutex::new((Vec::new(), 0usize)));
    let tasks: Vec<_> = (0..clients)
        .map(|c| {
            let (send, stop, results) = (send.clone(), stop.clone(), results.clone());
            rocket::tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    let started = Instant::now();
                    let ok = send(c).await;
                    let took = started.elapsed();
                    let mut r = results.lock().unwrap();
                    if ok {
                        r.0.push(took);
                    } else {
                        r.1 += 1;
                    }
                }
            })
        })
        .collect();
    rocket::tokio::time::sleep(Duration::from_secs(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        task.await.unwrap();
    }
    let (mut times, errors) = std::mem::take(&mut *results.lock().unwrap());
    times.sort();
    (times, errors)
}

/// 32 clients filing requests with a 1 MiB PDF for `WRIT_BENCH_SECONDS`, against `GET /health`.
async fn submissions(backend: &str, postgres: Option<&str>) -> Vec<Row> {
    let seconds = env_num("WRIT_BENCH_SECONDS", 60);
    let site = Site::on(postgres);
    let server = Server::start(&site, &[("WRIT_SUBMISSIONS_PER_HOUR", "1000000")]);
    // Sixteen officers (sign-in codes are limited per network), two clients each.
    let mut tokens = Vec::new();
    for i in 0..16 {
        tokens.push(officer(&site, &server, &format!("agent{i}@fbi.gov")).await);
    }
    let mut pdf = PDF.to_vec();
    pdf.resize(MIB as usize, b' ');
    let pdf: Arc<[u8]> = pdf.into();
    let request = subpoena_request();
    let filed = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let (client, base) = (browser(), server.base());
    let tokens = Arc::new(tokens);
    let (times, errors) = {
        let (client, base, tokens) = (client.clone(), base.clone(), tokens.clone());
        load(32, seconds, move |c| {
            // Each request its own instrument reference, as real ones are.
            let mut request = request.clone();
            let n = filed.fetch_add(1, Ordering::Relaxed);
            request["instrument"]["reference"] = json!(format!("GJ-2026-{n:06}"));
            let request = request.to_string();
            let (client, base, token, pdf) = (
                client.clone(),
                base.clone(),
                tokens[c % 16].clone(),
                pdf.clone(),
            );
            async move {
                let form = reqwest::multipart::Form::new()
                    .text("request", request)
                    .part(
                        "documents",
                        reqwest::multipart::Part::bytes(pdf.to_vec())
                            .file_name("subpoena.pdf")
                            .mime_str("application/pdf")
                            .unwrap(),
                    );
                let answer = client
                    .post(format!("{base}/api/v1/requests"))
                    .bearer_auth(token)
                    .multipart(form)
                    .send()
                    .await;
                matches!(answer, Ok(r) if r.status() == StatusCode::CREATED)
            }
        })
        .await
    };
    let rate = times.len() as f64 / seconds as f64;
    let (health, health_errors) = {
        let (client, base) = (client.clone(), base.clone());
        load(32, seconds.min(20), move |_| {
            let (client, base) = (client.clone(), base.clone());
            async move { matches!(client.get(format!("{base}/health")).send().await, Ok(r) if r.status() == StatusCode::OK) }
        })
        .await
    };
    let health_rate = health.len() as f64 / seconds.min(20) as f64;
    let (p50, p99) = (percentile(&times, 0.5), percentile(&times, 0.99));
    println!(
        "{backend}: {} submissions in {seconds} s = {rate:.0}/s, p50 {}, p99 {}, {errors} errors; /health {health_rate:.0}/s p99 {} ({health_errors} errors)",
        times.len(),
        ms(p50),
        ms(p99),
        ms(percentile(&health, 0.99))
    );
    vec![row(
        &format!("submissions with a 1 MiB PDF, 32 concurrent clients, {seconds} s ({backend})"),
        format!(
            "{rate:.0}/s, p50 {}, p99 {}, {errors} errors",
            ms(p50),
            ms(p99)
        ),
        format!(
            "`GET /health`, same server: {health_rate:.0}/s, p99 {}",
            ms(percentile(&health, 0.99))
        ),
        format!("{:.3}", rate / health_rate),
        "0 errors; ≥ 100/s; p99 < 500 ms",
        Some(errors == 0 && rate >= 100.0 && p99 < Duration::from_millis(500)),
    )]
}

/// `writ audit verify` over `WRIT_BENCH_EVENTS` events.
fn audit(backend: &str, postgres: Option<&str>) -> Row {
    use writ::db::models::audit::AuditEvent;
    use writ::db::schema::audit_head;
    let events = env_num("WRIT_BENCH_EVENTS", 1_000_000) as i64;
    let site = Site::on(postgres);
    let (ok, out) = site.writ(&["migrate"]);
    assert!(ok, "{out}");
    let db = writ::db::Db::connect(&site.url, 1).unwrap();
    let mut conn = db.get().unwrap();
    let started = Instant::now();
    let (mut seq, mut prev) = writ::db::models::audit::head(&mut conn).unwrap();
    let at = writ::domain::clock::now();
    while seq < events {
        let batch: Vec<AuditEvent> = (0..1000.min(events - seq))
            .map(|_| {
                seq += 1;
                let mut event = AuditEvent {
                    seq,
                    at,
                    actor: "staff:0a1b2c3d-4e5f-6789-abcd-ef0123456789".into(),
                    case_id: Some(format!("case-{}", seq % 5000)),
                    action: "case.transition".into(),
                    details:
                        json!({ "from": "in_review", "to": "approved", "reason": "In scope." })
                            .to_string(),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                event.hash = writ::audit::chain_hash(&event.prev_hash, &event);
                prev = event.hash.clone();
                event
            })
            .collect();
        // One multi-row INSERT a batch (Diesel's batch insert is not offered through the
        // two-backend connection); every value is ours and free of quotes.
        let values: Vec<String> = batch
            .iter()
            .map(|e| {
                format!(
                    "({}, '{}', '{}', '{}', '{}', '{}', '{}', '{}')",
                    e.seq,
                    e.at.format("%Y-%m-%d %H:%M:%S%.6f"),
                    e.actor,
                    e.case_id.as_deref().unwrap_or_default(),
                    e.action,
                    e.details,
                    e.prev_hash,
                    e.hash
                )
            })
            .collect();
        writ::db::write_tx(&mut conn, |conn| {
            diesel::sql_query(format!(
                "INSERT INTO audit_events (seq, at, actor, case_id, action, details, prev_hash, hash) \
                 VALUES {}",
                values.join(", ")
            ))
            .execute(conn)?;
            diesel::update(audit_head::table.find(1))
                .set((audit_head::seq.eq(seq), audit_head::hash.eq(&prev)))
                .execute(conn)?;
            Ok::<_, writ::error::AppError>(())
        })
        .unwrap();
    }
    drop(conn);
    println!(
        "{backend}: wrote {events} audit events in {}",
        secs(started.elapsed())
    );
    let started = Instant::now();
    let (ok, out) = site.writ(&["audit", "verify"]);
    let took = started.elapsed();
    assert!(ok, "{out}");
    println!(
        "{backend}: writ audit verify {}: {}",
        secs(took),
        out.trim()
    );
    row(
        &format!("`writ audit verify` over {events} events ({backend})"),
        secs(took),
        "—".into(),
        "—".into(),
        "< 3 s",
        Some(took < Duration::from_secs(3)),
    )
}
