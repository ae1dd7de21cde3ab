//! The documented request bodies against the types the API reads them into: each type's schema
//! is derived (`schemars`, for the tests only) and compared field by field with the OpenAPI
//! document, so a field the handler reads but the document leaves out, a documented field no
//! handler reads (sent in vain, and silently dropped), or a field the type needs but the document
//! calls optional, fails here.

use schemars::{schema_for, JsonSchema, Schema};
use serde_json::Value;

use super::OPENAPI;

/// What the document says of a request body, found by its path in the document.
struct Documented<'a> {
    root: &'a Value,
    pointer: String,
}

/// The schema at `node`, with `$ref`s followed and an `Option`'s null branch set aside.
fn resolve<'a>(root: &'a Value, mut node: &'a Value) -> &'a Value {
    'follow: loop {
        if let Some(reference) = node.get("$ref").and_then(Value::as_str) {
            let pointer = reference.trim_start_matches('#');
            node = root
                .pointer(pointer)
                .unwrap_or_else(|| panic!("{reference} is nowhere in its document"));
            continue 'follow;
        }
        for key in ["anyOf", "oneOf"] {
            if let Some(branches) = node.get(key).and_then(Value::as_array) {
                let real: Vec<&Value> = branches
                    .iter()
                    .filter(|b| b.get("type").and_then(Value::as_str) != Some("null"))
                    .collect();
                if let [only] = real.as_slice() {
                    node = only;
                    continue 'follow;
                }
            }
        }
        return node;
    }
}

fn names(schema: &Value, key: &str) -> Vec<String> {
    let mut names: Vec<String> = match schema.get(key) {
        Some(Value::Object(map)) => map.keys().cloned().collect(),
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    };
    names.sort();
    names
}

/// Walks the type's schema and the document's side by side, noting each difference at `at`.
fn compare(
    at: &str,
    (doc_root, doc): (&Value, &Value),
    (ty_root, ty): (&Value, &Value),
    problems: &mut Vec<String>,
) {
    let (doc, ty) = (resolve(doc_root, doc), resolve(ty_root, ty));
    if ty.get("properties").is_some() {
        let (documented, read) = (names(doc, "properties"), names(ty, "properties"));
        for field in read.iter().filter(|f| !documented.contains(f)) {
            problems.push(format!(
                "{at}: the API reads `{field}`, which the document leaves out"
            ));
        }
        for field in documented.iter().filter(|f| !read.contains(f)) {
            problems.push(format!(
                "{at}: the document offers `{field}`, which the API never reads"
            ));
        }
        let documented_required = names(doc, "required");
        for field in names(ty, "required") {
            if !documented_required.contains(&field) {
                problems.push(format!(
                    "{at}: `{field}` must be sent, but the document calls it optional"
                ));
            }
        }
        for field in read.iter().filter(|f| documented.contains(f)) {
            compare(
                &format!("{at}.{field}"),
                (doc_root, &doc["properties"][field]),
                (ty_root, &ty["properties"][field]),
                problems,
            );
        }
    }
    if let Some(items) = ty.get("items") {
        match doc.get("items") {
            Some(documented) => compare(
                &format!("{at}[]"),
                (doc_root, documented),
                (ty_root, items),
                problems,
            ),
            None => problems.push(format!("{at}: a list, which the document does not say")),
        }
    }
}

impl Documented<'_> {
    fn check<T: JsonSchema>(&self, problems: &mut Vec<String>) {
        let derived: Schema = schema_for!(T);
        let derived = derived.as_value();
        let doc = self
            .root
            .pointer(&self.pointer)
            .unwrap_or_else(|| panic!("the document has no {}", self.pointer));
        compare(
            &format!("{} ({})", self.pointer, T::schema_name()),
            (self.root, doc),
            (derived, derived),
            problems,
        );
    }
}

/// The schema of the request body of `method path` sent as `content` (the path escaped for a
/// JSON pointer).
fn body<'a>(root: &'a Value, method: &str, path: &str, content: &str) -> Documented<'a> {
    let path = path.replace('~', "~0").replace('/', "~1");
    let content = content.replace('/', "~1");
    Documented {
        root,
        pointer: format!("/paths/{path}/{method}/requestBody/content/{content}/schema"),
    }
}

fn component<'a>(root: &'a Value, name: &str) -> Documented<'a> {
    Documented {
        root,
        pointer: format!("/components/schemas/{name}"),
    }
}

