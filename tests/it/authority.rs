//! The authority checks through the real app: reported at submission, hidden where they speak
//! of the platform's accounts, and run again when the case's facts change.

use crate::common;

use common::{subpoena_request, TestApp, PDF};
use rocket::http::Status;
use serde_json::{json, Value};
use writ::audit::Actor;
use writ::domain::policy::Policy;

fn check<'a>(body: &'a Value, code: &str) -> &'a Value {
    body["authority"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == code)
        .unwrap_or_else(|| panic!("no {code}: {body}"))
}

#[rocket::async_test]
async fn findings_are_reported_not_refused() {
    let app = TestApp::new().await;
    let token = app.officer("j.doe@fbi.gov").await;
    let mut epoc = subpoena_request();
    epoc["instrument"]["kind"] = json!("eu_production_order");
    epoc["data_categories"] = json!(["subscriber_info", "communications_content"]);
    epoc["targets"][1]["value"] = json!("0x52908400098527886E0F7030069857D2E4169Ee7");
    let (status, body) = app.submit(&token, &epoc, &[("epoc.pdf", PDF)]).await;
    assert_eq!(status, Status::Created, "{body}");
    assert_eq!(body["authority"]["established"], false);
    assert_eq!(
        check(&body, "jurisdiction_fits_instrument")["outcome"],
        "fail"
    );
    assert!(check(&body, "jurisdiction_fits_instrument")["message"]
        .as_str()
        .unwrap()
        .contains(
            "EU member state bound by Regulation 2023/1543 (not Denmark); the agency is in US"
        ));
    assert_eq!(check(&body, "instrument_scope")["outcome"], "warn");
    let formed = check(&body, "targets_well_formed");
    assert_eq!(formed["outcome"], "fail");
    assert!(
        formed["message"]
            .as_str()
            .unwrap()
            .contains("Target 2 (wallet address, Ethereum)"),
        "{formed}"
    );
    assert!(
        formed["message"].as_str().unwrap().contains("EIP-55"),
        "{formed}"
    );
    for internal in ["targets_found", "duplicate_request"] {
        assert!(
            body["authority"]["checks"]
                .as_array()
                .unwrap()
                .iter()
                .all(|c| c["code"] != internal),
            "{internal} is for staff only"
        );
    }

    let reference = body["reference"].as_str().unwrap();
    let (_, case) = app
        .get_json(&format!("/api/v1/requests/{reference}"), &token)
        .await;
    assert_eq!(case["authority"]["established"], false);
    assert!(case["authority"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["code"] != "targets_found"));
}

#[rocket::async_test]
async fn an_admin_verifying_the_agency_establishes_authority_on_recheck() {
    let app = TestApp::new().await;
    let token = app.api_sign_in("officer@police-example.org").await;
    assert_eq!(app.put_profile(&token).await, Status::Ok);
    app.enrol("officer@police-example.org", &token).await;
    let (_, first) = app
        .submit(&token, &subpoena_request(), &[("subpoena.pdf", PDF)])
        .await;
    assert_eq!(first["authority"]["established"], false);
    let (_, second) = app
        .submit(
            &token,
            &subpoena_request(),
            &[("subpoena.pdf", PDF), ("ndo-order.pdf", PDF)],
        )
        .await;

    {
        let mut conn = app.db().get().unwrap();
        writ::db::models::registry::approve(
            &mut conn,
            "police-example.org",
            "Example Police",
            "US",
            "admin",
        )
        .unwrap();
    }
    let case_id = {
        use diesel::prelude::*;
        use writ::db::schema::cases::dsl::*;
        let mut conn = app.db().get().unwrap();
        cases
            .filter(reference.eq(second["reference"].as_str().unwrap()))
            .select(id)
            .first::<writ::db::ids::CaseId>(&mut *conn)
            .unwrap()
    };
    let events = app.count("audit_events");
    let authority = writ::services::authority::recheck(
        app.db(),
        &Policy::default_policy(),
        "US",
        &case_id,
        Actor::System,
    )
    .await
    .unwrap();
    assert!(authority.established, "{authority:#?}");
    let duplicate = authority
        .checks
        .iter()
        .find(|c| c.code == "duplicate_request")
        .unwrap();
    assert!(
        duplicate.message.contains(&format!(
            "already open as {}",
            first["reference"].as_str().unwrap()
        )),
        "{}",
        duplicate.message
    );
    assert_eq!(
        app.count("audit_events"),
        events + 1,
        "the recheck is recorded"
    );

    let (_, case) = app
        .get_json(
            &format!("/api/v1/requests/{}", second["reference"].as_str().unwrap()),
            &token,
        )
        .await;
    assert_eq!(case["authority"]["established"], true);
    let domain = case["authority"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "agency_domain_recognised")
        .unwrap();
    assert!(domain["message"]
        .as_str()
        .unwrap()
        .contains("Example Police (verified by a legal admin)"));
}

