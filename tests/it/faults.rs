//! Faults a running portal meets: the mail server goes away, the process is killed with `kill -9`
//! while requests arrive and while a bundle is sealed. Nothing acknowledged is lost, nothing is
//! half-kept, nothing is sent twice, and the audit chain stays whole.

use crate::common;
use crate::common::tools::needs;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::live::{
    browser, count_in, free_port, get_json, officer, receipts, site_mail, staff_token, submit,
    transition, wait_for, Server, Site, SmtpServer,
};
use common::subpoena_request;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn request(i: usize) -> Value {
    let mut request = subpoena_request();
    request["instrument"]["reference"] = json!(format!("GJ-2026-{i:04}"));
    request
}

/// Blocks the async test until `probe` holds (polled off the runtime's threads).
async fn until<T: Send + 'static>(
    limit: Duration,
    what: &'static str,
    probe: impl FnMut() -> Option<T> + Send + 'static,
) -> T {
    rocket::tokio::task::spawn_blocking(move || wait_for(limit, what, probe))
        .await
        .unwrap()
}

#[rocket::async_test]
async fn receipts_queued_while_smtp_is_down_arrive_once_each_when_it_returns() {
    needs!(Smtp);
    let site = Site::new();
    let port = free_port();
    let smtp = SmtpServer::start(port, &site.maildir());
    let smtp_url = format!("smtp://127.0.0.1:{port}");
    let server = Server::start(&site, &[("WRIT_SMTP_URL", &smtp_url)]);
    let officers = [
        officer(&site, &server, "a.one@fbi.gov").await,
        officer(&site, &server, "b.two@fbi.gov").await,
    ];

    drop(smtp);
    let client = browser();
    let mut references = Vec::new();
    for i in 0..50 {
        let (status, body) = submit(&client, &server.base(), &officers[i % 2], &request(i))
            .await
            .unwrap();
        assert_eq!(status, StatusCode::CREATED, "{body}");
        references.push(body["reference"].as_str().unwrap().to_owned());
    }
    // The worker has tried every receipt and failed: they wait in the outbox.
    let url = site.url.clone();
    until(Duration::from_secs(60), "50 failed attempts", move || {
        (count_in(&url, "outbox WHERE sent_at IS NULL AND attempts > 0") == 50).then_some(())
    })
    .await;
    assert!(receipts(&site.mailbox()).is_empty(), "nothing got through");

    let back = Instant::now();
    let _smtp = SmtpServer::start(port, &site.maildir());
    let dir = site.dir.path().to_owned();
    until(Duration::from_secs(120), "50 receipts", move || {
        (receipts(&site_mail(&dir)).len() == 50).then_some(())
    })
    .await;
    let drained = back.elapsed();
    rocket::tokio::time::sleep(Duration::from_secs(2)).await;
    let seen = receipts(&site.mailbox());
    for reference in &references {
        assert_eq!(seen.get(reference), Some(&1), "{reference}: one receipt");
    }
    assert_eq!(seen.len(), 50);
    assert_eq!(site.count("outbox WHERE sent_at IS NULL"), 0);
    println!(
        "SMTP outage: 50 submissions while down, 50 receipts once each {:.1} s after SMTP returned, \
         same process",
        drained.as_secs_f64()
    );
}

