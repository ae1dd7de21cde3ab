//! Fulfilling preservation and freeze requests: what is recorded, who is told, what changes.

use crate::common;

use common::{subpoena_request, TestApp, PDF};
use rocket::http::{ContentType, Header, Status};
use serde_json::{json, Value};
use writ::domain::vocab::Role;

async fn staff_post(app: &TestApp, token: &str, uri: &str, body: Value) -> (Status, Value) {
    let response = app.post_json(uri, body, Some(token)).await;
    let status = response.status();
    (status, response.into_json().await.unwrap_or(Value::Null))
}

async fn approve(app: &TestApp, token: &str, reference: &str) {
    let uri = format!("/api/v1/staff/cases/{reference}/transition");
    assert_eq!(
        staff_post(app, token, &uri, json!({ "to": "in_review" }))
            .await
            .0,
        Status::Ok
    );
    // Freezes and emergencies are approved only after a confirmed call-back to the agency.
    let contact = app.agency_contact("fbi.gov").await;
    app.call_back(token, reference, &contact, "confirmed").await;
    assert_eq!(
        staff_post(app, token, &uri, json!({ "to": "approved" }))
            .await
            .0,
        Status::Ok
    );
}

/// An officer files a preservation request with `instrument` and a legal reviewer approves it:
/// the officer's token, the reference and the reviewer's token.
async fn approved_preservation(app: &TestApp, instrument: &str) -> (String, String, String) {
    let officer = app.officer("j.doe@fbi.gov").await;
    let mut preservation = subpoena_request();
    preservation["type"] = json!("preservation");
    preservation["instrument"]["kind"] = json!(instrument);
    let (status, filed) = app
        .submit(&officer, &preservation, &[("letter.pdf", PDF)])
        .await;
    assert_eq!(status, Status::Created, "{filed}");
    let reference = filed["reference"].as_str().unwrap().to_owned();
    let legal = app
        .staff_token(&app.staff("lee@writ.example", Role::Legal).await)
        .await;
    approve(app, &legal, &reference).await;
    (officer, reference, legal)
}

/// The officer asks to renew the preservation; the status and the answer.
async fn renew(app: &TestApp, officer: &str, reference: &str) -> (Status, Value) {
    let response = app
        .client
        .post(format!("/api/v1/requests/{reference}/extension"))
        .header(Header::new("Authorization", format!("Bearer {officer}")))
        .header(ContentType::JSON)
        .dispatch()
        .await;
    let status = response.status();
    (status, response.into_json().await.unwrap_or(Value::Null))
}

fn hours_from_now(at: &Value) -> i64 {
    (chrono::DateTime::parse_from_rfc3339(at.as_str().unwrap())
        .unwrap()
        .with_timezone(&chrono::Utc)
        - chrono::Utc::now())
    .num_hours()
}