#[rocket::async_test]
async fn a_broken_policy_file_stops_start_up_naming_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.toml");
    let text = writ::domain::policy::DEFAULT.replacen("hours = 8", "hours = \"eight\"", 1);
    std::fs::write(&policy, &text).unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_writ"))
        .arg("serve")
        .env("WRIT_DATA_DIR", dir.path().join("var"))
        .env("WRIT_POLICY_FILE", &policy)
        .env_remove("WRIT_DATABASE_URL")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    let line = text.lines().position(|l| l.contains("\"eight\"")).unwrap() + 1;
    assert!(stderr.contains(&format!("line {line}:")), "{stderr}");
}

/// What the statutes let each instrument reach, as a requester filing through the API sees it
/// (issue 17): 2702(a) on the court track, 2703(a)-(b) and 2703(c)(2) on the agency track.
#[rocket::async_test]
async fn the_stored_communications_act_shapes_what_each_request_reaches() {
    let app = TestApp::new().await;
    let token = app.officer("j.doe@fbi.gov").await;
    let scope_of = |body: &Value| {
        let scope = check(body, "instrument_scope");
        (
            scope["outcome"].as_str().unwrap().to_owned(),
            scope["message"].as_str().unwrap().to_owned(),
        )
    };

    // 2703(c)(2): a subpoena for session records passes; for device logs, a caution naming 2703(d).
    let mut subpoena = subpoena_request();
    subpoena["data_categories"] = json!(["subscriber_info", "session_records"]);
    let (status, body) = app.submit(&token, &subpoena, &[("s.pdf", PDF)]).await;
    assert_eq!(status, Status::Created, "{body}");
    assert_eq!(scope_of(&body).0, "pass", "{body}");
    subpoena["data_categories"] = json!(["access_logs"]);
    subpoena["instrument"]["reference"] = json!("GJ-2026-115");
    let (_, body) = app.submit(&token, &subpoena, &[("s.pdf", PDF)]).await;
    let (outcome, message) = scope_of(&body);
    assert_eq!(outcome, "warn");
    assert!(message.contains("2703(d) order"), "{message}");

    // 2703(a)-(b): a court order that is not a warrant reaches contents only with a caution.
    let mut order = subpoena_request();
    order["instrument"]["kind"] = json!("court_order");
    order["instrument"]["reference"] = json!("CO-2026-7");
    order["data_categories"] = json!(["communications_content"]);
    let (_, body) = app.submit(&token, &order, &[("o.pdf", PDF)]).await;
    let (outcome, message) = scope_of(&body);
    assert_eq!(outcome, "warn");
    assert!(
        message.contains("prior notice to the subscriber"),
        "{message}"
    );

    // 2702(a): a private party's court order never reaches contents.
    let representative = app.representative("m.lopez@lopez.law", "visitor").await;
    let mut court = common::freeze_order_request();
    court["type"] = json!("disclosure");
    court["instrument"]["kind"] = json!("court_order");
    court.as_object_mut().unwrap().remove("freeze");
    court["data_categories"] = json!(["transactions", "support_tickets"]);
    let (status, body) = app
        .submit(&representative, &court, &[("order.pdf", PDF)])
        .await;
    assert_eq!(status, Status::Created, "{body}");
    assert_eq!(body["authority"]["established"], false);
    let (outcome, message) = scope_of(&body);
    assert_eq!(outcome, "fail");
    assert!(
        message.contains("cannot be disclosed on the court track")
            && message.contains("2702(c)(6)"),
        "{message}"
    );
}

