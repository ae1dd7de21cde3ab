//! The case workflow through the real app: each transition allowed or refused by role, the paused
//! clock, answers that send a case back, two reviewers for emergencies, withdrawal, notes.

use crate::common;

use common::{multipart, subpoena_request, Part, TestApp, PDF};
use rocket::http::{ContentType, Header, Status};
use serde_json::{json, Value};
use writ::domain::vocab::Role;

async fn move_case(app: &TestApp, token: &str, reference: &str, body: Value) -> (Status, Value) {
    let uri = format!("/api/v1/staff/cases/{reference}/transition");
    let response = app.post_json(&uri, body, Some(token)).await;
    let status = response.status();
    (status, response.into_json().await.unwrap_or(Value::Null))
}

async fn state_of(app: &TestApp, token: &str, reference: &str) -> Value {
    app.get_json(&format!("/api/v1/staff/cases/{reference}"), token)
        .await
        .1
}

#[rocket::async_test]
async fn each_role_may_make_only_its_own_transitions() {
    let app = TestApp::new().await;
    let officer = app.officer("j.doe@fbi.gov").await;
    let (_, filed) = app
        .submit(&officer, &subpoena_request(), &[("subpoena.pdf", PDF)])
        .await;
    let reference = filed["reference"].as_str().unwrap();
    let support = app
        .staff_token(&app.staff("sam@writ.example", Role::Support).await)
        .await;
    let legal = app
        .staff_token(&app.staff("lee@writ.example", Role::Legal).await)
        .await;

    let (status, body) = move_case(&app, &support, reference, json!({ "to": "in_review" })).await;
    assert_eq!(
        status,
        Status::NotFound,
        "support works the court track only and never sees an agency case: {body}"
    );
    let (status, body) = move_case(&app, &legal, reference, json!({ "to": "approved" })).await;
    assert_eq!(
        status,
        Status::Conflict,
        "a case must be taken before it is decided"
    );
    assert_eq!(body["error"]["code"], "illegal_transition");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("“Legal queue” cannot become “Approved”"));
    assert_eq!(
        state_of(&app, &legal, reference).await["state"],
        "legal_queue",
        "a refusal changes nothing"
    );

    let (status, _) = move_case(&app, &legal, reference, json!({ "to": "in_review" })).await;
    assert_eq!(status, Status::Ok);
    let case = state_of(&app, &legal, reference).await;
    assert_eq!(case["state"], "in_review");
    assert_eq!(
        case["assigned_to"], "Test Staff",
        "taking a case assigns it"
    );

    let (status, body) = move_case(&app, &legal, reference, json!({ "to": "rejected" })).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(body["error"]["fields"]["reason"].is_string());
    let (status, body) = move_case(
        &app,
        &legal,
        reference,
        json!({ "to": "partially_approved", "reason": "content excluded", "targets": [7] }),
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity, "{body}");
    let (status, body) = move_case(&app, &legal, reference, json!({ "to": "partially_approved", "reason": "Only the e-mail account.", "targets": [0], "categories": ["subscriber_info", "everything"] })).await;
    assert_eq!(status, Status::UnprocessableEntity, "{body}");
    assert_eq!(
        body["error"]["fields"]["targets"],
        "Choose only targets and categories that the request names.",
        "a category that is none of ours is told beside the targets"
    );
    let (status, body) =
        move_case(&app, &legal, reference, json!({ "to": "done_and_dusted" })).await;
    assert_eq!(status, Status::UnprocessableEntity, "{body}");
    assert_eq!(
        body["error"]["fields"]["to"],
        "“done_and_dusted” is not a case state."
    );
    let (status, body) = move_case(
        &app,
        &legal,
        "LE-2026-999999",
        json!({ "to": "done_and_dusted" }),
    )
    .await;
    assert_eq!(
        status,
        Status::NotFound,
        "an unknown case is told before a malformed request: {body}"
    );
    assert_eq!(
        state_of(&app, &legal, reference).await["state"],
        "in_review"
    );
    let (status, _) = move_case(&app, &legal, reference, json!({ "to": "partially_approved", "reason": "Only the e-mail account.", "targets": [0], "categories": ["subscriber_info"] })).await;
    assert_eq!(status, Status::Ok);
    let case = state_of(&app, &legal, reference).await;
    assert_eq!(case["decision"]["targets"][0]["value"], "alice@example.com");
    assert_eq!(case["decision"]["categories"], json!(["subscriber_info"]));

    let (status, body) = move_case(&app, &legal, reference, json!({ "to": "fulfilled" })).await;
    assert_eq!(status, Status::Conflict);
    assert_eq!(body["error"]["code"], "bundle_required");
    let (status, _) = move_case(&app, &legal, reference, json!({ "to": "closed" })).await;
    assert_eq!(status, Status::Ok);
    let (status, _) = move_case(&app, &legal, reference, json!({ "to": "in_review" })).await;
    assert_eq!(status, Status::Conflict, "closed is closed");

    let mail = app.mail_to("j.doe@fbi.gov").await;
    assert!(
        mail.iter()
            .any(|m| m.subject == format!("Request {reference} has been partially approved")),
        "{:?}",
        mail.iter().map(|m| &m.subject).collect::<Vec<_>>()
    );
    assert!(
        mail.iter()
            .all(|m| !m.body.contains("Only the e-mail account.")),
        "decisions are not e-mailed"
    );
    assert_eq!(
        app.count("audit_events WHERE action = 'case.transition'"),
        3
    );
}