#[rocket::async_test]
async fn a_kill_during_submissions_loses_nothing_acknowledged_and_keeps_nothing_half_written() {
    let site = Site::new();
    let mut server = Server::start(&site, &[]);
    let officers = [
        officer(&site, &server, "a.one@fbi.gov").await,
        officer(&site, &server, "b.two@fbi.gov").await,
    ];

    // Four clients submit one request after another until the server is gone.
    let acknowledged: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let base = server.base();
    let streams: Vec<_> = (0..4)
        .map(|stream| {
            let (base, token, acknowledged) = (
                base.clone(),
                officers[stream % 2].clone(),
                acknowledged.clone(),
            );
            rocket::tokio::spawn(async move {
                let client = browser();
                for i in 0..14 {
                    match submit(&client, &base, &token, &request(stream * 100 + i)).await {
                        Ok((StatusCode::CREATED, body)) => acknowledged.lock().unwrap().push((
                            token.clone(),
                            body["reference"].as_str().unwrap().to_owned(),
                        )),
                        Ok((status, body)) => panic!("{status}: {body}"),
                        Err(_) => return,
                    }
                }
            })
        })
        .collect();
    let seen = acknowledged.clone();
    until(Duration::from_secs(60), "twenty acknowledged", move || {
        (seen.lock().unwrap().len() >= 20).then_some(())
    })
    .await;
    server.kill9();
    for stream in streams {
        stream.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();

    let server = Server::start(&site, &[]);
    let client = browser();
    for (token, reference) in &acknowledged {
        let (status, case) = get_json(
            &client,
            &server.url(&format!("/api/v1/requests/{reference}")),
            token,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{reference} survived");
        assert_eq!(case["documents"].as_array().unwrap().len(), 1, "{case}");
    }
    let cases = site.count("cases");
    assert!(cases >= acknowledged.len() as i64);
    assert_eq!(
        site.count("cases c WHERE NOT EXISTS (SELECT 1 FROM documents d WHERE d.case_id = c.id)"),
        0,
        "no case without its documents"
    );
    assert_eq!(
        site.count(
            "cases c WHERE NOT EXISTS (SELECT 1 FROM audit_events a \
             WHERE a.case_id = c.id AND a.action = 'request.submitted')"
        ),
        0,
        "every case has its audit event"
    );
    for id in site.ids("documents") {
        assert!(
            site.documents_dir().join(&id).is_file(),
            "document {id} has its file"
        );
    }
    let (ok, out) = site.writ(&["audit", "verify"]);
    assert!(ok, "{out}");
    // And the restarted server takes requests again.
    let (status, _) = submit(&client, &server.base(), &acknowledged[0].0, &request(999))
        .await
        .unwrap();
    assert_eq!(status, StatusCode::CREATED);
    println!(
        "kill -9 during submissions: {} acknowledged, {} cases after restart, all complete; {}",
        acknowledged.len(),
        cases,
        out.trim()
    );
}

#[rocket::async_test]
async fn a_kill_during_a_seal_lists_no_bundle_and_the_next_seal_verifies() {
    let site = Site::new();
    let mut server = Server::start(&site, &[]);
    let officer_token = officer(&site, &server, "j.doe@fbi.gov").await;
    let client = browser();
    let (_, filed) = submit(&client, &server.base(), &officer_token, &request(1))
        .await
        .unwrap();
    let reference = filed["reference"].as_str().unwrap().to_owned();
    let legal = staff_token(&server, &site.staff("lee@writ.example", "legal")).await;
    for to in ["in_review", "approved"] {
        transition(&server, &legal, &reference, to).await;
    }
    // 96 MiB of records: sealing takes long enough to be interrupted.
    let records: Vec<u8> = (0..96u32 << 20)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let form = reqwest::multipart::Form::new()
        .text("category", "records")
        .part(
            "files",
            reqwest::multipart::Part::bytes(records).file_name("ledger.bin"),
        );
    let response = client
        .post(server.url(&format!("/api/v1/staff/cases/{reference}/production")))
        .bearer_auth(&legal)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);

    let incoming = site.documents_dir().join("incoming");
    let seal_url = server.url(&format!("/api/v1/staff/cases/{reference}/bundles"));
    let sealing = {
        let (client, legal) = (client.clone(), legal.clone());
        rocket::tokio::spawn(async move { client.post(seal_url).bearer_auth(legal).send().await })
    };
    // The seal writes its ZIP under incoming/ first: kill the server once that file exists.
    rocket::tokio::task::spawn_blocking(move || {
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::fs::read_dir(&incoming).unwrap().next().is_none() {
            assert!(Instant::now() < deadline, "the seal never started");
            std::thread::sleep(Duration::from_millis(2));
        }
    })
    .await
    .unwrap();
    server.kill9();
    assert!(
        sealing.await.unwrap().is_err(),
        "the seal was cut off, not finished"
    );

    let server = Server::start(&site, &[]);
    assert_eq!(site.count("bundles"), 0, "no bundle is listed");
    let (_, case) = get_json(
        &client,
        &server.url(&format!("/api/v1/staff/cases/{reference}")),
        &legal,
    )
    .await;
    assert_eq!(
        case["state"], "approved",
        "the case is not fulfilled: {case}"
    );
    let (ok, out) = site.writ(&["audit", "verify"]);
    assert!(ok, "{out}");

    let answer = client
        .post(server.url(&format!("/api/v1/staff/cases/{reference}/bundles")))
        .bearer_auth(&legal)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::CREATED);
    let bundle = client
        .get(server.url(&format!("/api/v1/requests/{reference}/bundles/1")))
        .bearer_auth(&officer_token)
        .send()
        .await
        .unwrap();
    assert_eq!(bundle.status(), StatusCode::OK);
    let path = site.dir.path().join("bundle.zip");
    std::fs::write(&path, bundle.bytes().await.unwrap()).unwrap();
    let keys = server.url("/.well-known/writ/signing-keys.json");
    let (ok, out) = site.writ(&["verify", path.to_str().unwrap(), "--keys", &keys]);
    assert!(ok, "writ verify: {out}");
    let (ok, out) = site.writ(&["audit", "verify"]);
    assert!(ok, "{out}");
    println!("kill -9 during a seal: nothing listed after restart; the next seal verifies");
}
