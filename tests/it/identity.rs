//! Requester identity assurance (issue 16): a hijacked mailbox alone gets nowhere.

use crate::common;

use common::passkey::SoftPasskey;
use common::{csrf_of, emergency_request, subpoena_request, TestApp, PDF};
use rocket::http::{ContentType, Status};
use serde_json::{json, Value};
use writ::domain::vocab::Role;

async fn challenge(app: &TestApp, email: &str) -> (String, String) {
    let response = app
        .post_json(
            "/api/v1/auth/email",
            json!({ "email": email, "track": "agency" }),
            None,
        )
        .await;
    assert_eq!(response.status(), Status::Accepted);
    let body: Value = response.into_json().await.unwrap();
    (
        body["challenge"].as_str().unwrap().to_owned(),
        app.code_for(email).await,
    )
}

/// An app whose policy asks for the second factor only to file emergency and freeze requests.
async fn narrow_policy_app() -> TestApp {
    TestApp::with(|config| {
        let policy = writ::domain::policy::DEFAULT.replace(
            "second_factor = \"everyone\"",
            "second_factor = \"emergency_and_freeze\"",
        );
        let path = std::env::temp_dir().join(format!("writ-policy-{}.toml", uuid::Uuid::new_v4()));
        std::fs::write(&path, policy).unwrap();
        config.policy_file = path.display().to_string();
    })
    .await
}

/// Posts JSON with a bearer token; the status and the answer.
async fn post(app: &TestApp, uri: String, body: Value, token: &str) -> (Status, Value) {
    let response = app.post_json(&uri, body, Some(token)).await;
    let status = response.status();
    (status, response.into_json().await.unwrap_or(Value::Null))
}

async fn verify(app: &TestApp, body: Value) -> (Status, Value) {
    let response = app.post_json("/api/v1/auth/verify", body, None).await;
    let status = response.status();
    (status, response.into_json().await.unwrap_or(Value::Null))
}

#[rocket::async_test]
async fn a_hijacked_mailbox_has_the_code_but_not_the_second_factor_and_gets_no_session() {
    let app = TestApp::new().await;
    app.officer("j.doe@fbi.gov").await;
    let sessions = app.count("sessions");

    // The attacker reads the code from the mailbox; the API wants the authenticator too.
    let (id, code) = challenge(&app, "j.doe@fbi.gov").await;
    let (status, body) = verify(&app, json!({ "challenge": id, "code": code })).await;
    assert_eq!(status, Status::Unauthorized);
    assert_eq!(body["error"]["code"], "second_factor_required");
    let (status, body) = verify(
        &app,
        json!({ "challenge": id, "code": code, "totp": "000000" }),
    )
    .await;
    assert_eq!(status, Status::Unauthorized);
    assert_eq!(body["error"]["code"], "invalid_totp");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("attempt(s) left"));
    // Wrong authenticator codes spend the challenge's five attempts like wrong e-mail codes.
    for _ in 0..2 {
        verify(
            &app,
            json!({ "challenge": id, "code": code, "totp": "111111" }),
        )
        .await;
    }
    let (status, body) = verify(
        &app,
        json!({ "challenge": id, "code": code, "totp": "222222" }),
    )
    .await;
    assert_eq!(status, Status::TooManyRequests, "{body}");
    assert_eq!(app.count("sessions"), sessions, "no session was opened");
    assert!(app.count("audit_events WHERE action = 'signin.second_factor_failed'") >= 3);

    // On the pages the code leads to the second-factor page, and nothing is signed in.
    let (_, page) = app.page("/agency").await;
    let csrf = csrf_of(&page);
    let form = |body: String| async {
        let response = app
            .client
            .post("/agency/sign-in")
            .header(ContentType::Form)
            .body(body)
            .dispatch()
            .await;
        response.status()
    };
    assert_eq!(
        form(format!("email=j.doe%40fbi.gov&csrf={csrf}")).await,
        Status::SeeOther
    );
    let code = app.code_for("j.doe@fbi.gov").await;
    let response = app
        .client
        .post("/agency/code")
        .header(ContentType::Form)
        .body(format!("code={code}&csrf={csrf}"))
        .dispatch()
        .await;
    assert_eq!(
        response.headers().get_one("Location"),
        Some("/agency/second-factor")
    );
    let (status, _) = app.page("/agency/requests").await;
    assert_eq!(status, Status::Unauthorized, "the code alone opens no page");
    let (status, page) = app
        .post_page(
            "/agency/second-factor",
            ContentType::Form,
            format!("totp=123456&csrf={csrf}").into_bytes(),
        )
        .await;
    assert_eq!(status, Status::Unauthorized);
    assert!(
        page.contains("That authenticator code is not right"),
        "{page}"
    );

    // The owner, with the app, signs in; the same step is refused the second time.
    let (id, code) = challenge(&app, "j.doe@fbi.gov").await;
    let totp = app.totp_for("j.doe@fbi.gov").await.unwrap();
    let (status, body) = verify(&app, json!({ "challenge": id, "code": code, "totp": totp })).await;
    assert_eq!(status, Status::Ok, "{body}");
    let (id, code) = challenge(&app, "j.doe@fbi.gov").await;
    let (status, body) = verify(&app, json!({ "challenge": id, "code": code, "totp": totp })).await;
    assert_eq!(status, Status::Unauthorized);
    assert_eq!(body["error"]["code"], "totp_reused");
}

