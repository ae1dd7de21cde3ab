//! The staff side: sign-in with password and TOTP, the queue, the whole case, agency verification.

use crate::common;

use common::{emergency_request, subpoena_request, TestApp, PDF};
use rocket::http::{ContentType, Status};
use serde_json::{json, Value};
use writ::domain::vocab::Role;

async fn login(app: &TestApp, email: &str, password: &str, totp: &str) -> (Status, Value) {
    let response = app
        .post_json(
            "/api/v1/staff/login",
            json!({ "email": email, "password": password, "totp": totp }),
            None,
        )
        .await;
    let status = response.status();
    (status, response.into_json().await.unwrap_or(Value::Null))
}

#[rocket::async_test]
async fn staff_sign_in_needs_password_and_a_fresh_code() {
    let app = TestApp::new().await;
    let alice = app.staff("alice@writ.example", Role::Legal).await;
    {
        use diesel::prelude::*;
        use writ::db::schema::staff::dsl::*;
        let mut conn = app.db().get().unwrap();
        let hash: String = staff.select(password_hash).first(&mut *conn).unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        let sealed: String = staff.select(totp_secret).first(&mut *conn).unwrap();
        assert!(
            !sealed.contains(&alice.secret),
            "the TOTP secret is kept sealed"
        );
    }

    let code = alice.code(0);
    let (status, body) = login(&app, &alice.email, &alice.password, &code).await;
    assert_eq!(status, Status::Ok, "{body}");
    assert_eq!(body["role"], "legal");
    let (status, body) = login(&app, &alice.email, &alice.password, &code).await;
    assert_eq!(status, Status::Unauthorized, "{body}");
    assert_eq!(body["error"]["code"], "code_reused", "a code is good once");

    let (status, body) = login(&app, "nobody@writ.example", "whatever", "123456").await;
    assert_eq!(status, Status::Unauthorized);
    assert_eq!(
        body["error"]["message"],
        "Wrong e-mail address, password or code."
    );
}

#[rocket::async_test]
async fn the_queue_puts_emergencies_first_and_shows_every_check_to_staff() {
    let app = TestApp::new().await;
    let officer = app.officer("j.doe@fbi.gov").await;
    let (_, disclosure) = app
        .submit(&officer, &subpoena_request(), &[("subpoena.pdf", PDF)])
        .await;
    let mut emergency = common::emergency_request();
    emergency["targets"] =
        json!([{"kind": "phone", "value": "+44 20 7946 0000", "role": "suspect"}]);
    let (_, urgent) = app.submit(&officer, &emergency, &[]).await;

    let reviewer = app.staff("sam@writ.example", Role::Legal).await;
    let token = app.staff_token(&reviewer).await;
    let (status, queue) = app.get_json("/api/v1/staff/cases", &token).await;
    assert_eq!(status, Status::Ok, "{queue}");
    assert_eq!(
        queue["cases"][0]["reference"], urgent["reference"],
        "emergencies come first"
    );
    assert_eq!(queue["cases"][0]["emergency"], true);
    assert_eq!(queue["cases"][1]["reference"], disclosure["reference"]);

    let (_, found) = app
        .get_json("/api/v1/staff/cases?q=%2B442079460000", &token)
        .await;
    assert_eq!(
        found["cases"].as_array().unwrap().len(),
        1,
        "search by target: {found}"
    );
    let (_, by_country) = app.get_json("/api/v1/staff/cases?country=us", &token).await;
    assert_eq!(by_country["cases"].as_array().unwrap().len(), 2);
    let (_, elsewhere) = app.get_json("/api/v1/staff/cases?country=FR", &token).await;
    assert_eq!(elsewhere["cases"].as_array().unwrap().len(), 0);
    let (_, mine) = app.get_json("/api/v1/staff/cases?mine=true", &token).await;
    assert_eq!(
        mine["cases"].as_array().unwrap().len(),
        0,
        "nothing is assigned to this reviewer yet"
    );
    let (_, filtered) = app
        .get_json("/api/v1/staff/cases?type=disclosure", &token)
        .await;
    assert_eq!(filtered["cases"][0]["reference"], disclosure["reference"]);
    assert_eq!(filtered["cases"].as_array().unwrap().len(), 1);

    let reference = disclosure["reference"].as_str().unwrap();
    let (status, case) = app
        .get_json(&format!("/api/v1/staff/cases/{reference}"), &token)
        .await;
    assert_eq!(status, Status::Ok);
    let codes: Vec<&str> = case["authority"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"targets_found") && codes.contains(&"duplicate_request"),
        "{codes:?}"
    );
    assert_eq!(case["requester"]["email"], "j.doe@fbi.gov");
    assert_eq!(case["timeline"][0]["action"], "request.submitted");

    // Requesters' tokens open nothing on the staff side, and staff tokens nothing on the requesters'.
    let (status, _) = app.get_json("/api/v1/staff/cases", &officer).await;
    assert_eq!(status, Status::Unauthorized);
    let (status, _) = app
        .get_json(&format!("/api/v1/requests/{reference}"), &token)
        .await;
    assert_eq!(status, Status::Unauthorized);
}

#[rocket::async_test]
async fn the_queue_pages_through_every_open_state_by_urgency_and_due_date() {
    let app = TestApp::with(|c| c.submissions_per_hour = 100).await;
    let officer = app.officer("j.doe@fbi.gov").await;
    for i in 0..90 {
        let mut request = subpoena_request();
        request["instrument"]["reference"] = json!(format!("GJ-{i}"));
        let (status, _) = app
            .submit(&officer, &request, &[("subpoena.pdf", PDF)])
            .await;
        assert_eq!(status, Status::Created);
    }
    // Spread the cases over the open states and a few closed ones, with due dates out of step
    // with their numbers (ties included), and mark some as emergencies.
    let states = [
        "legal_queue",
        "in_review",
        "needs_info",
        "approved",
        "closed",
        "fulfilled",
    ];
    for (i, state) in states.iter().enumerate() {
        app.sql(&format!(
            "UPDATE cases SET state = '{state}' WHERE CAST(SUBSTR(reference, 9) AS INTEGER) % 6 = {i}"
        ));
    }
    app.sql(
        "UPDATE cases SET due_at = '2026-12-01 00:00:00' WHERE CAST(SUBSTR(reference, 9) AS INTEGER) % 4 = 0",
    );
    app.sql(
        "UPDATE cases SET request_type = 'emergency_disclosure' WHERE CAST(SUBSTR(reference, 9) AS INTEGER) % 9 = 0",
    );
    let expected: Vec<String> = {
        use diesel::prelude::*;
        #[derive(QueryableByName)]
        struct Reference {
            #[diesel(sql_type = diesel::sql_types::Text)]
            reference: String,
        }
        let mut conn = app.db().get().unwrap();
        diesel::sql_query(
            "SELECT reference FROM cases WHERE state IN ('legal_queue', 'in_review', 'needs_info', 'approved') \
             ORDER BY CASE WHEN request_type = 'emergency_disclosure' THEN 0 ELSE 1 END, due_at, reference",
        )
        .load::<Reference>(&mut *conn)
        .unwrap()
        .into_iter()
        .map(|r| r.reference)
        .collect()
    };
    assert!(expected.len() > 50, "two pages' worth");

    let token = app
        .staff_token(&app.staff("sam@writ.example", Role::Legal).await)
        .await;
    let mut seen = Vec::new();
    for page in 0..2 {
        let (_, queue) = app
            .get_json(&format!("/api/v1/staff/cases?page={page}"), &token)
            .await;
        assert_eq!(queue["more"], page == 0, "{page}");
        seen.extend(
            queue["cases"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["reference"].as_str().unwrap().to_owned()),
        );
    }
    assert_eq!(seen, expected);

    // A page number no queue reaches is refused, not an overflow (schemathesis found the 500).
    let (status, refused) = app
        .get_json("/api/v1/staff/cases?page=1195543097042759168", &token)
        .await;
    assert_eq!(status, Status::UnprocessableEntity, "{refused}");
    assert!(refused["error"]["fields"]["page"]
        .as_str()
        .unwrap()
        .contains("Pages go up to 2000"));
}

