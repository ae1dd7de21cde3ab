//! The court-order track: legal representatives as platform users or visitors, their requests,
//! and support's triage of them — through the API and the pages.

use crate::common;

use chrono::Datelike;
use common::{
    court_profile, csrf_of, freeze_order_request, multipart, subpoena_request, Part, TestApp, PDF,
};
use rocket::http::{ContentType, Header, Status};
use serde_json::{json, Value};
use writ::domain::vocab::Role;

fn check<'a>(authority: &'a Value, code: &str) -> &'a Value {
    authority["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {authority}"))
}

fn first_reference() -> String {
    format!("CO-{}-000001", chrono::Utc::now().year())
}

#[rocket::async_test]
async fn a_platform_user_files_a_freeze_linked_to_their_account() {
    let app = TestApp::new().await;
    app.add_account("U100", "counsel@acme-legal.example");
    let token = app
        .representative("Counsel@Acme-Legal.example", "user")
        .await;

    let (status, filed) = app
        .submit(&token, &freeze_order_request(), &[("order.pdf", PDF)])
        .await;
    assert_eq!(status, Status::Created, "{filed}");
    assert_eq!(filed["reference"], first_reference());
    assert_eq!(filed["state"], "triage", "court orders go to support first");
    assert_eq!(filed["authority"]["established"], true, "{filed}");
    assert_eq!(
        check(&filed["authority"], "representative_identified")["message"],
        "The representative signed in with the e-mail of record of platform account U100."
    );
    assert_eq!(
        app.count("court_filings WHERE account_uid = 'U100' AND case_key = 'US:CGC-26-612345'"),
        1
    );

    let receipt = app
        .mail_to("counsel@acme-legal.example")
        .await
        .into_iter()
        .find(|m| m.subject == format!("Request {} has been received", first_reference()))
        .expect("a receipt");
    assert!(
        receipt.body.contains(&format!(
            "https://writ.test/court/requests/{}",
            first_reference()
        )),
        "the receipt links to the court-track case page: {}",
        receipt.body
    );

    let (status, case) = app
        .get_json(&format!("/api/v1/requests/{}", first_reference()), &token)
        .await;
    assert_eq!(status, Status::Ok);
    assert_eq!(case["court"]["case_number"], "CGC-26-612345");
    assert_eq!(case["court"]["judge"], "Hon. R. Alvarez");
    assert_eq!(case["instrument_reference"], "CGC-26-612345");
    assert_eq!(case["track"], "court");
}

#[rocket::async_test]
async fn a_user_whose_email_is_not_in_the_directory_gets_no_code() {
    let app = TestApp::new().await;
    app.add_account("U100", "counsel@acme-legal.example");
    let response = app
        .post_json(
            "/api/v1/auth/email",
            json!({ "email": "stranger@elsewhere.example", "track": "court", "path": "user" }),
            None,
        )
        .await;
    // The answer is the same as for an account holder, so that it tells nobody who has one.
    assert_eq!(response.status(), Status::Accepted);
    let challenge: Value = response.into_json().await.unwrap();
    assert!(challenge["challenge"].is_string());

    let mails = app.mail_to("stranger@elsewhere.example").await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(mails[0].subject, "No platform account uses this address");
    assert!(mails[0].body.contains("no code was sent"));
    // The mail names the choice as the sign-in page words it.
    let (_, sign_in) = app.page("/court").await;
    assert!(sign_in.contains("No, I am a visitor."));
    assert!(
        mails[0].body.contains("choose \"No, I am a visitor\""),
        "{}",
        mails[0].body
    );
    assert!(mails[0].body.contains("visitor"));

    for code in ["000000", "123456"] {
        let response = app
            .post_json(
                "/api/v1/auth/verify",
                json!({ "challenge": challenge["challenge"], "code": code }),
                None,
            )
            .await;
        assert_eq!(response.status(), Status::Unauthorized);
    }
    assert_eq!(app.count("requesters"), 0, "nobody was signed in");
    assert_eq!(app.count("sessions"), 0);
    assert_eq!(
        app.count("audit_events WHERE action = 'signin.no_account'"),
        1
    );

    // The same address as a visitor gets a code.
    let token = app
        .court_sign_in("stranger@elsewhere.example", "visitor")
        .await;
    assert!(!token.is_empty());
}