#[rocket::async_test]
async fn asking_for_information_pauses_the_clock_until_the_requester_answers() {
    let app = TestApp::new().await;
    let officer = app.officer("j.doe@fbi.gov").await;
    let (_, filed) = app
        .submit(&officer, &subpoena_request(), &[("subpoena.pdf", PDF)])
        .await;
    let reference = filed["reference"].as_str().unwrap();
    let legal = app
        .staff_token(&app.staff("lee@writ.example", Role::Legal).await)
        .await;
    move_case(&app, &legal, reference, json!({ "to": "in_review" })).await;
    let (status, _) = move_case(
        &app,
        &legal,
        reference,
        json!({ "to": "needs_info", "reason": "Please send the signed page 2 of the subpoena." }),
    )
    .await;
    assert_eq!(status, Status::Ok);
    let due_before = state_of(&app, &legal, reference).await["due_at"]
        .as_str()
        .unwrap()
        .to_owned();

    let subject = format!("Request {reference}: the legal team needs information");
    let question = app
        .mail_to("j.doe@fbi.gov")
        .await
        .into_iter()
        .find(|m| m.subject == subject);
    let question = question.expect("the requester is told the legal team has a question");
    assert!(
        !question.body.contains("signed page 2"),
        "the question stays on the case page"
    );
    let (_, case) = app
        .get_json(&format!("/api/v1/requests/{reference}"), &officer)
        .await;
    assert_eq!(case["state"], "needs_info");
    assert_eq!(
        case["messages"][0]["body"],
        "Please send the signed page 2 of the subpoena."
    );

    // Ten minutes pass while the case waits.
    let earlier = if app.config.database_url.starts_with("postgres") {
        "paused_at - INTERVAL '10 minutes'"
    } else {
        "datetime(paused_at, '-10 minutes')"
    };
    app.sql(&format!("UPDATE cases SET paused_at = {earlier}"));

    let (content_type, body) = multipart(&[
        Part::text("message", "Page 2 attached."),
        Part::file("documents", "page2.pdf", PDF),
    ]);
    let response = app
        .client
        .post(format!("/api/v1/requests/{reference}/messages"))
        .header(content_type)
        .header(Header::new("Authorization", format!("Bearer {officer}")))
        .body(body)
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Created);
    let answered: Value = response.into_json().await.unwrap();
    assert_eq!(
        answered["state"], "in_review",
        "the answer returns the case to the reviewer"
    );

    let case = state_of(&app, &legal, reference).await;
    let due_after = case["due_at"].as_str().unwrap();
    let shift = chrono::DateTime::parse_from_rfc3339(due_after).unwrap()
        - chrono::DateTime::parse_from_rfc3339(&due_before).unwrap();
    assert!(
        (600..=660).contains(&shift.num_seconds()),
        "the due date moved by the pause: {shift}"
    );
    assert_eq!(case["documents"].as_array().unwrap().len(), 2);
    assert_eq!(
        app.count("audit_events WHERE action = 'authority.rechecked'"),
        1,
        "a new document re-runs the checks"
    );
}

