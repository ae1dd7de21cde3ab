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

#[path = "../../tests/it/common/mod.rs"]
#[allow(unused_imports)]
mod common;

mod audit;
mod bundles;
mod hashing;
mod queue;
mod s3;
mod startup;
mod submissions;

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
        rows.extend(hashing::hashing());
    }
    if wanted("startup") {
        rows.push(startup::startup());
    }
    if ["seal", "verify", "upload", "memory"]
        .iter()
        .any(|p| wanted(p))
    {
        rows.extend(runtime.block_on(bundles::bundles()));
    }
    if wanted("s3") {
        rows.extend(runtime.block_on(s3::bundles_in_a_bucket()));
    }
    for (name, url) in &backends {
        if wanted("queue") {
            rows.extend(runtime.block_on(queue::queue(name, url.as_deref())));
        }
        if wanted("submissions") {
            rows.extend(runtime.block_on(submissions::submissions(name, url.as_deref())));
        }
        if wanted("audit") {
            rows.push(audit::audit(name, url.as_deref()));
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
