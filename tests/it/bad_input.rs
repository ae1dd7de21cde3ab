//! Bad input of every kind gets the right 4xx, a clear error, and no side effect: malformed and
//! truncated multipart bodies, oversized JSON, invalid UTF-8, path-traversal file names, markup
//! in every text field, oversized headers.

use crate::common;

use std::io::{Read, Write};

use common::live::{officer, Server, Site};
use common::{
    court_profile, csrf_of, freeze_order_request, multipart, profile, subpoena_request, Part,
    TestApp, PDF,
};
use rocket::http::{ContentType, Status};
use serde_json::{json, Value};

fn nothing_kept(app: &TestApp) {
    assert_eq!(app.count("cases"), 0);
    assert_eq!(app.count("documents"), 0);
    assert_eq!(app.stored_files(), 0, "no file is left behind");
}

#[rocket::async_test]
async fn malformed_and_truncated_multipart_bodies_are_400_and_keep_nothing() {
    let app = TestApp::new().await;
    let token = app.officer("j.doe@fbi.gov").await;
    let (content_type, body) = multipart(&[
        Part::text("request", &subpoena_request().to_string()),
        Part::file("documents", "subpoena.pdf", PDF),
    ]);

    // The body ends inside the file, without its closing boundary.
    let truncated = body[..body.len() - 60].to_vec();
    // The boundary announced is not the one used.
    let wrong = ContentType::new("multipart", "form-data").with_params(("boundary", "other"));
    // No boundary at all: not a usable multipart type. And not multipart at all.
    let bare = ContentType::new("multipart", "form-data");
    let cases = [
        (content_type.clone(), truncated, Status::BadRequest),
        (wrong, body.clone(), Status::BadRequest),
        (bare, body.clone(), Status::UnsupportedMediaType),
        (
            ContentType::JSON,
            body.clone(),
            Status::UnsupportedMediaType,
        ),
        (content_type, b"garbage".to_vec(), Status::BadRequest),
    ];
    for (content_type, body, expected) in cases {
        let (status, answer) = app
            .post_body("/api/v1/requests", content_type.clone(), &token, body)
            .await;
        assert_eq!(status, expected, "{content_type}: {answer}");
        assert!(
            answer["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "a clear error: {answer}"
        );
    }
    nothing_kept(&app);
}

#[rocket::async_test]
async fn ten_megabytes_of_json_are_413_everywhere() {
    let app = TestApp::new().await;
    let token = app.officer("j.doe@fbi.gov").await;
    let huge = json!({ "email": "j.doe@fbi.gov", "track": "agency", "pad": "x".repeat(10 << 20) });
    let response = app
        .post_json("/api/v1/auth/email", huge.clone(), None)
        .await;
    assert_eq!(response.status(), Status::PayloadTooLarge);
    let answer: Value = response.into_json().await.unwrap();
    assert_eq!(answer["error"]["code"], "too_large");

    let (status, _) = app.put_profile_body(&token, huge.to_string()).await;
    assert_eq!(status, Status::PayloadTooLarge);

    let mut request = subpoena_request();
    request["summary"] = json!("x".repeat(10 << 20));
    let (status, answer) = app.submit(&token, &request, &[("subpoena.pdf", PDF)]).await;
    assert_eq!(status, Status::PayloadTooLarge, "{answer}");
    nothing_kept(&app);
}

#[rocket::async_test]
async fn invalid_utf8_is_400_in_json_forms_and_multipart_fields() {
    let app = TestApp::new().await;
    let token = app.officer("j.doe@fbi.gov").await;
    let challenges = app.count("login_challenges");

    let response = app
        .client
        .post("/api/v1/auth/email")
        .header(ContentType::JSON)
        .body(b"{\"email\": \"j.doe\xff@fbi.gov\", \"track\": \"agency\"}")
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::BadRequest);
    assert_eq!(app.count("login_challenges"), challenges);

    let csrf = csrf_of(&app.page("/agency").await.1);
    let response = app
        .client
        .post("/agency/sign-in")
        .header(ContentType::Form)
        .body(format!("email=j.doe%FF%40fbi.gov&csrf={csrf}"))
        .dispatch()
        .await;
    assert!(
        response.status().class().is_client_error(),
        "{}",
        response.status()
    );
    assert_eq!(app.count("login_challenges"), challenges);

    let mut bytes = subpoena_request().to_string().into_bytes();
    bytes.insert(20, 0xFF);
    let mut parts = vec![Part::file("documents", "subpoena.pdf", PDF)];
    parts.insert(0, Part::text("request", ""));
    let (content_type, mut body) = multipart(&parts);
    // Put the broken JSON where the empty text part's value is.
    let at = body.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    body.splice(at..at, bytes);
    let (status, answer) = app
        .post_body("/api/v1/requests", content_type, &token, body)
        .await;
    assert_eq!(status, Status::BadRequest, "{answer}");
    nothing_kept(&app);
}