#[rocket::async_test]
async fn filing_needs_a_second_factor_and_the_request_records_it() {
    let app = TestApp::new().await;
    app.register_dotgov(
        "fbi.gov",
        "Department of Justice",
        "Federal Bureau of Investigation",
    );
    let token = app.api_sign_in("j.doe@fbi.gov").await;
    assert_eq!(app.put_profile(&token).await, Status::Ok);
    let (status, body) = app
        .submit(&token, &subpoena_request(), &[("subpoena.pdf", PDF)])
        .await;
    assert_eq!(status, Status::Forbidden);
    assert_eq!(body["error"]["code"], "second_factor_enrolment_required");
    assert_eq!(app.count("cases"), 0);

    // Enrolment: a wrong first code is refused beside the field, a second enrolment is refused.
    let response = app
        .post_json("/api/v1/auth/second-factor/totp", json!({}), Some(&token))
        .await;
    assert_eq!(response.status(), Status::Created);
    let started: Value = response.into_json().await.unwrap();
    assert!(started["otpauth_uri"]
        .as_str()
        .unwrap()
        .starts_with("otpauth://totp/Writ:j.doe%40fbi.gov"));
    let response = app
        .post_json(
            "/api/v1/auth/second-factor/totp/confirm",
            json!({ "code": "000000" }),
            Some(&token),
        )
        .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    app.adopt_factor("j.doe@fbi.gov", started["secret"].as_str().unwrap());
    let code = app.totp_for("j.doe@fbi.gov").await.unwrap();
    let response = app
        .post_json(
            "/api/v1/auth/second-factor/totp/confirm",
            json!({ "code": code }),
            Some(&token),
        )
        .await;
    assert_eq!(response.status(), Status::Ok);
    let response = app
        .post_json("/api/v1/auth/second-factor/totp", json!({}), Some(&token))
        .await;
    assert_eq!(response.status(), Status::Conflict);

    let (status, filed) = app
        .submit(&token, &subpoena_request(), &[("subpoena.pdf", PDF)])
        .await;
    assert_eq!(status, Status::Created, "{filed}");
    let reference = filed["reference"].as_str().unwrap();
    let legal = app
        .staff_token(&app.staff("lee@writ.example", Role::Legal).await)
        .await;
    let (_, case) = app
        .get_json(&format!("/api/v1/staff/cases/{reference}"), &legal)
        .await;
    assert_eq!(case["identity"]["signer_mfa"], "totp");
    assert!(
        filed["authority"]["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["code"] != "first_request_officer"),
        "signals are never shown to the requester"
    );
}

#[rocket::async_test]
async fn the_narrow_policy_asks_for_the_factor_only_for_emergency_and_freeze() {
    let app = narrow_policy_app().await;
    app.register_dotgov(
        "fbi.gov",
        "Department of Justice",
        "Federal Bureau of Investigation",
    );
    let token = app.api_sign_in("j.doe@fbi.gov").await;
    assert_eq!(app.put_profile(&token).await, Status::Ok);
    let (status, filed) = app
        .submit(&token, &subpoena_request(), &[("subpoena.pdf", PDF)])
        .await;
    assert_eq!(status, Status::Created, "{filed}");
    let (status, body) = app.submit(&token, &emergency_request(), &[]).await;
    assert_eq!(status, Status::Forbidden);
    assert_eq!(body["error"]["code"], "second_factor_enrolment_required");
    app.enrol("j.doe@fbi.gov", &token).await;
    let (status, _) = app.submit(&token, &emergency_request(), &[]).await;
    assert_eq!(status, Status::Created);

    // A later sign-in does not ask for the factor; filing an emergency then needs it proven.
    let later = app
        .sign_in_with(
            "j.doe@fbi.gov",
            json!({ "email": "j.doe@fbi.gov", "track": "agency" }),
        )
        .await;
    let (status, body) = app.submit(&later, &emergency_request(), &[]).await;
    assert_eq!(
        status,
        Status::Created,
        "the harness gave the code at sign-in: {body}"
    );
}

#[rocket::async_test]
async fn a_suspended_officer_s_session_and_token_stop_at_the_next_request() {
    let app = TestApp::new().await;
    let token = app.officer("j.doe@fbi.gov").await;
    let (_, filed) = app
        .submit(&token, &subpoena_request(), &[("subpoena.pdf", PDF)])
        .await;
    let reference = filed["reference"].as_str().unwrap().to_owned();
    let officer_id = app.requester_id("j.doe@fbi.gov");
    let admin = app.staff("ada@writ.example", Role::Admin).await;
    let csrf = app.staff_sign_in_page(&admin).await;
    let app = &app;
    let post = |uri: String, body: String| async move {
        app.post_page(&uri, ContentType::Form, body.into_bytes())
            .await
    };
    let (status, page) = post(
        format!("/staff/admin/officers/{officer_id}/standing"),
        format!("standing=suspended&reason=&csrf={csrf}"),
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(page.contains("Say why the officer is suspended."), "{page}");
    let (status, _) = post(
        format!("/staff/admin/officers/{officer_id}/standing"),
        format!("standing=suspended&reason=Agency+says+he+left+in+2025&csrf={csrf}"),
    )
    .await;
    assert_eq!(status, Status::SeeOther);

    let (status, _) = app.get_json("/api/v1/requests", &token).await;
    assert_eq!(
        status,
        Status::Unauthorized,
        "the token ended with the suspension"
    );
    let legal = app
        .staff_token(&app.staff("lee@writ.example", Role::Legal).await)
        .await;
    let (_, case) = app
        .get_json(&format!("/api/v1/staff/cases/{reference}"), &legal)
        .await;
    assert!(
        case["identity"]["flagged"]
            .as_str()
            .unwrap()
            .contains("suspended"),
        "{case}"
    );
    assert_eq!(case["identity"]["officer"]["standing"], "suspended");
    let (_, queue) = app.get_json("/api/v1/staff/cases", &legal).await;
    let row = queue["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["reference"] == reference.as_str())
        .cloned()
        .unwrap();
    assert!(
        row["flagged"]
            .as_str()
            .unwrap()
            .contains("Agency says he left"),
        "the queue shows the flag: {row}"
    );
    let (id, code) = challenge(app, "j.doe@fbi.gov").await;
    let totp = app.totp_for("j.doe@fbi.gov").await;
    let (status, body) = verify(app, json!({ "challenge": id, "code": code, "totp": totp })).await;
    assert_eq!(status, Status::Forbidden);
    assert_eq!(body["error"]["code"], "officer_suspended");

    // Reinstated and verified; emergency permission withdrawn.
    let (status, _) = post(
        format!("/staff/admin/officers/{officer_id}/standing"),
        format!("standing=verified&reason=Called+FBI+HQ+switchboard&csrf={csrf}"),
    )
    .await;
    assert_eq!(status, Status::SeeOther);
    let (status, _) = post(
        format!("/staff/admin/officers/{officer_id}/permissions"),
        format!("freeze=true&csrf={csrf}"),
    )
    .await;
    assert_eq!(status, Status::SeeOther);
    let token = app.api_sign_in("j.doe@fbi.gov").await;
    let (status, body) = app.submit(&token, &emergency_request(), &[]).await;
    assert_eq!(status, Status::Forbidden);
    assert_eq!(body["error"]["code"], "not_permitted");
    let (_, page) = app.page("/staff/admin/officers").await;
    assert!(
        page.contains("Verified") && page.contains("due again"),
        "{page}"
    );

    // Recovery: the admin removes the factor; the officer signs in by e-mail and enrols again.
    let (status, _) = post(
        format!("/staff/admin/officers/{officer_id}/second-factor/remove"),
        format!("reason=Lost+phone%3B+confirmed+by+call+to+FBI+HQ&csrf={csrf}"),
    )
    .await;
    assert_eq!(status, Status::SeeOther);
    assert_eq!(
        app.count("audit_events WHERE action = 'officer.second_factor_removed'"),
        1
    );
    let (id, code) = challenge(app, "j.doe@fbi.gov").await;
    let (status, _) = verify(app, json!({ "challenge": id, "code": code })).await;
    assert_eq!(
        status,
        Status::Ok,
        "an e-mail sign-in works again, and enrols anew"
    );
}

#[rocket::async_test]
async fn an_emergency_is_approved_only_after_a_call_back_and_a_denied_one_suspends() {
    let app = TestApp::with(|config| config.oncall_email = "oncall@writ.example".into()).await;
    let token = app.officer("j.doe@fbi.gov").await;
    let (_, filed) = app.submit(&token, &emergency_request(), &[]).await;
    let reference = filed["reference"].as_str().unwrap().to_owned();

    // The on-call address hears of it at once, with the reference and the due time only.
    let alert = app.mail_to("oncall@writ.example").await;
    assert_eq!(alert.len(), 1);
    assert!(alert[0]
        .subject
        .starts_with(&format!("Emergency request {reference} is due by ")));
    assert!(!alert[0].body.contains("Kidnapping") && !alert[0].body.contains("alice@example.com"));

    let ann = app
        .staff_token(&app.staff("ann@writ.example", Role::Legal).await)
        .await;
    let ben = app
        .staff_token(&app.staff("ben@writ.example", Role::Admin).await)
        .await;
    let transition = |token: String, to: &'static str| {
        let reference = reference.clone();
        let app = &app;
        async move {
            post(
                app,
                format!("/api/v1/staff/cases/{reference}/transition"),
                json!({ "to": to }),
                &token,
            )
            .await
        }
    };
    transition(ann.clone(), "in_review").await;
    let (status, body) = transition(ann.clone(), "approved").await;
    assert_eq!(status, Status::Conflict);
    assert_eq!(body["error"]["code"], "callback_required");

    // Only numbers from the agency's record may be called.
    let elsewhere = app.agency_contact("dea.gov").await;
    let (status, body) = app
        .call_back(&ann, &reference, &elsewhere, "confirmed")
        .await;
    assert_eq!(status, Status::UnprocessableEntity, "{body}");
    let contact = app.agency_contact("fbi.gov").await;
    let (status, body) = app.call_back(&ann, &reference, &contact, "no_answer").await;
    assert_eq!(status, Status::Created);
    assert_eq!(body["requester_confirmed"], "pending");
    let (status, body) = app.call_back(&ann, &reference, &contact, "confirmed").await;
    assert_eq!(body["requester_confirmed"], "confirmed", "{status}");
    assert_eq!(
        transition(ann.clone(), "approved").await.0,
        Status::Accepted
    );
    assert_eq!(transition(ben.clone(), "approved").await.0, Status::Ok);

    // A second emergency: the agency denies the officer.
    let (_, second) = app.submit(&token, &emergency_request(), &[]).await;
    let second = second["reference"].as_str().unwrap().to_owned();
    let (status, body) = app.call_back(&ann, &second, &contact, "failed").await;
    assert_eq!(
        (status, body["requester_confirmed"].clone()),
        (Status::Created, json!("failed"))
    );
    let (status, _) = app.get_json("/api/v1/requests", &token).await;
    assert_eq!(
        status,
        Status::Unauthorized,
        "the officer is suspended at once"
    );
    let admins = app.mail_to("ben@writ.example").await;
    assert!(admins.iter().any(|m| m.subject
        == format!("Request {second}: the call-back failed and the officer is suspended")));
    let (status, _) = post(
        &app,
        format!("/api/v1/staff/cases/{second}/transition"),
        json!({ "to": "in_review" }),
        &ann,
    )
    .await;
    assert_eq!(status, Status::Ok);
    let (status, body) = post(
        &app,
        format!("/api/v1/staff/cases/{second}/transition"),
        json!({ "to": "approved" }),
        &ann,
    )
    .await;
    assert_eq!(status, Status::Conflict);
    assert_eq!(body["error"]["code"], "callback_failed");
    let (_, page) = {
        app.staff_sign_in_page(&app.staff("ada@writ.example", Role::Admin).await)
            .await;
        app.page(&format!("/staff/cases/{second}")).await
    };
    assert!(page.contains("requester_confirmed</code> failed"), "{page}");
}

#[rocket::async_test]
async fn fraud_signals_fire_on_their_scenarios_and_not_on_a_clean_request() {
    let app = TestApp::new().await;
    let signals = |reference: String| {
        let app = &app;
        async move {
            let legal = app
                .staff_token(
                    &app.staff(
                        &format!("{}@writ.example", reference.to_lowercase()),
                        Role::Legal,
                    )
                    .await,
                )
                .await;
            let (_, case) = app
                .get_json(&format!("/api/v1/staff/cases/{reference}"), &legal)
                .await;
            let mut codes: Vec<String> = case["identity"]["signals"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["code"].as_str().unwrap().to_owned())
                .collect();
            codes.sort();
            codes
        }
    };
    let alice = app.officer("alice@fbi.gov").await;
    let (_, first) = app
        .submit(&alice, &subpoena_request(), &[("subpoena.pdf", PDF)])
        .await;
    assert_eq!(
        signals(first["reference"].as_str().unwrap().to_owned()).await,
        ["first_request_domain"]
    );
    let mut other = subpoena_request();
    other["instrument"]["reference"] = json!("GJ-2026-999");
    other["targets"] = json!([{ "kind": "email", "value": "bob@example.com", "role": "suspect" }]);
    let (_, clean) = app
        .submit(&alice, &other, &[("other.png", common::PNG)])
        .await;
    assert_eq!(
        signals(clean["reference"].as_str().unwrap().to_owned()).await,
        Vec::<String>::new(),
        "a clean request"
    );

    // Bob, new: his first request reuses Alice's document, and his account is hours old for an emergency.
    let bob = app.officer("bob@fbi.gov").await;
    let mut copied = other.clone();
    copied["instrument"]["reference"] = json!("GJ-2026-1000");
    let (_, copy) = app.submit(&bob, &copied, &[("subpoena.pdf", PDF)]).await;
    assert_eq!(
        signals(copy["reference"].as_str().unwrap().to_owned()).await,
        ["document_filed_elsewhere", "first_request_officer"]
    );
    let (_, urgent) = app.submit(&bob, &emergency_request(), &[]).await;
    assert_eq!(
        signals(urgent["reference"].as_str().unwrap().to_owned()).await,
        ["new_officer_urgent"]
    );

    // Three agencies ask for the same target within the window.
    for (email, domain, org) in [
        ("x@dea.gov", "dea.gov", "Drug Enforcement Administration"),
        ("y@usss.gov", "usss.gov", "Secret Service"),
    ] {
        app.register_dotgov(domain, "Federal", org);
        let token = app.officer(email).await;
        let (_, filed) = app.submit(&token, &other, &[("o.png", common::PNG)]).await;
        let codes = signals(filed["reference"].as_str().unwrap().to_owned()).await;
        if domain == "usss.gov" {
            assert!(
                codes.contains(&"targets_many_agencies".to_owned()),
                "{codes:?}"
            );
        } else {
            assert!(
                !codes.contains(&"targets_many_agencies".to_owned()),
                "{codes:?}"
            );
        }
    }
}

#[rocket::async_test]
async fn a_colleague_of_the_same_agency_follows_the_case_after_their_own_sign_in() {
    let app = TestApp::new().await;
    let alice = app.officer("alice@fbi.gov").await;
    let (_, filed) = app
        .submit(&alice, &subpoena_request(), &[("subpoena.pdf", PDF)])
        .await;
    let reference = filed["reference"].as_str().unwrap().to_owned();
    let add = |email: &'static str| {
        let (app, alice, reference) = (&app, alice.clone(), reference.clone());
        async move {
            post(
                app,
                format!("/api/v1/requests/{reference}/colleagues"),
                json!({ "email": email }),
                &alice,
            )
            .await
        }
    };
    let (status, body) = add("eve@dea.gov").await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(body["error"]["fields"]["email"]
        .as_str()
        .unwrap()
        .contains("fbi.gov"));
    let (status, body) = add("bob@fbi.gov").await;
    assert_eq!(status, Status::Created, "{body}");
    assert_eq!(body["colleagues"], json!(["bob@fbi.gov"]));
    assert!(app
        .mail_to("bob@fbi.gov")
        .await
        .iter()
        .any(|m| m.subject == format!("You were added to request {reference}")));

    let bob = app.officer("bob@fbi.gov").await;
    let (status, case) = app
        .get_json(&format!("/api/v1/requests/{reference}"), &bob)
        .await;
    assert_eq!(status, Status::Ok);
    assert_eq!(case["owner"], false);
    let (_, list) = app.get_json("/api/v1/requests", &bob).await;
    assert!(list.to_string().contains(&reference), "{list}");
    // Bob reads; he cannot withdraw it or add others.
    let (status, _) = post(
        &app,
        format!("/api/v1/requests/{reference}/withdraw"),
        json!({}),
        &bob,
    )
    .await;
    assert_eq!(status, Status::NotFound);
    let carol = app.officer("carol@fbi.gov").await;
    let (status, _) = app
        .get_json(&format!("/api/v1/requests/{reference}"), &carol)
        .await;
    assert_eq!(
        status,
        Status::NotFound,
        "an officer not added sees nothing"
    );
}

/// Adds a software passkey to the officer signed in with `token`, through the API.
async fn add_passkey(app: &TestApp, token: &str, name: &str) -> SoftPasskey {
    let mut passkey = SoftPasskey::new("https://writ.test");
    let (status, options) = post(
        app,
        "/api/v1/auth/second-factor/passkey".into(),
        json!({}),
        token,
    )
    .await;
    assert_eq!(status, Status::Created, "{options}");
    let credential = passkey.register(&options["options"]);
    let (status, added) = post(
        app,
        "/api/v1/auth/second-factor/passkey/confirm".into(),
        json!({ "ceremony": options["ceremony"], "credential": credential, "name": name }),
        token,
    )
    .await;
    assert_eq!(status, Status::Created, "{added}");
    assert_eq!(added["passkey"]["name"], name);
    passkey
}

/// Asks for the passkey step of the sign-in `challenge` (its code already found right).
async fn passkey_options(app: &TestApp, challenge: &str) -> (Status, Value) {
    let response = app
        .post_json(
            "/api/v1/auth/passkey/options",
            json!({ "challenge": challenge }),
            None,
        )
        .await;
    let status = response.status();
    (status, response.into_json().await.unwrap_or(Value::Null))
}

#[rocket::async_test]
async fn a_passkey_is_a_second_factor_at_sign_in_and_an_unknown_or_replayed_one_gets_401() {
    let app = TestApp::new().await;
    let token = app.officer("j.doe@fbi.gov").await;
    let mut passkey = add_passkey(&app, &token, "Work laptop").await;
    assert_eq!(app.count("passkeys"), 1);
    assert_eq!(
        app.count("audit_events WHERE action = 'officer.second_factor_enrolled' AND details LIKE '%passkey%'"),
        1
    );

    // Before the e-mailed code is right, no passkey ceremony starts.
    let (id, code) = challenge(&app, "j.doe@fbi.gov").await;
    let (status, body) = passkey_options(&app, &id).await;
    assert_eq!(status, Status::Unauthorized, "{body}");
    assert_eq!(body["error"]["code"], "code_required");

    // The code alone is not enough; the passkey then signs in.
    let (status, body) = verify(&app, json!({ "challenge": id, "code": code })).await;
    assert_eq!(status, Status::Unauthorized);
    assert_eq!(body["error"]["code"], "second_factor_required");
    // Asking again replaces the waiting ceremony: a sign-in never has more than one.
    for _ in 0..3 {
        passkey_options(&app, &id).await;
    }
    assert_eq!(app.count("passkey_ceremonies"), 1);
    let (status, options) = passkey_options(&app, &id).await;
    assert_eq!(status, Status::Ok, "{options}");
    let allowed = options["options"]["publicKey"]["allowCredentials"]
        .as_array()
        .unwrap();
    assert_eq!(allowed.len(), 1, "the officer's one passkey is offered");

    // A passkey registered nowhere is refused with 401 and spends an attempt.
    let mut stranger = SoftPasskey::new("https://writ.test");
    let forged = stranger.sign(&options["options"]);
    let (status, body) = verify(
        &app,
        json!({ "challenge": id, "passkey": { "ceremony": options["ceremony"], "credential": forged } }),
    )
    .await;
    assert_eq!(status, Status::Unauthorized, "{body}");
    assert_eq!(body["error"]["code"], "unknown_passkey");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("attempt(s) left"));

    // The ceremony was spent by that answer: the right passkey needs a fresh one.
    let stale = passkey.sign(&options["options"]);
    let (status, body) = verify(
        &app,
        json!({ "challenge": id, "passkey": { "ceremony": options["ceremony"], "credential": stale } }),
    )
    .await;
    assert_eq!(status, Status::Unauthorized, "{body}");
    assert_eq!(body["error"]["code"], "passkey_expired");
    let (_, options) = passkey_options(&app, &id).await;
    // An answer signed for an earlier ceremony's challenge does not verify for this one.
    let (status, body) = verify(
        &app,
        json!({ "challenge": id, "passkey": { "ceremony": options["ceremony"], "credential": stale } }),
    )
    .await;
    assert_eq!(status, Status::Unauthorized, "{body}");
    assert_eq!(body["error"]["code"], "invalid_passkey");
    let (_, options) = passkey_options(&app, &id).await;
    let answer = passkey.sign(&options["options"]);
    let (status, body) = verify(
        &app,
        json!({ "challenge": id, "passkey": { "ceremony": options["ceremony"], "credential": answer } }),
    )
    .await;
    assert_eq!(status, Status::Ok, "{body}");
    let signed_in = body["token"].as_str().unwrap().to_owned();
    assert_eq!(
        app.count("sessions WHERE second_factor = 'passkey'"),
        2,
        "the enrolling session and this sign-in"
    );
    assert_eq!(app.count("passkeys WHERE last_used_at IS NOT NULL"), 1);

    // What it files records the passkey, and staff read it so.
    let (status, filed) = app
        .submit(&signed_in, &subpoena_request(), &[("subpoena.pdf", PDF)])
        .await;
    assert_eq!(status, Status::Created, "{filed}");
    assert_eq!(app.count("cases WHERE signer_mfa = 'passkey'"), 1);
    let reviewer = app.staff("lee@writ.example", Role::Legal).await;
    let staff = app.staff_token(&reviewer).await;
    let reference = filed["reference"].as_str().unwrap();
    let (_, case) = app
        .get_json(&format!("/api/v1/staff/cases/{reference}"), &staff)
        .await;
    assert_eq!(
        case["identity"]["signer_factor"], "e-mail code and passkey (WebAuthn)",
        "{case}"
    );

    // The sign-in is over: its challenge takes no further answer.
    let (status, _) = passkey_options(&app, &id).await;
    assert_eq!(status, Status::Unauthorized);
}

