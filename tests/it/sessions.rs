//! Sessions end when what they stand on ends: a blocked domain, a changed password, a
//! deactivated account, a revoked token, and time without use.

use crate::common;

use common::{subpoena_request, TestApp, PDF};
use rocket::http::{ContentType, Header, Status};
use serde_json::json;
use writ::domain::vocab::Role;

async fn status_with(app: &TestApp, uri: &str, token: &str) -> Status {
    app.get_json(uri, token).await.0
}

async fn post_form(app: &TestApp, uri: &str, body: String) -> (Status, String) {
    app.post_page(uri, ContentType::Form, body.into_bytes())
        .await
}

#[rocket::async_test]
async fn blocking_a_domain_signs_its_officers_out_at_once() {
    let app = TestApp::new().await;
    let officer = app.api_sign_in("officer@police-example.org").await;
    let colleague = app.api_sign_in("chief@hq.police-example.org").await;
    let elsewhere = app.officer("j.doe@fbi.gov").await;
    assert_eq!(app.put_profile(&officer).await, Status::Ok);
    app.enrol("officer@police-example.org", &officer).await;
    let (status, _) = app
        .submit(&officer, &subpoena_request(), &[("subpoena.pdf", PDF)])
        .await;
    assert_eq!(status, Status::Created);

    let admin = app.staff("ada@writ.example", Role::Admin).await;
    let csrf = app.staff_sign_in_page(&admin).await;
    // A wrong form is answered beside its fields, not with a 500.
    let (status, page) = post_form(
        &app,
        "/staff/admin/agencies/block",
        format!("domain=police-example.org&reason=&csrf={csrf}"),
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity, "{page}");
    assert!(page.contains("Say why the domain is blocked."));
    let (status, page) = post_form(
        &app,
        "/staff/admin/agencies/block",
        format!("domain=not+a+domain&reason=Forged+requests&csrf={csrf}"),
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity, "{page}");
    assert!(
        page.contains("<span class=\"error\" id=\"block_domain-error\">Enter a domain name such as police.example.org.</span>"),
        "the error stands beside the block form's domain: {page}"
    );
    assert_eq!(app.count("blocked_domains"), 0);
    let (status, page) = post_form(
        &app,
        "/staff/admin/agencies/contacts",
        format!("domain=not+a+domain&label=Duty+desk&phone=call+me&csrf={csrf}"),
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity, "{page}");
    assert!(
        page.contains("<span class=\"error\" id=\"contact_domain-error\">Enter a domain name such as police.example.org.</span>"),
        "the error stands beside the contact form's domain: {page}"
    );
    assert!(
        page.contains(
            "<span class=\"error\" id=\"phone-error\">Enter the number in international form"
        ),
        "{page}"
    );
    assert!(
        page.contains("value=\"Duty desk\""),
        "what was typed is kept: {page}"
    );
    assert!(!page.contains("id=\"block_domain-error\""), "{page}");

    let (status, _) = post_form(
        &app,
        "/staff/admin/agencies/block",
        format!("domain=police-example.org&reason=Forged+requests&csrf={csrf}"),
    )
    .await;
    assert_eq!(status, Status::SeeOther);
    for token in [&officer, &colleague] {
        assert_eq!(
            status_with(&app, "/api/v1/requests", token).await,
            Status::Unauthorized,
            "the officer's token ended with the block"
        );
    }
    assert_eq!(
        status_with(&app, "/api/v1/requests", &elsewhere).await,
        Status::Ok
    );
    let event = app.count(
        "audit_events WHERE action = 'domain.blocked' AND details LIKE '%\"sessions_ended\":2%'",
    );
    assert_eq!(event, 1);
}