#[rocket::async_test]
async fn path_traversal_file_names_keep_only_their_last_part() {
    let app = TestApp::new().await;
    let token = app.officer("j.doe@fbi.gov").await;
    let (status, filed) = app
        .submit(
            &token,
            &subpoena_request(),
            &[
                ("../../../../../../tmp/escape.pdf", PDF),
                ("..\\..\\windows\\boot.pdf", PDF),
                ("/etc/passwd", PDF),
            ],
        )
        .await;
    assert_eq!(status, Status::Created, "{filed}");
    let reference = filed["reference"].as_str().unwrap();
    let names = app.document_names(&token, reference).await;
    // The last part only, with the extension of what the file is (a PDF named `passwd`).
    assert_eq!(names, ["boot.pdf", "escape.pdf", "passwd.pdf"]);
    // Stored files are named by id inside the documents directory, nowhere else.
    assert_eq!(app.stored_files(), 3);
    assert!(!std::path::Path::new("/tmp/escape.pdf").exists());
}

#[rocket::async_test]
async fn markup_in_every_text_field_is_shown_escaped() {
    let app = TestApp::new().await;
    let evil = "<script>alert(1)</script><img src=x onerror=alert(2)>";
    let token = app.api_sign_in("j.doe@fbi.gov").await;
    let mut declaration = profile();
    for field in ["name", "title", "badge_number", "agency_name"] {
        declaration[field] = json!(format!("{field} {evil}"));
    }
    let (status, _) = app.put_profile_body(&token, declaration.to_string()).await;
    assert_eq!(status, Status::Ok);
    app.enrol("j.doe@fbi.gov", &token).await;
    let mut request = subpoena_request();
    request["instrument"]["reference"] = json!(format!("ref {evil}"));
    request["instrument"]["issuing_authority"] = json!(format!("court {evil}"));
    request["summary"] = json!(format!("summary {evil}"));
    // Identifiers have no spaces.
    request["targets"] =
        json!([{"kind": "user_id", "value": "<script>alert(1)</script>", "role": "suspect"}]);
    let (status, filed) = app
        .submit(&token, &request, &[(&format!("{evil}.pdf"), PDF)])
        .await;
    assert_eq!(status, Status::Created, "{filed}");
    let reference = filed["reference"].as_str().unwrap().to_owned();

    // The legal team's case page and its queue search show every field as text.
    let legal = app
        .staff("lee@writ.example", writ::domain::vocab::Role::Legal)
        .await;
    app.staff_sign_in_page(&legal).await;
    let (_, staff_page) = app.page(&format!("/staff/cases/{reference}")).await;
    let (_, queue) = app.page("/staff/queue?q=alert").await;
    for page in [&staff_page, &queue] {
        assert!(!page.contains("<script>alert"), "raw markup reached a page");
        assert!(!page.contains("<img src=x"), "raw markup reached a page");
    }
    assert!(staff_page.contains("&lt;script&gt;alert(1)&lt;&#x2F;script&gt;&lt;img"));
    for field in ["summary", "ref", "court", "name"] {
        assert!(
            staff_page.contains(&format!(
                "{field} &lt;script&gt;alert(1)&lt;&#x2F;script&gt;"
            )),
            "{field} is shown, escaped"
        );
    }
}