#[rocket::async_test]
async fn an_admin_verifies_an_agency_and_its_open_cases_are_checked_again() {
    let app = TestApp::new().await;
    let officer = app.api_sign_in("officer@police-example.org").await;
    assert_eq!(app.put_profile(&officer).await, Status::Ok);
    app.enrol("officer@police-example.org", &officer).await;
    let (status, filed) = app
        .submit(
            &officer,
            &subpoena_request(),
            &[("subpoena.pdf", PDF), ("ndo-order.pdf", PDF)],
        )
        .await;
    assert_eq!(status, Status::Created, "{filed}");
    assert_eq!(filed["authority"]["established"], false);
    let reference = filed["reference"].as_str().unwrap();

    // A legal reviewer sees the queue and the case, but not the admin page.
    let reviewer = app.staff("rita@writ.example", Role::Legal).await;
    app.staff_sign_in_page(&reviewer).await;
    let queue = app.client.get("/staff/queue").dispatch().await;
    assert_eq!(queue.status(), Status::Ok);
    assert!(queue.into_string().await.unwrap().contains(reference));
    let case = app
        .client
        .get(format!("/staff/cases/{reference}"))
        .dispatch()
        .await
        .into_string()
        .await
        .unwrap();
    assert!(case.contains("police-example.org is not a recognised government domain"));
    assert!(case.contains("staff only"));
    let admin_page = app.client.get("/staff/admin/agencies").dispatch().await;
    assert_eq!(admin_page.status(), Status::Forbidden);
    assert!(admin_page
        .into_string()
        .await
        .unwrap()
        .contains("Only a legal admin may do this."));

    let admin = app.staff("ada@writ.example", Role::Admin).await;
    let csrf = app.staff_sign_in_page(&admin).await;
    let bad = app
        .client
        .post("/staff/admin/agencies/verify")
        .header(ContentType::Form)
        .body(format!(
            "domain=not+a+domain&agency_name=&country=US&csrf={csrf}"
        ))
        .dispatch()
        .await;
    assert_eq!(bad.status(), Status::UnprocessableEntity);
    let shown = bad.into_string().await.unwrap();
    assert!(shown.contains("Enter a domain name such as police.example.org."));
    assert!(
        shown.contains("Enter the agency&#x27;s name.")
            || shown.contains("Enter the agency's name."),
        "{shown}"
    );

    let verified = app
        .client
        .post("/staff/admin/agencies/verify")
        .header(ContentType::Form)
        .body(format!(
            "domain=police-example.org&agency_name=Example+Police&country=US&csrf={csrf}"
        ))
        .dispatch()
        .await;
    assert_eq!(verified.status(), Status::SeeOther);
    let page = app
        .client
        .get("/staff/admin/agencies")
        .dispatch()
        .await
        .into_string()
        .await
        .unwrap();
    assert!(
        page.contains("police-example.org is verified; 1 open case(s) were checked again."),
        "{page}"
    );
    assert!(page.contains("Example Police (US)"));

    let (_, case) = app
        .get_json(&format!("/api/v1/requests/{reference}"), &officer)
        .await;
    assert_eq!(case["authority"]["established"], true, "{case}");
    assert_eq!(
        app.count("audit_events WHERE action = 'agency.verified'"),
        1
    );
    assert_eq!(
        app.count("audit_events WHERE action = 'authority.rechecked'"),
        1
    );
}

#[rocket::async_test]
async fn staff_read_documents_decrypted_and_each_view_is_recorded() {
    let app = TestApp::new().await;
    let officer = app.officer("j.doe@fbi.gov").await;
    let mut big = PDF.to_vec();
    big.extend((0..200_000u32).map(|i| (i % 251) as u8));
    let (_, filed) = app
        .submit(&officer, &subpoena_request(), &[("subpoena.pdf", &big)])
        .await;
    let reference = filed["reference"].as_str().unwrap();
    let (_, case) = app
        .get_json(&format!("/api/v1/requests/{reference}"), &officer)
        .await;
    let id = case["documents"][0]["id"].as_str().unwrap().to_owned();

    let anonymous = app
        .client
        .get(format!("/staff/cases/{reference}/documents/{id}"))
        .dispatch()
        .await;
    assert_eq!(anonymous.status(), Status::Unauthorized);

    let reviewer = app.staff("rita@writ.example", Role::Legal).await;
    app.staff_sign_in_page(&reviewer).await;
    let response = app
        .client
        .get(format!("/staff/cases/{reference}/documents/{id}"))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(response.content_type(), Some(ContentType::PDF));
    assert!(response
        .headers()
        .get_one("Content-Disposition")
        .unwrap()
        .contains("subpoena.pdf"));
    let bytes = response.into_bytes().await.unwrap();
    assert_eq!(
        writ::crypto::sha256_hex(&bytes),
        writ::crypto::sha256_hex(&big),
        "what comes out is what went in"
    );
    assert_eq!(
        app.count("audit_events WHERE action = 'document.viewed'"),
        1
    );

    let stored = std::fs::read(app.config.documents_dir().join(&id)).unwrap();
    assert!(
        !stored.windows(8).any(|w| w == &big[..8]),
        "the file at rest is encrypted"
    );
    let mut tampered = stored.clone();
    tampered[100] ^= 0x01;
    std::fs::write(app.config.documents_dir().join(&id), tampered).unwrap();
    let response = app
        .client
        .get(format!("/staff/cases/{reference}/documents/{id}"))
        .dispatch()
        .await;
    let bytes = response.into_bytes().await.unwrap_or_default();
    assert!(
        bytes.len() < big.len(),
        "a tampered document is never served whole"
    );

    let other = app
        .client
        .get(format!("/staff/cases/{reference}/documents/not-a-document"))
        .dispatch()
        .await;
    assert_eq!(other.status(), Status::NotFound);
}

