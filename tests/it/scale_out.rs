//! Several `writ serve` instances on one database, as DESIGN §11 runs them behind a load balancer:
//! sessions and rate limits hold across instances, and every receipt leaves exactly once however
//! many workers share the outbox. Runs on PostgreSQL in CI's second pass (the deployment the
//! design names) and on a shared SQLite file in the first; each test runs twice, once with the
//! instances sharing a data directory and once apart, sharing only the database and an S3 bucket
//! (as on two machines; on SQLite the database file is then the one thing they share).

use crate::common;
use crate::common::tools::needs;

use std::time::{Duration, Instant};

use common::live::{
    browser, get_json, officer, page_sign_in_across, post_json, receipts, submit, Server, Site,
};
use common::subpoena_request;
use reqwest::StatusCode;
use serde_json::json;

#[rocket::async_test]
async fn a_session_made_on_one_instance_holds_on_the_other_and_rate_limits_are_shared() {
    sessions_and_limits_hold_across(Site::new()).await;
}

#[rocket::async_test]
async fn sessions_and_limits_hold_across_instances_sharing_no_directory() {
    needs!(S3);
    sessions_and_limits_hold_across(Site::apart()).await;
}

async fn sessions_and_limits_hold_across(site: Site) {
    let a = Server::start(&site, &[]);
    let b = Server::start(&site, &[]);

    // An API token from a sign-in on A works on B.
    let token = officer(&site, &a, "j.doe@fbi.gov").await;
    let client = browser();
    let (status, _) = get_json(&client, &b.url("/api/v1/requests"), &token).await;
    assert_eq!(status, StatusCode::OK, "B accepts A's token");

    // A browser session: the code is asked for on A, entered on B, and the pages of both serve it.
    page_sign_in_across(&site, &a, &b, &client, "j.doe@fbi.gov").await;
    for server in [&a, &b] {
        let page = client
            .get(server.url("/agency/requests"))
            .send()
            .await
            .unwrap();
        assert_eq!(
            page.status(),
            StatusCode::OK,
            "signed in on {}",
            server.port
        );
        assert!(page.text().await.unwrap().contains("Sign out"));
    }

    // Five codes an address per quarter hour, counted in the database: alternate instances.
    let ask = |server: &Server| {
        let url = server.url("/api/v1/auth/email");
        let client = client.clone();
        async move {
            post_json(
                &client,
                &url,
                json!({ "email": "k.lane@fbi.gov", "track": "agency" }),
                None,
            )
            .await
            .0
        }
    };
    let mut answers = Vec::new();
    for i in 0..6 {
        answers.push(ask(if i % 2 == 0 { &a } else { &b }).await);
    }
    assert_eq!(answers[..5], [StatusCode::ACCEPTED; 5]);
    assert_eq!(
        answers[5],
        StatusCode::TOO_MANY_REQUESTS,
        "the sixth, on B, counts A's"
    );
    assert_eq!(ask(&a).await, StatusCode::TOO_MANY_REQUESTS);
}

#[rocket::async_test]
async fn two_hundred_concurrent_submissions_over_two_instances_get_one_receipt_each() {
    two_hundred_submissions_over_two(Site::new()).await;
}

#[rocket::async_test]
async fn two_hundred_submissions_over_two_instances_sharing_no_directory_get_one_receipt_each() {
    needs!(S3);
    two_hundred_submissions_over_two(Site::apart()).await;
}