/// Starts filing a request with a 200 KiB document on a live server and sends the first 20 KiB.
fn partial_upload(server: &Server, token: &str) -> std::net::TcpStream {
    let (content_type, body) = multipart(&[
        Part::text("request", &subpoena_request().to_string()),
        Part::file(
            "documents",
            "subpoena.pdf",
            &[PDF, &vec![b' '; 200 << 10]].concat(),
        ),
    ]);
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    let head = format!(
        "POST /api/v1/requests HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&body[..20 << 10]).unwrap();
    stream
}

#[rocket::async_test]
async fn oversized_headers_and_a_body_cut_off_mid_upload_are_refused_by_the_server() {
    let site = Site::new();
    let server = Server::start(&site, &[]);
    let token = officer(&site, &server, "j.doe@fbi.gov").await;

    // 1 MiB of headers.
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    let request = format!(
        "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: {}\r\n\r\n",
        "a".repeat(1 << 20)
    );
    let _ = stream.write_all(request.as_bytes());
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    assert!(
        answer.starts_with("HTTP/1.1 431") || answer.starts_with("HTTP/1.1 400"),
        "{}",
        answer.lines().next().unwrap_or("(connection closed)")
    );

    // An upload that announces 200 KiB and stops after 20 KiB, then hangs up.
    let mut stream = partial_upload(&server, &token);
    stream.shutdown(std::net::Shutdown::Write).unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 4"),
        "{}",
        answer.lines().next().unwrap_or_default()
    );
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert_eq!(site.count("cases"), 0);
    assert_eq!(site.count("documents"), 0);
    let incoming = site.documents_dir().join("incoming");
    assert_eq!(
        std::fs::read_dir(incoming).unwrap().count(),
        0,
        "the partial upload was removed"
    );
}

#[rocket::async_test]
async fn markup_in_every_court_order_field_is_shown_escaped() {
    let app = TestApp::new().await;
    let evil = "<script>alert(1)</script>";
    let token = app
        .court_sign_in("m.lopez@lopezlaw.example", "visitor")
        .await;
    let mut declaration = court_profile();
    for field in [
        "name",
        "firm",
        "bar_number",
        "bar_jurisdiction",
        "represents",
    ] {
        declaration[field] = json!(format!("{field} {evil}"));
    }
    let (status, answer) = app.put_profile_body(&token, declaration.to_string()).await;
    assert_eq!(status, Status::Ok, "{answer}");
    let mut request = freeze_order_request();
    for field in ["name", "region", "judge"] {
        request["court"][field] = json!(format!("{field} {evil}"));
    }
    request["summary"] = json!(format!("summary {evil}"));
    request["freeze"]["reason"] = json!(format!("reason {evil}"));
    let (status, filed) = app.submit(&token, &request, &[("order.pdf", PDF)]).await;
    assert_eq!(status, Status::Created, "{filed}");
    let reference = filed["reference"].as_str().unwrap().to_owned();

    let support = app
        .staff("pat@writ.example", writ::domain::vocab::Role::Support)
        .await;
    app.staff_sign_in_page(&support).await;
    let (_, page) = app.page(&format!("/staff/cases/{reference}")).await;
    assert!(
        !page.contains("<script>alert"),
        "raw markup reached the page"
    );
    for field in [
        "name",
        "firm",
        "bar_number",
        "bar_jurisdiction",
        "represents",
        "region",
        "judge",
        "summary",
        "reason",
    ] {
        assert!(
            page.contains(&format!(
                "{field} &lt;script&gt;alert(1)&lt;&#x2F;script&gt;"
            )),
            "{field} is shown, escaped"
        );
    }
}