#[rocket::async_test]
async fn overview_ndo_ledger_and_audit_log() {
    let app = TestApp::new().await;
    let officer = app.officer("j.doe@fbi.gov").await;
    let (_, filed) = app
        .submit(&officer, &subpoena_request(), &[("subpoena.pdf", PDF)])
        .await;
    let reference = filed["reference"].as_str().unwrap();
    let admin = app.staff("ada@writ.example", Role::Admin).await;
    app.staff_sign_in_page(&admin).await;

    let overview = app
        .client
        .get("/staff/overview")
        .dispatch()
        .await
        .into_string()
        .await
        .unwrap();
    assert!(
        overview.contains("<span class=\"figure\">1</span> open cases"),
        "{overview}"
    );
    assert!(overview.contains("<svg class=\"chart\""));
    assert!(
        overview.contains(": 1</title></rect>"),
        "this week's bar counts the request"
    );

    let ledger = app
        .client
        .get("/staff/ndo")
        .dispatch()
        .await
        .into_string()
        .await
        .unwrap();
    assert!(ledger.contains(reference));
    assert!(
        ledger.contains("2027-05-01") && ledger.contains("2027-05-02"),
        "the user notice follows the order's end"
    );
    let (_, case_page) = app.page(&format!("/staff/cases/{reference}")).await;
    assert!(
        case_page.contains("May be told from 2027-05-02"),
        "{case_page}"
    );
    assert!(
        !case_page.contains("user-notice\""),
        "not while the order runs"
    );

    // Once the order has ended, the notice is due on the ledger and recorded from the case page.
    app.sql(&format!(
        "UPDATE cases SET ndo_until = '2026-01-31' WHERE reference = '{reference}'"
    ));
    let (_, ledger) = app.page("/staff/ndo").await;
    assert!(ledger.contains("tag-overdue\">Due</span>"), "{ledger}");
    let (_, case_page) = app.page(&format!("/staff/cases/{reference}")).await;
    let csrf = common::csrf_of(&case_page);
    let (status, _) = app
        .post_form(
            &format!("/staff/cases/{reference}/user-notice"),
            &[("notified_on", "2026-13-40"), ("csrf", &csrf)],
        )
        .await;
    assert_eq!(status, Status::UnprocessableEntity);
    let (status, _) = app
        .post_form(
            &format!("/staff/cases/{reference}/user-notice"),
            &[("notified_on", ""), ("csrf", &csrf)],
        )
        .await;
    assert_eq!(status, Status::SeeOther);
    let (_, case_page) = app.page(&format!("/staff/cases/{reference}")).await;
    let today = chrono::Utc::now().date_naive();
    assert!(case_page.contains(&format!("notice is recorded, on {today}.")));
    assert!(
        case_page.contains(&format!("Told on {today} (Test Staff)")),
        "{case_page}"
    );
    let (_, ledger) = app.page("/staff/ndo").await;
    assert!(ledger.contains(&format!("<td>{today}</td>")), "{ledger}");

    let audit = app
        .client
        .get("/staff/admin/audit")
        .dispatch()
        .await
        .into_string()
        .await
        .unwrap();
    assert!(audit.contains("The hash chain is intact"));
    assert!(audit.contains("request.submitted"));
    app.sql("UPDATE audit_events SET actor = 'someone-else' WHERE seq = 1");
    let audit = app
        .client
        .get("/staff/admin/audit")
        .dispatch()
        .await
        .into_string()
        .await
        .unwrap();
    assert!(
        audit.contains("The hash chain is BROKEN at event 1"),
        "{audit}"
    );
}

#[rocket::async_test]
async fn admins_add_and_deactivate_staff() {
    let app = TestApp::new().await;
    let admin = app.staff("ada@writ.example", Role::Admin).await;
    let csrf = app.staff_sign_in_page(&admin).await;
    let response = app
        .client
        .post("/staff/admin/staff")
        .header(ContentType::Form)
        .body(format!(
            "email=sam%40writ.example&name=Sam+Support&role=support&csrf={csrf}"
        ))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Created);
    let page = response.into_string().await.unwrap();
    assert!(page.contains("Account created for sam@writ.example"));
    assert!(
        page.contains("Writ:sam%40writ.example?secret="),
        "the TOTP secret is shown once"
    );

    let again = app
        .client
        .post("/staff/admin/staff")
        .header(ContentType::Form)
        .body(format!(
            "email=sam%40writ.example&name=Sam&role=support&csrf={csrf}"
        ))
        .dispatch()
        .await;
    assert_eq!(again.status(), Status::Conflict);
    assert!(again
        .into_string()
        .await
        .unwrap()
        .contains("sam@writ.example already has a staff account."));

    let sam = app.staff_id("sam@writ.example");
    let response = app
        .client
        .post(format!("/staff/admin/staff/{sam}/active"))
        .header(ContentType::Form)
        .body(format!("active=false&csrf={csrf}"))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(app.count("staff WHERE active = false"), 1);
    assert_eq!(
        app.count("audit_events WHERE action = 'staff.deactivated'"),
        1
    );
}

#[rocket::async_test]
async fn staff_record_their_title_as_custodian_once() {
    let app = TestApp::new().await;
    let admin = app.staff("ada@writ.example", Role::Admin).await;
    let csrf = app.staff_sign_in_page(&admin).await;
    // The admin gives a new colleague their title as they add them; the list shows it.
    let (status, page) = app
        .post_form(
            "/staff/admin/staff",
            &[
                ("email", "lee@writ.example"),
                ("name", "Lee Counsel"),
                ("role", "legal"),
                ("title", "Deputy General Counsel"),
                ("csrf", &csrf),
            ],
        )
        .await;
    assert_eq!(status, Status::Created, "{page}");
    assert!(page.contains("<td>Deputy General Counsel</td>"), "{page}");

    // A member of staff with none is told on their account page, and records it there.
    app.sql("UPDATE staff SET title = NULL WHERE email = 'ada@writ.example'");
    let (status, page) = app.page("/staff/account").await;
    assert_eq!(status, Status::Ok);
    assert!(
        page.contains("You have not recorded your title yet"),
        "{page}"
    );
    let (status, refused) = app
        .post_form(
            "/staff/account",
            &[
                ("title", "  "),
                ("signs_from", "inside_us"),
                ("csrf", &csrf),
            ],
        )
        .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(refused.contains("Enter your title"), "{refused}");
    assert_eq!(app.count("staff WHERE title IS NULL"), 1);

    let (status, _) = app
        .post_form(
            "/staff/account",
            &[
                ("title", "Custodian of Records"),
                ("signs_from", "outside_us"),
                ("csrf", &csrf),
            ],
        )
        .await;
    assert_eq!(status, Status::SeeOther);
    let (_, page) = app.page("/staff/account").await;
    assert!(
        page.contains("Your custodian details are saved"),
        "the confirmation is on this page"
    );
    assert!(page.contains("value=\"Custodian of Records\""));
    assert!(page.contains("value=\"outside_us\" checked"));
    assert_eq!(app.count("staff WHERE signs_outside_us = TRUE"), 1);
    assert_eq!(
        app.count("audit_events WHERE action = 'staff.custodian_recorded'"),
        1
    );
}