#[rocket::async_test]
async fn a_preservation_is_kept_90_days_extended_on_request_and_reminded_before_it_ends() {
    let app = TestApp::new().await;
    let (officer, reference, legal) = approved_preservation(&app, "preservation_letter").await;
    let reference = reference.as_str();

    let (status, body) = staff_post(
        &app,
        &legal,
        &format!("/api/v1/staff/cases/{reference}/transition"),
        json!({ "to": "fulfilled" }),
    )
    .await;
    assert_eq!(status, Status::Conflict);
    assert_eq!(
        body["error"]["code"], "record_preservation",
        "fulfilment is recorded, not just declared"
    );

    let (status, body) = staff_post(
        &app,
        &legal,
        &format!("/api/v1/staff/cases/{reference}/preservation"),
        json!({}),
    )
    .await;
    assert_eq!(status, Status::Ok, "{body}");
    assert_eq!(body["state"], "fulfilled");
    assert!((90 * 24 - 1..=90 * 24).contains(&hours_from_now(&body["preservation"]["expires_at"])));

    let (status, extended) = renew(&app, &officer, reference).await;
    assert_eq!(status, Status::Ok);
    assert!((180 * 24 - 1..=180 * 24)
        .contains(&hours_from_now(&extended["preservation"]["expires_at"])));
    assert_eq!(extended["preservation"]["extensions"], 1);
    assert_eq!(extended["preservation"]["renewable"], false);

    // 18 USC 2703(f)(2): one renewal; a third period is refused with that reason, and nothing moves.
    let (status, refused) = renew(&app, &officer, reference).await;
    assert_eq!(status, Status::Conflict);
    assert_eq!(refused["error"]["code"], "preservation_renewal_limit");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("18 USC 2703(f)(2)"),
        "{refused}"
    );
    assert_eq!(app.count("preservations WHERE extensions = 1"), 1);

    // A week before the end, the requester is reminded — once.
    let soon = if app.config.database_url.starts_with("postgres") {
        "NOW() AT TIME ZONE 'UTC' + INTERVAL '3 days'"
    } else {
        "datetime('now', '+3 days')"
    };
    app.sql(&format!("UPDATE preservations SET expires_at = {soon}"));
    let (mailer, links) = (&app.context().mailer, &app.context().links);
    assert_eq!(
        writ::services::fulfilment::send_reminders(app.db(), mailer, links)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        writ::services::fulfilment::send_reminders(app.db(), mailer, links)
            .await
            .unwrap(),
        0
    );
    let reminders: Vec<_> = app
        .mail_to("j.doe@fbi.gov")
        .await
        .into_iter()
        .filter(|m| m.subject == format!("Request {reference}: the preservation ends soon"))
        .collect();
    assert_eq!(reminders.len(), 1);
    assert!(reminders[0]
        .body
        .contains(&format!("https://writ.test/agency/requests/{reference}")));
    assert!(
        reminders[0]
            .body
            .contains("renewed as often as the law allows"),
        "the reminder after the renewal offers no other: {}",
        reminders[0].body
    );
}