#[rocket::async_test]
async fn a_mailbox_alone_cannot_plant_a_passkey_and_recovery_removes_every_factor() {
    let app = narrow_policy_app().await;
    let token = app.officer("j.doe@fbi.gov").await;
    let mut passkey = add_passkey(&app, &token, "Phone").await;

    // Under this policy sign-in asks only for the e-mailed code: the attacker with the mailbox
    // has a session, and may neither add a passkey nor an app of their own.
    let (id, code) = challenge(&app, "j.doe@fbi.gov").await;
    let (status, body) = verify(&app, json!({ "challenge": id, "code": code })).await;
    assert_eq!(status, Status::Ok, "{body}");
    let attacker = body["token"].as_str().unwrap().to_owned();
    let (status, body) = post(
        &app,
        "/api/v1/auth/second-factor/passkey".into(),
        json!({}),
        &attacker,
    )
    .await;
    assert_eq!(status, Status::Forbidden, "{body}");
    assert_eq!(body["error"]["code"], "second_factor_required");
    let (status, body) = app.submit(&attacker, &emergency_request(), &[]).await;
    assert_eq!(status, Status::Forbidden, "{body}");
    assert_eq!(body["error"]["code"], "second_factor_required");

    // The owner proves the factor in such a session with the passkey, and files an emergency.
    let (id, code) = challenge(&app, "j.doe@fbi.gov").await;
    let (_, body) = verify(&app, json!({ "challenge": id, "code": code })).await;
    let owner = body["token"].as_str().unwrap().to_owned();
    let (status, options) = post(
        &app,
        "/api/v1/auth/second-factor/passkey/options".into(),
        json!({}),
        &owner,
    )
    .await;
    assert_eq!(status, Status::Ok, "{options}");
    let answer = passkey.sign(&options["options"]);
    // Another session cannot use this session's ceremony.
    let (status, body) = post(
        &app,
        "/api/v1/auth/second-factor/verify".into(),
        json!({ "passkey": { "ceremony": options["ceremony"], "credential": answer } }),
        &attacker,
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity, "{body}");
    assert_eq!(body["error"]["code"], "passkey_expired");
    let (_, options) = post(
        &app,
        "/api/v1/auth/second-factor/passkey/options".into(),
        json!({}),
        &owner,
    )
    .await;
    let answer = passkey.sign(&options["options"]);
    let (status, body) = post(
        &app,
        "/api/v1/auth/second-factor/verify".into(),
        json!({ "passkey": { "ceremony": options["ceremony"], "credential": answer } }),
        &owner,
    )
    .await;
    assert_eq!(status, Status::Ok, "{body}");
    assert_eq!(body["second_factor"], "passkey");
    let (status, body) = app.submit(&owner, &emergency_request(), &[]).await;
    assert_eq!(status, Status::Created, "{body}");

    // Recovery by a legal admin removes the app and the passkeys, and ends every session.
    let officer_id = app.requester_id("j.doe@fbi.gov");
    let admin = app.staff("ada@writ.example", Role::Admin).await;
    let csrf = app.staff_sign_in_page(&admin).await;
    let (status, _) = app
        .post_page(
            &format!("/staff/admin/officers/{officer_id}/second-factor/remove"),
            ContentType::Form,
            format!("reason=Lost+phone%3B+confirmed+by+call+to+FBI+HQ&csrf={csrf}").into_bytes(),
        )
        .await;
    assert_eq!(status, Status::SeeOther);
    assert_eq!(app.count("passkeys"), 0);
    assert_eq!(
        app.count("requesters WHERE totp_enrolled_at IS NULL AND passkey_enrolled_at IS NULL"),
        1
    );
    let (status, _) = app.get_json("/api/v1/requests", &owner).await;
    assert_eq!(status, Status::Unauthorized, "every session ended");
}