#[rocket::async_test]
async fn a_new_password_ends_every_other_session_and_deactivation_ends_all() {
    let app = TestApp::new().await;
    let lee = app.staff("lee@writ.example", Role::Legal).await;
    let csrf = app.staff_sign_in_page(&lee).await;
    let response = app
        .post_json(
            "/api/v1/staff/login",
            json!({ "email": lee.email, "password": lee.password, "totp": lee.code(1) }),
            None,
        )
        .await;
    let stolen: serde_json::Value = response.into_json().await.unwrap();
    let stolen = stolen["token"].as_str().unwrap().to_owned();
    assert_eq!(
        status_with(&app, "/api/v1/staff/cases", &stolen).await,
        Status::Ok
    );

    let (status, _) = post_form(
        &app,
        "/staff/password",
        format!(
            "current={}&new=a-much-longer-secret&csrf={csrf}",
            lee.password
        ),
    )
    .await;
    assert_eq!(status, Status::SeeOther);
    assert_eq!(
        status_with(&app, "/api/v1/staff/cases", &stolen).await,
        Status::Unauthorized,
        "the other session ended with the old password"
    );
    let queue = app.client.get("/staff/queue").dispatch().await;
    assert_eq!(
        queue.status(),
        Status::Ok,
        "the session that changed it goes on"
    );

    // Deactivated, then reactivated: no session of before comes back.
    let sam = app.staff("sam@writ.example", Role::Support).await;
    let sam_token = app.staff_token(&sam).await;
    let sam_id = app.staff_id("sam@writ.example");
    let admin = app.staff("ada@writ.example", Role::Admin).await;
    let csrf = app.staff_sign_in_page(&admin).await;
    for active in ["false", "true"] {
        let (status, _) = post_form(
            &app,
            &format!("/staff/admin/staff/{sam_id}/active"),
            format!("active={active}&csrf={csrf}"),
        )
        .await;
        assert_eq!(status, Status::SeeOther);
    }
    assert_eq!(
        status_with(&app, "/api/v1/staff/cases", &sam_token).await,
        Status::Unauthorized
    );
}

#[rocket::async_test]
async fn a_token_is_revoked_on_request() {
    let app = TestApp::new().await;
    let officer = app.officer("j.doe@fbi.gov").await;
    let legal = app
        .staff_token(&app.staff("lee@writ.example", Role::Legal).await)
        .await;
    for (token, probe) in [
        (&officer, "/api/v1/requests"),
        (&legal, "/api/v1/staff/cases"),
    ] {
        assert_eq!(status_with(&app, probe, token).await, Status::Ok);
        let revoked = app
            .client
            .delete("/api/v1/auth/token")
            .header(Header::new("Authorization", format!("Bearer {token}")))
            .dispatch()
            .await;
        assert_eq!(revoked.status(), Status::NoContent);
        assert_eq!(status_with(&app, probe, token).await, Status::Unauthorized);
        let again = app
            .client
            .delete("/api/v1/auth/token")
            .header(Header::new("Authorization", format!("Bearer {token}")))
            .dispatch()
            .await;
        assert_eq!(again.status(), Status::Unauthorized);
    }
    let anonymous = app.client.delete("/api/v1/auth/token").dispatch().await;
    assert_eq!(anonymous.status(), Status::Unauthorized);
}

#[rocket::async_test]
async fn a_session_left_unused_stops_working() {
    let app = TestApp::with(|config| config.session_idle_minutes = 30).await;
    let officer = app.officer("j.doe@fbi.gov").await;
    let legal = app
        .staff_token(&app.staff("lee@writ.example", Role::Legal).await)
        .await;
    assert_eq!(
        status_with(&app, "/api/v1/requests", &officer).await,
        Status::Ok
    );
    // Used 29 minutes ago: still live, and this use counts.
    let ago = |minutes: i64| {
        (chrono::Utc::now() - chrono::TimeDelta::minutes(minutes))
            .naive_utc()
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
    };
    app.sql(&format!(
        "UPDATE sessions SET last_seen_at = '{}', created_at = '{}'",
        ago(29),
        ago(60)
    ));
    assert_eq!(
        status_with(&app, "/api/v1/requests", &officer).await,
        Status::Ok
    );
    assert_eq!(
        app.count(&format!("sessions WHERE last_seen_at > '{}'", ago(1))),
        1
    );
    // Unused for 31 minutes: over.
    app.sql(&format!("UPDATE sessions SET last_seen_at = '{}'", ago(31)));
    app.sql(&format!(
        "UPDATE staff_sessions SET last_seen_at = '{}', created_at = '{}'",
        ago(31),
        ago(31)
    ));
    assert_eq!(
        status_with(&app, "/api/v1/requests", &officer).await,
        Status::Unauthorized
    );
    assert_eq!(
        status_with(&app, "/api/v1/staff/cases", &legal).await,
        Status::Unauthorized
    );
}