/// 18 USC 2711(4): an emergency attestation from an agency abroad fails, naming the agreement
/// instruments that would serve; the same agency's emergency EPOC passes the check.
#[rocket::async_test]
async fn an_emergency_attestation_from_abroad_is_not_to_a_governmental_entity() {
    let app = TestApp::new().await;
    let token = app.officer("j.doe@fbi.gov").await;
    let mut profile = common::profile();
    profile["country"] = json!("FR");
    let (status, body) = app.put_profile_body(&token, profile.to_string()).await;
    assert_eq!(status, Status::Ok, "{body}");
    let mut emergency = common::emergency_request();
    let (status, body) = app.submit(&token, &emergency, &[]).await;
    assert_eq!(status, Status::Created, "{body}");
    let found = check(&body, "jurisdiction_fits_instrument");
    assert_eq!(found["outcome"], "fail", "{body}");
    assert!(
        found["message"].as_str().unwrap().contains("2711(4)"),
        "{found}"
    );
    emergency["instrument"] = json!({ "kind": "eu_production_order", "reference": "EPOC-FR-1", "issuing_authority": "Parquet de Paris" });
    let (status, body) = app.submit(&token, &emergency, &[("epoc.pdf", PDF)]).await;
    assert_eq!(status, Status::Created, "{body}");
    assert_eq!(
        check(&body, "jurisdiction_fits_instrument")["outcome"],
        "pass",
        "{body}"
    );
}

/// A return date sooner than the policy's 30 days binds (with a warning when it leaves less than
/// the review minimum), and a search warrant served more than 14 days after issue is a caution
/// (Fed. R. Crim. P. 41(e)(2)(A)(i)).
#[rocket::async_test]
async fn a_return_date_binds_and_a_stale_search_warrant_is_a_caution() {
    let app = TestApp::new().await;
    let token = app.officer("j.doe@fbi.gov").await;
    let today = chrono::Utc::now().date_naive();
    let soon = today + chrono::TimeDelta::days(2);
    let mut subpoena = subpoena_request();
    subpoena["deadline"] = json!(soon.to_string());
    let (status, body) = app.submit(&token, &subpoena, &[("s.pdf", PDF)]).await;
    assert_eq!(status, Status::Created, "{body}");
    assert_eq!(body["due_at"], format!("{soon}T23:59:59Z"), "{body}");
    let feasible = check(&body, "deadline_feasible");
    assert_eq!(feasible["outcome"], "warn");
    assert!(
        feasible["message"]
            .as_str()
            .unwrap()
            .contains("A return date binds"),
        "{feasible}"
    );

    let mut warrant = subpoena_request();
    warrant["instrument"]["kind"] = json!("search_warrant");
    warrant["instrument"]["reference"] = json!("SW-2026-31");
    warrant["instrument"]["issued_on"] = json!((today - chrono::TimeDelta::days(30)).to_string());
    let (status, body) = app.submit(&token, &warrant, &[("w.pdf", PDF)]).await;
    assert_eq!(status, Status::Created, "{body}");
    let dates = check(&body, "instrument_dates");
    assert_eq!(dates["outcome"], "warn", "{body}");
    assert!(
        dates["message"].as_str().unwrap().contains("30 days ago"),
        "{dates}"
    );
}

/// 18 USC 2705(b): a non-disclosure order with no end date is a caution the reviewer reads.
#[rocket::async_test]
async fn a_non_disclosure_order_without_an_end_date_is_a_caution() {
    let app = TestApp::new().await;
    let token = app.officer("j.doe@fbi.gov").await;
    let mut subpoena = subpoena_request();
    subpoena["ndo"] = json!({ "present": true });
    let (status, body) = app.submit(&token, &subpoena, &[("s.pdf", PDF)]).await;
    assert_eq!(status, Status::Created, "{body}");
    let ndo = check(&body, "ndo_duration");
    assert_eq!(ndo["outcome"], "warn", "{body}");
    assert!(
        ndo["message"]
            .as_str()
            .unwrap()
            .contains("names no end date"),
        "{ndo}"
    );
}