/// An officer's emergency request, taken into review by a legal reviewer (ann@writ.example)
/// who has confirmed it by a call-back: its reference and the reviewer's token.
async fn emergency_in_review(app: &TestApp) -> (String, String) {
    let officer = app.officer("j.doe@fbi.gov").await;
    let (_, filed) = app
        .submit(&officer, &common::emergency_request(), &[])
        .await;
    let reference = filed["reference"].as_str().unwrap().to_owned();
    let first = app
        .staff_token(&app.staff("ann@writ.example", Role::Legal).await)
        .await;
    move_case(app, &first, &reference, json!({ "to": "in_review" })).await;
    let contact = app.agency_contact("fbi.gov").await;
    app.call_back(&first, &reference, &contact, "confirmed")
        .await;
    (reference, first)
}

#[rocket::async_test]
async fn an_emergency_disclosure_needs_two_different_reviewers() {
    let app = TestApp::new().await;
    let (reference, first) = emergency_in_review(&app).await;
    let reference = reference.as_str();
    let second = app
        .staff_token(&app.staff("ben@writ.example", Role::Admin).await)
        .await;
    let (status, body) = move_case(&app, &first, reference, json!({ "to": "approved" })).await;
    assert_eq!(status, Status::Accepted, "{body}");
    assert_eq!(
        state_of(&app, &first, reference).await["state"],
        "in_review"
    );
    let (status, body) = move_case(&app, &first, reference, json!({ "to": "approved" })).await;
    assert_eq!(status, Status::Conflict);
    assert_eq!(body["error"]["code"], "second_reviewer_required");
    let (status, _) = move_case(&app, &second, reference, json!({ "to": "approved" })).await;
    assert_eq!(status, Status::Ok);
    assert_eq!(
        state_of(&app, &second, reference).await["state"],
        "approved"
    );
}

#[rocket::async_test]
async fn an_approval_whose_stored_scope_is_corrupt_is_an_error_not_the_whole_request() {
    // Before, a scope that did not read was shown to the second reviewer as "the whole request".
    let app = TestApp::new().await;
    let (reference, first) = emergency_in_review(&app).await;
    let reference = reference.as_str();
    let partial =
        json!({ "to": "partially_approved", "reason": "Only the first target.", "targets": [0] });
    let (status, body) = move_case(&app, &first, reference, partial).await;
    assert_eq!(status, Status::Accepted, "{body}");
    let (status, case) = app
        .get_json(&format!("/api/v1/staff/cases/{reference}"), &first)
        .await;
    assert_eq!(status, Status::Ok);
    assert_eq!(case["approvals"][0]["scope"], "only target 1", "{case}");

    app.sql("UPDATE approvals SET scope = '{\"targets\": '");
    let (status, body) = app
        .get_json(&format!("/api/v1/staff/cases/{reference}"), &first)
        .await;
    assert_eq!(status, Status::InternalServerError, "{body}");
}

#[rocket::async_test]
async fn requesters_withdraw_their_own_cases_and_never_see_notes() {
    let app = TestApp::new().await;
    let alice = app.officer("alice@fbi.gov").await;
    let bob = app.officer("bob@fbi.gov").await;
    let (_, filed) = app
        .submit(&alice, &subpoena_request(), &[("subpoena.pdf", PDF)])
        .await;
    let reference = filed["reference"].as_str().unwrap();
    let legal = app
        .staff_token(&app.staff("lee@writ.example", Role::Legal).await)
        .await;
    let uri = format!("/api/v1/staff/cases/{reference}/notes");
    let response = app
        .post_json(
            &uri,
            json!({ "body": "Agent sounded unsure about the dates." }),
            Some(&legal),
        )
        .await;
    assert_eq!(response.status(), Status::Created);
    let (_, case) = app
        .get_json(&format!("/api/v1/requests/{reference}"), &alice)
        .await;
    assert!(!case.to_string().contains("unsure about the dates"));
    assert_eq!(
        state_of(&app, &legal, reference).await["notes"][0]["body"],
        "Agent sounded unsure about the dates."
    );

    let withdraw = |token: String| {
        let app = &app;
        let uri = format!("/api/v1/requests/{reference}/withdraw");
        async move {
            app.client
                .post(uri)
                .header(Header::new("Authorization", format!("Bearer {token}")))
                .header(ContentType::JSON)
                .dispatch()
                .await
                .status()
        }
    };
    assert_eq!(
        withdraw(bob.clone()).await,
        Status::NotFound,
        "another officer's case does not exist for them"
    );
    assert_eq!(withdraw(alice.clone()).await, Status::Ok);
    assert_eq!(withdraw(alice.clone()).await, Status::Conflict);
    assert_eq!(
        state_of(&app, &legal, reference).await["state"],
        "withdrawn"
    );
}