#[rocket::async_test]
async fn staff_change_their_password() {
    let app = TestApp::new().await;
    let lee = app.staff("lee@writ.example", Role::Legal).await;
    let csrf = app.staff_sign_in_page(&lee).await;
    let short = app
        .client
        .post("/staff/password")
        .header(ContentType::Form)
        .body(format!("current={}&new=short&csrf={csrf}", lee.password))
        .dispatch()
        .await;
    assert_eq!(short.status(), Status::UnprocessableEntity);
    assert!(short
        .into_string()
        .await
        .unwrap()
        .contains("at least 12 characters"));
    let wrong = app
        .client
        .post("/staff/password")
        .header(ContentType::Form)
        .body(format!("current=nope&new=a-much-longer-secret&csrf={csrf}"))
        .dispatch()
        .await;
    assert_eq!(wrong.status(), Status::UnprocessableEntity);
    let changed = app
        .client
        .post("/staff/password")
        .header(ContentType::Form)
        .body(format!(
            "current={}&new=a-much-longer-secret&csrf={csrf}",
            lee.password
        ))
        .dispatch()
        .await;
    assert_eq!(changed.status(), Status::SeeOther);
    let (status, _) = login(&app, &lee.email, &lee.password, &lee.code(1)).await;
    assert_eq!(
        status,
        Status::Unauthorized,
        "the old password no longer works"
    );
    let (status, _) = login(&app, &lee.email, "a-much-longer-secret", &lee.code(1)).await;
    assert_eq!(status, Status::Ok);
}

#[rocket::async_test]
async fn support_sees_court_figures_only_and_the_audit_page_refuses_odd_pages() {
    let app = TestApp::new().await;
    let officer = app.officer("j.doe@fbi.gov").await;
    for _ in 0..3 {
        let (status, _) = app
            .submit(&officer, &subpoena_request(), &[("subpoena.pdf", PDF)])
            .await;
        assert_eq!(status, Status::Created);
    }
    let sam = app.staff("sam@writ.example", Role::Support).await;
    app.staff_sign_in_page(&sam).await;
    let overview = app.page("/staff/overview").await.1;
    assert!(!overview.contains(">Agency</th>"), "{overview}");
    assert!(
        overview.contains("<span class=\"figure\">0</span> open cases"),
        "{overview}"
    );
    let lee = app.staff("lee@writ.example", Role::Admin).await;
    app.staff_sign_in_page(&lee).await;
    let overview = app.page("/staff/overview").await.1;
    assert!(overview.contains(">Agency</th>"));
    assert!(overview.contains("<span class=\"figure\">3</span> open cases"));

    // `before` outside the log shows a page of it, never the whole log at once.
    let events = app.count("audit_events");
    assert!(events > 5);
    for before in ["-1", "0", "1", "2"] {
        let (status, page) = app
            .page(&format!("/staff/admin/audit?before={before}"))
            .await;
        assert_eq!(status, Status::Ok, "before={before}");
        let rows = page.matches("<td class=\"mono hash\">").count();
        assert!(rows <= 1, "before={before}: {rows} rows");
    }
}

#[rocket::async_test]
async fn the_worker_signs_the_audit_chain_and_admins_keep_copies() {
    let app = TestApp::new().await;
    app.officer("j.doe@fbi.gov").await;
    let admin = app.staff("ada@writ.example", Role::Admin).await;
    app.staff_sign_in_page(&admin).await;
    let (_, page) = app.page("/staff/admin/audit").await;
    assert!(page.contains("No checkpoint yet."), "{page}");

    writ::worker::housekeeping(app.context()).await.unwrap();
    // Within the hour, the next round signs nothing new.
    writ::worker::housekeeping(app.context()).await.unwrap();
    assert_eq!(app.count("audit_checkpoints"), 1);
    assert_eq!(
        app.count("audit_events WHERE action = 'audit.checkpointed'"),
        1
    );
    // Each legal admin is mailed a copy to keep outside Writ; it verifies on its own.
    let letters = app.mail_to("ada@writ.example").await;
    let letter = letters
        .iter()
        .find(|m| m.subject.starts_with("Audit checkpoint: event "))
        .expect("the admin is sent the checkpoint");
    let json = letter
        .body
        .split("=== checkpoint.json ===")
        .nth(1)
        .and_then(|rest| rest.split("=== end of checkpoint.json ===").next())
        .unwrap();
    let (mailed, _) = writ::audit::checkpoint::Checkpoint::import(json.trim()).unwrap();
    assert!(app.mail_to("lee@writ.example").await.is_empty());

    let (_, page) = app.page("/staff/admin/audit").await;
    assert!(page.contains("1 signed checkpoint(s) hold"), "{page}");
    let seq: i64 = {
        use diesel::prelude::*;
        use writ::db::schema::audit_checkpoints::dsl::*;
        let mut conn = app.db().get().unwrap();
        audit_checkpoints.select(seq).first(&mut *conn).unwrap()
    };
    let response = app
        .client
        .get(format!("/staff/admin/audit/checkpoints/{seq}"))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    assert!(response
        .headers()
        .get_one("Content-Disposition")
        .unwrap()
        .contains(&format!("writ-audit-checkpoint-{seq}.json")));
    let file = response.into_string().await.unwrap();
    let (checkpoint, _) = writ::audit::checkpoint::Checkpoint::import(&file).unwrap();
    assert_eq!(checkpoint.seq, seq);
    assert_eq!(
        mailed, checkpoint,
        "the mailed copy is the stored checkpoint"
    );

    // The intruder's cut shows on the page too.
    app.sql(&format!("DELETE FROM audit_events WHERE seq >= {seq}"));
    app.sql(&format!(
        "UPDATE audit_head SET seq = {}, hash = (SELECT hash FROM audit_events WHERE seq = {})",
        seq - 1,
        seq - 1
    ));
    let (_, page) = app.page("/staff/admin/audit").await;
    assert!(
        page.contains("does not match its signed checkpoints: TRUNCATED"),
        "{page}"
    );
}