/// Regulation (EU) 2023/1543, Art. 4(2): an EPOC for content names the judge who validated it;
/// the staff case page shows who.
#[rocket::async_test]
async fn a_european_production_order_for_content_names_its_judge() {
    let app = TestApp::new().await;
    let token = app.officer("j.doe@fbi.gov").await;
    let mut profile = common::profile();
    profile["country"] = json!("FR");
    assert_eq!(
        app.put_profile_body(&token, profile.to_string()).await.0,
        Status::Ok
    );
    let mut epoc = subpoena_request();
    epoc["instrument"] = json!({ "kind": "eu_production_order", "reference": "EPOC-FR-7", "issuing_authority": "Parquet de Paris" });
    epoc["data_categories"] = json!(["communications_content"]);
    let (status, body) = app.submit(&token, &epoc, &[("epoc.pdf", PDF)]).await;
    assert_eq!(status, Status::Created, "{body}");
    assert_eq!(
        check(&body, "judicial_validation")["outcome"],
        "fail",
        "{body}"
    );
    epoc["instrument"]["reference"] = json!("EPOC-FR-8");
    epoc["instrument"]["validated_by"] = json!("Juge d'instruction, Tribunal judiciaire de Paris");
    let (status, body) = app.submit(&token, &epoc, &[("epoc.pdf", PDF)]).await;
    assert_eq!(status, Status::Created, "{body}");
    assert_eq!(
        check(&body, "judicial_validation")["outcome"],
        "pass",
        "{body}"
    );
    let reference = body["reference"].as_str().unwrap();
    let (_, case) = app
        .get_json(&format!("/api/v1/requests/{reference}"), &token)
        .await;
    assert_eq!(
        case["validated_by"], "Juge d'instruction, Tribunal judiciaire de Paris",
        "{case}"
    );
}

#[rocket::async_test]
async fn a_request_goes_to_the_legal_entity_it_names_or_that_holds_the_account() {
    let app = TestApp::new().await;
    let token = app.officer("j.doe@fbi.gov").await;
    app.sql(
        "INSERT INTO accounts (uid, email, phone, name, country, status, updated_at) \
         VALUES ('U-77', 'alice@example.com', NULL, 'Alice', 'DE', 'active', '2026-11-01 00:00:00')",
    );
    let entity_of = |body: &Value| body["legal_entity"]["id"].as_str().map(str::to_owned);

    // The target's account is held for a resident of Germany: the European entity.
    let (status, body) = app
        .submit(&token, &subpoena_request(), &[("subpoena.pdf", PDF)])
        .await;
    assert_eq!(status, Status::Created, "{body}");
    let reference = body["reference"].as_str().unwrap().to_owned();
    let (_, case) = app
        .get_json(&format!("/api/v1/requests/{reference}"), &token)
        .await;
    assert_eq!(entity_of(&case).as_deref(), Some("eu"), "{case}");
    assert_eq!(case["legal_entity"]["name"], "Example Exchange Europe S.A.");

    // Named by the requester, whatever the account.
    let mut named = subpoena_request();
    named["instrument"]["reference"] = json!("GJ-2026-115");
    named["entity"] = json!("us");
    let (status, body) = app.submit(&token, &named, &[("subpoena.pdf", PDF)]).await;
    assert_eq!(status, Status::Created, "{body}");
    let (_, case) = app
        .get_json(
            &format!("/api/v1/requests/{}", body["reference"].as_str().unwrap()),
            &token,
        )
        .await;
    assert_eq!(entity_of(&case).as_deref(), Some("us"), "{case}");

    // No account matched: the default entity, and the audit record says why.
    let mut unmatched = subpoena_request();
    unmatched["instrument"]["reference"] = json!("GJ-2026-116");
    unmatched["targets"] =
        json!([{"kind": "email", "value": "nobody@example.org", "role": "suspect"}]);
    let (status, body) = app
        .submit(&token, &unmatched, &[("subpoena.pdf", PDF)])
        .await;
    assert_eq!(status, Status::Created, "{body}");
    let (_, case) = app
        .get_json(
            &format!("/api/v1/requests/{}", body["reference"].as_str().unwrap()),
            &token,
        )
        .await;
    assert_eq!(entity_of(&case).as_deref(), Some("us"), "{case}");

    // An entity the policy does not name is refused next to the field, and nothing is filed.
    let cases = app.count("cases");
    let mut unknown = subpoena_request();
    unknown["instrument"]["reference"] = json!("GJ-2026-117");
    unknown["entity"] = json!("cayman");
    let (status, body) = app.submit(&token, &unknown, &[("subpoena.pdf", PDF)]).await;
    assert_eq!(status, Status::UnprocessableEntity, "{body}");
    let message = body["error"]["fields"]["entity"]
        .as_str()
        .unwrap_or_default();
    assert!(
        message.contains("cayman") && message.contains("“eu”"),
        "{body}"
    );
    assert_eq!(app.count("cases"), cases);

    // The legal team sees it on the case page.
    let staff = app
        .staff("counsel@platform.example", writ::domain::vocab::Role::Legal)
        .await;
    let staff_token = app.staff_token(&staff).await;
    let (_, staff_case) = app
        .get_json(&format!("/api/v1/staff/cases/{reference}"), &staff_token)
        .await;
    assert_eq!(
        entity_of(&staff_case).as_deref(),
        Some("eu"),
        "{staff_case}"
    );
}