#[rocket::async_test]
async fn an_executed_freeze_marks_directory_accounts_frozen_and_tells_operations() {
    let app = TestApp::new().await;
    let now = if app.config.database_url.starts_with("postgres") {
        "NOW()"
    } else {
        "CURRENT_TIMESTAMP"
    };
    app.sql(&format!("INSERT INTO accounts (uid, email, phone, name, country, status, updated_at) VALUES ('U-1001', 'alice@example.com', NULL, 'Alice', 'US', 'active', {now})"));
    app.sql(&format!("INSERT INTO accounts (uid, email, phone, name, country, status, updated_at) VALUES ('U-2002', 'bob@example.com', NULL, 'Bob', 'US', 'active', {now})"));
    app.sql("INSERT INTO account_wallets (chain, address, uid) VALUES ('eth', '0x52908400098527886E0F7030069857D2E4169EE7', 'U-1001')");

    let officer = app.officer("j.doe@fbi.gov").await;
    let mut freeze = subpoena_request();
    freeze["type"] = json!("freeze");
    freeze["instrument"]["kind"] = json!("freezing_order");
    freeze["data_categories"] = json!(["balances_wallets"]);
    freeze["freeze"] = json!({"assets": [{"asset": "USDT", "amount": "all"}], "reason": "Proceeds of fraud", "respondent": "Alice Example"});
    let (status, filed) = app.submit(&officer, &freeze, &[("order.pdf", PDF)]).await;
    assert_eq!(status, Status::Created, "{filed}");
    let reference = filed["reference"].as_str().unwrap();

    let legal = app
        .staff_token(&app.staff("lee@writ.example", Role::Legal).await)
        .await;
    let (_, case) = app
        .get_json(&format!("/api/v1/staff/cases/{reference}"), &legal)
        .await;
    let found = case["authority"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "targets_found")
        .unwrap()
        .clone();
    assert_eq!(found["outcome"], "pass", "{found}");
    assert!(found["message"]
        .as_str()
        .unwrap()
        .contains("is account U-1001"));

    approve(&app, &legal, reference).await;
    let (status, body) = staff_post(
        &app,
        &legal,
        &format!("/api/v1/staff/cases/{reference}/freeze"),
        json!({}),
    )
    .await;
    assert_eq!(status, Status::Ok, "{body}");
    assert_eq!(body["frozen_accounts"], json!(["U-1001"]));
    assert_eq!(app.count("accounts WHERE status = 'frozen'"), 1);
    assert_eq!(
        app.count("accounts WHERE uid = 'U-2002' AND status = 'active'"),
        1,
        "only the named accounts"
    );

    let ops = app.mail_to("operations@writ.localhost").await;
    assert_eq!(ops.len(), 1);
    assert!(ops[0].subject.contains(reference));
    assert!(ops[0].body.contains("U-1001") && ops[0].body.contains("USDT: all"));
    let (_, case) = app
        .get_json(&format!("/api/v1/staff/cases/{reference}"), &legal)
        .await;
    assert_eq!(case["state"], "fulfilled");
    assert_eq!(case["frozen_accounts"], json!(["U-1001"]));

    let (status, _) = staff_post(
        &app,
        &legal,
        &format!("/api/v1/staff/cases/{reference}/freeze"),
        json!({}),
    )
    .await;
    assert_eq!(status, Status::Conflict, "a freeze is recorded once");
    assert!(
        ops[0]
            .body
            .contains("Respondent bound by the order: Alice Example"),
        "{}",
        ops[0].body
    );

    // A freezing order moves nothing to the government.
    let (status, refused) = staff_post(
        &app,
        &legal,
        &format!("/api/v1/staff/cases/{reference}/seizure-transfers"),
        json!({"asset": "USDT", "amount": "10", "chain": "eth", "destination": "0x52908400098527886E0F7030069857D2E4169EE7", "tx_hash": format!("0x{}", "ab".repeat(32))}),
    )
    .await;
    assert_eq!(status, Status::Conflict);
    assert_eq!(refused["error"]["code"], "not_a_seizure", "{refused}");

    // Released when the order ends: the account is active again, audited, and operations told.
    let release = format!("/api/v1/staff/cases/{reference}/freeze/release");
    let (status, _) = staff_post(&app, &legal, &release, json!({"reason": " "})).await;
    assert_eq!(status, Status::UnprocessableEntity, "a release says why");
    // A stored list of frozen accounts that does not read is an error, not "nothing to
    // release": before, the freeze was marked released while its account stayed frozen.
    let this_freeze = format!("case_id = (SELECT id FROM cases WHERE reference = '{reference}')");
    app.sql(&format!(
        "UPDATE freezes SET accounts = '[\"U-10' WHERE {this_freeze}"
    ));
    let (status, _) = staff_post(&app, &legal, &release, json!({"reason": "Discharged."})).await;
    assert_eq!(status, Status::InternalServerError);
    assert_eq!(app.count("accounts WHERE status = 'frozen'"), 1);
    assert_eq!(
        app.count(&format!(
            "freezes WHERE {this_freeze} AND released_at IS NULL"
        )),
        1,
        "the freeze is not marked released"
    );
    app.sql(&format!(
        "UPDATE freezes SET accounts = '[\"U-1001\"]' WHERE {this_freeze}"
    ));
    let (status, body) = staff_post(
        &app,
        &legal,
        &release,
        json!({"reason": "The order was discharged at the return-date hearing."}),
    )
    .await;
    assert_eq!(status, Status::Ok, "{body}");
    assert_eq!(body["released_accounts"], json!(["U-1001"]));
    assert_eq!(app.count("accounts WHERE status = 'frozen'"), 0);
    assert_eq!(
        app.count("audit_events WHERE action = 'freeze.released'"),
        1
    );
    let ops = app.mail_to("operations@writ.localhost").await;
    let letter = ops
        .iter()
        .find(|m| m.subject.contains("the freeze was released"))
        .expect("operations are told");
    assert!(
        letter.body.contains("U-1001") && letter.body.contains("discharged"),
        "{}",
        letter.body
    );
    let (status, again) = staff_post(&app, &legal, &release, json!({"reason": "again"})).await;
    assert_eq!(status, Status::Conflict);
    assert_eq!(again["error"]["code"], "freeze_released");
    let (_, case) = app
        .get_json(&format!("/api/v1/staff/cases/{reference}"), &legal)
        .await;
    assert!(case["freeze_record"]["released_at"].is_string(), "{case}");
}

