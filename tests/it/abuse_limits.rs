//! Limits against guessing and against lockouts as a weapon: budgets by network (/24, /64),
//! not by address; locks per network and address pair, with one answer for every address; and
//! the client address taken from a proxy's header only when the deployment says so.

use crate::common;

use std::net::SocketAddr;

use common::live::{Server, Site};
use common::TestApp;
use rocket::http::{ContentType, Status};
use serde_json::{json, Value};
use writ::domain::vocab::Role;

async fn post_from(app: &TestApp, from: &str, uri: &str, body: Value) -> (Status, Value) {
    let remote: SocketAddr = from.parse().unwrap();
    let response = app
        .client
        .post(uri.to_owned())
        .remote(remote)
        .header(ContentType::JSON)
        .body(body.to_string())
        .dispatch()
        .await;
    let status = response.status();
    (status, response.into_json().await.unwrap_or(Value::Null))
}

async fn code_request(app: &TestApp, from: &str, email: &str) -> Status {
    post_from(
        app,
        from,
        "/api/v1/auth/email",
        json!({ "email": email, "track": "agency" }),
    )
    .await
    .0
}

#[rocket::async_test]
async fn a_stranger_cannot_lock_an_officer_out_of_their_own_network() {
    let app = TestApp::new().await;
    let office = "192.0.2.10:5000";
    // The officer has signed in from the office before.
    let (_, sent) = post_from(
        &app,
        office,
        "/api/v1/auth/email",
        json!({ "email": "j.doe@fbi.gov", "track": "agency" }),
    )
    .await;
    let code = app.code_for("j.doe@fbi.gov").await;
    let (status, _) = post_from(
        &app,
        office,
        "/api/v1/auth/verify",
        json!({ "challenge": sent["challenge"], "code": code }),
    )
    .await;
    assert_eq!(status, Status::Ok);

    // A stranger asks for codes for that address from network after network.
    let mut refused_at = None;
    for n in 0..40 {
        let from = format!("198.51.{n}.7:4000");
        if code_request(&app, &from, "j.doe@fbi.gov").await == Status::TooManyRequests {
            refused_at = Some(n);
            break;
        }
    }
    // Ten codes an hour from networks the officer had not signed in from: the office's first
    // (before that sign-in) and nine of the stranger's.
    assert_eq!(refused_at, Some(9));
    let (_, refusal) = post_from(
        &app,
        "198.51.99.7:4000",
        "/api/v1/auth/email",
        json!({ "email": "j.doe@fbi.gov", "track": "agency" }),
    )
    .await;
    assert_eq!(
        refusal["error"]["message"],
        "Too many codes were requested for this address. Wait an hour, or sign in from a network you have used before."
    );
    // One network alone gets five, whatever its addresses.
    for host in 1..=4 {
        let from = format!("203.0.113.{host}:4000");
        assert_eq!(
            code_request(&app, &from, "k.lee@fbi.gov").await,
            Status::Accepted
        );
    }
    assert_eq!(
        code_request(&app, "203.0.113.200:4000", "k.lee@fbi.gov").await,
        Status::Accepted
    );
    assert_eq!(
        code_request(&app, "203.0.113.201:4000", "k.lee@fbi.gov").await,
        Status::TooManyRequests,
        "the sixth from the same /24"
    );

    // The officer, at the office, still gets their code.
    assert_eq!(
        code_request(&app, "192.0.2.11:5000", "j.doe@fbi.gov").await,
        Status::Accepted
    );
}

#[rocket::async_test]
async fn guesses_from_one_ipv6_network_share_one_budget() {
    let app = TestApp::new().await;
    let mut statuses = Vec::new();
    for n in 0..31u32 {
        // Every request from a new address of one /64, for a new mailbox.
        let from = format!("[2001:db8:7:7:{n:x}::1]:4000");
        statuses.push(code_request(&app, &from, &format!("officer{n}@fbi.gov")).await);
    }
    assert!(
        statuses[..30].iter().all(|s| *s == Status::Accepted),
        "{statuses:?}"
    );
    assert_eq!(statuses[30], Status::TooManyRequests);
    assert_eq!(
        code_request(&app, "[2001:db8:7:8::1]:4000", "officer99@fbi.gov").await,
        Status::Accepted,
        "the next /64 is another network"
    );
}

#[rocket::async_test]
async fn failed_staff_sign_ins_lock_a_network_and_answer_alike_for_every_address() {
    let app = TestApp::new().await;
    let bob = app.staff("bob@writ.example", Role::Support).await;
    let login = |from: &'static str, email: &'static str, password: String, totp: String| {
        let app = &app;
        async move {
            post_from(
                app,
                from,
                "/api/v1/staff/login",
                json!({ "email": email, "password": password, "totp": totp }),
            )
            .await
        }
    };
    let mut answers = Vec::new();
    for email in ["bob@writ.example", "nobody@writ.example"] {
        for _ in 0..5 {
            let (status, body) =
                login("198.51.100.7:4000", email, "wrong".into(), bob.code(0)).await;
            assert_eq!(status, Status::Unauthorized);
            assert_eq!(body["error"]["code"], "invalid_credentials");
        }
        // The sixth, right password and all, from another address of that network.
        let (status, body) = login(
            "198.51.100.8:4000",
            email,
            bob.password.clone(),
            bob.code(0),
        )
        .await;
        assert_eq!(status, Status::TooManyRequests, "{email}");
        answers.push(body["error"].clone());
    }
    assert_eq!(
        answers[0], answers[1],
        "a staff address and a stranger's are answered alike"
    );
    assert_eq!(
        answers[0]["message"],
        "Too many failed sign-ins for this address from your network. Wait 15 minutes and try again."
    );
    // Bob, elsewhere, signs in.
    let (status, _) = login(
        "192.0.2.50:4000",
        "bob@writ.example",
        bob.password.clone(),
        bob.code(1),
    )
    .await;
    assert_eq!(status, Status::Ok, "the account itself is not locked");
    assert_eq!(
        app.count("audit_events WHERE action = 'staff.signin_failed'"),
        5
    );
}

#[rocket::async_test]
async fn the_client_address_comes_from_a_proxy_header_only_when_configured() {
    // Without WRIT_IP_HEADER, X-Real-IP is ignored: every request is from 127.0.0.1.
    for (extra, refused_at) in [
        (vec![], Some(30)),
        (vec![("WRIT_IP_HEADER", "X-Real-IP")], None),
    ] {
        let site = Site::new();
        let server = Server::start(&site, &extra);
        let client = reqwest::Client::new();
        let mut first_refusal = None;
        for n in 0..32 {
            let status = client
                .post(server.url("/api/v1/auth/email"))
                .header("X-Real-IP", format!("198.18.{n}.1"))
                .json(&json!({ "email": format!("officer{n}@fbi.gov"), "track": "agency" }))
                .send()
                .await
                .unwrap()
                .status();
            if status == reqwest::StatusCode::TOO_MANY_REQUESTS && first_refusal.is_none() {
                first_refusal = Some(n);
            }
        }
        assert_eq!(first_refusal, refused_at, "with {extra:?}");
    }
}
