//! Stored files in an S3-compatible bucket (`WRIT_STORAGE_URL=s3://…`), as two instances on two
//! machines run: one database, one bucket, no shared directory. The bucket is a real S3 server
//! (moto, started by `bash .ci/run`), looked at as its owner would: by listing it.

use crate::common;
use crate::common::tools::needs;

use std::time::{Duration, Instant};

use common::live::{
    browser, csrf_from, get_json, officer, staff_token, submit, transition, Server, Site,
    BUCKET_PREFIX,
};
use common::{subpoena_request, PDF};
use reqwest::StatusCode;
use serde_json::Value;

/// Bytes no compressor or cipher would give back by chance: a production's content.
fn records(size: usize) -> Vec<u8> {
    (0..size as u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect()
}

async fn produce(server: &Server, token: &str, reference: &str, bytes: Vec<u8>) -> StatusCode {
    let form = reqwest::multipart::Form::new()
        .text("category", "records")
        .part(
            "files",
            reqwest::multipart::Part::bytes(bytes).file_name("ledger.bin"),
        );
    browser()
        .post(server.url(&format!("/api/v1/staff/cases/{reference}/production")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap()
        .status()
}

/// Files under an instance's own data directory other than its staging folders' (empty).
fn stored_locally(site: &Site) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![site.dir.path().join("instances")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.to_string_lossy().contains("/documents/") {
                found.push(path.display().to_string());
            }
        }
    }
    found
}

#[rocket::async_test]
async fn two_instances_sharing_only_the_database_and_a_bucket_serve_each_others_files() {
    needs!(S3);
    let site = Site::apart();
    let a = Server::start(&site, &[]);
    let b = Server::start(&site, &[]);
    let client = browser();

    // Filed on A, with its PDF.
    let officer_token = officer(&site, &a, "j.doe@fbi.gov").await;
    let (status, filed) = submit(&client, &a.base(), &officer_token, &subpoena_request())
        .await
        .unwrap();
    assert_eq!(status, StatusCode::CREATED, "{filed}");
    let reference = filed["reference"].as_str().unwrap().to_owned();

    // B's legal reviewer reads the document A received, byte for byte.
    let legal = staff_token(&b, &site.staff("lee@writ.example", "legal")).await;
    let (_, case) = get_json(
        &client,
        &b.url(&format!("/api/v1/staff/cases/{reference}")),
        &legal,
    )
    .await;
    let document_id = case["documents"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("the case lists its document: {case}"))
        .to_owned();
    // A legal colleague signs in to B's pages, where documents are read.
    let colleague = site.staff("lea@writ.example", "legal");
    let pages = browser();
    let csrf = csrf_from(&pages, &b.url("/staff")).await;
    let signed_in = pages
        .post(b.url("/staff/sign-in"))
        .form(&[
            ("email", colleague.email.as_str()),
            ("password", colleague.password.as_str()),
            ("code", colleague.code(0).as_str()),
            ("csrf", csrf.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        signed_in.status(),
        StatusCode::SEE_OTHER,
        "the colleague signs in"
    );
    let document = pages
        .get(b.url(&format!("/staff/cases/{reference}/documents/{document_id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(document.status(), StatusCode::OK);
    assert_eq!(document.bytes().await.unwrap().as_ref(), PDF);

    // Approved on B, 20 MiB produced on B (a multipart upload), sealed on A.
    for to in ["in_review", "approved"] {
        transition(&b, &legal, &reference, to).await;
    }
    let produced = records(20 << 20);
    assert_eq!(
        produce(&b, &legal, &reference, produced.clone()).await,
        StatusCode::CREATED
    );
    let sealed = client
        .post(a.url(&format!("/api/v1/staff/cases/{reference}/bundles")))
        .bearer_auth(&legal)
        .send()
        .await
        .unwrap();
    assert_eq!(sealed.status(), StatusCode::CREATED);

    // The officer downloads it from B, and it verifies with the keys A publishes.
    let bundle = client
        .get(b.url(&format!("/api/v1/requests/{reference}/bundles/1")))
        .bearer_auth(&officer_token)
        .send()
        .await
        .unwrap();
    assert_eq!(bundle.status(), StatusCode::OK);
    let bundle = bundle.bytes().await.unwrap();
    let path = site.dir.path().join("bundle.zip");
    std::fs::write(&path, &bundle).unwrap();
    let keys = a.url("/.well-known/writ/signing-keys.json");
    let (ok, out) = site.writ(&["verify", path.to_str().unwrap(), "--keys", &keys]);
    assert!(ok, "writ verify: {out}");

    // The bucket holds the document, the production and the bundle, under their ids, and only
    // ciphertext; neither instance keeps a stored file of its own.
    let mut keys = site.stored_keys();
    keys.sort();
    assert_eq!(keys.len(), 3, "document, production, bundle: {keys:?}");
    assert!(keys.contains(&document_id), "{keys:?}");
    for id in site.ids("productions") {
        assert!(keys.contains(&id), "production {id} in {keys:?}");
    }
    let bucket = site.bucket.as_ref().unwrap();
    for key in &keys {
        let object = bucket.object(&format!("{BUCKET_PREFIX}/{key}"));
        for plain in [PDF, &produced[1 << 20..(1 << 20) + 64], &bundle[..64]] {
            assert!(
                !object.windows(plain.len()).any(|w| w == plain),
                "{key} holds plaintext"
            );
        }
    }
    assert!(
        stored_locally(&site).is_empty(),
        "instances keep nothing: {:?}",
        stored_locally(&site)
    );
    assert!(
        bucket.uploads_in_progress().is_empty(),
        "no upload left open"
    );
}

#[rocket::async_test]
async fn a_kill_while_a_production_goes_to_the_bucket_lists_no_half_object() {
    needs!(S3);
    let site = Site::apart();
    let mut server = Server::start(&site, &[]);
    let client = browser();
    let officer_token = officer(&site, &server, "j.doe@fbi.gov").await;
    let (_, filed) = submit(&client, &server.base(), &officer_token, &subpoena_request())
        .await
        .unwrap();
    let reference = filed["reference"].as_str().unwrap().to_owned();
    let legal = staff_token(&server, &site.staff("lee@writ.example", "legal")).await;
    for to in ["in_review", "approved"] {
        transition(&server, &legal, &reference, to).await;
    }
    let before = site.stored_keys();

    // 256 MiB: received and encrypted on the instance, then sent to the bucket part by part.
    let producing = {
        let (server_url, legal, reference) = (server.base(), legal.clone(), reference.clone());
        rocket::tokio::spawn(async move {
            let form = reqwest::multipart::Form::new()
                .text("category", "records")
                .part(
                    "files",
                    reqwest::multipart::Part::bytes(records(256 << 20)).file_name("ledger.bin"),
                );
            browser()
                .post(format!(
                    "{server_url}/api/v1/staff/cases/{reference}/production"
                ))
                .bearer_auth(legal)
                .multipart(form)
                .send()
                .await
        })
    };
    // Killed once the bucket has its multipart upload open, before it is complete.
    let bucket_endpoint = site.bucket.as_ref().unwrap().endpoint.clone();
    let bucket_name = site.bucket.as_ref().unwrap().name.clone();
    rocket::tokio::task::spawn_blocking(move || {
        let bucket = common::live::Bucket {
            endpoint: bucket_endpoint,
            name: bucket_name,
        };
        let deadline = Instant::now() + Duration::from_secs(120);
        while bucket.uploads_in_progress().is_empty() {
            assert!(
                Instant::now() < deadline,
                "the upload never reached the bucket"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    })
    .await
    .unwrap();
    server.kill9();
    assert!(
        producing.await.unwrap().is_err(),
        "the upload was cut off, not acknowledged"
    );

    let bucket = site.bucket.as_ref().unwrap();
    assert_eq!(
        site.stored_keys(),
        before,
        "no half-written object is listed"
    );
    assert_eq!(
        bucket.uploads_in_progress().len(),
        1,
        "only the abandoned multipart upload, for the bucket's lifecycle rule"
    );
    assert_eq!(site.count("productions"), 0, "no production is recorded");

    // Restarted, the same production goes in whole and seals.
    let server = Server::start(&site, &[]);
    assert_eq!(
        produce(&server, &legal, &reference, records(12 << 20)).await,
        StatusCode::CREATED
    );
    let sealed = client
        .post(server.url(&format!("/api/v1/staff/cases/{reference}/bundles")))
        .bearer_auth(&legal)
        .send()
        .await
        .unwrap();
    assert_eq!(sealed.status(), StatusCode::CREATED);
    let sealed: Value = sealed.json().await.unwrap();
    assert_eq!(site.stored_keys().len(), before.len() + 2, "{sealed}");
    let (ok, out) = site.writ(&["audit", "verify"]);
    assert!(ok, "{out}");
}
