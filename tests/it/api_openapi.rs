//! `/api/v1/openapi.json` is kept true: it names exactly the routes the app mounts, and the
//! responses the app really sends match the schemas it documents.

use crate::common;

use std::collections::BTreeSet;

use common::{subpoena_request, TestApp, PDF};
use rocket::http::Status;
use serde_json::{json, Value};

fn document() -> Value {
    serde_json::from_str(writ::routes::api::OPENAPI).expect("openapi.json is JSON")
}

/// A JSON Schema validator (OpenAPI 3.1 schemas are JSON Schema 2020-12) for `schema`, whose
/// `$ref`s point into the document: the document is the root the references resolve against.
/// Formats (`date`, `date-time`, `email`, `uri`) are checked, not only noted.
fn validator(doc: &Value, schema: &Value) -> jsonschema::Validator {
    let mut root = doc.clone();
    root["$schema"] = json!("https://json-schema.org/draft/2020-12/schema");
    root["allOf"] = json!([schema]);
    jsonschema::options()
        .should_validate_formats(true)
        .build(&root)
        .expect("the document's schemas compile")
}

fn assert_matches(doc: &Value, path: &str, method: &str, status: Status, body: &Value) {
    let response = &doc["paths"][path][method]["responses"][status.code.to_string()];
    assert!(
        !response.is_null(),
        "{method} {path} does not document status {}",
        status.code
    );
    let response = match response.get("$ref").and_then(Value::as_str) {
        Some(r) => r
            .trim_start_matches("#/")
            .split('/')
            .fold(doc, |node, key| &node[key]),
        None => response,
    };
    let schema = &response["content"]["application/json"]["schema"];
    let problems: Vec<String> = validator(doc, schema)
        .iter_errors(body)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(
        problems.is_empty(),
        "{method} {path} {}: {problems:#?}\n{body:#}",
        status.code
    );
}

#[rocket::async_test]
async fn the_document_names_exactly_the_mounted_routes() {
    let app = TestApp::new().await;
    let doc = document();
    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, ops)| {
            ops.as_object()
                .unwrap()
                .keys()
                .map(move |m| (m.to_uppercase(), format!("/api/v1{path}")))
        })
        .collect();
    let mounted: BTreeSet<(String, String)> = app
        .client
        .rocket()
        .routes()
        .filter(|r| r.uri.base().starts_with("/api/v1"))
        .map(|r| {
            let path = r.uri.path().to_string().replace('<', "{").replace('>', "}");
            (r.method.as_str().to_owned(), path)
        })
        .collect();
    assert_eq!(documented, mounted);

    let response = app.client.get("/api/v1/openapi.json").dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(response.into_json::<Value>().await.unwrap(), doc);
}