#[rocket::async_test]
async fn the_case_page_offers_each_role_its_own_actions() {
    let app = TestApp::new().await;
    let officer = app.officer("j.doe@fbi.gov").await;
    let (_, filed) = app
        .submit(&officer, &subpoena_request(), &[("subpoena.pdf", PDF)])
        .await;
    let reference = filed["reference"].as_str().unwrap().to_owned();
    let legal = app.staff("lee@writ.example", Role::Legal).await;

    let csrf = app.staff_sign_in_page(&legal).await;

    let case = app
        .client
        .get(format!("/staff/cases/{reference}"))
        .dispatch()
        .await
        .into_string()
        .await
        .unwrap();
    assert!(case.contains("Take the case"));
    let refused = app
        .client
        .post(format!("/staff/cases/{reference}/transition"))
        .header(ContentType::Form)
        .body(format!("to=fulfilled&reason=&csrf={csrf}"))
        .dispatch()
        .await;
    assert_eq!(refused.status(), Status::Conflict);
    assert!(refused
        .into_string()
        .await
        .unwrap()
        .contains("cannot become"));
    let taken = app
        .client
        .post(format!("/staff/cases/{reference}/transition"))
        .header(ContentType::Form)
        .body(format!("to=in_review&reason=&csrf={csrf}"))
        .dispatch()
        .await;
    assert_eq!(taken.status(), Status::SeeOther);
    let case = app
        .client
        .get(format!("/staff/cases/{reference}"))
        .dispatch()
        .await
        .into_string()
        .await
        .unwrap();
    assert!(case.contains("The case is now “In review”."));
    assert!(case.contains("Partially approve") && case.contains("Ask for information"));
}