/// Issue 19: a fulfilled, rejected or closed case is due nothing: the queue never tags it
/// overdue or due soon, and "overdue only" leaves it out.
#[rocket::async_test]
async fn a_case_no_longer_open_is_never_shown_overdue_or_due_soon() {
    let app = TestApp::new().await;
    let officer = app.officer("j.doe@fbi.gov").await;
    let mut references = Vec::new();
    for i in 0..4 {
        let mut request = subpoena_request();
        request["instrument"]["reference"] = json!(format!("GJ-{i}"));
        let (status, body) = app
            .submit(&officer, &request, &[("subpoena.pdf", PDF)])
            .await;
        assert_eq!(status, Status::Created, "{body}");
        references.push(body["reference"].as_str().unwrap().to_owned());
    }
    // Two past their due date, two due within the hour; one of each still open.
    let soon = (chrono::Utc::now() + chrono::TimeDelta::minutes(30))
        .naive_utc()
        .format("%Y-%m-%d %H:%M:%S");
    for (reference, state, due) in [
        (
            &references[0],
            "in_review",
            "2026-01-01 00:00:00".to_owned(),
        ),
        (
            &references[1],
            "fulfilled",
            "2026-01-01 00:00:00".to_owned(),
        ),
        (&references[2], "approved", soon.to_string()),
        (&references[3], "closed", soon.to_string()),
    ] {
        app.sql(&format!(
            "UPDATE cases SET state = '{state}', due_at = '{due}' WHERE reference = '{reference}'"
        ));
    }
    let token = app
        .staff_token(&app.staff("sam@writ.example", Role::Legal).await)
        .await;
    let tags = |queue: &Value| -> Vec<(String, bool, bool)> {
        queue["cases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["reference"].as_str().unwrap().to_owned(),
                    c["overdue"].as_bool().unwrap(),
                    c["at_risk"].as_bool().unwrap(),
                )
            })
            .collect()
    };
    for (state, reference, overdue, at_risk) in [
        ("in_review", &references[0], true, false),
        ("fulfilled", &references[1], false, false),
        ("approved", &references[2], false, true),
        ("closed", &references[3], false, false),
    ] {
        let (_, queue) = app
            .get_json(&format!("/api/v1/staff/cases?state={state}"), &token)
            .await;
        assert_eq!(
            tags(&queue),
            [(reference.clone(), overdue, at_risk)],
            "{state}"
        );
    }
    for state in ["fulfilled", "closed"] {
        let (_, queue) = app
            .get_json(
                &format!("/api/v1/staff/cases?state={state}&overdue=true"),
                &token,
            )
            .await;
        assert!(tags(&queue).is_empty(), "{state}: {queue}");
    }
}

/// Issue 19: the account-match check was stale after an account import. Staff run the checks
/// again from the case page (or the API); the run is audited and its time shown; a decided
/// case keeps its checks.
#[rocket::async_test]
async fn staff_run_the_checks_again_after_an_account_import() {
    let app = TestApp::new().await;
    let officer = app.officer("j.doe@fbi.gov").await;
    let (status, body) = app
        .submit(&officer, &subpoena_request(), &[("subpoena.pdf", PDF)])
        .await;
    assert_eq!(status, Status::Created, "{body}");
    let reference = body["reference"].as_str().unwrap().to_owned();
    let legal = app
        .staff_token(&app.staff("lee@writ.example", Role::Legal).await)
        .await;
    let targets_found = |case: &Value| -> Value {
        case["authority"]["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["code"] == "targets_found")
            .unwrap()
            .clone()
    };
    // Filed two days ago.
    app.sql(&format!(
        "UPDATE cases SET created_at = '2026-12-01 08:00:00' WHERE reference = '{reference}'"
    ));
    let (_, before) = app
        .get_json(&format!("/api/v1/staff/cases/{reference}"), &legal)
        .await;
    assert_eq!(targets_found(&before)["outcome"], "warn", "{before}");
    assert_eq!(before["authority"]["run_at"], "2026-12-01T08:00:00Z");
    let filed_at = before["authority"]["run_at"].as_str().unwrap().to_owned();

    // The directory arrives after the case.
    let csv = app.dir.path().join("accounts.csv");
    std::fs::write(
        &csv,
        "uid,email,phone,name,country,wallets,status\n\
         U-1001,alice@example.com,,Alice,US,eth:0x52908400098527886E0F7030069857D2E4169EE7,active\n",
    )
    .unwrap();
    assert!(app
        .writ(&["accounts", "import", csv.to_str().unwrap()])
        .status
        .success());
    let (_, stale) = app
        .get_json(&format!("/api/v1/staff/cases/{reference}"), &legal)
        .await;
    assert_eq!(
        targets_found(&stale)["outcome"],
        "warn",
        "stored checks do not move by themselves"
    );

    // The page offers the run and shows when the last one was.
    let colleague = app.staff("lea@writ.example", Role::Legal).await;
    let csrf = app.staff_sign_in_page(&colleague).await;
    let (_, page) = app.page(&format!("/staff/cases/{reference}")).await;
    assert!(page.contains("Run the checks again"), "{page}");
    assert!(page.contains(&format!("Last run <time datetime=\"{filed_at}\">")));
    let response = app
        .client
        .post(format!("/staff/cases/{reference}/checks"))
        .header(ContentType::Form)
        .body(format!("csrf={csrf}"))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    let (_, page) = app.page(&format!("/staff/cases/{reference}")).await;
    let (_, after) = app
        .get_json(&format!("/api/v1/staff/cases/{reference}"), &legal)
        .await;
    let verdict = if after["authority"]["established"] == true {
        "established"
    } else {
        "not established"
    };
    assert!(
        page.contains(&format!("Checks run again: authority {verdict}.")),
        "{page}"
    );
    assert!(
        page.contains("is account U-1001"),
        "the fresh finding is shown"
    );
    assert_eq!(targets_found(&after)["outcome"], "pass", "{after}");
    assert!(after["authority"]["run_at"].as_str().unwrap() > filed_at.as_str());

    // Without a token the form is refused and nothing runs.
    let events_before = app.count("audit_events WHERE action = 'authority.rechecked'");
    assert_eq!(events_before, 1, "the page's run, with the change");
    let response = app
        .client
        .post(format!("/staff/cases/{reference}/checks"))
        .header(ContentType::Form)
        .body("csrf=forged")
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Forbidden);

    // Through the API, nothing changing: still recorded, as a run staff may rely on.
    let checks_api = format!("/api/v1/staff/cases/{reference}/checks");
    let response = app.post_json(&checks_api, json!({}), Some(&legal)).await;
    assert_eq!(response.status(), Status::Ok);
    let body: Value = response.into_json().await.unwrap();
    assert_eq!(
        body["established"], after["authority"]["established"],
        "{body}"
    );
    assert_eq!(
        app.count("audit_events WHERE action = 'authority.rechecked'"),
        2
    );
    let (ok, out) = {
        let output = app.writ(&["audit", "verify"]);
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
        )
    };
    assert!(ok, "{out}");

    // A decided case keeps its checks.
    app.sql(&format!(
        "UPDATE cases SET state = 'rejected' WHERE reference = '{reference}'"
    ));
    let response = app.post_json(&checks_api, json!({}), Some(&legal)).await;
    assert_eq!(response.status(), Status::Conflict);
    let body: Value = response.into_json().await.unwrap();
    assert_eq!(body["error"]["code"], "case_closed");
}

/// The references of a queue answer, in order.
fn references(queue: &Value) -> Vec<String> {
    queue["cases"]
        .as_array()
        .unwrap_or_else(|| panic!("a queue: {queue}"))
        .iter()
        .map(|c| c["reference"].as_str().unwrap().to_owned())
        .collect()
}

