//! The agency track as a browser uses it: forms, CSRF tokens, cookies, messages beside fields.

use crate::common;
use crate::common::tools::needs;

use common::{csrf_of, multipart, Part, TestApp, PDF};
use rocket::http::{ContentType, Status};

fn held_id(page: &str) -> String {
    let marker = "name=\"held\" value=\"";
    let start = page.find(marker).expect("a kept file") + marker.len();
    page[start..].split('"').next().unwrap().to_owned()
}

async fn post_form(
    app: &TestApp,
    uri: &str,
    fields: &[(&str, &str)],
) -> (Status, Option<String>, String) {
    let body: String = fields
        .iter()
        .map(|(k, v)| format!("{}={}", k, urlencode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let response = app
        .client
        .post(uri.to_owned())
        .header(ContentType::Form)
        .body(body)
        .dispatch()
        .await;
    let location = response.headers().get_one("Location").map(str::to_owned);
    (
        response.status(),
        location,
        response.into_string().await.unwrap_or_default(),
    )
}

fn urlencode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn sign_in(app: &TestApp, email: &str) -> String {
    let (status, sign_in) = app.page("/agency").await;
    assert_eq!(status, Status::Ok);
    assert!(sign_in.contains("Official e-mail address"));
    let csrf = csrf_of(&sign_in);
    let (status, location, _) =
        post_form(app, "/agency/sign-in", &[("email", email), ("csrf", &csrf)]).await;
    assert_eq!(status, Status::SeeOther);
    assert_eq!(location.as_deref(), Some("/agency/code"));
    let (_, code_page) = app.page("/agency/code").await;
    assert!(code_page.contains(email), "the code page names the address");
    let code = app.code_for(email).await;
    let (status, location, _) =
        post_form(app, "/agency/code", &[("code", &code), ("csrf", &csrf)]).await;
    assert_eq!(status, Status::SeeOther);
    if location.as_deref() != Some("/agency/second-factor") {
        return location.unwrap();
    }
    let (status, location) = app.pass_second_factor(email, &csrf).await;
    assert_eq!(status, Status::SeeOther);
    location.unwrap()
}

/// An FBI officer signed in on pages, before the profile: the profile form's token.
async fn officer_at_profile(app: &TestApp) -> String {
    app.register_dotgov(
        "fbi.gov",
        "Department of Justice",
        "Federal Bureau of Investigation",
    );
    sign_in(app, "j.doe@fbi.gov").await;
    let (_, profile) = app.page("/agency/profile").await;
    csrf_of(&profile)
}

#[rocket::async_test]
async fn an_officer_signs_in_completes_the_profile_and_files_a_request() {
    let app = TestApp::new().await;
    app.register_dotgov(
        "fbi.gov",
        "Department of Justice",
        "Federal Bureau of Investigation",
    );
    let next = sign_in(&app, "j.doe@fbi.gov").await;
    assert_eq!(
        next, "/agency/profile",
        "a new officer is sent to the profile first"
    );

    let (_, profile) = app.page("/agency/profile").await;
    let csrf = csrf_of(&profile);
    let (status, _, body) = post_form(
        &app,
        "/agency/profile",
        &[
            ("name", "Jane Doe"),
            ("title", ""),
            ("badge_number", "1"),
            ("agency_name", "FBI"),
            ("agency_function", "law_enforcement"),
            ("country", "US"),
            ("phone", "12"),
            ("csrf", &csrf),
        ],
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(
        body.contains("Enter your title or rank."),
        "message beside the field"
    );
    assert!(body.contains("value=\"Jane Doe\""), "values are kept");
    assert!(body.contains("Enter a phone number in international form"));

    let (status, location, _) = post_form(
        &app,
        "/agency/profile",
        &[
            ("name", "Jane Doe"),
            ("title", "Special Agent"),
            ("badge_number", "1"),
            ("agency_name", "FBI"),
            ("agency_function", "law_enforcement"),
            ("country", "US"),
            ("phone", "+1 202 555 0100"),
            ("csrf", &csrf),
        ],
    )
    .await;
    assert_eq!(status, Status::SeeOther);
    assert_eq!(
        location.as_deref(),
        Some("/agency/security"),
        "a new officer sets up the second factor next"
    );
    let (_, security) = app.page("/agency/security").await;
    assert!(security.contains("no second factor yet"), "{security}");
    app.enrol_on_page("j.doe@fbi.gov").await;

    // Issue 19, item 9: the type comes first, each with the instruments it takes.
    let (status, first) = app.page("/agency/requests/new").await;
    assert_eq!(status, Status::Ok);
    assert!(first.contains("<button type=\"submit\">Continue</button>"));
    assert!(
        first.contains("Emergency attestation.</span>"),
        "emergency disclosure lists its one instrument: {first}"
    );
    assert!(
        first.contains("Court order, Seizure warrant, Freezing order.</span>"),
        "{first}"
    );
    assert!(
        !first.contains("Legal instrument"),
        "nothing but the type yet"
    );
    let (status, form) = app.page("/agency/requests/new?type=disclosure").await;
    assert_eq!(status, Status::Ok);
    for label in [
        "Type of request: <strong>Disclosure of records</strong>",
        "Legal instrument",
        "Targets",
        "Data requested",
        "Non-disclosure order",
        "Documents",
        "Addressed to",
        "Example Exchange Europe S.A. (FR)",
        "The non-disclosure order itself",
        "European Production Orders for access logs or content",
    ] {
        assert!(form.contains(label), "the form has {label}");
    }
    for absent in [
        "The emergency",
        "The assets to freeze",
        "value=\"emergency_attestation\"",
        "value=\"seizure_warrant\"",
        "value=\"preservation_letter\"",
    ] {
        assert!(!form.contains(absent), "a disclosure has no {absent}");
    }
    let (_, freeze) = app.page("/agency/requests/new?type=freeze").await;
    assert!(freeze.contains("The assets to freeze"));
    assert!(freeze.contains("Data also asked for (optional)"));
    assert!(!freeze.contains("The emergency"));
    assert!(!freeze.contains("value=\"subpoena\""));
    assert!(!freeze.contains("European Production Orders"));
    let (status, odd) = app.page("/agency/requests/new?type=wiretap").await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(odd.contains("Choose the type of request."), "{odd}");
    assert!(!odd.contains("Legal instrument"), "back to the first step");
    let csrf = csrf_of(&form);
    let fields = [
        ("csrf", csrf.as_str()),
        ("action", "submit"),
        ("type", "disclosure"),
        ("instrument.kind", "search_warrant"),
        ("instrument.reference", "SW-26-0042"),
        (
            "instrument.issuing_authority",
            "U.S. District Court, D.D.C.",
        ),
        ("instrument.issued_on", "2026-11-02"),
        ("targets[0].kind", "email"),
        ("targets[0].value", "Suspect@Example.com"),
        ("targets[0].role", "suspect"),
        ("targets[1].kind", "user_id"),
        ("targets[1].value", ""),
        ("targets[1].role", "subject"),
        ("data_categories", "subscriber_info"),
        ("data_categories", "communications_content"),
        ("records_from", "2026-01-01"),
        ("records_to", "2026-06-30"),
        ("summary", "Ransomware payments traced to this account."),
        ("entity", "eu"),
    ];
    let mut parts: Vec<Part> = fields.iter().map(|(k, v)| Part::text(k, v)).collect();

    // Reversed dates: refused, re-shown with the values and the message beside the field.
    let mut bad = fields.to_vec();
    bad.retain(|(k, _)| *k != "records_to");
    bad.push(("records_to", "2025-06-30"));
    let mut bad_parts: Vec<Part> = bad.iter().map(|(k, v)| Part::text(k, v)).collect();
    bad_parts.push(Part::file("documents", "warrant.pdf", PDF));
    let (content_type, body) = multipart(&bad_parts);
    let response = app
        .client
        .post("/agency/requests")
        .header(content_type)
        .body(body)
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let shown = response.into_string().await.unwrap();
    assert!(shown.contains("The end date is before the start date."));
    // Issue 19, item 9 (in part): the errors again at the top, each a link to its field.
    let summary = &shown[shown
        .find("class=\"error-summary\"")
        .expect("an error summary")..];
    let summary = &summary[..summary.find("</div>").unwrap()];
    assert!(
        summary.contains("<a href=\"#records-to\">The end date is before the start date.</a>"),
        "{summary}"
    );
    assert!(
        shown.contains("id=\"records-to\""),
        "the link's target exists"
    );
    assert!(
        shown.contains("Ransomware payments traced to this account."),
        "the summary is kept"
    );
    assert!(shown.contains("value=\"SW-26-0042\""));
    assert!(
        shown.contains("warrant.pdf"),
        "the uploaded file is kept for the next try"
    );
    assert_eq!(app.count("cases"), 0);
    assert_eq!(app.count("documents"), 0);
    let held = held_id(&shown);

    // The corrected form goes back with the kept file instead of a new upload.
    parts.push(Part::text("held", &held));
    let (content_type, body) = multipart(&parts);
    let response = app
        .client
        .post("/agency/requests")
        .header(content_type)
        .body(body)
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    let location = response.headers().get_one("Location").unwrap().to_owned();
    assert!(location.starts_with("/agency/requests/LE-"), "{location}");

    let (status, case) = app.page(&location).await;
    assert_eq!(status, Status::Ok);
    assert!(case.contains("received. A receipt was e-mailed to you."));
    assert!(
        case.contains(&writ::crypto::sha256_hex(PDF)),
        "the document's SHA-256 is shown"
    );
    assert!(
        case.contains("suspect@example.com"),
        "targets are normalised"
    );
    assert!(case.contains("Legal queue"));
    assert!(case.contains("Authority established"));
    assert!(
        case.contains("Addressed to</dt><dd>Example Exchange Europe S.A."),
        "the entity chosen on the form is kept"
    );

    let (_, list) = app.page("/agency/requests").await;
    let reference = location.trim_start_matches("/agency/requests/");
    assert!(list.contains(reference));
    // A page far past the end is an empty page, not an overflow.
    let (status, far) = app.page("/agency/requests?page=1195543097042759168").await;
    assert_eq!(status, Status::Ok);
    assert!(!far.contains(reference));
}

#[rocket::async_test]
async fn free_mail_is_refused_beside_the_field() {
    let app = TestApp::new().await;
    let (_, sign_in) = app.page("/agency").await;
    let csrf = csrf_of(&sign_in);
    let (status, _, body) = post_form(
        &app,
        "/agency/sign-in",
        &[("email", "officer@yahoo.com"), ("csrf", &csrf)],
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(body.contains("yahoo.com is a free-mail provider"));
    assert!(body.contains("class=\"error\""));
    assert!(body.contains("value=\"officer@yahoo.com\""));
    assert_eq!(app.count("login_challenges"), 0);
}

#[rocket::async_test]
async fn a_form_without_its_csrf_token_is_refused() {
    let app = TestApp::new().await;
    app.page("/agency").await;
    let (status, _, body) = post_form(
        &app,
        "/agency/sign-in",
        &[("email", "j.doe@fbi.gov"), ("csrf", "forged")],
    )
    .await;
    assert_eq!(status, Status::Forbidden);
    assert!(body.contains("sent from another site"));
    assert_eq!(app.count("login_challenges"), 0);
}

/// The token is checked before the fields: a forged form is refused for its token whatever its
/// fields hold, and the form comes back with what was typed; the right token with fields that
/// do not parse is refused for the fields.
#[rocket::async_test]
async fn a_forms_token_is_checked_before_its_fields() {
    let app = TestApp::new().await;
    let csrf = officer_at_profile(&app).await;
    let typed = [
        ("name", "Jane Doe"),
        ("title", "Special Agent"),
        ("badge_number", "1"),
        ("agency_name", "FBI"),
        ("agency_function", "law_enforcement"),
        ("country", "US"),
        ("phone", "+1 202 555 0100"),
    ];
    let audited = app.count("audit_events");

    let forged: Vec<_> = typed.iter().copied().chain([("csrf", "forged")]).collect();
    let (status, _, body) = post_form(&app, "/agency/profile", &forged).await;
    assert_eq!(status, Status::Forbidden);
    assert!(body.contains("sent from another site"));
    assert!(
        body.contains("value=\"Jane Doe\""),
        "what was typed is kept"
    );

    let (status, _, body) = post_form(&app, "/agency/profile", &[("csrf", "forged")]).await;
    assert_eq!(
        status,
        Status::Forbidden,
        "refused for the token, not the fields"
    );
    assert!(body.contains("sent from another site"));

    let (status, _, _) = post_form(&app, "/agency/profile", &[("csrf", &csrf)]).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert_eq!(app.count("audit_events"), audited, "nothing was recorded");
    let (_, profile) = app.page("/agency/profile").await;
    assert!(!profile.contains("value=\"Jane Doe\""), "nothing was saved");
}

#[rocket::async_test]
async fn pages_need_a_signed_in_officer_and_carry_security_headers() {
    let app = TestApp::new().await;
    for uri in [
        "/agency/requests",
        "/agency/requests/new",
        "/agency/profile",
        "/agency/requests/LE-2026-000001",
    ] {
        let response = app.client.get(uri).dispatch().await;
        assert_eq!(response.status(), Status::Unauthorized, "{uri}");
        let csp = response
            .headers()
            .get_one("Content-Security-Policy")
            .unwrap_or_default()
            .to_owned();
        assert!(csp.contains("default-src 'none'"), "{uri}");
        assert_eq!(
            response.headers().get_one("X-Content-Type-Options"),
            Some("nosniff")
        );
        let body = response.into_string().await.unwrap();
        assert!(body.contains("Sign in to continue"), "{uri}");
    }
    let response = app.client.get("/").dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(response.headers().get_one("X-Frame-Options"), Some("DENY"));
    let cookie = response
        .headers()
        .get("Set-Cookie")
        .collect::<Vec<_>>()
        .join(";");
    let response = app.client.get("/agency").dispatch().await;
    let set_cookie: Vec<String> = response
        .headers()
        .get("Set-Cookie")
        .map(str::to_owned)
        .collect();
    assert!(cookie.is_empty() || cookie.contains("HttpOnly"));
    for value in set_cookie {
        assert!(
            value.contains("HttpOnly") && value.contains("SameSite=Strict"),
            "{value}"
        );
    }
}

#[rocket::async_test]
async fn findings_are_shown_before_submitting_and_the_officer_may_submit_anyway() {
    findings_then_submit_anyway(TestApp::new().await, None).await;
}

/// The same with stored files in a bucket: the file kept between the two rounds waits there
/// (where any instance can take it back), then moves to its permanent key.
#[rocket::async_test]
async fn a_file_kept_between_rounds_of_the_form_waits_in_the_bucket() {
    needs!(S3);
    let (app, bucket) = TestApp::in_bucket().await;
    findings_then_submit_anyway(app, Some(&bucket)).await;
}

async fn findings_then_submit_anyway(app: TestApp, bucket: Option<&common::live::Bucket>) {
    let csrf = officer_at_profile(&app).await;
    post_form(
        &app,
        "/agency/profile",
        &[
            ("name", "Jane Doe"),
            ("title", "SA"),
            ("badge_number", "1"),
            ("agency_name", "FBI"),
            ("agency_function", "law_enforcement"),
            ("country", "US"),
            ("phone", "+12025550100"),
            ("csrf", &csrf),
        ],
    )
    .await;
    app.enrol_on_page("j.doe@fbi.gov").await;

    let fields = [
        ("csrf", csrf.as_str()),
        ("type", "disclosure"),
        ("instrument.kind", "subpoena"),
        ("instrument.reference", "GJ-2026-114"),
        ("instrument.issuing_authority", "Grand Jury"),
        ("targets[0].kind", "wallet_address"),
        ("targets[0].chain", "trx"),
        ("targets[0].value", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6T"),
        ("targets[0].role", "subject"),
        ("data_categories", "communications_content"),
        ("summary", "Extortion."),
    ];
    let mut parts: Vec<Part> = fields.iter().map(|(k, v)| Part::text(k, v)).collect();
    parts.push(Part::file("documents", "subpoena.pdf", PDF));
    let (content_type, body) = multipart(&parts);
    let response = app
        .client
        .post("/agency/requests")
        .header(content_type)
        .body(body)
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    let shown = response.into_string().await.unwrap();
    assert!(shown.contains("Before you submit"));
    assert!(shown.contains(
        "A subpoena does not reach communications content (18 USC 2703(a)-(b): contents need a search warrant): remove it or attach a search warrant"
    ));
    assert!(shown.contains("this TRON address fails its base58check checksum"));
    assert!(shown.contains("Submit anyway"));
    assert_eq!(
        app.count("cases"),
        0,
        "nothing is filed before the officer confirms"
    );

    let held = held_id(&shown);
    let in_bucket = |b: &common::live::Bucket| -> Vec<String> {
        b.keys()
            .into_iter()
            .map(|k| k.trim_start_matches("writ/").to_owned())
            .collect()
    };
    if let Some(bucket) = bucket {
        assert_eq!(in_bucket(bucket), [format!("held/{held}")]);
        assert_eq!(app.stored_files(), 0, "nothing kept on this machine");
    }

    let mut confirmed: Vec<Part> = fields.iter().map(|(k, v)| Part::text(k, v)).collect();
    confirmed.push(Part::text("held", &held));
    confirmed.push(Part::text("confirm", "yes"));
    let (content_type, body) = multipart(&confirmed);
    let response = app
        .client
        .post("/agency/requests")
        .header(content_type)
        .body(body)
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    let location = response.headers().get_one("Location").unwrap().to_owned();
    let (_, case) = app.page(&location).await;
    assert!(case.contains("Authority not yet established"));
    assert!(case.contains("instrument_scope"));
    assert!(
        case.contains(&writ::crypto::sha256_hex(PDF)),
        "the kept file was filed with the case"
    );
    assert!(
        !case.contains("targets_found"),
        "directory findings are for staff only"
    );
    assert_eq!(app.count("documents"), 1);
    assert_eq!(app.count("held_documents"), 0);
    if let Some(bucket) = bucket {
        assert_eq!(in_bucket(bucket), [held], "moved to its permanent key");
        assert_eq!(app.stored_files(), 0, "nothing kept on this machine");
    }
}

/// Issue 19, item 13: a guide for agencies, its instrument table read from the policy in
/// force, and the platform's emergency line (a setting) on the emergency part of the form.
#[rocket::async_test]
async fn agencies_read_a_guide_and_the_emergency_form_names_the_on_call_line() {
    let app =
        TestApp::with(|c| c.emergency_contact = "+1 202 555 0199, day and night".into()).await;
    let (status, guide) = app.page("/agency/guide").await;
    assert_eq!(status, Status::Ok, "the guide needs no sign-in");
    assert!(guide.contains("Guide for agencies"));
    assert!(guide.contains("bagit.py --validate"));
    assert!(guide.contains("+1 202 555 0199, day and night"));
    // The subpoena's row, as the policy in force has it: content is out of its reach.
    let row_start = guide
        .find("<th scope=\"row\">Subpoena")
        .expect("a subpoena row");
    let row = &guide[row_start..row_start + guide[row_start..].find("</tr>").unwrap()];
    let cells: Vec<&str> = row
        .split("<td class=\"reach-")
        .skip(1)
        .map(|c| &c[..c.find('"').unwrap()])
        .collect();
    use writ::domain::policy::{Access, Policy};
    use writ::domain::vocab::{DataCategory, InstrumentKind};
    let policy = Policy::default_policy();
    let expected: Vec<&str> = DataCategory::ALL
        .iter()
        .map(
            |c| match policy.scope(InstrumentKind::Subpoena).access(*c) {
                Access::Yes => "yes",
                Access::Warn => "caution",
                Access::No => "no",
            },
        )
        .collect();
    assert_eq!(cells, expected, "{row}");
    let content = DataCategory::ALL
        .iter()
        .position(|c| *c == DataCategory::CommunicationsContent)
        .unwrap();
    assert_eq!(cells[content], "no");
    let (_, start) = app.page("/agency").await;
    assert!(start.contains("href=\"/agency/guide\""));

    app.officer("j.doe@fbi.gov").await;
    sign_in(&app, "j.doe@fbi.gov").await;
    let (status, form) = app.page("/agency/requests/new").await;
    assert_eq!(status, Status::Ok);
    assert!(
        form.contains(
            "call the platform's legal on-call at <strong>+1 202 555 0199, day and night</strong>"
        ),
        "{form}"
    );

    let plain = TestApp::new().await;
    let (_, guide) = plain.page("/agency/guide").await;
    assert!(
        !guide.contains("call the platform's legal on-call"),
        "no line unless one is set"
    );
}

/// Posts the request form with `parts` (the CSRF token first) and returns status and page.
async fn post_request(app: &TestApp, csrf: &str, parts: &[Part]) -> (Status, String) {
    let mut all = vec![Part::text("csrf", csrf)];
    all.extend(parts.iter().cloned());
    let (content_type, body) = multipart(&all);
    let response = app
        .client
        .post("/agency/requests")
        .header(content_type)
        .body(body)
        .dispatch()
        .await;
    (response.status(), response.into_string().await.unwrap())
}

/// Issue 19, item 9: "Add another target" adds a row at its first click; a pasted or uploaded
/// list of targets becomes rows, its unreadable lines kept with their messages; the form is kept
/// as a draft (also across a change of type) until it is filed or thrown away.
#[rocket::async_test]
async fn the_form_adds_rows_reads_lists_of_targets_and_keeps_a_draft() {
    let app = TestApp::new().await;
    app.officer("j.doe@fbi.gov").await;
    sign_in(&app, "j.doe@fbi.gov").await;
    let (_, form) = app.page("/agency/requests/new?type=disclosure").await;
    assert!(!form.contains("Your draft was saved"), "no draft yet");
    let csrf = csrf_of(&form);
    let first = [
        Part::text("type", "disclosure"),
        Part::text("targets[0].kind", "email"),
        Part::text("targets[0].value", "alice@example.com"),
        Part::text("targets[0].role", "suspect"),
        Part::text("summary", "Wire fraud against pensioners."),
    ];

    // Three rows are drawn for one target; the first click makes four.
    let mut parts = first.to_vec();
    parts.push(Part::text("action", "add_target"));
    let (status, page) = post_request(&app, &csrf, &parts).await;
    assert_eq!(status, Status::Ok);
    assert!(page.contains("id=\"t3-value\""), "a fourth row");
    assert!(!page.contains("id=\"t4-value\""));
    assert!(page.contains("Your draft was saved"));
    let saved = &page[page.find("Your draft was saved ").unwrap() + 21..];
    assert!(
        saved.starts_with(&format!(
            "{} ",
            writ::domain::clock::now().format("%Y-%m-%d")
        )) && saved[..21].ends_with(" UTC."),
        "the time reads as every other: {}",
        &saved[..30]
    );

    // A pasted list and a CSV file, each with a line that cannot be read.
    let mut parts = first.to_vec();
    parts.extend([
        Part::text("action", "import_targets"),
        Part::text(
            "targets_paste",
            "email,Bob@Example.com,,victim\nbc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
        ),
        Part::file(
            "targets_csv",
            "targets.csv",
            b"kind,value,chain,role\r\nwallet_address,0x52908400098527886E0F7030069857D2E4169EE7,ETH,suspect\r\nphone,+1 202 555 0143,,witness\r\nsafe_deposit_box,42,,\r\n",
        ),
    ]);
    let (status, page) = post_request(&app, &csrf, &parts).await;
    assert_eq!(status, Status::UnprocessableEntity);
    for (row, value) in [
        (0, "alice@example.com"),
        (1, "Bob@Example.com"),
        (2, "0x52908400098527886E0F7030069857D2E4169EE7"),
        (3, "+1 202 555 0143"),
    ] {
        assert!(
            page.contains(&format!(
                "id=\"t{row}-value\" name=\"targets[{row}].value\" value=\"{value}\""
            )),
            "row {row} holds {value}: {page}"
        );
    }
    assert!(
        page.contains(
            ">bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq\nsafe_deposit_box,42,,</textarea>"
        ),
        "{page}"
    );
    assert!(page.contains("Line 2: say what “bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq” is"));
    assert!(
        page.contains("The file&#x27;s line 4: “safe_deposit_box” is not a kind of target"),
        "{page}"
    );
    assert!(
        page.contains("<a href=\"#targets-paste\">"),
        "the summary links to the list"
    );
    assert_eq!(app.count("cases"), 0, "nothing is filed");

    // Leaving and coming back: the draft is there, at the type it was.
    let (status, again) = app.page("/agency/requests/new").await;
    assert_eq!(status, Status::Ok);
    assert!(again.contains("Type of request: <strong>Disclosure of records</strong>"));
    assert!(again.contains("value=\"0x52908400098527886E0F7030069857D2E4169EE7\""));
    assert!(again.contains("safe_deposit_box,42,,</textarea>"));
    assert!(again.contains("Wire fraud against pensioners."));

    // Changing the type keeps what was typed; an uploaded file waits with the draft.
    let mut parts = first.to_vec();
    parts.extend([
        Part::text("action", "change_type"),
        Part::file("documents", "letter.pdf", PDF),
    ]);
    let (status, choose) = post_request(&app, &csrf, &parts).await;
    assert_eq!(status, Status::Ok);
    assert!(choose.contains("value=\"disclosure\" checked"), "{choose}");
    assert!(!choose.contains("Legal instrument"));
    let (_, preservation) = app.page("/agency/requests/new?type=preservation").await;
    assert!(preservation.contains("Type of request: <strong>Preservation of records</strong>"));
    assert!(preservation.contains("Data to preserve"));
    assert!(preservation.contains("value=\"preservation_letter\""));
    assert!(preservation.contains("value=\"alice@example.com\""));
    assert!(
        preservation.contains("letter.pdf"),
        "the file is shown with the draft"
    );

    // A held file lasts a day, but one attached to a draft lasts as long as the draft.
    app.sql("UPDATE held_documents SET held_at = '2020-01-01 00:00:00'");
    let stale = chrono::NaiveDate::from_ymd_opt(2021, 1, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    let now = writ::domain::clock::now();
    let gone = {
        let mut conn = app.db().get().unwrap();
        writ::db::models::document::HeldDocument::expire(&mut conn, stale, now).unwrap()
    };
    assert!(gone.is_empty(), "the draft keeps its file");
    assert_eq!(writ::services::drafts::expire(app.db()).await.unwrap(), 0);
    assert_eq!(app.count("held_documents"), 1);

    // Thrown away: the draft and its file go.
    let (status, location, _) = post_form(
        &app,
        "/agency/requests/draft/discard",
        &[("csrf", csrf.as_str())],
    )
    .await;
    assert_eq!(status, Status::SeeOther);
    assert_eq!(location.as_deref(), Some("/agency/requests/new"));
    let (_, fresh) = app.page("/agency/requests/new").await;
    assert!(fresh.contains("The draft and its files were thrown away."));
    assert!(!fresh.contains("Your draft was saved"));
    assert!(!fresh.contains("alice@example.com"));
    assert_eq!(app.count("request_drafts"), 0);
    assert_eq!(app.count("held_documents"), 0);
    let (status, _, _) = post_form(
        &app,
        "/agency/requests/draft/discard",
        &[("csrf", "forged")],
    )
    .await;
    assert_eq!(
        status,
        Status::Forbidden,
        "a forged token throws nothing away"
    );
}

/// A list of targets too large or not text is refused beside its field; the rest of the form
/// comes back whole.
#[rocket::async_test]
async fn a_target_list_that_is_too_large_or_not_text_is_refused_beside_it() {
    let app = TestApp::new().await;
    app.officer("j.doe@fbi.gov").await;
    sign_in(&app, "j.doe@fbi.gov").await;
    let (_, form) = app.page("/agency/requests/new?type=disclosure").await;
    let csrf = csrf_of(&form);
    let big = "email,a@example.com\n".repeat(4_000);
    for (file, says) in [
        (
            big.as_bytes(),
            "larger than the 64 KiB a list of targets may be",
        ),
        // A spreadsheet's "Unicode text" export: UTF-16, not UTF-8.
        (&b"\xff\xfek\x00i\x00n\x00d\x00"[..], "The file is not text"),
    ] {
        let parts = [
            Part::text("type", "disclosure"),
            Part::text("action", "import_targets"),
            Part::file("targets_csv", "list.csv", file),
            Part::text("summary", "Typed after the file."),
        ];
        let (status, page) = post_request(&app, &csrf, &parts).await;
        assert_eq!(status, Status::UnprocessableEntity);
        assert!(page.contains(says), "{page}");
        assert!(
            page.contains("id=\"targets_paste-error\""),
            "beside the list"
        );
        assert!(
            page.contains("Typed after the file."),
            "the fields after it are kept"
        );
        assert!(
            !page.contains("value=\"a@example.com\""),
            "nothing of it is read"
        );
    }
}