#[rocket::async_test]
async fn a_seizure_warrant_records_each_transfer_to_the_government() {
    let app = TestApp::new().await;
    app.sql("INSERT INTO accounts (uid, email, phone, name, country, status, updated_at) VALUES ('U-1001', 'alice@example.com', NULL, 'Alice', 'US', 'active', '2026-11-01 00:00:00')");
    let officer = app.officer("j.doe@fbi.gov").await;
    let mut seizure = subpoena_request();
    seizure["type"] = json!("freeze");
    seizure["instrument"]["kind"] = json!("seizure_warrant");
    seizure["data_categories"] = json!(["balances_wallets"]);
    seizure["freeze"] =
        json!({"assets": [{"asset": "ETH", "amount": "all"}], "reason": "Forfeitable proceeds"});
    let (status, filed) = app
        .submit(&officer, &seizure, &[("warrant.pdf", PDF)])
        .await;
    assert_eq!(status, Status::Created, "{filed}");
    let reference = filed["reference"].as_str().unwrap();
    let legal = app
        .staff_token(&app.staff("lee@writ.example", Role::Legal).await)
        .await;
    approve(&app, &legal, reference).await;
    let transfers = format!("/api/v1/staff/cases/{reference}/seizure-transfers");
    let hash = format!("0x{}", "ab".repeat(32));
    let transfer = json!({"asset": "eth", "amount": "1.25", "chain": "eth", "destination": "0x52908400098527886e0f7030069857d2e4169ee7", "tx_hash": hash});

    let (status, refused) = staff_post(&app, &legal, &transfers, transfer.clone()).await;
    assert_eq!(status, Status::Conflict, "secured before moved");
    assert_eq!(refused["error"]["code"], "not_frozen");
    let (status, _) = staff_post(
        &app,
        &legal,
        &format!("/api/v1/staff/cases/{reference}/freeze"),
        json!({}),
    )
    .await;
    assert_eq!(status, Status::Ok);

    let mut bad = transfer.clone();
    bad["destination"] = json!("0x1234");
    bad["tx_hash"] = json!("not-a-hash");
    bad["amount"] = json!("all");
    let (status, refused) = staff_post(&app, &legal, &transfers, bad).await;
    assert_eq!(status, Status::UnprocessableEntity);
    for field in ["destination", "tx_hash", "amount"] {
        assert!(
            refused["error"]["fields"][field].is_string(),
            "{field}: {refused}"
        );
    }
    assert_eq!(app.count("seizure_transfers"), 0);

    let (status, recorded) = staff_post(&app, &legal, &transfers, transfer).await;
    assert_eq!(status, Status::Created, "{recorded}");
    assert_eq!(
        recorded["transfer"]["destination"], "0x52908400098527886E0F7030069857D2E4169EE7",
        "the address is kept in its checksummed spelling"
    );
    assert_eq!(recorded["transfer"]["asset"], "ETH");
    assert_eq!(
        app.count("audit_events WHERE action = 'seizure.transferred'"),
        1
    );
    // The agency sees where its assets went.
    let (_, case) = app
        .get_json(&format!("/api/v1/requests/{reference}"), &officer)
        .await;
    assert_eq!(
        case["seizure_transfers"][0]["tx_hash"],
        hash.as_str(),
        "{case}"
    );
}

