//! E-mail leaves through the outbox: nothing is lost while SMTP is down, nothing is sent twice,
//! and concurrent submissions each get their own reference and receipt.

use crate::common;
use crate::common::tools::needs;

use std::path::Path;

use common::live::{free_port, SmtpServer};
use common::{subpoena_request, TestApp, PDF};
use rocket::http::Status;
use serde_json::json;

/// Every message in the Maildir, one after the other.
fn delivered(maildir: &Path) -> String {
    std::fs::read_dir(maildir.join("new"))
        .map(|dir| {
            dir.filter_map(Result::ok)
                .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
                .collect()
        })
        .unwrap_or_default()
}

#[rocket::async_test]
async fn mail_waits_for_smtp_and_is_sent_once() {
    needs!(Smtp);
    let port = free_port();
    let app = TestApp::with(|c| c.smtp_url = format!("smtp://127.0.0.1:{port}")).await;
    let maildir = app.dir.path().join("maildir");

    let response = app
        .post_json(
            "/api/v1/auth/email",
            json!({ "email": "j.doe@fbi.gov", "track": "agency" }),
            None,
        )
        .await;
    assert_eq!(
        response.status(),
        Status::Accepted,
        "the code is queued even though SMTP is down"
    );
    assert_eq!(app.deliver_mail().await, 0);
    assert_eq!(
        app.count("outbox WHERE sent_at IS NULL AND attempts = 1 AND last_error IS NOT NULL"),
        1,
        "the failure is recorded for a retry"
    );

    let _server = SmtpServer::start(port, &maildir);
    assert_eq!(
        app.deliver_mail().await,
        0,
        "the retry waits for its backoff"
    );
    app.sql("UPDATE outbox SET next_attempt_at = created_at");
    assert_eq!(app.deliver_mail().await, 1);
    assert_eq!(app.deliver_mail().await, 0, "nothing is sent twice");

    let mail = delivered(&maildir);
    assert_eq!(
        mail.matches("Subject: Your Writ sign-in code: ").count(),
        1,
        "{mail}"
    );
    assert!(mail.contains("To: j.doe@fbi.gov"));
    assert_eq!(app.count("outbox WHERE sent_at IS NOT NULL"), 1);
}

#[rocket::async_test]
async fn concurrent_submissions_get_distinct_references_and_one_receipt_each() {
    let app = TestApp::new().await;
    let token = app.officer("j.doe@fbi.gov").await;
    let submissions = (0..20).map(|i| {
        let mut request = subpoena_request();
        request["instrument"]["reference"] = json!(format!("GJ-2026-{i:03}"));
        let (app, token) = (&app, token.clone());
        async move { app.submit(&token, &request, &[("subpoena.pdf", PDF)]).await }
    });
    let results = futures::future::join_all(submissions).await;
    let mut references: Vec<String> = results
        .iter()
        .map(|(status, body)| {
            assert_eq!(*status, Status::Created, "{body}");
            body["reference"].as_str().unwrap().to_owned()
        })
        .collect();
    references.sort();
    references.dedup();
    assert_eq!(
        references.len(),
        20,
        "every submission has its own reference"
    );
    assert!(
        references.last().unwrap().ends_with("-000020"),
        "no number is skipped: {references:?}"
    );
    assert_eq!(app.count("cases"), 20);
    assert_eq!(app.count("documents"), 20);

    let receipts = app
        .mail_to("j.doe@fbi.gov")
        .await
        .into_iter()
        .filter(|m| m.subject.ends_with("received"))
        .count();
    assert_eq!(receipts, 20);
    assert_eq!(app.deliver_mail().await, 0);
}
