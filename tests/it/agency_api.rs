//! The agency track through the JSON API: sign-in, profile, filing, reading.

use crate::common;

use common::{subpoena_request, TestApp, PDF, PNG};
use rocket::http::Status;
use serde_json::json;

#[rocket::async_test]
async fn free_mail_is_refused_and_nothing_is_stored() {
    let app = TestApp::new().await;
    let response = app
        .post_json(
            "/api/v1/auth/email",
            json!({ "email": "cop@gmail.com", "track": "agency" }),
            None,
        )
        .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let body: serde_json::Value = response.into_json().await.unwrap();
    assert_eq!(body["error"]["code"], "free_mail_domain");
    assert!(body["error"]["fields"]["email"]
        .as_str()
        .unwrap()
        .contains("gmail.com is a free-mail provider"));
    assert_eq!(app.count("login_challenges"), 0);
    assert!(app.mailbox().await.is_empty());
}

#[rocket::async_test]
async fn a_government_officer_files_a_request_and_gets_a_receipt() {
    let app = TestApp::new().await;
    let token = app.officer("j.doe@fbi.gov").await;
    let (status, body) = app
        .submit(
            &token,
            &subpoena_request(),
            &[
                ("subpoena.pdf", PDF),
                ("exhibit.png", PNG),
                ("ndo-order.pdf", PDF),
            ],
        )
        .await;
    assert_eq!(status, Status::Created, "{body}");
    let reference = body["reference"].as_str().unwrap();
    let ndo = body["authority"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "ndo_order")
        .expect("the declared NDO is checked");
    assert_eq!(ndo["outcome"], "pass", "{ndo}");
    assert_eq!(
        reference,
        format!("LE-{}-000001", chrono::Datelike::year(&chrono::Utc::now()))
    );
    assert_eq!(body["state"], "legal_queue");
    assert_eq!(body["authority"]["established"], true, "{body}");
    let domain_check = body["authority"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "agency_domain_recognised")
        .unwrap();
    assert!(
        domain_check["message"]
            .as_str()
            .unwrap()
            .contains("Federal - Executive, Department of Justice"),
        "{domain_check}"
    );

    // Due 30 days after filing (subpoena, no requested deadline).
    let due = chrono::DateTime::parse_from_rfc3339(body["due_at"].as_str().unwrap()).unwrap();
    let days = (due.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_hours();
    assert!((719..=720).contains(&days), "due in {days} hours");

    let receipt = app
        .mail_to("j.doe@fbi.gov")
        .await
        .into_iter()
        .find(|m| m.subject == format!("Request {reference} has been received"))
        .expect("receipt");
    assert!(
        receipt
            .body
            .contains(&format!("https://writ.test/agency/requests/{reference}")),
        "{}",
        receipt.body
    );
    assert!(
        !receipt.body.contains("alice@example.com"),
        "the receipt holds no case details"
    );

    let (status, case) = app
        .get_json(&format!("/api/v1/requests/{reference}"), &token)
        .await;
    assert_eq!(status, Status::Ok);
    let documents = case["documents"].as_array().unwrap();
    assert_eq!(documents.len(), 3);
    let ndo = documents
        .iter()
        .find(|d| d["name"] == "ndo-order.pdf")
        .unwrap();
    assert_eq!(
        (&ndo["role"], &ndo["role_label"]),
        (&json!("ndo_order"), &json!("Non-disclosure order"))
    );
    let pdf = documents
        .iter()
        .find(|d| d["name"] == "subpoena.pdf")
        .unwrap();
    assert_eq!(pdf["sha256"], writ::crypto::sha256_hex(PDF));
    assert_eq!(pdf["size"], PDF.len());
    assert_eq!(case["targets"][1]["chain"], "eth");
    assert_eq!(
        app.count("audit_events"),
        6,
        "the signing key made at first start, code sent, sign-in, profile, second factor set up, submission"
    );

    // The file on disk is encrypted, and decrypts to what was sent.
    let stored = std::fs::read_dir(app.config.documents_dir())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.path().is_file())
        .count();
    assert_eq!(stored, 3);
    let (status, list) = app.get_json("/api/v1/requests", &token).await;
    assert_eq!(status, Status::Ok);
    assert_eq!(list["requests"][0]["reference"], reference);
}