#[rocket::async_test]
async fn usc_2705_b_the_order_itself_is_attached_and_the_user_is_told_only_after_it_ends() {
    let app = TestApp::new().await;
    let token = app.officer("j.doe@fbi.gov").await;
    // Declared but not attached: the check fails and names the provision.
    let (status, bare) = app
        .submit(&token, &subpoena_request(), &[("subpoena.pdf", PDF)])
        .await;
    assert_eq!(status, Status::Created, "{bare}");
    let missing = check(&bare, "ndo_order");
    assert_eq!(missing["outcome"], "fail");
    assert!(
        missing["message"]
            .as_str()
            .unwrap()
            .starts_with("18 USC 2705(b)"),
        "{missing}"
    );
    assert_eq!(bare["authority"]["established"], false);

    let mut attached = subpoena_request();
    attached["instrument"]["reference"] = json!("GJ-2026-118");
    let (status, body) = app
        .submit(
            &token,
            &attached,
            &[("subpoena.pdf", PDF), ("ndo-order.pdf", PDF)],
        )
        .await;
    assert_eq!(status, Status::Created, "{body}");
    assert_eq!(check(&body, "ndo_order")["outcome"], "pass");
    let reference = body["reference"].as_str().unwrap().to_owned();
    let (_, case) = app
        .get_json(&format!("/api/v1/requests/{reference}"), &token)
        .await;
    let roles: Vec<&str> = case["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["role"].as_str().unwrap())
        .collect();
    assert_eq!(
        roles.iter().filter(|r| **r == "ndo_order").count(),
        1,
        "{case}"
    );
    assert_eq!(
        roles.iter().filter(|r| **r == "process").count(),
        1,
        "{case}"
    );

    // The order runs until 2027-05-01: no notice may be recorded before it ends.
    let legal = app
        .staff("lee@writ.example", writ::domain::vocab::Role::Legal)
        .await;
    let staff_token = app.staff_token(&legal).await;
    let uri = format!("/api/v1/staff/cases/{reference}/user-notice");
    let response = app.post_json(&uri, json!({}), Some(&staff_token)).await;
    assert_eq!(response.status(), Status::Conflict);
    let refused: Value = response.into_json().await.unwrap();
    assert_eq!(refused["error"]["code"], "ndo_in_force", "{refused}");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("2027-05-02"),
        "{refused}"
    );

    // Once it has ended, the notice is due, on the case and on the ledger.
    app.sql(&format!(
        "UPDATE cases SET ndo_until = '2026-01-31' WHERE reference = '{reference}'"
    ));
    let (_, staff_case) = app
        .get_json(&format!("/api/v1/staff/cases/{reference}"), &staff_token)
        .await;
    assert_eq!(
        staff_case["user_notice"]["from"], "2026-02-01",
        "{staff_case}"
    );
    assert_eq!(staff_case["user_notice"]["due"], true, "{staff_case}");
    let tomorrow = (chrono::Utc::now().date_naive() + chrono::TimeDelta::days(1)).to_string();
    let response = app
        .post_json(&uri, json!({ "notified_on": tomorrow }), Some(&staff_token))
        .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let response = app.post_json(&uri, json!({}), Some(&staff_token)).await;
    assert_eq!(response.status(), Status::Ok);
    let today = chrono::Utc::now().date_naive().to_string();
    let recorded: Value = response.into_json().await.unwrap();
    assert_eq!(recorded["user_notified_on"], today.as_str());
    let response = app.post_json(&uri, json!({}), Some(&staff_token)).await;
    assert_eq!(response.status(), Status::Conflict, "recorded once");
    let (_, staff_case) = app
        .get_json(&format!("/api/v1/staff/cases/{reference}"), &staff_token)
        .await;
    assert_eq!(staff_case["user_notice"]["notified_on"], today.as_str());
    assert_eq!(staff_case["user_notice"]["by"], "Test Staff");
    assert_eq!(staff_case["user_notice"]["due"], false);
    assert_eq!(
        app.count("audit_events WHERE action = 'user_notice.recorded'"),
        1
    );
}