#[rocket::async_test]
async fn a_visitor_declares_their_bar_before_filing() {
    let app = TestApp::new().await;
    // Free mail is fine on the court track.
    let token = app.court_sign_in("maria.lopez@gmail.com", "visitor").await;

    let (status, refused) = app
        .submit(&token, &freeze_order_request(), &[("order.pdf", PDF)])
        .await;
    assert_eq!(status, Status::Forbidden);
    assert_eq!(refused["error"]["code"], "profile_required");

    let incomplete = json!({ "name": "Maria Lopez", "represents": "Acme Holdings Inc." });
    let (status, error) = app.put_profile_body(&token, incomplete.to_string()).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert_eq!(
        error["error"]["fields"]["bar_number"],
        "Enter your bar number."
    );
    assert_eq!(error["error"]["fields"]["firm"], "Enter your firm.");
    assert_eq!(
        error["error"]["fields"]["bar_jurisdiction"],
        "Enter your bar jurisdiction."
    );
    assert_eq!(
        app.count("requesters WHERE profile_completed_at IS NOT NULL"),
        0
    );

    let (status, saved) = app
        .put_profile_body(&token, court_profile().to_string())
        .await;
    assert_eq!(status, Status::Ok);
    assert_eq!(saved["path"], "visitor");
    assert_eq!(saved["bar_number"], "CA-298811");

    let mut disclosure = freeze_order_request();
    disclosure["type"] = json!("disclosure");
    disclosure["instrument"] = json!({"kind": "court_order"});
    disclosure["data_categories"] = json!(["subscriber_info", "transactions"]);
    disclosure["freeze"] = Value::Null;
    let (status, filed) = app.submit(&token, &disclosure, &[("order.pdf", PDF)]).await;
    assert_eq!(status, Status::Created, "{filed}");
    let identified = check(&filed["authority"], "representative_identified");
    assert_eq!(identified["outcome"], "warn");
    assert!(identified["message"]
        .as_str()
        .unwrap()
        .contains("bar number CA-298811 (California)"));
}

#[rocket::async_test]
async fn a_freeze_without_the_order_document_stores_nothing() {
    let app = TestApp::new().await;
    let token = app.representative("maria@lopez.example", "visitor").await;
    let mut request = freeze_order_request();
    request["court"]["judge"] = json!("");
    let (status, refused) = app.submit(&token, &request, &[]).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert_eq!(
        refused["error"]["fields"]["documents"],
        "Attach the freezing order, seizure warrant or court order (PDF, PNG or JPEG)."
    );
    assert_eq!(
        refused["error"]["fields"]["court.judge"],
        "Enter the judge who made the order."
    );
    assert_eq!(app.count("cases"), 0);
    assert_eq!(app.count("court_filings"), 0);
    assert_eq!(app.count("documents"), 0);
    assert_eq!(app.stored_files(), 0);
    assert_eq!(
        app.count("audit_events WHERE action = 'request.submitted'"),
        0
    );
    assert!(app
        .mail_to("maria@lopez.example")
        .await
        .iter()
        .all(|m| !m.subject.contains("received")));
}

#[rocket::async_test]
async fn a_visitor_cannot_read_or_touch_another_visitors_case() {
    let app = TestApp::new().await;
    let owner = app.representative("owner@lopez.example", "visitor").await;
    let (_, filed) = app
        .submit(&owner, &freeze_order_request(), &[("order.pdf", PDF)])
        .await;
    let reference = filed["reference"].as_str().unwrap().to_owned();
    let intruder = app
        .representative("intruder@elsewhere.example", "visitor")
        .await;

    let (status, error) = app
        .get_json(&format!("/api/v1/requests/{reference}"), &intruder)
        .await;
    assert_eq!(status, Status::NotFound);
    assert_eq!(error["error"]["code"], "not_found");
    let response = app
        .client
        .post(format!("/api/v1/requests/{reference}/withdraw"))
        .header(Header::new("Authorization", format!("Bearer {intruder}")))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::NotFound);
    let (content_type, body) = multipart(&[Part::text("message", "Let me in.")]);
    let response = app
        .client
        .post(format!("/api/v1/requests/{reference}/messages"))
        .header(content_type)
        .header(Header::new("Authorization", format!("Bearer {intruder}")))
        .body(body)
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::NotFound);
    let (_, listed) = app.get_json("/api/v1/requests", &intruder).await;
    assert_eq!(listed["requests"], json!([]));

    let (_, case) = app
        .get_json(&format!("/api/v1/requests/{reference}"), &owner)
        .await;
    assert_eq!(case["state"], "triage");
    assert_eq!(case["messages"], json!([]));
}

