//! One-time-code sign-in: the rules of DESIGN §9 and what a refused attempt leaves behind.

use crate::common;

use common::TestApp;
use rocket::http::Status;
use serde_json::{json, Value};

async fn challenge(app: &TestApp, email: &str) -> String {
    let response = app
        .post_json(
            "/api/v1/auth/email",
            json!({ "email": email, "track": "agency" }),
            None,
        )
        .await;
    assert_eq!(response.status(), Status::Accepted);
    let body: Value = response.into_json().await.unwrap();
    assert!(body["expires_at"].is_string());
    body["challenge"].as_str().unwrap().to_owned()
}

async fn verify(app: &TestApp, challenge: &str, code: &str) -> (Status, Value) {
    let response = app
        .post_json(
            "/api/v1/auth/verify",
            json!({ "challenge": challenge, "code": code }),
            None,
        )
        .await;
    let status = response.status();
    (status, response.into_json().await.unwrap_or(Value::Null))
}

fn wrong(code: &str) -> String {
    format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000)
}

#[rocket::async_test]
async fn six_wrong_codes_lock_the_challenge_even_for_the_right_code() {
    let app = TestApp::new().await;
    let challenge = challenge(&app, "j.doe@fbi.gov").await;
    let code = app.code_for("j.doe@fbi.gov").await;
    assert!(app.count("login_challenges") == 1);
    let stored: Vec<String> = {
        use diesel::prelude::*;
        use writ::db::schema::login_challenges::dsl::*;
        let mut conn = app.db().get().unwrap();
        login_challenges.select(code_hash).load(&mut *conn).unwrap()
    };
    assert!(!stored[0].contains(&code), "codes are stored hashed");

    for attempt in 1..=4 {
        let (status, body) = verify(&app, &challenge, &wrong(&code)).await;
        assert_eq!(status, Status::Unauthorized, "attempt {attempt}");
        assert_eq!(body["error"]["code"], "invalid_code");
        assert!(body["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&format!("{} attempt(s) left", 5 - attempt)));
    }
    let (status, body) = verify(&app, &challenge, &wrong(&code)).await;
    assert_eq!(status, Status::TooManyRequests);
    assert_eq!(body["error"]["code"], "too_many_attempts");
    let (status, body) = verify(&app, &challenge, &code).await;
    assert_eq!(
        status,
        Status::TooManyRequests,
        "the sixth try is refused even with the right code"
    );
    assert_eq!(body["error"]["code"], "too_many_attempts");
    assert_eq!(app.count("sessions"), 0);
}

#[rocket::async_test]
async fn an_expired_code_is_refused() {
    let app = TestApp::new().await;
    let challenge = challenge(&app, "j.doe@fbi.gov").await;
    let code = app.code_for("j.doe@fbi.gov").await;
    app.sql("UPDATE login_challenges SET expires_at = created_at");
    let (status, body) = verify(&app, &challenge, &code).await;
    assert_eq!(status, Status::Unauthorized);
    assert_eq!(body["error"]["code"], "code_expired");
    assert_eq!(app.count("sessions"), 0);
}

#[rocket::async_test]
async fn a_code_works_once() {
    let app = TestApp::new().await;
    let challenge = challenge(&app, "j.doe@fbi.gov").await;
    let code = app.code_for("j.doe@fbi.gov").await;
    let (status, body) = verify(&app, &challenge, &code).await;
    assert_eq!(status, Status::Ok);
    assert!(body["token"].as_str().unwrap().len() >= 40);
    let (status, body) = verify(&app, &challenge, &code).await;
    assert_eq!(status, Status::Unauthorized);
    assert_eq!(body["error"]["code"], "code_used");
    assert_eq!(app.count("sessions"), 1);
}

#[rocket::async_test]
async fn codes_are_rate_limited_per_address() {
    let app = TestApp::new().await;
    for _ in 0..5 {
        challenge(&app, "j.doe@fbi.gov").await;
    }
    let response = app
        .post_json(
            "/api/v1/auth/email",
            json!({ "email": "j.doe@fbi.gov", "track": "agency" }),
            None,
        )
        .await;
    assert_eq!(response.status(), Status::TooManyRequests);
    let body: Value = response.into_json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited");
    assert_eq!(app.count("login_challenges"), 5);
    assert_eq!(app.mail_to("j.doe@fbi.gov").await.len(), 5);
}

#[rocket::async_test]
async fn blocked_domains_and_malformed_addresses_are_refused() {
    let app = TestApp::new().await;
    {
        let mut conn = app.db().get().unwrap();
        writ::db::models::registry::block(
            &mut conn,
            "fake-fbi.gov",
            "impersonates the FBI",
            "test",
        )
        .unwrap();
    }
    let response = app
        .post_json(
            "/api/v1/auth/email",
            json!({ "email": "agent@mail.fake-fbi.gov", "track": "agency" }),
            None,
        )
        .await;
    assert_eq!(response.status(), Status::Forbidden);
    let body: Value = response.into_json().await.unwrap();
    assert_eq!(body["error"]["code"], "domain_blocked");

    let response = app
        .post_json(
            "/api/v1/auth/email",
            json!({ "email": "not an address", "track": "agency" }),
            None,
        )
        .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let body: Value = response.into_json().await.unwrap();
    assert!(body["error"]["fields"]["email"].is_string());

    let response = app
        .client
        .post("/api/v1/auth/email")
        .header(rocket::http::ContentType::JSON)
        .body("{not json")
        .dispatch()
        .await;
    assert!(
        response.status().code == 400 || response.status().code == 422,
        "{}",
        response.status()
    );
    let body: Value = response.into_json().await.unwrap();
    assert!(
        body["error"]["code"].is_string(),
        "errors keep the API shape: {body}"
    );
    assert_eq!(app.count("login_challenges"), 0);
}