/// Issue 19, item 1: the search takes what a reviewer has in front of them, spelled however
/// they type it, and looks in every state unless one is chosen.
#[rocket::async_test]
async fn the_queue_search_finds_cases_however_they_are_typed() {
    let app = TestApp::new().await;
    let officer = app.officer("j.doe@fbi.gov").await;
    let mut first = subpoena_request();
    first["targets"][0] = json!({"kind": "phone", "value": "+44 20 7946 0000", "role": "victim"});
    let (_, first) = app.submit(&officer, &first, &[("subpoena.pdf", PDF)]).await;
    let mut second = subpoena_request();
    second["instrument"]["reference"] = json!("GJ-2026-200");
    second["targets"] = json!([{"kind": "email", "value": "bob@example.org", "role": "suspect"}]);
    let (_, second) = app
        .submit(&officer, &second, &[("subpoena.pdf", PDF)])
        .await;
    let (first, second) = (
        first["reference"].as_str().unwrap().to_owned(),
        second["reference"].as_str().unwrap().to_owned(),
    );
    // Another requester, whose cases no search of the first one's should bring up.
    let other = app.api_sign_in("m.roe@dea.gov").await;
    let mut profile = common::profile();
    profile["name"] = json!("Mary Roe");
    profile["agency_name"] = json!("Drug Enforcement Administration");
    assert_eq!(
        app.put_profile_body(&other, profile.to_string()).await.0,
        Status::Ok
    );
    app.enrol("m.roe@dea.gov", &other).await;
    let mut third = subpoena_request();
    third["instrument"]["reference"] = json!("DEA-7");
    third["targets"] = json!([{"kind": "email", "value": "carol@example.net", "role": "suspect"}]);
    let (status, third) = app.submit(&other, &third, &[("subpoena.pdf", PDF)]).await;
    assert_eq!(status, Status::Created, "{third}");
    app.sql(&format!(
        "UPDATE cases SET state = 'closed' WHERE reference = '{second}'"
    ));

    let token = app
        .staff_token(&app.staff("sam@writ.example", Role::Legal).await)
        .await;
    let search = |q: &str| {
        let q = url::form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>();
        format!("/api/v1/staff/cases?q={q}")
    };
    for (q, expected, why) in [
        (
            first.to_lowercase(),
            vec![first.clone()],
            "a reference in lower case",
        ),
        (
            "gj-2026-114".into(),
            vec![first.clone()],
            "an instrument reference in lower case",
        ),
        (
            "0x52908400098527886e0f7030069857d2e4169ee7".into(),
            vec![first.clone()],
            "an address without its checksum capitals",
        ),
        (
            "+44 20 7946 0000".into(),
            vec![first.clone()],
            "a phone number as written",
        ),
        (
            "BOB@example.org".into(),
            vec![second.clone()],
            "a closed case, by target",
        ),
        (
            "j.doe@FBI".into(),
            vec![first.clone(), second.clone()],
            "part of the requester's address",
        ),
        (
            "bureau of invest".into(),
            vec![first.clone(), second.clone()],
            "part of the agency's name",
        ),
        (
            "jane".into(),
            vec![first.clone(), second.clone()],
            "part of the requester's name",
        ),
        ("%".into(), vec![], "a wildcard is a character"),
        ("no such thing".into(), vec![], "nothing"),
    ] {
        let (status, found) = app.get_json(&search(&q), &token).await;
        assert_eq!(status, Status::Ok, "{q}: {found}");
        let mut found = references(&found);
        found.sort();
        assert_eq!(found, expected, "{why} ({q})");
    }
    // Within one state when one is chosen; every state when asked for by name.
    let (_, open_only) = app
        .get_json(
            &format!("{}&state=legal_queue", search("bob@example.org")),
            &token,
        )
        .await;
    assert!(references(&open_only).is_empty(), "{open_only}");
    // A NUL or another control character matches nothing (PostgreSQL refuses a NUL in text).
    for query in ["q=ab%00cd", "country=U%00", "q=%C2%84%7F"] {
        let (status, found) = app
            .get_json(&format!("/api/v1/staff/cases?state=any&{query}"), &token)
            .await;
        assert_eq!(status, Status::Ok, "{query}: {found}");
        assert!(references(&found).is_empty(), "{query}: {found}");
    }
    let (_, any) = app.get_json("/api/v1/staff/cases?state=any", &token).await;
    assert_eq!(references(&any).len(), 3, "{any}");
    let (_, open) = app.get_json("/api/v1/staff/cases", &token).await;
    assert_eq!(
        references(&open).len(),
        2,
        "without a search, open cases only: {open}"
    );
}

/// Issue 19, item 2: the queue names requester, agency, country and assignee, sorts by its
/// columns, exports what it shows as CSV (audited, formulas defused) and assigns in bulk.
#[rocket::async_test]
async fn the_queue_sorts_exports_and_assigns_in_bulk() {
    let app = TestApp::new().await;
    let officer = app.officer("j.doe@fbi.gov").await;
    let mut profile = common::profile();
    profile["name"] = json!("=HYPERLINK(\"http://evil.example\")");
    assert_eq!(
        app.put_profile_body(&officer, profile.to_string()).await.0,
        Status::Ok
    );
    let mut references_filed = Vec::new();
    for i in 0..3 {
        let mut request = subpoena_request();
        request["instrument"]["reference"] = json!(format!("GJ-{i}"));
        let (_, body) = app
            .submit(&officer, &request, &[("subpoena.pdf", PDF)])
            .await;
        let reference = body["reference"].as_str().unwrap().to_owned();
        // Filed a day apart, the oldest first; due in the other order.
        app.sql(&format!(
            "UPDATE cases SET created_at = '2026-11-0{} 09:00:00', due_at = '2027-01-0{} 09:00:00' WHERE reference = '{reference}'",
            i + 1,
            3 - i
        ));
        references_filed.push(reference);
    }
    let sam = app.staff("sam@writ.example", Role::Legal).await;
    let token = app.staff_token(&sam).await;
    let order = |sort: &'static str| {
        let app = &app;
        let token = &token;
        async move {
            let (status, queue) = app
                .get_json(&format!("/api/v1/staff/cases?sort={sort}"), token)
                .await;
            assert_eq!(status, Status::Ok, "{queue}");
            references(&queue)
        }
    };
    let mut newest_first = references_filed.clone();
    newest_first.reverse();
    assert_eq!(order("filed").await, references_filed);
    assert_eq!(order("-filed").await, newest_first);
    assert_eq!(
        order("due").await,
        newest_first,
        "the last filed is due first"
    );
    assert_eq!(order("-reference").await, newest_first);
    let (_, queue) = app.get_json("/api/v1/staff/cases", &token).await;
    assert_eq!(
        queue["cases"][0]["agency"],
        "Federal Bureau of Investigation"
    );
    assert_eq!(queue["cases"][0]["country"], "US");
    assert_eq!(queue["cases"][0]["requester_email"], "j.doe@fbi.gov");
    assert_eq!(queue["cases"][0]["assignee"], Value::Null);

    // Bulk assignment from the page, to the viewer by default.
    let lee = app.staff("lee@writ.example", Role::Legal).await;
    let csrf = app.staff_sign_in_page(&lee).await;
    let (status, page) = app.page("/staff/queue?sort=filed").await;
    assert_eq!(status, Status::Ok);
    assert!(
        page.contains("<option value=\"lee@writ.example\" selected>Me ("),
        "{page}"
    );
    assert!(page.contains("Federal Bureau of Investigation · US"));
    let response = app
        .client
        .post("/staff/queue/assign")
        .header(ContentType::Form)
        .body(format!(
            "csrf={csrf}&staff=sam%40writ.example&back=%2Fstaff%2Fqueue%3Fsort%3Dfiled&cases={}&cases={}",
            references_filed[0], references_filed[2]
        ))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(
        response.headers().get_one("Location"),
        Some("/staff/queue?sort=filed")
    );
    let (_, page) = app.page("/staff/queue?sort=filed").await;
    assert!(
        page.contains(&format!(
            "Assigned 2 cases to Test Staff: {}, {}.",
            references_filed[0], references_filed[2]
        )),
        "{page}"
    );
    let (_, mine) = app.get_json("/api/v1/staff/cases?mine=true", &token).await;
    let mut assigned = references(&mine);
    assigned.sort();
    assert_eq!(
        assigned,
        [references_filed[0].clone(), references_filed[2].clone()]
    );
    assert_eq!(app.count("audit_events WHERE action = 'case.assigned'"), 2);
    // Nowhere but a queue view, and no case without a choice.
    let response = app
        .client
        .post("/staff/queue/assign")
        .header(ContentType::Form)
        .body(format!(
            "csrf={csrf}&staff=sam%40writ.example&back=%2F%2Fevil.example"
        ))
        .dispatch()
        .await;
    assert_eq!(response.headers().get_one("Location"), Some("/staff/queue"));
    let (_, page) = app.page("/staff/queue").await;
    assert!(page.contains("Choose the cases to assign"), "{page}");
    assert_eq!(app.count("audit_events WHERE action = 'case.assigned'"), 2);

    // The export: the view's cases in its order, the name defused, the export audited.
    let response = app
        .client
        .get("/staff/queue.csv?sort=filed")
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(response.content_type(), Some(ContentType::CSV));
    assert!(response
        .headers()
        .get_one("Content-Disposition")
        .unwrap()
        .starts_with("attachment; filename=\"writ-queue-"));
    let text = response.into_string().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().unwrap().clone();
    assert_eq!(&header[0], "reference");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let exported: Vec<&str> = rows.iter().map(|r| &r[0]).collect();
    assert_eq!(exported, references_filed);
    assert_eq!(
        &rows[0][column("requester")],
        "'=HYPERLINK(\"http://evil.example\")"
    );
    assert_eq!(&rows[0][column("assignee")], "Test Staff");
    assert_eq!(&rows[1][column("assignee")], "");
    assert_eq!(&rows[0][column("filed_at")], "2026-11-01T09:00:00Z");
    assert_eq!(app.count("audit_events WHERE action = 'queue.exported'"), 1);
}