#[rocket::async_test]
async fn an_upload_that_stalls_is_dropped_with_408_and_leaves_nothing() {
    let site = Site::new();
    let server = Server::start(&site, &[("WRIT_BODY_IDLE_SECONDS", "2")]);
    let token = officer(&site, &server, "j.doe@fbi.gov").await;
    let mut stream = partial_upload(&server, &token);
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    // …and then nothing, with the connection held open.
    let started = std::time::Instant::now();
    let mut answer = Vec::new();
    let mut chunk = [0u8; 4096];
    while !String::from_utf8_lossy(&answer).contains("}}") {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => answer.extend_from_slice(&chunk[..n]),
        }
    }
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    assert!(answer.contains("nothing arrived for too long"), "{answer}");
    assert_eq!(site.count("cases"), 0);
    let incoming = site.documents_dir().join("incoming");
    assert_eq!(std::fs::read_dir(incoming).unwrap().count(), 0);
}

/// A reference in a path is parsed before any handler runs; one that is not a reference at all
/// gets exactly the answer an unknown one does (404, not 422), on the API and on the pages, so
/// that the shape of references cannot be probed either.
#[rocket::async_test]
async fn a_malformed_case_reference_is_answered_as_an_unknown_case() {
    let app = TestApp::new().await;
    let token = app.officer("j.doe@fbi.gov").await;
    let legal = app
        .staff("lee@writ.example", writ::domain::vocab::Role::Legal)
        .await;
    let staff_token = app.staff_token(&legal).await;
    // The pages' session is another reviewer's: a code is good for one sign-in only.
    let on_pages = app
        .staff("kim@writ.example", writ::domain::vocab::Role::Legal)
        .await;
    let csrf = app.staff_sign_in_page(&on_pages).await;
    let unknown = "LE-1999-000001";
    let malformed = [
        "LE-2026-12",
        "le-2026-000001",
        "LE-2026-000001-1",
        "XX-2026-000001",
        "LE-2026-0000000000001",
        "%00",
        "..%2F..%2Fetc",
        "LE-2026-00000%C3%A9",
    ];

    let answers = |reference: String| {
        let (app, token, staff_token, csrf) = (&app, &token, &staff_token, &csrf);
        async move {
            let (requester_api, body) = app
                .get_json(&format!("/api/v1/requests/{reference}"), token)
                .await;
            let (staff_api, staff_body) = app
                .get_json(&format!("/api/v1/staff/cases/{reference}"), staff_token)
                .await;
            let transition = app
                .post_json(
                    &format!("/api/v1/staff/cases/{reference}/transition"),
                    json!({ "to": "in_review" }),
                    Some(staff_token),
                )
                .await
                .status();
            let (page, page_text) = app.page(&format!("/staff/cases/{reference}")).await;
            let (note, note_text) = app
                .post_form(
                    &format!("/staff/cases/{reference}/notes"),
                    &[("csrf", csrf), ("body", "A note")],
                )
                .await;
            json!({
                "requester_api": [requester_api.code, body],
                "staff_api": [staff_api.code, staff_body],
                "transition": transition.code,
                "page": [page.code, page_text.contains("Nothing was found at this address.")],
                "note": [note.code, note_text.contains("Nothing was found at this address.")],
            })
        }
    };
    let recorded = app.count("audit_events");
    let expected = answers(unknown.to_owned()).await;
    assert_eq!(expected["requester_api"][0], 404);
    assert_eq!(expected["requester_api"][1]["error"]["code"], "not_found");
    assert_eq!(expected["page"], json!([404, true]), "{expected}");
    assert_eq!(expected["note"], json!([404, true]), "{expected}");
    for reference in malformed {
        assert_eq!(
            answers(reference.to_owned()).await,
            expected,
            "{reference} is answered as an unknown case"
        );
    }
    assert_eq!(app.count("audit_events"), recorded, "nothing was recorded");
}