/// Regulation (EU) 2023/1543, Art. 11(1): a European Preservation Order keeps the data 60 days,
/// extendable once by 30.
#[rocket::async_test]
async fn a_european_preservation_order_keeps_60_days_and_extends_by_30() {
    let app = TestApp::new().await;
    let (officer, reference, legal) = approved_preservation(&app, "eu_preservation_order").await;
    let reference = reference.as_str();
    let (status, body) = staff_post(
        &app,
        &legal,
        &format!("/api/v1/staff/cases/{reference}/preservation"),
        json!({}),
    )
    .await;
    assert_eq!(status, Status::Ok, "{body}");
    assert!((60 * 24 - 1..=60 * 24).contains(&hours_from_now(&body["preservation"]["expires_at"])));
    let (status, extended) = renew(&app, &officer, reference).await;
    assert_eq!(status, Status::Ok, "{extended}");
    assert!(
        (90 * 24 - 1..=90 * 24).contains(&hours_from_now(&extended["preservation"]["expires_at"]))
    );
    let (status, refused) = renew(&app, &officer, reference).await;
    assert_eq!(status, Status::Conflict);
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Art. 11(1)"),
        "{refused}"
    );

    // Annex V: the issuer confirms its production request; the data is kept until produced.
    let uri = format!("/api/v1/requests/{reference}/production-request");
    let response = app
        .post_json(&uri, json!({"production_request": " "}), Some(&officer))
        .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let response = app
        .post_json(
            &uri,
            json!({"production_request": "EPOC-FR-2026-77"}),
            Some(&officer),
        )
        .await;
    assert_eq!(response.status(), Status::Ok);
    let kept: Value = response.into_json().await.unwrap();
    assert_eq!(
        kept["preservation"]["production_request"], "EPOC-FR-2026-77",
        "{kept}"
    );
    assert_eq!(kept["preservation"]["confirmable"], false);
    assert_eq!(
        app.count("audit_events WHERE action = 'preservation.production_confirmed'"),
        1
    );
    let again = app
        .post_json(
            &uri,
            json!({"production_request": "EPOC-FR-2026-78"}),
            Some(&officer),
        )
        .await;
    assert_eq!(again.status(), Status::Conflict);
    // No reminder of an end that no longer comes.
    let soon = if app.config.database_url.starts_with("postgres") {
        "NOW() AT TIME ZONE 'UTC' + INTERVAL '3 days'"
    } else {
        "datetime('now', '+3 days')"
    };
    app.sql(&format!(
        "UPDATE preservations SET expires_at = {soon}, reminder_sent_at = NULL"
    ));
    let (mailer, links) = (&app.context().mailer, &app.context().links);
    let reminded = writ::services::fulfilment::send_reminders(app.db(), mailer, links)
        .await
        .unwrap();
    assert_eq!(reminded, 0);
}

/// 18 USC 2703(f) knows no "until production": a US preservation ends on its date.
#[rocket::async_test]
async fn a_us_preservation_is_not_kept_until_production() {
    let app = TestApp::new().await;
    let (officer, reference, legal) = approved_preservation(&app, "preservation_letter").await;
    let (status, _) = staff_post(
        &app,
        &legal,
        &format!("/api/v1/staff/cases/{reference}/preservation"),
        json!({}),
    )
    .await;
    assert_eq!(status, Status::Ok);
    let uri = format!("/api/v1/requests/{reference}/production-request");
    let response = app
        .post_json(
            &uri,
            json!({"production_request": "GJ-2026-114"}),
            Some(&officer),
        )
        .await;
    assert_eq!(response.status(), Status::Conflict);
    let refused: Value = response.into_json().await.unwrap();
    assert_eq!(refused["error"]["code"], "not_confirmable");
}