#[rocket::async_test]
async fn the_two_tracks_never_mix() {
    let app = TestApp::new().await;
    let officer = app.officer("agent@fbi.gov").await;
    let representative = app.representative("maria@lopez.example", "visitor").await;

    // An officer cannot send court details or claim the court track…
    let mut with_court = subpoena_request();
    with_court["court"] = freeze_order_request()["court"].clone();
    let (status, refused) = app
        .submit(&officer, &with_court, &[("subpoena.pdf", PDF)])
        .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(refused["error"]["fields"]["court"]
        .as_str()
        .unwrap()
        .contains("court-order track"));
    let mut claimed = freeze_order_request();
    claimed["track"] = json!("court");
    let (status, refused) = app.submit(&officer, &claimed, &[("order.pdf", PDF)]).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(refused["error"]["fields"]["track"]
        .as_str()
        .unwrap()
        .contains("signed in to the agency track"));

    // …and a representative cannot file an agency type, nor without the court.
    let mut preservation = freeze_order_request();
    preservation["type"] = json!("preservation");
    let (status, refused) = app
        .submit(&representative, &preservation, &[("order.pdf", PDF)])
        .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert_eq!(
        refused["error"]["fields"]["type"],
        "A preservation of records request cannot be filed on the court track."
    );
    let (status, refused) = app
        .submit(&representative, &subpoena_request(), &[("s.pdf", PDF)])
        .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert_eq!(
        refused["error"]["fields"]["court.name"],
        "Enter the name of the court."
    );
    assert_eq!(app.count("cases"), 0, "nothing refused was stored");

    // An instrument of the other track is reported, not refused.
    let mut seizure = freeze_order_request();
    seizure["instrument"]["kind"] = json!("seizure_warrant");
    let (status, filed) = app
        .submit(&representative, &seizure, &[("warrant.pdf", PDF)])
        .await;
    assert_eq!(status, Status::Created);
    assert_eq!(filed["authority"]["established"], false);
    assert_eq!(
        check(&filed["authority"], "instrument_fits_track")["message"],
        "A seizure warrant is not an instrument for a freeze of assets request on the court track: attach a freezing order or a court order."
    );

    // The pages of one track refuse the other's session.
    let (status, _) = app
        .put_profile_body(&representative, common::profile().to_string())
        .await;
    assert_eq!(
        status,
        Status::UnprocessableEntity,
        "an officer's profile is no declaration"
    );
    let response = app
        .client
        .post(format!(
            "/api/v1/requests/{}/extension",
            filed["reference"].as_str().unwrap()
        ))
        .header(Header::new(
            "Authorization",
            format!("Bearer {representative}"),
        ))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Forbidden);
}