/// Issue 19, item 8: the case page opens with what a reviewer needs at a glance, and the
/// request, its requester and its documents come before the actions.
#[rocket::async_test]
async fn the_case_page_leads_with_its_header_and_the_request_before_the_actions() {
    let app = TestApp::new().await;
    let officer = app.officer("j.doe@fbi.gov").await;
    let (_, filed) = app
        .submit(&officer, &common::emergency_request(), &[])
        .await;
    let reference = filed["reference"].as_str().unwrap().to_owned();
    app.sql(&format!(
        "UPDATE cases SET due_at = '2026-01-02 03:04:05' WHERE reference = '{reference}'"
    ));
    let legal = app.staff("lee@writ.example", Role::Legal).await;
    app.staff_sign_in_page(&legal).await;
    let (status, page) = app.page(&format!("/staff/cases/{reference}")).await;
    assert_eq!(status, Status::Ok);
    let header = &page[page.find("<dl class=\"case-header\">").expect("a header")..];
    let header = &header[..header.find("</dl>").unwrap()];
    for fact in [
        "Emergency disclosure",
        "tag-emergency",
        "2026-01-02 03:04 UTC",
        "Overdue",
        "Not assigned",
        "Jane Doe, Federal Bureau of Investigation (US)",
    ] {
        assert!(header.contains(fact), "{fact} in the header: {header}");
    }
    let at = |heading: &str| {
        page.find(&format!("<h2>{heading}</h2>"))
            .unwrap_or_else(|| panic!("a {heading} section"))
    };
    assert!(at("Request") < at("Requester") && at("Requester") < at("Documents"));
    assert!(at("Documents") < at("Messages with the requester"));
    assert!(
        at("Messages with the requester") < at("Actions"),
        "read first, then act"
    );
    assert!(at("Actions") < at("Timeline"));
}

