//! The browser-facing defences of DESIGN §9, checked over real HTTP against `writ serve`:
//! cross-site form posts, cookie attributes, session expiry, and a log free of personal data.

use crate::common;
use crate::common::tools::needs;

use common::live::{
    browser, csrf_from, free_port, get_json, officer, page_sign_in, post_json, staff_token, submit,
    wait_for, Server, Site, SmtpServer,
};
use common::subpoena_request;
use reqwest::StatusCode;
use serde_json::json;

#[rocket::async_test]
async fn a_form_posted_from_another_site_is_refused() {
    let site = Site::new();
    let server = Server::start(&site, &[]);
    let victim = browser();
    let own_csrf = page_sign_in(&site, &server, &victim, "j.doe@fbi.gov").await;

    // The attacker's page carries a token of the attacker's own browser.
    let attacker = browser();
    let attackers_csrf = csrf_from(&attacker, &server.url("/agency")).await;
    assert_ne!(attackers_csrf, own_csrf);
    let response = victim
        .post(server.url("/agency/sign-out"))
        .form(&[("csrf", attackers_csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("sent from another site"));
    let form = reqwest::multipart::Form::new()
        .text("csrf", attackers_csrf.clone())
        .text("action", "submit")
        .text("type", "disclosure");
    let response = victim
        .post(server.url("/agency/requests"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(site.count("cases"), 0, "nothing was filed");

    // A browser sends no SameSite=Strict cookie on a cross-site post: even the right token
    // belongs to no one then.
    let response = browser()
        .post(server.url("/agency/sign-out"))
        .form(&[("csrf", own_csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert!(
        [StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN].contains(&response.status()),
        "{}",
        response.status()
    );

    let still = victim
        .get(server.url("/agency/requests"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        still.status(),
        StatusCode::OK,
        "the victim is still signed in"
    );
    let response = victim
        .post(server.url("/agency/sign-out"))
        .form(&[("csrf", own_csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "their own form works"
    );
    let gone = victim
        .get(server.url("/agency/requests"))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), StatusCode::UNAUTHORIZED);
}

fn set_cookies(response: &reqwest::Response) -> Vec<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

#[rocket::async_test]
async fn cookies_are_http_only_same_site_strict_and_secure_behind_tls() {
    let site = Site::new();
    for (secure, server) in [
        (false, Server::start(&site, &[])),
        (
            true,
            Server::start(&site, &[("WRIT_SECURE_COOKIES", "true")]),
        ),
    ] {
        let client = browser();
        let response = client.get(server.url("/agency")).send().await.unwrap();
        // HSTS exactly where TLS is in front.
        assert_eq!(
            response
                .headers()
                .get("strict-transport-security")
                .map(|v| v.to_str().unwrap().to_owned()),
            secure.then(|| "max-age=31536000; includeSubDomains".to_owned())
        );
        let mut cookies = set_cookies(&response);
        let csrf = common::csrf_of(&response.text().await.unwrap());
        let response = client
            .post(server.url("/agency/sign-in"))
            .form(&[("email", "j.doe@fbi.gov"), ("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        cookies.extend(set_cookies(&response));
        assert!(
            cookies.len() >= 2,
            "the CSRF and sign-in cookies: {cookies:?}"
        );
        for cookie in cookies {
            assert!(cookie.contains("HttpOnly"), "{cookie}");
            assert!(cookie.contains("SameSite=Strict"), "{cookie}");
            assert_eq!(cookie.contains("Secure"), secure, "{cookie}");
        }
    }
}

#[rocket::async_test]
async fn sessions_end_when_they_expire() {
    let site = Site::new();
    let server = Server::start(&site, &[]);
    let token = officer(&site, &server, "j.doe@fbi.gov").await;
    let client = browser();
    page_sign_in(&site, &server, &client, "j.doe@fbi.gov").await;
    let legal = staff_token(&server, &site.staff("lee@writ.example", "legal")).await;
    let api = server.url("/api/v1/requests");
    let staff_api = server.url("/api/v1/staff/cases");
    assert_eq!(get_json(&client, &api, &token).await.0, StatusCode::OK);
    assert_eq!(
        get_json(&client, &staff_api, &legal).await.0,
        StatusCode::OK
    );
    let page = client
        .get(server.url("/agency/requests"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);

    site.sql("UPDATE sessions SET expires_at = '2026-01-01 00:00:00'");
    site.sql("UPDATE staff_sessions SET expires_at = '2026-01-01 00:00:00'");
    assert_eq!(
        get_json(&client, &api, &token).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        get_json(&client, &staff_api, &legal).await.0,
        StatusCode::UNAUTHORIZED
    );
    let page = client
        .get(server.url("/agency/requests"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::UNAUTHORIZED);
    assert!(page.text().await.unwrap().contains("Sign in to continue"));
}

#[rocket::async_test]
async fn the_log_of_a_full_run_names_nobody() {
    needs!(Smtp);
    let site = Site::new();
    let port = free_port();
    let smtp = SmtpServer::start(port, &site.maildir());
    let smtp_url = format!("smtp://127.0.0.1:{port}");
    // The most an operator would normally log: every request line, every warning.
    let server = Server::start(
        &site,
        &[("WRIT_SMTP_URL", &smtp_url), ("WRIT_LOG_LEVEL", "normal")],
    );
    let client = browser();
    let token = officer(&site, &server, "j.doe@fbi.gov").await;
    page_sign_in(&site, &server, &client, "j.doe@fbi.gov").await;
    let (status, filed) = submit(&client, &server.base(), &token, &subpoena_request())
        .await
        .unwrap();
    assert_eq!(status, StatusCode::CREATED);
    let reference = filed["reference"].as_str().unwrap();
    client
        .get(server.url(&format!("/agency/requests/{reference}")))
        .send()
        .await
        .unwrap();
    // Staff search for the officer by address and by name, on the API and on the page.
    let legal = staff_token(&server, &site.staff("lee@writ.example", "legal")).await;
    for q in ["j.doe%40fbi.gov", "j.doe@fbi.gov", "Jane%20Doe"] {
        let url = server.url(&format!("/api/v1/staff/cases?q={q}"));
        assert_eq!(get_json(&client, &url, &legal).await.0, StatusCode::OK);
        client
            .get(server.url(&format!("/staff/queue?q={q}")))
            .send()
            .await
            .unwrap();
    }
    // The mail server goes away: the refusal is logged.
    drop(smtp);
    let (status, _) = post_json(
        &client,
        &server.url("/api/v1/auth/email"),
        json!({ "email": "k.lane@fbi.gov", "track": "agency" }),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let log = wait_for(std::time::Duration::from_secs(30), "the refusal", || {
        let log = server.log_text();
        log.contains("not sent").then_some(log)
    });

    assert!(
        log.contains("GET /agency/requests/"),
        "request lines are logged: {log}"
    );
    assert!(log.contains("/staff/queue?[query]"), "{log}");
    if std::env::var_os("WRIT_SHOW_LOG").is_some() {
        println!("{log}");
    }
    for personal in [
        "j.doe", "fbi.gov", "k.lane", "Jane", "Doe", "lee@", "FBI-4471", "555 0100",
    ] {
        assert!(!log.contains(personal), "the log names {personal}:\n{log}");
    }
}