async fn two_hundred_submissions_over_two(site: Site) {
    let a = Server::start(&site, &[]);
    let b = Server::start(&site, &[]);

    // Eight officers (a requester may file 30 requests an hour), 25 requests each.
    let mut officers = Vec::new();
    for i in 0..8 {
        let server = if i % 2 == 0 { &a } else { &b };
        officers.push(officer(&site, server, &format!("agent{i}@fbi.gov")).await);
    }
    let mails_before = site.mailbox().len();

    let started = Instant::now();
    let client = browser();
    let submissions = (0..200).map(|i| {
        let (client, token) = (client.clone(), officers[i % 8].clone());
        let server = if i % 2 == 0 { &a } else { &b };
        let mut request = subpoena_request();
        request["instrument"]["reference"] = json!(format!("GJ-2026-{i:04}"));
        async move { submit(&client, &server.base(), &token, &request).await }
    });
    let results = futures::future::join_all(submissions).await;
    let submitted_in = started.elapsed();
    let mut references = Vec::new();
    for result in results {
        let (status, body) = result.expect("every submission is answered");
        assert_eq!(status, StatusCode::CREATED, "{body}");
        references.push(body["reference"].as_str().unwrap().to_owned());
    }
    references.sort();
    references.dedup();
    assert_eq!(references.len(), 200, "200 distinct references");

    // Both workers drain the one outbox; every receipt arrives, and only once.
    let rocket_wait = rocket::tokio::task::spawn_blocking({
        let dir = site.dir.path().to_owned();
        move || {
            common::live::wait_for(Duration::from_secs(120), "200 receipts", || {
                let n = common::live::site_mail(&dir).len();
                (n >= mails_before + 200).then_some(())
            })
        }
    });
    rocket_wait.await.unwrap();
    let drained_in = started.elapsed();
    // Give a worker that would send twice the time to do it.
    rocket::tokio::time::sleep(Duration::from_secs(2)).await;
    let receipts = receipts(&site.mailbox());
    assert_eq!(receipts.len(), 200, "a receipt for every reference");
    assert!(
        receipts.values().all(|&n| n == 1),
        "no receipt twice: {receipts:?}"
    );
    for reference in &references {
        assert!(
            receipts.contains_key(reference),
            "{reference} has its receipt"
        );
    }
    assert_eq!(
        site.mailbox().len(),
        mails_before + 200,
        "nothing else was sent"
    );
    if site.bucket.is_some() {
        let mut stored = site.stored_keys();
        let mut documents = site.ids("documents");
        stored.sort();
        documents.sort();
        assert_eq!(
            stored, documents,
            "each document in the bucket, and only they"
        );
    }
    println!(
        "scale-out ({}{}): 200 submissions over 2 instances in {:.2} s; 200 receipts, each once, \
         outbox drained {:.2} s after the first submission",
        if site.is_postgres() {
            "PostgreSQL"
        } else {
            "SQLite"
        },
        if site.bucket.is_some() {
            ", S3 bucket, no shared directory"
        } else {
            ""
        },
        submitted_in.as_secs_f64(),
        drained_in.as_secs_f64()
    );
}

#[rocket::async_test]
async fn fifty_concurrent_writers_meet_no_locked_database() {
    let site = Site::new();
    // Errors logged at the normal level, so that a lock error could not hide.
    let server = Server::start(&site, &[("WRIT_LOG_LEVEL", "normal")]);
    let mut officers = Vec::new();
    for i in 0..5 {
        officers.push(officer(&site, &server, &format!("writer{i}@fbi.gov")).await);
    }
    let client = browser();
    let started = Instant::now();
    let writers = (0..50).map(|i| {
        let (client, token, server) = (client.clone(), officers[i % 5].clone(), &server);
        let mut request = subpoena_request();
        request["instrument"]["reference"] = json!(format!("GJ-2026-W{i:02}"));
        async move {
            // Each writer files a request and then writes to its case again (a message).
            let (status, body) = submit(&client, &server.base(), &token, &request)
                .await
                .unwrap();
            assert_eq!(status, StatusCode::CREATED, "{body}");
            let reference = body["reference"].as_str().unwrap().to_owned();
            let form = reqwest::multipart::Form::new().text("message", "A further detail.");
            let answer = client
                .post(server.url(&format!("/api/v1/requests/{reference}/messages")))
                .bearer_auth(&token)
                .multipart(form)
                .send()
                .await
                .unwrap();
            (answer.status(), answer.text().await.unwrap())
        }
    });
    for (status, body) in futures::future::join_all(writers).await {
        assert!(status.is_success(), "{status}: {body}");
    }
    let log = server.log_text();
    assert!(!log.contains("database is locked"), "no lock errors: {log}");
    println!(
        "50 concurrent writers ({}): 100 writes in {:.2} s, no error",
        if site.is_postgres() {
            "PostgreSQL"
        } else {
            "SQLite"
        },
        started.elapsed().as_secs_f64()
    );
}
