//! The limit under every seal and verification: SHA-256 and SHA-512 against `openssl dgst`.

use super::*;

/// The limit under every seal and verification: ring's SHA-256 and SHA-512 on one core, against
/// `openssl dgst` on the same 256 MiB (from the page cache), and whether the CPU has SHA-NI.
pub(crate) fn hashing() -> Vec<Row> {
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