#[test]
fn every_documented_request_body_is_the_type_its_handler_reads() {
    use crate::domain::annex_iii::AnswerDraft;
    use crate::domain::profile::{AgencyProfileDraft, CourtProfileDraft};
    use crate::domain::request::RequestDraft;
    use crate::services::fulfilment::SeizureTransferDraft;
    use crate::services::workflow::TransitionRequest;

    let root: Value = serde_json::from_str(OPENAPI).expect("the OpenAPI document is JSON");
    let json = |method, path| body(&root, method, path, "application/json");
    let mut problems = Vec::new();
    let p = &mut problems;
    json("post", "/auth/email").check::<super::auth::EmailRequest>(p);
    json("post", "/auth/verify").check::<super::auth::VerifyRequest>(p);
    json("post", "/auth/second-factor/totp/confirm").check::<super::auth::TotpRequest>(p);
    json("post", "/auth/second-factor/verify").check::<super::auth::StepUpRequest>(p);
    json("post", "/auth/passkey/options").check::<super::auth::ChallengeRequest>(p);
    json("post", "/auth/second-factor/passkey/confirm").check::<super::auth::PasskeyRequest>(p);
    component(&root, "AgencyProfile").check::<AgencyProfileDraft>(p);
    component(&root, "CourtProfile").check::<CourtProfileDraft>(p);
    component(&root, "NewRequest").check::<RequestDraft>(p);
    json("post", "/requests/{reference}/colleagues").check::<super::requests::Colleague>(p);
    json("post", "/requests/{reference}/production-request")
        .check::<super::requests::ProductionRequest>(p);
    json("post", "/staff/login").check::<super::staff::Login>(p);
    json("put", "/staff/me/custodian").check::<super::staff::CustodianBody>(p);
    json("post", "/staff/cases/{reference}/transition").check::<TransitionRequest>(p);
    json("post", "/staff/cases/{reference}/assign").check::<super::staff::Assign>(p);
    json("post", "/staff/cases/{reference}/notes").check::<super::staff::Note>(p);
    json("post", "/staff/cases/{reference}/messages").check::<super::staff::Note>(p);
    json("post", "/staff/cases/{reference}/callbacks").check::<super::staff::Callback>(p);
    json("post", "/staff/cases/{reference}/user-notice").check::<super::staff::UserNotice>(p);
    json("post", "/staff/cases/{reference}/freeze/release").check::<super::staff::Release>(p);
    json("post", "/staff/cases/{reference}/seizure-transfers").check::<SeizureTransferDraft>(p);
    json("post", "/staff/cases/{reference}/enforcing-objection")
        .check::<super::staff::Objection>(p);
    json("post", "/staff/cases/{reference}/non-execution").check::<AnswerDraft>(p);
    assert!(
        problems.is_empty(),
        "the document and the request types differ:\n{}",
        problems.join("\n")
    );
}

#[test]
fn a_field_the_document_leaves_out_is_found() {
    #[derive(JsonSchema)]
    #[allow(dead_code)]
    struct Widened {
        to: String,
        reason: Option<String>,
        urgency: u8,
        parts: Option<Parts>,
    }
    #[derive(JsonSchema)]
    #[allow(dead_code)]
    struct Parts {
        kind: Option<String>,
    }
    let root: Value = serde_json::json!({
        "paths": { "/x": { "post": { "requestBody": { "content": {
            "application/json": { "schema": { "type": "object", "required": ["to"], "properties": {
                "to": { "type": "string" }, "reason": { "type": "string" }, "note": { "type": "string" },
                "parts": { "anyOf": [{ "$ref": "#/components/schemas/Parts" }, { "type": "null" }] }
            } } }
        } } } } },
        "components": { "schemas": { "Parts": { "type": "object", "properties": {
            "kind": { "type": "string" }, "colour": { "type": "string" }
        } } } }
    });
    let mut problems = Vec::new();
    body(&root, "post", "/x", "application/json").check::<Widened>(&mut problems);
    problems.sort();
    assert_eq!(
        problems,
        [
            "/paths/~1x/post/requestBody/content/application~1json/schema (Widened).parts: the document offers `colour`, which the API never reads",
            "/paths/~1x/post/requestBody/content/application~1json/schema (Widened): `urgency` must be sent, but the document calls it optional",
            "/paths/~1x/post/requestBody/content/application~1json/schema (Widened): the API reads `urgency`, which the document leaves out",
            "/paths/~1x/post/requestBody/content/application~1json/schema (Widened): the document offers `note`, which the API never reads",
        ]
    );
}