#[rocket::async_test]
async fn the_same_court_case_number_is_flagged_to_staff_only() {
    let app = TestApp::new().await;
    let first = app.representative("first@lopez.example", "visitor").await;
    let second = app.representative("second@other.example", "visitor").await;
    let (_, one) = app
        .submit(&first, &freeze_order_request(), &[("order.pdf", PDF)])
        .await;
    let mut again = freeze_order_request();
    again["court"]["case_number"] = json!(" cgc-26-612345 ");
    let (_, two) = app.submit(&second, &again, &[("order.pdf", PDF)]).await;
    let (one, two) = (
        one["reference"].as_str().unwrap().to_owned(),
        two["reference"].as_str().unwrap().to_owned(),
    );
    assert!(
        requester_checks(&app, &second, &two)
            .await
            .iter()
            .all(|c| c["code"] != "duplicate_request"),
        "the requester does not see other cases"
    );
    let legal = app.staff("legal@writ.example", Role::Legal).await;
    let token = app.staff_token(&legal).await;
    let (status, case) = app
        .get_json(&format!("/api/v1/staff/cases/{two}"), &token)
        .await;
    assert_eq!(status, Status::Ok);
    let duplicate = check(&case["authority"], "duplicate_request");
    assert_eq!(duplicate["outcome"], "warn");
    assert_eq!(
        duplicate["message"],
        format!("Court case cgc-26-612345 (US) is already open as {one}.")
    );
}

async fn requester_checks(app: &TestApp, token: &str, reference: &str) -> Vec<Value> {
    let (_, case) = app
        .get_json(&format!("/api/v1/requests/{reference}"), token)
        .await;
    case["authority"]["checks"].as_array().unwrap().clone()
}

async fn transition(
    app: &TestApp,
    token: &str,
    reference: &str,
    to: &str,
    reason: &str,
) -> (Status, Value) {
    let uri = format!("/api/v1/staff/cases/{reference}/transition");
    let response = app
        .post_json(&uri, json!({ "to": to, "reason": reason }), Some(token))
        .await;
    let status = response.status();
    (status, response.into_json().await.unwrap_or(Value::Null))
}