/// Regulation (EU) 2023/1543, Arts. 10(5) to 10(8) and 17, Annex III: the legal team answers an
/// EPOC it cannot execute with the Regulation's reasons, and prints the answer as a document.
#[rocket::async_test]
async fn regulation_2023_1543_annex_iii_unable_to_comply_is_recorded_and_produced_as_a_document() {
    use writ::domain::vocab::Role;
    let app = TestApp::new().await;
    let token = app.officer("j.doe@fbi.gov").await;
    let mut profile = common::profile();
    profile["country"] = json!("FR");
    assert_eq!(
        app.put_profile_body(&token, profile.to_string()).await.0,
        Status::Ok
    );
    let mut epoc = subpoena_request();
    epoc["instrument"] = json!({ "kind": "eu_production_order", "reference": "EPOC-FR-21",
        "issuing_authority": "Parquet de Paris", "validated_by": "Juge d'instruction, Paris" });
    epoc["data_categories"] = json!(["subscriber_info"]);
    let (status, body) = app.submit(&token, &epoc, &[("epoc.pdf", PDF)]).await;
    assert_eq!(status, Status::Created, "{body}");
    let reference = body["reference"].as_str().unwrap().to_owned();
    let legal = app
        .staff_token(&app.staff("lee@writ.example", Role::Legal).await)
        .await;
    let uri = format!("/api/v1/staff/cases/{reference}/non-execution");
    let before = app.count("audit_events");

    // Refused, with the field named and nothing kept: no reason, an unknown one, no explanation.
    for (body, field) in [
        (json!({"reasons": [], "details": "x"}), "reasons"),
        (json!({"reasons": ["too_busy"], "details": "x"}), "reasons"),
        (
            json!({"reasons": ["incomplete"], "details": " "}),
            "details",
        ),
    ] {
        let response = app.post_json(&uri, body.clone(), Some(&legal)).await;
        assert_eq!(response.status(), Status::UnprocessableEntity, "{body}");
        let refused: Value = response.into_json().await.unwrap();
        assert!(refused["error"]["fields"][field].is_string(), "{refused}");
    }
    assert_eq!(app.count("non_execution_answers"), 0);
    assert_eq!(app.count("audit_events"), before);

    // Support staff do not answer for the platform.
    let support = app
        .staff_token(&app.staff("sam@writ.example", Role::Support).await)
        .await;
    let response = app
        .post_json(
            &uri,
            json!({"reasons": ["other"], "details": "x"}),
            Some(&support),
        )
        .await;
    assert_eq!(response.status(), Status::Forbidden);

    let response = app
        .post_json(
            &uri,
            json!({"reasons": ["not_a_user", "third_country_conflict"],
                   "details": "No account holds alice@example.com.\n18 USC 2702(a) bars disclosing content.",
                   "partial": true}),
            Some(&legal),
        )
        .await;
    assert_eq!(response.status(), Status::Created);
    let answered: Value = response.into_json().await.unwrap();
    assert_eq!(answered["answer"]["number"], 1, "{answered}");
    assert_eq!(answered["answer"]["reasons"][0]["provision"], "Art. 10(7)");
    assert_eq!(answered["answer"]["reasons"][1]["provision"], "Art. 17(1)");
    assert_eq!(
        app.count("audit_events WHERE action = 'annex_iii.answered'"),
        1
    );

    // The document, as the issuing authority receives it.
    let document = app
        .client
        .get(answered["document"].as_str().unwrap())
        .header(rocket::http::Header::new(
            "Authorization",
            format!("Bearer {legal}"),
        ))
        .dispatch()
        .await;
    assert_eq!(document.status(), Status::Ok);
    assert_eq!(
        document.headers().get_one("Content-Disposition"),
        Some(format!("attachment; filename=\"annex-iii-{reference}-1.txt\"").as_str())
    );
    let text = document.into_string().await.unwrap();
    assert!(
        text.starts_with("REGULATION (EU) 2023/1543, ANNEX III"),
        "{text}"
    );
    assert!(text.contains("Its reference: EPOC-FR-21"));
    assert!(text.contains("Issuing authority: Parquet de Paris"));
    assert!(
        text.contains("is not a user of the service, or cannot be identified as one (Art. 10(7))")
    );
    assert!(text.contains("  No account holds alice@example.com.\n"));
    assert!(text.contains("reasoned objection under Art. 17"));
    assert!(
        text.contains("Given by: Test Staff, Custodian of Records"),
        "{text}"
    );
    let missing = app
        .client
        .get(format!("/api/v1/staff/cases/{reference}/non-execution/2"))
        .header(rocket::http::Header::new(
            "Authorization",
            format!("Bearer {legal}"),
        ))
        .dispatch()
        .await;
    assert_eq!(missing.status(), Status::NotFound);

    // The requester reads the answer on the case; the e-mail only points there.
    let (_, case) = app
        .get_json(&format!("/api/v1/requests/{reference}"), &token)
        .await;
    assert_eq!(
        case["non_execution"][0]["reasons"][0]["code"], "not_a_user",
        "{case}"
    );
    assert_eq!(case["non_execution"][0]["partial"], true);
    let mail = app.mail_to("j.doe@fbi.gov").await;
    let told = mail
        .iter()
        .find(|m| m.subject.contains("answered your EPOC (Annex III)"))
        .expect("the requester is told");
    assert!(
        !told.body.contains("alice@example.com"),
        "no case details by e-mail"
    );

    let requester_page = app
        .client
        .get(format!("/agency/requests/{reference}"))
        .private_cookie(rocket::http::Cookie::new("writ_session", token.clone()))
        .dispatch()
        .await
        .into_string()
        .await
        .unwrap();
    assert!(
        requester_page.contains("The platform cannot execute the order (Annex III)"),
        "{requester_page}"
    );
    assert!(requester_page.contains("(Art. 17(1))"));

    // On the case page: the answers with their documents, and the form for another.
    // (Another reviewer: one authenticator step signs in once.)
    app.staff_sign_in_page(&app.staff("lea@writ.example", Role::Legal).await)
        .await;
    let case_page = format!("/staff/cases/{reference}");
    let (_, page) = app.page(&case_page).await;
    assert!(
        page.contains(&format!(
            "href=\"/staff/cases/{reference}/non-execution/1\""
        )),
        "{page}"
    );
    assert!(
        page.contains("value=\"immunities_privileges\""),
        "an EPOC offers Art. 10(5)"
    );
    let csrf = common::csrf_of(&page);
    let action = format!("/staff/cases/{reference}/non-execution");
    let (status, refused) = app
        .post_form(
            &action,
            &[("details", "The order names no account."), ("csrf", &csrf)],
        )
        .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(refused.contains("Tick at least one reason"), "{refused}");
    let (status, _) = app
        .post_form(
            &action,
            &[
                ("reasons", "incomplete"),
                ("reasons", "manifest_errors"),
                ("details", "The order names no account."),
                ("csrf", &csrf),
            ],
        )
        .await;
    assert_eq!(status, Status::SeeOther);
    let (_, page) = app.page(&case_page).await;
    assert!(page.contains("Annex III answer 2 recorded"), "{page}");
    let (status, second) = app.page(&format!("{action}/2")).await;
    assert_eq!(status, Status::Ok);
    assert!(
        second.contains("[x] the order is incomplete (Art. 10(6))"),
        "{second}"
    );
    assert!(second.contains("correct or complete the order"));

    // Only the Regulation's orders are answered so.
    let (_, subpoena) = app
        .submit(&token, &subpoena_request(), &[("subpoena.pdf", PDF)])
        .await;
    let other = subpoena["reference"].as_str().unwrap();
    let other_uri = format!("/api/v1/staff/cases/{other}/non-execution");
    let response = app
        .post_json(
            &other_uri,
            json!({"reasons": ["other"], "details": "x"}),
            Some(&legal),
        )
        .await;
    assert_eq!(response.status(), Status::Conflict);
    let refused: Value = response.into_json().await.unwrap();
    assert_eq!(refused["error"]["code"], "not_an_eu_order");
}