#[rocket::async_test]
async fn real_responses_match_their_schemas() {
    let app = TestApp::new().await;
    let doc = document();
    app.register_dotgov(
        "fbi.gov",
        "Department of Justice",
        "Federal Bureau of Investigation",
    );

    let response = app
        .post_json(
            "/api/v1/auth/email",
            json!({ "email": "j.doe@fbi.gov", "track": "agency" }),
            None,
        )
        .await;
    let status = response.status();
    let challenge: Value = response.into_json().await.unwrap();
    assert_matches(&doc, "/auth/email", "post", status, &challenge);

    let response = app
        .post_json(
            "/api/v1/auth/email",
            json!({ "email": "x@gmail.com", "track": "agency" }),
            None,
        )
        .await;
    let status = response.status();
    assert_matches(
        &doc,
        "/auth/email",
        "post",
        status,
        &response.into_json().await.unwrap(),
    );

    let response = app
        .post_json(
            "/api/v1/auth/verify",
            json!({ "challenge": challenge["challenge"], "code": "000000x" }),
            None,
        )
        .await;
    let status = response.status();
    assert_matches(
        &doc,
        "/auth/verify",
        "post",
        status,
        &response.into_json().await.unwrap(),
    );

    let code = app.code_for("j.doe@fbi.gov").await;
    let response = app
        .post_json(
            "/api/v1/auth/verify",
            json!({ "challenge": challenge["challenge"], "code": code }),
            None,
        )
        .await;
    let status = response.status();
    let signed_in: Value = response.into_json().await.unwrap();
    assert_matches(&doc, "/auth/verify", "post", status, &signed_in);
    let token = signed_in["token"].as_str().unwrap();

    let (status, body) = app
        .submit(token, &subpoena_request(), &[("subpoena.pdf", PDF)])
        .await;
    assert_eq!(status, Status::Forbidden);
    assert_matches(&doc, "/requests", "post", status, &body);

    let (status, saved) = app
        .put_profile_body(token, common::profile().to_string())
        .await;
    assert_matches(&doc, "/profile", "put", status, &saved);

    let response = app
        .post_json("/api/v1/auth/second-factor/totp", json!({}), Some(token))
        .await;
    let status = response.status();
    let started: Value = response.into_json().await.unwrap();
    assert_matches(&doc, "/auth/second-factor/totp", "post", status, &started);
    app.adopt_factor("j.doe@fbi.gov", started["secret"].as_str().unwrap());
    let code = app.totp_for("j.doe@fbi.gov").await.unwrap();
    let response = app
        .post_json(
            "/api/v1/auth/second-factor/totp/confirm",
            json!({ "code": code }),
            Some(token),
        )
        .await;
    let status = response.status();
    let confirmed: Value = response.into_json().await.unwrap();
    assert_matches(
        &doc,
        "/auth/second-factor/totp/confirm",
        "post",
        status,
        &confirmed,
    );

    let (status, submitted) = app
        .submit(token, &subpoena_request(), &[("subpoena.pdf", PDF)])
        .await;
    assert_eq!(status, Status::Created);
    assert_matches(&doc, "/requests", "post", status, &submitted);

    let mut bad = subpoena_request();
    bad["targets"] = json!([{"kind": "phone", "value": "12", "role": "victim"}]);
    let (status, body) = app.submit(token, &bad, &[("subpoena.pdf", PDF)]).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(
        body["error"]["fields"]["targets[0].value"].is_string(),
        "{body}"
    );
    assert_matches(&doc, "/requests", "post", status, &body);

    let (status, list) = app.get_json("/api/v1/requests", token).await;
    assert_matches(&doc, "/requests", "get", status, &list);
    let reference = submitted["reference"].as_str().unwrap();
    let (status, case) = app
        .get_json(&format!("/api/v1/requests/{reference}"), token)
        .await;
    assert_matches(&doc, "/requests/{reference}", "get", status, &case);
    let (status, missing) = app.get_json("/api/v1/requests/LE-1999-000001", token).await;
    assert_matches(&doc, "/requests/{reference}", "get", status, &missing);
    let (status, unauthorized) = app.get_json("/api/v1/requests", "wrong").await;
    assert_matches(&doc, "/requests", "get", status, &unauthorized);

    // The court-order track: its sign-in, declaration, request and case.
    let response = app
        .post_json(
            "/api/v1/auth/email",
            json!({ "email": "maria@lopez.example", "track": "court" }),
            None,
        )
        .await;
    let status = response.status();
    assert_eq!(
        status,
        Status::UnprocessableEntity,
        "a court sign-in names its path"
    );
    assert_matches(
        &doc,
        "/auth/email",
        "post",
        status,
        &response.into_json().await.unwrap(),
    );
    let court = app.court_sign_in("maria@lopez.example", "visitor").await;
    let (status, saved) = app
        .put_profile_body(&court, common::court_profile().to_string())
        .await;
    assert_eq!(status, Status::Ok);
    assert_matches(&doc, "/profile", "put", status, &saved);
    let (status, filed) = app
        .submit(
            &court,
            &common::freeze_order_request(),
            &[("order.pdf", PDF)],
        )
        .await;
    assert_eq!(status, Status::Created);
    assert_matches(&doc, "/requests", "post", status, &filed);
    let (status, case) = app
        .get_json(
            &format!("/api/v1/requests/{}", filed["reference"].as_str().unwrap()),
            &court,
        )
        .await;
    assert_eq!(case["court"]["country"], "US");
    assert_matches(&doc, "/requests/{reference}", "get", status, &case);

    // Answering with a bundle: production, seal, the case with its bundle, an expired link.
    let legal = app
        .staff_token(
            &app.staff("lee@writ.example", writ::domain::vocab::Role::Legal)
                .await,
        )
        .await;
    for to in ["in_review", "approved"] {
        let uri = format!("/api/v1/staff/cases/{reference}/transition");
        let response = app.post_json(&uri, json!({ "to": to }), Some(&legal)).await;
        assert_eq!(response.status(), Status::Ok);
    }
    let (content_type, body) = common::multipart(&[
        common::Part::text("category", "records"),
        common::Part::file("files", "export.csv", b"uid\nU1\n"),
    ]);
    let response = app
        .client
        .post(format!("/api/v1/staff/cases/{reference}/production"))
        .header(content_type)
        .header(rocket::http::Header::new(
            "Authorization",
            format!("Bearer {legal}"),
        ))
        .body(body)
        .dispatch()
        .await;
    let status = response.status();
    assert_eq!(status, Status::Created);
    let path = "/staff/cases/{reference}/production";
    assert_matches(
        &doc,
        path,
        "post",
        status,
        &response.into_json().await.unwrap(),
    );
    let response = app
        .client
        .post(format!("/api/v1/staff/cases/{reference}/bundles"))
        .header(rocket::http::Header::new(
            "Authorization",
            format!("Bearer {legal}"),
        ))
        .dispatch()
        .await;
    let status = response.status();
    assert_eq!(status, Status::Created);
    let path = "/staff/cases/{reference}/bundles";
    assert_matches(
        &doc,
        path,
        "post",
        status,
        &response.into_json().await.unwrap(),
    );
    let (status, case) = app
        .get_json(&format!("/api/v1/requests/{reference}"), token)
        .await;
    assert_eq!(case["bundles"].as_array().unwrap().len(), 1);
    assert_matches(&doc, "/requests/{reference}", "get", status, &case);
    let (status, staff_case) = app
        .get_json(&format!("/api/v1/staff/cases/{reference}"), &legal)
        .await;
    assert_matches(&doc, "/staff/cases/{reference}", "get", status, &staff_case);
    app.sql("UPDATE bundles SET expires_at = '2020-01-01 00:00:00'");
    let (status, gone) = app
        .get_json(&format!("/api/v1/requests/{reference}/bundles/1"), token)
        .await;
    assert_eq!(status, Status::Gone);
    assert_matches(
        &doc,
        "/requests/{reference}/bundles/{n}",
        "get",
        status,
        &gone,
    );
}