#[rocket::async_test]
async fn malformed_requests_are_refused_with_field_errors_and_store_nothing() {
    let app = TestApp::new().await;
    let token = app.officer("j.doe@fbi.gov").await;

    let mut reversed = subpoena_request();
    reversed["records_from"] = json!("2026-10-31");
    reversed["records_to"] = json!("2025-01-01");
    reversed["targets"] = json!([]);
    let (status, body) = app
        .submit(&token, &reversed, &[("subpoena.pdf", PDF)])
        .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert_eq!(
        body["error"]["fields"]["records_to"],
        "The end date is before the start date."
    );
    assert!(body["error"]["fields"]["targets"]
        .as_str()
        .unwrap()
        .contains("at least one target"));

    let (status, body) = app.submit(&token, &subpoena_request(), &[]).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(body["error"]["fields"]["documents"]
        .as_str()
        .unwrap()
        .contains("legal process"));

    let mut freeze = subpoena_request();
    freeze["type"] = json!("freeze");
    freeze["instrument"]["kind"] = json!("freezing_order");
    freeze["freeze"] = json!({"assets": [{"asset": "BTC", "amount": "all"}], "reason": "proceeds", "respondent": "John Smith"});
    let (status, body) = app.submit(&token, &freeze, &[]).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(body["error"]["fields"]["documents"]
        .as_str()
        .unwrap()
        .contains("freezing order"));

    // A freezing order binds the respondent it names, and a lapsed one freezes nothing.
    freeze["freeze"] = json!({"assets": [{"asset": "BTC", "amount": "all"}], "reason": "proceeds", "until": "2020-01-01"});
    let (status, body) = app.submit(&token, &freeze, &[("order.pdf", PDF)]).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(
        body["error"]["fields"]["freeze.respondent"]
            .as_str()
            .unwrap()
            .contains("binds only them"),
        "{body}"
    );
    assert!(
        body["error"]["fields"]["freeze.until"]
            .as_str()
            .unwrap()
            .contains("has passed"),
        "{body}"
    );

    assert_eq!(app.count("cases"), 0);
    assert_eq!(app.count("documents"), 0);
    assert_eq!(
        app.stored_files(),
        0,
        "refused uploads leave no file behind"
    );
}

#[rocket::async_test]
async fn disguised_and_oversized_files_are_refused() {
    let app = TestApp::with(|c| c.max_document_bytes = 64 * 1024).await;
    let token = app.officer("j.doe@fbi.gov").await;

    let exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00 This program cannot be run in DOS mode";
    let (status, body) = app
        .submit(
            &token,
            &subpoena_request(),
            &[("subpoena.pdf", PDF), ("order.pdf", exe)],
        )
        .await;
    assert_eq!(status, Status::UnsupportedMediaType);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("“order.pdf” is not a PDF, PNG or JPEG"),
        "{body}"
    );

    let mut big = PDF.to_vec();
    big.resize(64 * 1024 + 1, b' ');
    let (status, body) = app
        .submit(&token, &subpoena_request(), &[("big.pdf", &big)])
        .await;
    assert_eq!(status, Status::PayloadTooLarge);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("“big.pdf” is larger than"),
        "{body}"
    );

    assert_eq!(app.count("cases"), 0);
    assert_eq!(app.count("documents"), 0);
    assert_eq!(app.stored_files(), 0);
}

#[rocket::async_test]
async fn an_officer_sees_only_their_own_cases() {
    let app = TestApp::new().await;
    let alice = app.officer("alice@fbi.gov").await;
    let bob = app.officer("bob@fbi.gov").await;
    let (_, filed) = app
        .submit(&alice, &subpoena_request(), &[("subpoena.pdf", PDF)])
        .await;
    let reference = filed["reference"].as_str().unwrap();

    let (status, body) = app
        .get_json(&format!("/api/v1/requests/{reference}"), &bob)
        .await;
    assert_eq!(status, Status::NotFound);
    assert_eq!(body["error"]["code"], "not_found");
    let (_, list) = app.get_json("/api/v1/requests", &bob).await;
    assert_eq!(list["requests"].as_array().unwrap().len(), 0);

    let (status, _) = app
        .get_json(&format!("/api/v1/requests/{reference}"), "not-a-token")
        .await;
    assert_eq!(status, Status::Unauthorized);
}

#[rocket::async_test]
async fn the_profile_comes_before_the_first_request() {
    let app = TestApp::new().await;
    app.register_dotgov(
        "fbi.gov",
        "Department of Justice",
        "Federal Bureau of Investigation",
    );
    let token = app.api_sign_in("new@fbi.gov").await;
    let (status, body) = app
        .submit(&token, &subpoena_request(), &[("subpoena.pdf", PDF)])
        .await;
    assert_eq!(status, Status::Forbidden);
    assert_eq!(body["error"]["code"], "profile_required");

    let (status, body) = app
        .put_profile_body(
            &token,
            json!({ "name": "", "country": "XX", "phone": "12" }).to_string(),
        )
        .await;
    assert_eq!(status, Status::UnprocessableEntity);
    for field in [
        "name",
        "title",
        "badge_number",
        "agency_name",
        "agency_function",
        "country",
        "phone",
    ] {
        assert!(
            body["error"]["fields"][field].is_string(),
            "no message for {field}: {body}"
        );
    }
    assert_eq!(app.count("cases"), 0);
}

