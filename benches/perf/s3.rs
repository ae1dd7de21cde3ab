//! The upload, the seal and the bundle's download and check with the files in an S3 bucket.

use super::*;

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
pub(crate) async fn bundles_in_a_bucket() -> Vec<Row> {
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