/// Every (from, to) pair, for each staff role, through the API: the answer must be exactly what
/// the state machine decides — allowed moves succeed, illegal ones are 409, others' moves 403.
#[rocket::async_test]
async fn every_transition_for_every_role_matches_the_state_machine() {
    use writ::domain::vocab::CaseState;
    use writ::domain::workflow::{check, Party, Refusal};

    let app = TestApp::new().await;
    // A court-track case: every staff role may see it (support sees no agency case).
    let representative = app.representative("maria@lopez.example", "visitor").await;
    let mut disclosure = common::freeze_order_request();
    disclosure["type"] = json!("disclosure");
    disclosure["instrument"] = json!({"kind": "court_order"});
    disclosure["data_categories"] = json!(["subscriber_info"]);
    disclosure["freeze"] = serde_json::Value::Null;
    let (status, filed) = app
        .submit(&representative, &disclosure, &[("order.pdf", PDF)])
        .await;
    assert_eq!(status, Status::Created, "{filed}");
    let reference = filed["reference"].as_str().unwrap().to_owned();
    let mut tokens = Vec::new();
    for (email, role) in [
        ("s@writ.example", Role::Support),
        ("l@writ.example", Role::Legal),
        ("a@writ.example", Role::Admin),
    ] {
        tokens.push((role, app.staff_token(&app.staff(email, role).await).await));
    }
    let mut checked = 0;
    for from in CaseState::ALL {
        for to in CaseState::ALL {
            for (role, token) in &tokens {
                app.sql(&format!(
                    "UPDATE cases SET state = '{}', paused_at = NULL, resume_state = NULL",
                    from.as_str()
                ));
                let body = json!({ "to": to.as_str(), "reason": "Because.", "targets": [0], "categories": ["subscriber_info"] });
                let (status, answer) = move_case(&app, token, &reference, body).await;
                let expected = match check(*from, *to, Party::Staff(*role)) {
                    Ok(()) if *to == CaseState::Fulfilled => Status::Conflict,
                    Ok(()) => Status::Ok,
                    Err(Refusal::Illegal(_)) => Status::Conflict,
                    Err(Refusal::NotAllowed(_)) => Status::Forbidden,
                    Err(other) => panic!("check refuses by state and party only: {other:?}"),
                };
                assert_eq!(status, expected, "{role:?}: {from} -> {to}: {answer}");
                let now = state_of(&app, token, &reference).await["state"]
                    .as_str()
                    .unwrap()
                    .to_owned();
                let moved = status == Status::Ok;
                assert_eq!(
                    now,
                    if moved { to.as_str() } else { from.as_str() },
                    "{role:?}: {from} -> {to}"
                );
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 10 * 10 * 3);
}

/// Issue 19: staff write to the requester without asking for information; the case keeps its
/// state and its clock, the requester reads it on the case page, and the e-mail carries the text
/// on the court track only.
#[rocket::async_test]
async fn staff_write_to_the_requester_without_moving_the_case() {
    let app = TestApp::new().await;
    let officer = app.officer("j.doe@fbi.gov").await;
    let (_, filed) = app
        .submit(&officer, &subpoena_request(), &[("subpoena.pdf", PDF)])
        .await;
    let reference = filed["reference"].as_str().unwrap().to_owned();
    let legal = app
        .staff_token(&app.staff("lee@writ.example", Role::Legal).await)
        .await;
    move_case(&app, &legal, &reference, json!({ "to": "in_review" })).await;
    let before = state_of(&app, &legal, &reference).await;
    let uri = format!("/api/v1/staff/cases/{reference}/messages");
    let text = "We are on it; expect the records within the week.";

    let response = app
        .post_json(&uri, json!({ "body": text }), Some(&legal))
        .await;
    assert_eq!(response.status(), Status::Created);
    let after = state_of(&app, &legal, &reference).await;
    assert_eq!(after["state"], "in_review", "the case keeps its state");
    assert_eq!(after["due_at"], before["due_at"], "and its clock");
    let (_, case) = app
        .get_json(&format!("/api/v1/requests/{reference}"), &officer)
        .await;
    assert_eq!(case["messages"][0]["body"], text);
    assert_eq!(case["messages"][0]["author"], "Legal team");
    let subject = format!("Request {reference}: a message from the legal team");
    let mail = app
        .mail_to("j.doe@fbi.gov")
        .await
        .into_iter()
        .find(|m| m.subject == subject)
        .expect("the officer is told there is a message");
    assert!(
        !mail.body.contains("records within the week"),
        "on the agency track the text stays on the case page"
    );
    assert_eq!(
        app.count("audit_events WHERE action = 'case.message_to_requester'"),
        1
    );

    // An empty message, a support agent on an agency case, a closed case: refused, nothing kept.
    let response = app
        .post_json(&uri, json!({ "body": "  " }), Some(&legal))
        .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let body: Value = response.into_json().await.unwrap();
    assert_eq!(body["error"]["fields"]["body"], "Write your message.");
    let support = app
        .staff_token(&app.staff("sam@writ.example", Role::Support).await)
        .await;
    let response = app
        .post_json(&uri, json!({ "body": text }), Some(&support))
        .await;
    assert_eq!(response.status(), Status::NotFound);
    assert_eq!(app.count("messages"), 1);

    // On the court track support writes, and the e-mail carries the text.
    let court = app.representative("maria.lopez@gmail.com", "visitor").await;
    let (status, filed) = app
        .submit(
            &court,
            &common::freeze_order_request(),
            &[("order.pdf", PDF)],
        )
        .await;
    assert_eq!(status, Status::Created, "{filed}");
    let court_reference = filed["reference"].as_str().unwrap().to_owned();
    let court_uri = format!("/api/v1/staff/cases/{court_reference}/messages");
    let response = app
        .post_json(
            &court_uri,
            json!({ "body": "The order's second page is unreadable; we are checking it with the court." }),
            Some(&support),
        )
        .await;
    assert_eq!(response.status(), Status::Created);
    assert_eq!(
        state_of(&app, &support, &court_reference).await["state"],
        "triage"
    );
    let mail = app
        .mail_to("maria.lopez@gmail.com")
        .await
        .into_iter()
        .find(|m| {
            m.subject
                .ends_with("a message from the platform's support and legal team")
        })
        .expect("the representative is told");
    assert!(
        mail.body.contains("second page is unreadable"),
        "{}",
        mail.body
    );

    // From the case page, with its token.
    let colleague = app.staff("lea@writ.example", Role::Legal).await;
    let csrf = app.staff_sign_in_page(&colleague).await;
    let (_, page) = app.page(&format!("/staff/cases/{reference}")).await;
    assert!(page.contains("Write to the requester"), "{page}");
    let response = app
        .client
        .post(format!("/staff/cases/{reference}/messages"))
        .header(ContentType::Form)
        .body(format!("csrf={csrf}&body=A+second+word."))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::SeeOther);
    let (_, page) = app.page(&format!("/staff/cases/{reference}")).await;
    assert!(page.contains("Message sent to the requester; the case stays where it is."));
    assert!(page.contains("A second word."));

    app.sql(&format!(
        "UPDATE cases SET state = 'fulfilled' WHERE reference = '{reference}'"
    ));
    let response = app
        .post_json(&uri, json!({ "body": text }), Some(&legal))
        .await;
    assert_eq!(response.status(), Status::Conflict);
    let (_, page) = app.page(&format!("/staff/cases/{reference}")).await;
    assert!(
        !page.contains("Write to the requester"),
        "no form on a closed case"
    );
}

/// Issue 19: the second reviewer of an emergency approves exactly the first reviewer's scope or
/// a narrower one; a wider second approval is refused, naming what it would add.
#[rocket::async_test]
async fn a_second_emergency_approval_may_not_approve_more_than_the_first() {
    let app = TestApp::new().await;
    let (reference, first) = emergency_in_review(&app).await;
    let reference = reference.as_str();
    let second = app
        .staff_token(&app.staff("ben@writ.example", Role::Legal).await)
        .await;
    let partial = |targets: Value, categories: Value| json!({ "to": "partially_approved", "reason": "Only what the emergency needs.", "targets": targets, "categories": categories });
    let (status, body) = move_case(
        &app,
        &first,
        reference,
        partial(json!([0]), json!(["subscriber_info"])),
    )
    .await;
    assert_eq!(status, Status::Accepted, "{body}");
    let case = state_of(&app, &second, reference).await;
    assert_eq!(
        case["approvals"][0]["scope"], "only target 1, subscriber information",
        "the second reviewer sees what the first approved"
    );

    for (wider, names) in [
        (json!({ "to": "approved" }), "not the whole request"),
        (
            partial(json!([0, 1]), json!(["subscriber_info"])),
            "not target 2",
        ),
        (
            partial(json!([0]), json!(["subscriber_info", "transactions"])),
            "not transactions",
        ),
    ] {
        let (status, body) = move_case(&app, &second, reference, wider).await;
        assert_eq!(status, Status::Conflict, "{body}");
        assert_eq!(body["error"]["code"], "wider_than_first_approval");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.starts_with(
                "The first reviewer approved only target 1, subscriber information; a second approval may approve that or less"
            ) && message.contains(names),
            "{message}"
        );
        assert_eq!(
            state_of(&app, &second, reference).await["state"],
            "in_review",
            "nothing moved"
        );
    }

    // The same scope goes through, and the case carries it.
    let (status, body) = move_case(
        &app,
        &second,
        reference,
        partial(json!([0]), json!(["subscriber_info"])),
    )
    .await;
    assert_eq!(status, Status::Ok, "{body}");
    let case = state_of(&app, &second, reference).await;
    assert_eq!(case["state"], "partially_approved");
    assert_eq!(case["decision"]["categories"], json!(["subscriber_info"]));
    assert_eq!(case["decision"]["targets"][0]["position"], 0);
    assert_eq!(case["decision"]["targets"].as_array().unwrap().len(), 1);
}

