//! Seal, verify, upload and memory: a production of `WRIT_BENCH_GIB` on the local disk.

use super::*;

pub(crate) async fn bundles() -> Vec<Row> {
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