/// The request bodies the suite files with, and the app accepts, are what the document says a
/// client may send; a body the document refuses is refused by the checker too.
#[test]
fn the_requests_the_suite_sends_match_the_documented_request_schemas() {
    let doc = document();
    let new_request = json!({ "$ref": "#/components/schemas/NewRequest" });
    let agency_profile = json!({ "$ref": "#/components/schemas/AgencyProfile" });
    let court_profile = json!({ "$ref": "#/components/schemas/CourtProfile" });
    for (schema, body) in [
        (&new_request, subpoena_request()),
        (&new_request, common::emergency_request()),
        (&new_request, common::freeze_order_request()),
        (&agency_profile, common::profile()),
        (&court_profile, common::court_profile()),
    ] {
        let problems: Vec<String> = validator(&doc, schema)
            .iter_errors(&body)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect();
        assert!(problems.is_empty(), "{schema}: {problems:#?}\n{body:#}");
    }

    let mut unknown_type = subpoena_request();
    unknown_type["type"] = json!("wiretap");
    let mut no_targets = subpoena_request();
    no_targets["targets"] = json!([]);
    for broken in [unknown_type, no_targets] {
        assert!(
            !validator(&doc, &new_request).is_valid(&broken),
            "the checker refuses {broken:#}"
        );
    }
}