/// Issue 19, item 6: a decision asks once more on a page of its own (no script needed), shows
/// what it will do, and changes nothing until it is confirmed.
#[rocket::async_test]
async fn a_decision_is_confirmed_on_a_page_of_its_own_before_it_is_taken() {
    let app = TestApp::new().await;
    let officer = app.officer("j.doe@fbi.gov").await;
    let mut references = Vec::new();
    for i in 0..2 {
        let mut request = subpoena_request();
        request["instrument"]["reference"] = serde_json::json!(format!("GJ-{i}"));
        let (_, filed) = app
            .submit(&officer, &request, &[("subpoena.pdf", PDF)])
            .await;
        references.push(filed["reference"].as_str().unwrap().to_owned());
    }
    let csrf = app
        .staff_sign_in_page(&app.staff("lee@writ.example", Role::Legal).await)
        .await;
    let post = |reference: &str, body: String| {
        let request = app
            .client
            .post(format!("/staff/cases/{reference}/transition"))
            .header(ContentType::Form)
            .body(body);
        async move {
            let response = request.dispatch().await;
            (
                response.status(),
                response.into_string().await.unwrap_or_default(),
            )
        }
    };
    let state = |reference: &str| {
        let mut conn = app.db().get().unwrap();
        use diesel::prelude::*;
        use writ::db::schema::cases;
        cases::table
            .filter(cases::reference.eq(reference))
            .select(cases::state)
            .first::<String>(&mut *conn)
            .unwrap()
    };
    for reference in &references {
        let (status, _) = post(reference, format!("to=in_review&reason=&csrf={csrf}")).await;
        assert_eq!(status, Status::SeeOther);
    }

    // Reject: the page says what happens and repeats the reason; nothing is decided yet.
    let (status, page) = post(
        &references[0],
        format!("to=rejected&reason=Out+of+%3Cscope%3E&csrf={csrf}"),
    )
    .await;
    assert_eq!(status, Status::Ok);
    assert!(
        page.contains(&format!("Reject {}?", references[0])),
        "{page}"
    );
    assert!(
        page.contains("Out of &lt;scope&gt;"),
        "the reason, escaped: {page}"
    );
    assert!(page.contains("This cannot be undone."));
    assert!(page.contains("<input type=\"hidden\" name=\"reason\" value=\"Out of &lt;scope&gt;\">"));
    assert_eq!(state(&references[0]), "in_review");
    assert_eq!(
        app.count("audit_events WHERE action = 'case.transition' AND details LIKE '%rejected%'"),
        0
    );
    let (status, _) = post(
        &references[0],
        format!("to=rejected&reason=Out+of+scope&confirmed=true&csrf={csrf}"),
    )
    .await;
    assert_eq!(status, Status::SeeOther);
    assert_eq!(state(&references[0]), "rejected");

    // A partial approval lists what it approves.
    let (status, page) = post(
        &references[1],
        format!("to=partially_approved&targets=1&categories=subscriber_info&reason=Wallet+only&csrf={csrf}"),
    )
    .await;
    assert_eq!(status, Status::Ok);
    assert!(
        page.contains(&format!("Partially approve {}?", references[1])),
        "{page}"
    );
    assert!(
        page.contains(
            "Targets approved: wallet address 0x52908400098527886E0F7030069857D2E4169EE7."
        ),
        "{page}"
    );
    assert!(
        page.contains("Categories approved: subscriber info."),
        "{page}"
    );
    assert_eq!(state(&references[1]), "in_review");
    // An incomplete form is not asked about: the refusal says what is missing.
    let (status, page) = post(
        &references[1],
        format!("to=partially_approved&reason=x&csrf={csrf}"),
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity, "{page}");
    assert!(!page.contains("This cannot be undone."));
    let (status, _) = post(
        &references[1],
        format!("to=partially_approved&targets=1&categories=subscriber_info&reason=Wallet+only&confirmed=true&csrf={csrf}"),
    )
    .await;
    assert_eq!(status, Status::SeeOther);
    assert_eq!(state(&references[1]), "partially_approved");

    // A step that is not a decision is not asked about.
    let (status, _) = post(&references[1], format!("to=closed&reason=&csrf={csrf}")).await;
    assert_ne!(status, Status::Ok, "closing is not asked about");
}