/// Issue 19, item 7: the audit log names cases and people, reads its details, filters by case,
/// actor, event and dates, and exports the selection (the export recorded too), with the
/// chain's hashes so that a reader can recompute it.
#[rocket::async_test]
async fn the_audit_log_names_cases_and_people_filters_and_exports() {
    let app = TestApp::new().await;
    let officer = app.officer("j.doe@fbi.gov").await;
    let mut references = Vec::new();
    for i in 0..2 {
        let mut request = subpoena_request();
        request["instrument"]["reference"] = json!(format!("GJ-{i}"));
        let (_, filed) = app
            .submit(&officer, &request, &[("subpoena.pdf", PDF)])
            .await;
        references.push(filed["reference"].as_str().unwrap().to_owned());
    }
    let lee = app.staff("lee@writ.example", Role::Legal).await;
    let token = app.staff_token(&lee).await;
    let uri = format!("/api/v1/staff/cases/{}/assign", references[1]);
    let response = app
        .post_json(&uri, json!({ "staff": "lee@writ.example" }), Some(&token))
        .await;
    assert_eq!(response.status(), Status::Ok);
    let ada = app.staff("ada@writ.example", Role::Admin).await;
    app.staff_sign_in_page(&ada).await;

    let (status, page) = app.page("/staff/admin/audit").await;
    assert_eq!(status, Status::Ok);
    assert!(
        page.contains(&format!(
            "<a href=\"/staff/cases/{0}\">{0}</a>",
            references[0]
        )),
        "a case column linked to the case: {page}"
    );
    assert!(
        page.contains("j.doe@fbi.gov (officer)"),
        "actors by name and role"
    );
    assert!(page.contains("Test Staff (legal)"));
    for who in ["lee@writ.example", "ada@writ.example"] {
        let id = app.staff_id(who);
        assert!(!page.contains(&id), "no stored id in place of {who}'s name");
    }
    assert!(
        page.contains("<span class=\"detail-key\">staff:</span> Test Staff (admin)"),
        "ids in details are named too"
    );

    // Filters: one case; one actor; an event type and its family; dates.
    let rows = |page: &str| page.matches("<td class=\"mono hash\">").count();
    let (_, one_case) = app
        .page(&format!(
            "/staff/admin/audit?case={}",
            references[1].to_lowercase()
        ))
        .await;
    let case_events = app.count(&format!(
        "audit_events WHERE case_id = (SELECT id FROM cases WHERE reference = '{}')",
        references[1]
    ));
    assert_eq!(
        rows(&one_case),
        case_events as usize,
        "its events only: {one_case}"
    );
    assert!(!one_case.contains(&format!(">{}</a>", references[0])));
    let (_, by_lee) = app.page("/staff/admin/audit?actor=LEE@writ.example").await;
    assert!(
        by_lee.contains("case.assigned") && !by_lee.contains("request.submitted"),
        "{by_lee}"
    );
    let (_, assigned) = app.page("/staff/admin/audit?action=case.assigned").await;
    assert_eq!(rows(&assigned), 1, "{assigned}");
    let (_, family) = app.page("/staff/admin/audit?action=request.").await;
    assert!(family.contains("request.submitted"), "{family}");
    let (_, nobody) = app
        .page("/staff/admin/audit?actor=nobody@example.org")
        .await;
    assert!(
        nobody.contains("No event matches."),
        "an unknown actor shows nothing, not everything"
    );
    let (_, future) = app.page("/staff/admin/audit?from=2099-01-01").await;
    assert!(future.contains("No event matches."));
    let (status, bad) = app.page("/staff/admin/audit?actor=a%00b").await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(bad.contains("Remove the control character"), "{bad}");
    let (status, bad) = app.page("/staff/admin/audit?from=yesterday").await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(bad.contains("Enter a date as YYYY-MM-DD."), "{bad}");

    // Exports: the selection, oldest first, with what the chain hashed.
    let response = app
        .client
        .get(format!("/staff/admin/audit.jsonl?case={}", references[1]))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(
        response.headers().get_one("Content-Disposition"),
        Some("attachment; filename=\"writ-audit.jsonl\"")
    );
    let text = response.into_string().await.unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len() as i64, case_events);
    assert!(lines
        .windows(2)
        .all(|w| w[0]["seq"].as_i64() < w[1]["seq"].as_i64()));
    assert!(lines.iter().all(|l| l["case"] == references[1].as_str()));
    let assigned = lines
        .iter()
        .find(|l| l["action"] == "case.assigned")
        .unwrap();
    assert_eq!(assigned["actor_name"], "Test Staff (legal)");
    assert!(assigned["actor"].as_str().unwrap().starts_with("staff:"));
    // The line carries what was hashed: recompute the event's hash from it.
    let case_id: String = {
        use diesel::prelude::*;
        use writ::db::schema::cases;
        let mut conn = app.db().get().unwrap();
        cases::table
            .filter(cases::reference.eq(&references[1]))
            .select(cases::id)
            .first(&mut *conn)
            .unwrap()
    };
    let event = writ::db::models::audit::AuditEvent {
        seq: assigned["seq"].as_i64().unwrap(),
        at: chrono::DateTime::parse_from_rfc3339(assigned["at"].as_str().unwrap())
            .unwrap()
            .naive_utc(),
        actor: assigned["actor"].as_str().unwrap().to_owned(),
        case_id: Some(case_id.into()),
        action: "case.assigned".into(),
        details: assigned["details"].as_str().unwrap().to_owned(),
        prev_hash: assigned["prev_hash"].as_str().unwrap().to_owned(),
        hash: String::new(),
    };
    assert_eq!(
        writ::audit::chain_hash(&event.prev_hash, &event),
        assigned["hash"].as_str().unwrap()
    );

    let response = app
        .client
        .get("/staff/admin/audit.csv?action=case.assigned")
        .dispatch()
        .await;
    assert_eq!(response.content_type(), Some(ContentType::CSV));
    let text = response.into_string().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(&reader.headers().unwrap()[2], "case");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1);
    assert_eq!(&rows[0][2], references[1].as_str());
    assert_eq!(&rows[0][3], "Test Staff (legal)");
    assert_eq!(app.count("audit_events WHERE action = 'audit.exported'"), 2);
}

#[rocket::async_test]
async fn a_case_whose_stored_checks_are_corrupt_is_an_error_not_an_empty_list() {
    // Before typed JSON columns, the staff page of such a case listed no checks at all.
    let app = TestApp::new().await;
    let officer = app.officer("j.doe@fbi.gov").await;
    let (_, broken) = app
        .submit(&officer, &subpoena_request(), &[("subpoena.pdf", PDF)])
        .await;
    let (_, sound) = app
        .submit(&officer, &subpoena_request(), &[("subpoena.pdf", PDF)])
        .await;
    let broken = broken["reference"].as_str().unwrap();
    app.sql(&format!(
        "UPDATE cases SET authority_checks = '[{{\"code\": \"targets_fo' WHERE reference = '{broken}'"
    ));
    let reviewer = app.staff("sam@writ.example", Role::Legal).await;
    let token = app.staff_token(&reviewer).await;

    let (status, body) = app
        .get_json(&format!("/api/v1/staff/cases/{broken}"), &token)
        .await;
    assert_eq!(status, Status::InternalServerError, "{body}");
    let (status, _) = app
        .get_json(&format!("/api/v1/requests/{broken}"), &officer)
        .await;
    assert_eq!(status, Status::InternalServerError);

    let sound = sound["reference"].as_str().unwrap();
    let (status, case) = app
        .get_json(&format!("/api/v1/staff/cases/{sound}"), &token)
        .await;
    assert_eq!(status, Status::Ok);
    assert!(!case["authority"]["checks"].as_array().unwrap().is_empty());
    // The lists around it do not need the checks and still load, the broken case among them.
    let (status, queue) = app.get_json("/api/v1/staff/cases", &token).await;
    assert_eq!(status, Status::Ok, "{queue}");
    assert_eq!(queue["cases"].as_array().unwrap().len(), 2, "{queue}");
    let (status, own) = app.get_json("/api/v1/requests", &officer).await;
    assert_eq!(status, Status::Ok, "{own}");
    assert_eq!(own["requests"].as_array().unwrap().len(), 2, "{own}");
}

#[rocket::async_test]
async fn a_case_whose_stored_emergency_is_corrupt_is_an_error_not_a_plain_request() {
    // Before, the case read as one with no emergency at all, and its checks ran without it.
    let app = TestApp::new().await;
    let officer = app.officer("j.doe@fbi.gov").await;
    let (status, filed) = app.submit(&officer, &emergency_request(), &[]).await;
    assert_eq!(status, Status::Created, "{filed}");
    let reference = filed["reference"].as_str().unwrap();
    app.sql(&format!(
        "UPDATE cases SET emergency_details = '{{\"threat\": ' WHERE reference = '{reference}'"
    ));
    let reviewer = app.staff("sam@writ.example", Role::Legal).await;
    let token = app.staff_token(&reviewer).await;
    let (status, body) = app
        .get_json(&format!("/api/v1/staff/cases/{reference}"), &token)
        .await;
    assert_eq!(status, Status::InternalServerError, "{body}");
    let audited = app.count("audit_events");
    let rerun = format!("/api/v1/staff/cases/{reference}/checks");
    let response = app.post_json(&rerun, json!({}), Some(&token)).await;
    assert_eq!(response.status(), Status::InternalServerError);
    assert_eq!(
        app.count("audit_events"),
        audited,
        "nothing was checked again"
    );
}