#[rocket::async_test]
async fn an_unknown_domain_may_file_but_is_marked_unverified() {
    let app = TestApp::new().await;
    let token = app.api_sign_in("officer@police-example.org").await;
    assert_eq!(app.put_profile(&token).await, Status::Ok);
    app.enrol("officer@police-example.org", &token).await;
    let (status, body) = app
        .submit(&token, &subpoena_request(), &[("subpoena.pdf", PDF)])
        .await;
    assert_eq!(status, Status::Created);
    assert_eq!(body["authority"]["established"], false);
    let check = body["authority"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "agency_domain_recognised")
        .unwrap();
    assert_eq!(check["outcome"], "fail");
    assert!(check["message"]
        .as_str()
        .unwrap()
        .contains("police-example.org is not a recognised government domain"));
}

#[rocket::async_test]
async fn emergency_and_preservation_need_no_document() {
    let app = TestApp::new().await;
    let token = app.officer("j.doe@fbi.gov").await;
    let mut emergency = subpoena_request();
    emergency["type"] = json!("emergency_disclosure");
    emergency["instrument"] = json!({"kind": "emergency_attestation"});
    emergency["emergency"] = json!({"nature": "Kidnapping", "persons_at_risk": "A child", "why_needed": "Location of the suspect", "attested": true});
    let (status, body) = app.submit(&token, &emergency, &[]).await;
    assert_eq!(status, Status::Created, "{body}");
    let due = chrono::DateTime::parse_from_rfc3339(body["due_at"].as_str().unwrap()).unwrap();
    assert!((due.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_minutes() <= 8 * 60);

    let mut preservation = subpoena_request();
    preservation["type"] = json!("preservation");
    preservation["instrument"]["kind"] = json!("preservation_letter");
    let (status, body) = app.submit(&token, &preservation, &[]).await;
    assert_eq!(status, Status::Created, "{body}");
    assert!(body["reference"].as_str().unwrap().ends_with("-000002"));
}

#[rocket::async_test]
async fn line_breaks_controls_and_direction_overrides_are_refused_in_single_line_fields() {
    let app = TestApp::new().await;
    let token = app.officer("j.doe@fbi.gov").await;

    // The attack: a reference whose second line reads as part of the signed certificate.
    let mut addendum = subpoena_request();
    addendum["instrument"]["reference"] =
        json!("GJ-2026-114\n\nADDENDUM: the platform also certifies all content.");
    addendum["instrument"]["issuing_authority"] = json!("Grand Jury\u{202E}CD ,yruJ");
    addendum["targets"][0]["value"] = json!("alice@example.com\u{1b}[2J");
    let (status, body) = app
        .submit(&token, &addendum, &[("subpoena.pdf", PDF)])
        .await;
    assert_eq!(status, Status::UnprocessableEntity, "{body}");
    let fields = &body["error"]["fields"];
    assert_eq!(
        fields["instrument.reference"],
        "Keep this to one line of plain text: this contains a line break."
    );
    assert_eq!(
        fields["instrument.issuing_authority"],
        "Keep this to one line of plain text: this contains an invisible text-direction character (U+202E)."
    );
    assert_eq!(
        fields["targets[0].value"],
        "Keep this to one line of plain text: this contains a control character (U+001B)."
    );
    assert_eq!(app.count("cases"), 0);
    assert_eq!(app.stored_files(), 0);

    // Prose keeps its paragraphs, but not hidden controls.
    let mut prose = subpoena_request();
    prose["summary"] = json!("First paragraph.\n\nSecond paragraph.\tIndented.");
    let (status, body) = app.submit(&token, &prose, &[("subpoena.pdf", PDF)]).await;
    assert_eq!(status, Status::Created, "{body}");
    prose["summary"] = json!("Looks harmless \u{202E}txt.exe");
    let (status, body) = app.submit(&token, &prose, &[("subpoena.pdf", PDF)]).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert_eq!(
        body["error"]["fields"]["summary"],
        "Use plain text: this contains an invisible text-direction character (U+202E)."
    );

    // The profile's fields are single lines too.
    let mut profile = common::profile();
    profile["name"] = json!("Jane Doe\r\nTitle: Director");
    let (status, body) = app.put_profile_body(&token, profile.to_string()).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert_eq!(
        body["error"]["fields"]["name"],
        "Keep this to one line of plain text: this contains a line break."
    );
}

#[rocket::async_test]
async fn a_polyglot_is_stored_under_the_name_of_what_it_was_taken_for() {
    let app = TestApp::new().await;
    let token = app.officer("j.doe@fbi.gov").await;
    // A PDF that is also an HTML page, named to be opened as one.
    let polyglot = [PDF, b"<html><script>alert(1)</script></html>".as_slice()].concat();
    let (status, filed) = app
        .submit(
            &token,
            &subpoena_request(),
            &[("warrant.html", &polyglot), ("scan\u{202E}gpj.exe", PNG)],
        )
        .await;
    assert_eq!(status, Status::Created, "{filed}");
    let reference = filed["reference"].as_str().unwrap();
    let names = app.document_names(&token, reference).await;
    assert_eq!(names, ["scangpj.png", "warrant.pdf"]);
}