#[rocket::async_test]
async fn support_triages_court_orders_and_only_court_orders() {
    let app = TestApp::new().await;
    let officer = app.officer("agent@fbi.gov").await;
    let (_, agency) = app
        .submit(&officer, &subpoena_request(), &[("subpoena.pdf", PDF)])
        .await;
    let agency = agency["reference"].as_str().unwrap().to_owned();
    let representative = app.representative("maria@lopez.example", "visitor").await;
    let mut references = Vec::new();
    for _ in 0..2 {
        let (_, filed) = app
            .submit(
                &representative,
                &freeze_order_request(),
                &[("order.pdf", PDF)],
            )
            .await;
        references.push(filed["reference"].as_str().unwrap().to_owned());
    }
    let support = app.staff("support@writ.example", Role::Support).await;
    let token = app.staff_token(&support).await;

    // The triage queue: court orders only, oldest first.
    let (status, queue) = app.get_json("/api/v1/staff/cases", &token).await;
    assert_eq!(status, Status::Ok);
    let listed: Vec<&str> = queue["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["reference"].as_str().unwrap())
        .collect();
    assert_eq!(listed, references);
    let (_, asked_for_agency) = app
        .get_json("/api/v1/staff/cases?track=agency&state=legal_queue", &token)
        .await;
    assert_eq!(
        asked_for_agency["cases"],
        json!([]),
        "support never lists agency cases"
    );
    let (status, _) = app
        .get_json(&format!("/api/v1/staff/cases/{agency}"), &token)
        .await;
    assert_eq!(status, Status::NotFound);
    let (status, _) = transition(&app, &token, &agency, "in_review", "").await;
    assert_eq!(status, Status::NotFound);

    // Ask for information: the question is e-mailed, the answer sends the case back to triage.
    let (first, second) = (&references[0], &references[1]);
    let (status, moved) = transition(
        &app,
        &token,
        first,
        "needs_info",
        "Please send the certified translation of the order.",
    )
    .await;
    assert_eq!(status, Status::Ok, "{moved}");
    let question = app
        .mail_to("maria@lopez.example")
        .await
        .into_iter()
        .find(|m| m.subject.contains("needs information"))
        .expect("the question is e-mailed");
    assert!(question
        .body
        .contains("Please send the certified translation of the order."));
    let (content_type, body) = multipart(&[
        Part::text("message", "The translation is attached."),
        Part::file("documents", "translation.pdf", PDF),
    ]);
    let response = app
        .client
        .post(format!("/api/v1/requests/{first}/messages"))
        .header(content_type)
        .header(Header::new(
            "Authorization",
            format!("Bearer {representative}"),
        ))
        .body(body)
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Created);
    let answered: Value = response.into_json().await.unwrap();
    assert_eq!(answered["state"], "triage");

    // Escalating needs a note for the legal team; taking the case is for legal only.
    let (status, refused) = transition(&app, &token, first, "legal_queue", " ").await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(refused["error"]["fields"]["reason"].is_string());
    let (status, _) = transition(
        &app,
        &token,
        first,
        "legal_queue",
        "A freezing order of a US court against an account we hold.",
    )
    .await;
    assert_eq!(status, Status::Ok);
    assert_eq!(
        app.count("notes WHERE body = 'Escalated from triage: A freezing order of a US court against an account we hold.'"),
        1
    );
    let (status, refused) = transition(&app, &token, first, "in_review", "").await;
    assert_eq!(status, Status::Forbidden);
    assert_eq!(
        refused["error"]["message"],
        "Only a legal reviewer may move a case from “Legal queue” to “In review”."
    );
    let (_, case) = app
        .get_json(&format!("/api/v1/staff/cases/{first}"), &token)
        .await;
    assert_eq!(
        case["state"], "legal_queue",
        "the refused action changed nothing"
    );

    // Reject as not a legal matter: the reason is e-mailed.
    let (status, _) = transition(
        &app,
        &token,
        second,
        "rejected",
        "This is a billing dispute, not a court order against an account.",
    )
    .await;
    assert_eq!(status, Status::Ok);
    let rejection = app
        .mail_to("maria@lopez.example")
        .await
        .into_iter()
        .find(|m| m.subject == format!("Request {second} has been rejected"))
        .expect("the rejection is e-mailed");
    assert!(rejection.body.contains("This is a billing dispute"));

    // Every step is in the audit trail, through the one state machine.
    for (reference, count) in [(first, 3), (second, 1)] {
        assert_eq!(
            app.count(&format!(
                "audit_events WHERE action = 'case.transition' AND case_id = (SELECT id FROM cases WHERE reference = '{reference}')"
            )),
            count,
            "{reference}"
        );
    }

    // The legal team sees the escalated case in its queue, not the one support rejected.
    let legal = app.staff("legal@writ.example", Role::Legal).await;
    let legal_token = app.staff_token(&legal).await;
    let (_, queue) = app
        .get_json("/api/v1/staff/cases?track=court", &legal_token)
        .await;
    let listed: Vec<&str> = queue["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["reference"].as_str().unwrap())
        .collect();
    assert_eq!(listed, [first.as_str()]);
}

/// The pages, as a visitor uses them: the path question, the code, the declaration, the form.
#[rocket::async_test]
async fn a_visitor_files_through_the_pages() {
    let app = TestApp::new().await;
    let start = app.client.get("/court").dispatch().await;
    assert_eq!(start.status(), Status::Ok);
    let page = start.into_string().await.unwrap();
    assert!(page.contains("Are you a platform user?"));
    let csrf = csrf_of(&page);

    let response = app
        .client
        .post("/court/sign-in")
        .header(ContentType::Form)
        .body(format!("email=maria%40lopez.example&csrf={csrf}"))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let page = response.into_string().await.unwrap();
    assert!(page.contains("Say whether you are a platform user or a visitor."));
    assert!(
        page.contains("value=\"maria@lopez.example\""),
        "the address is kept"
    );
    assert_eq!(app.count("login_challenges"), 0);

    let response = app
        .client
        .post("/court/sign-in")
        .header(ContentType::Form)
        .body(format!(
            "path=visitor&email=maria%40lopez.example&csrf={csrf}"
        ))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(response.headers().get_one("Location"), Some("/court/code"));
    let code = app.code_for("maria@lopez.example").await;
    let response = app
        .client
        .post("/court/code")
        .header(ContentType::Form)
        .body(format!("code={code}&csrf={csrf}"))
        .dispatch()
        .await;
    assert_eq!(
        response.headers().get_one("Location"),
        Some("/court/profile")
    );

    let page = app
        .client
        .get("/court/profile")
        .dispatch()
        .await
        .into_string()
        .await
        .unwrap();
    assert!(page.contains("as a visitor"));
    let response = app
        .client
        .post("/court/profile")
        .header(ContentType::Form)
        .body(format!("name=Maria+Lopez&represents=Acme&firm=&bar_number=&bar_jurisdiction=&phone=&csrf={csrf}"))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    assert!(response
        .into_string()
        .await
        .unwrap()
        .contains("Enter your bar number."));
    let response = app
        .client
        .post("/court/profile")
        .header(ContentType::Form)
        .body(format!("name=Maria+Lopez&represents=Acme&firm=Lopez+LLP&bar_number=CA-298811&bar_jurisdiction=California&phone=&csrf={csrf}"))
        .dispatch()
        .await;
    assert_eq!(
        response.headers().get_one("Location"),
        Some("/court/requests/new")
    );

    let first = app
        .client
        .get("/court/requests/new")
        .dispatch()
        .await
        .into_string()
        .await
        .unwrap();
    // Issue 19, item 10: the confirmation is shown on the page it leads to, and only there.
    assert!(
        first.contains("Declaration saved. You can now file a request."),
        "{first}"
    );
    let (_, list) = app.page("/court/requests").await;
    assert!(!list.contains("Declaration saved"), "{list}");
    // Issue 19, items 9 and 13: the type first, then only the instruments the track takes for it.
    assert!(first.contains("Court order.</span>"), "{first}");
    assert!(
        first.contains("Court order, Freezing order.</span>"),
        "{first}"
    );
    assert!(!first.contains("value=\"emergency_disclosure\""));
    assert!(!first.contains("value=\"preservation\""));
    let (_, disclosure) = app.page("/court/requests/new?type=disclosure").await;
    assert!(disclosure.contains("The court and its order"));
    for refused in [
        "freezing_order",
        "search_warrant",
        "subpoena",
        "seizure_warrant",
        "mlat_request",
        // Contents never go to a private party (the policy's `never`): not offered either.
        "communications_content",
        "support_tickets",
    ] {
        assert!(
            !disclosure.contains(&format!("value=\"{refused}\"")),
            "a court-track disclosure does not offer {refused}"
        );
    }
    assert!(
        disclosure.contains("<option value=\"court_order\" selected>"),
        "the one instrument is chosen"
    );
    assert!(disclosure.contains("value=\"subscriber_info\""));
    assert!(!disclosure.contains("The assets to freeze"));
    assert!(
        !disclosure.contains("The emergency"),
        "no agency-only section"
    );
    let (_, form) = app.page("/court/requests/new?type=freeze").await;
    assert!(form.contains("value=\"freezing_order\""));
    assert!(!form.contains("value=\"search_warrant\""));
    assert!(!form.contains("value=\"communications_content\""));
    assert!(form.contains("The assets to freeze"));
    let (status, refused) = app
        .page("/court/requests/new?type=emergency_disclosure")
        .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(
        refused.contains("An emergency disclosure request cannot be filed on this track"),
        "{refused}"
    );

    let (content_type, body) = multipart(&[
        Part::text("csrf", &csrf),
        Part::text("type", "freeze"),
        Part::text("instrument.kind", "freezing_order"),
        Part::text("freeze.respondent", "M. Jean Dupont"),
        Part::text("freeze.max_sum", "EUR 480,000"),
        Part::text(
            "freeze.exceptions",
            "frais de subsistance de 1 500 EUR par mois",
        ),
        Part::text("court.name", "Tribunal judiciaire de Paris"),
        Part::text("court.country", "FR"),
        Part::text("court.case_number", "RG 24/01234"),
        Part::text("court.judge", "Mme A. Martin"),
        Part::text("court.order_date", "2026-11-02"),
        Part::text("targets[0].kind", "email"),
        Part::text("targets[0].value", "debtor@example.com"),
        Part::text("targets[0].role", "subject"),
        Part::text("freeze.assets[0].asset", "BTC"),
        Part::text("freeze.assets[0].amount", "all"),
        Part::text(
            "freeze.reason",
            "Saisie conservatoire ordered by the court.",
        ),
        Part::text("summary", "Conservatory seizure of the debtor's assets."),
        Part::file("documents", "ordonnance.pdf", PDF),
    ]);
    let response = app
        .client
        .post("/court/requests")
        .header(content_type)
        .body(body)
        .dispatch()
        .await;
    assert_eq!(
        response.status(),
        Status::SeeOther,
        "{:?}",
        response.into_string().await
    );
    let location = response.headers().get_one("Location").unwrap().to_owned();
    assert_eq!(location, format!("/court/requests/{}", first_reference()));
    let page = app
        .client
        .get(location.clone())
        .dispatch()
        .await
        .into_string()
        .await
        .unwrap();
    assert!(page.contains("Tribunal judiciaire de Paris"));
    assert!(page.contains("RG 24&#x2F;01234"), "Tera escapes the slash");
    assert!(
        page.contains("<dt>Respondent</dt><dd>M. Jean Dupont</dd>"),
        "{page}"
    );
    assert!(page.contains("<dt>Maximum sum</dt><dd>EUR 480,000</dd>"));
    assert!(page.contains("frais de subsistance"));
    assert!(
        page.contains("The freezing order is limited to EUR 480,000, but all of BTC is asked for"),
        "the injunction's terms are checked: {page}"
    );
    assert!(page.contains("Support triage"));
    assert!(
        page.contains("court in FR"),
        "the foreign-court caution is shown"
    );

    // Withdraw it: the button asks once more, and only the second answer withdraws.
    let csrf = csrf_of(&page);
    let response = app
        .client
        .post(format!("{location}/withdraw"))
        .header(ContentType::Form)
        .body(format!("csrf={csrf}"))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    let confirm = response.into_string().await.unwrap();
    assert!(
        confirm.contains(&format!("Withdraw {}?", first_reference()))
            && confirm.contains("name=\"confirmed\" value=\"true\"")
            && confirm.contains("Yes, withdraw the request"),
        "{confirm}"
    );
    assert_eq!(
        app.count("cases WHERE state = 'withdrawn'"),
        0,
        "nothing is withdrawn before the answer"
    );
    let response = app
        .client
        .post(format!("{location}/withdraw"))
        .header(ContentType::Form)
        .body(format!("csrf={csrf}&confirmed=true"))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    let page = app
        .client
        .get(location)
        .dispatch()
        .await
        .into_string()
        .await
        .unwrap();
    assert!(page.contains("Withdrawn"));

    // An agency page is closed to this session.
    let response = app.client.get("/agency/requests").dispatch().await;
    assert_eq!(response.status(), Status::Forbidden);
}

/// Support's pages: the triage queue and a court case, with the actions support may take.
#[rocket::async_test]
async fn support_sees_the_triage_queue_page() {
    let app = TestApp::new().await;
    let officer = app.officer("agent@fbi.gov").await;
    let (_, agency) = app
        .submit(&officer, &subpoena_request(), &[("subpoena.pdf", PDF)])
        .await;
    let representative = app.representative("maria@lopez.example", "visitor").await;
    let (_, court) = app
        .submit(
            &representative,
            &freeze_order_request(),
            &[("order.pdf", PDF)],
        )
        .await;
    let support = app.staff("support@writ.example", Role::Support).await;
    app.staff_sign_in_page(&support).await;
    let page = app
        .client
        .get("/staff/queue")
        .dispatch()
        .await
        .into_string()
        .await
        .unwrap();
    assert!(page.contains("Support triage"));
    assert!(page.contains(court["reference"].as_str().unwrap()));
    assert!(!page.contains(agency["reference"].as_str().unwrap()));

    let page = app
        .client
        .get(format!(
            "/staff/cases/{}",
            court["reference"].as_str().unwrap()
        ))
        .dispatch()
        .await
        .into_string()
        .await
        .unwrap();
    assert!(page.contains("Legal representative"));
    assert!(page.contains("CA-298811 (California)"));
    assert!(page.contains("Escalate to legal"));
    assert!(page.contains("Reject: not a legal matter"));
    assert!(page.contains("Ask for information"));
    assert!(!page.contains("Take the case"));
}
