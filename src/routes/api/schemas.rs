//! The OpenAPI document against the types the API reads and answers with: each type's schema is
//! derived (`schemars`, for the tests only) and compared field by field with the document.
//!
//! A request body fails when a field the handler reads is left out of the document, a documented
//! field is read by no handler (sent in vain, and silently dropped), or a field the type needs is
//! called optional. An answer fails when the API sends a field the document leaves out, the
//! document promises a field the API never sends, or calls one always sent that the API may leave
//! out.

use schemars::generate::SchemaSettings;
use schemars::JsonSchema;
use serde_json::Value;

use super::OPENAPI;

/// Which way a body goes, and so which differences matter and how they read.
#[derive(Clone, Copy)]
enum Side {
    /// A request body: the API reads it.
    Read,
    /// An answer: the API sends it.
    Sent,
}

/// What the document says of a body, found by its path in the document.
struct Documented<'a> {
    root: &'a Value,
    pointer: String,
}

/// The schema at `node`, with `$ref`s followed, an `Option`'s null branch set aside and the
/// parts of an `allOf` merged into one object.
fn resolve(root: &Value, node: &Value) -> Value {
    let mut node = node;
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
        break;
    }
    let mut merged = node.clone();
    if let Some(parts) = node.get("allOf").and_then(Value::as_array) {
        for part in parts.iter().map(|part| resolve(root, part)) {
            for key in ["properties", "required"] {
                match (merged.get_mut(key), part.get(key)) {
                    (_, None) => {}
                    (None, Some(from)) => {
                        merged[key] = from.clone();
                    }
                    (Some(Value::Object(into)), Some(Value::Object(from))) => {
                        for (name, schema) in from {
                            into.entry(name.clone()).or_insert_with(|| schema.clone());
                        }
                    }
                    (Some(Value::Array(into)), Some(Value::Array(from))) => {
                        into.extend(from.iter().cloned());
                    }
                    (Some(_), Some(_)) => panic!("`{key}` of two shapes in one allOf"),
                }
            }
        }
    }
    merged
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
    names.dedup();
    names
}

/// Walks the type's schema and the document's side by side, noting each difference at `at`.
fn compare(
    side: Side,
    at: &str,
    (doc_root, doc): (&Value, &Value),
    (ty_root, ty): (&Value, &Value),
    problems: &mut Vec<String>,
) {
    let (doc, ty) = (resolve(doc_root, doc), resolve(ty_root, ty));
    if ty.get("properties").is_some() {
        let (documented, typed) = (names(&doc, "properties"), names(&ty, "properties"));
        let (documented_required, typed_required) =
            (names(&doc, "required"), names(&ty, "required"));
        for field in typed.iter().filter(|f| !documented.contains(f)) {
            problems.push(match side {
                Side::Read => {
                    format!("{at}: the API reads `{field}`, which the document leaves out")
                }
                Side::Sent => {
                    format!("{at}: the API sends `{field}`, which the document leaves out")
                }
            });
        }
        for field in documented.iter().filter(|f| !typed.contains(f)) {
            problems.push(match side {
                Side::Read => {
                    format!("{at}: the document offers `{field}`, which the API never reads")
                }
                Side::Sent => {
                    format!("{at}: the document promises `{field}`, which the API never sends")
                }
            });
        }
        match side {
            Side::Read => {
                for field in typed_required
                    .iter()
                    .filter(|f| !documented_required.contains(f))
                {
                    problems.push(format!(
                        "{at}: `{field}` must be sent, but the document calls it optional"
                    ));
                }
            }
            Side::Sent => {
                let sometimes = documented_required
                    .iter()
                    .filter(|f| typed.contains(f) && !typed_required.contains(f));
                for field in sometimes {
                    problems.push(format!(
                        "{at}: the document says `{field}` is always sent, but the API may leave it out"
                    ));
                }
            }
        }
        for field in typed.iter().filter(|f| documented.contains(f)) {
            compare(
                side,
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
                side,
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
    /// Compares a request body with `T`, the type its handler reads it into.
    fn check<T: JsonSchema>(&self, problems: &mut Vec<String>) {
        self.compare::<T>(Side::Read, problems);
    }

    /// Compares an answer with `T`, the type its handler sends.
    fn sends<T: JsonSchema>(&self, problems: &mut Vec<String>) {
        self.compare::<T>(Side::Sent, problems);
    }

    fn compare<T: JsonSchema>(&self, side: Side, problems: &mut Vec<String>) {
        let settings = match side {
            Side::Read => SchemaSettings::default(),
            Side::Sent => SchemaSettings::default().for_serialize(),
        };
        let derived = settings.into_generator().into_root_schema_for::<T>();
        let derived = derived.as_value();
        let doc = self
            .root
            .pointer(&self.pointer)
            .unwrap_or_else(|| panic!("the document has no {}", self.pointer));
        compare(
            side,
            &format!("{} ({})", self.pointer, T::schema_name()),
            (self.root, doc),
            (derived, derived),
            problems,
        );
    }
}

/// The path `method path` as a JSON pointer's steps (`/` and `~` escaped).
fn operation(method: &str, path: &str) -> String {
    let path = path.replace('~', "~0").replace('/', "~1");
    format!("/paths/{path}/{method}")
}

/// The schema of the request body of `method path` sent as `content`.
fn body<'a>(root: &'a Value, method: &str, path: &str, content: &str) -> Documented<'a> {
    let content = content.replace('/', "~1");
    Documented {
        root,
        pointer: format!(
            "{}/requestBody/content/{content}/schema",
            operation(method, path)
        ),
    }
}

/// The schema of the JSON answer of `method path` with `status`.
fn answer<'a>(root: &'a Value, method: &str, path: &str, status: u16) -> Documented<'a> {
    Documented {
        root,
        pointer: format!(
            "{}/responses/{status}/content/application~1json/schema",
            operation(method, path)
        ),
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
fn every_documented_answer_is_the_type_its_handler_sends() {
    use crate::domain::authority::Check;
    use crate::services::annex_iii::{AnswerView, ReasonView};
    use crate::services::bundles::{BundleView, ProductionView};
    use crate::services::fulfilment::{PreservationView, SeizureTransferView};

    let root: Value = serde_json::from_str(OPENAPI).expect("the OpenAPI document is JSON");
    let mut problems = Vec::new();
    let p = &mut problems;
    answer(&root, "get", "/requests", 200).sends::<super::views::Requests>(p);
    answer(&root, "get", "/requests/{reference}", 200).sends::<super::views::Case>(p);
    answer(&root, "get", "/staff/cases", 200).sends::<super::views::Cases>(p);
    answer(&root, "get", "/staff/cases/{reference}", 200).sends::<super::views::StaffCase>(p);
    component(&root, "Bundle").sends::<BundleView>(p);
    component(&root, "Production").sends::<ProductionView>(p);
    component(&root, "Preservation").sends::<PreservationView>(p);
    component(&root, "SeizureTransfer").sends::<SeizureTransferView>(p);
    component(&root, "AnnexIIIAnswer").sends::<AnswerView>(p);
    component(&root, "AnnexIIIReason").sends::<ReasonView>(p);
    component(&root, "Check").sends::<Check>(p);
    assert!(
        problems.is_empty(),
        "the document and the answer types differ:\n{}",
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

#[test]
fn an_answer_the_document_describes_wrongly_is_found() {
    #[derive(serde::Serialize, JsonSchema)]
    struct Answer {
        reference: String,
        state: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        note: Option<String>,
        #[serde(flatten)]
        extra: Extra,
    }
    #[derive(serde::Serialize, JsonSchema)]
    struct Extra {
        owner: bool,
    }
    let root: Value = serde_json::json!({
        "paths": { "/x": { "get": { "responses": { "200": { "content": {
            "application/json": { "schema": {
                "allOf": [{ "$ref": "#/components/schemas/Base" }],
                "type": "object", "required": ["state", "note"], "properties": {
                    "state": { "type": ["string", "null"] }, "note": { "type": "string" }
                }
            } }
        } } } } } },
        "components": { "schemas": { "Base": { "type": "object", "required": ["reference"],
            "properties": { "reference": { "type": "string" }, "colour": { "type": "string" } } } } }
    });
    let mut problems = Vec::new();
    answer(&root, "get", "/x", 200).sends::<Answer>(&mut problems);
    problems.sort();
    assert_eq!(
        problems,
        [
            "/paths/~1x/get/responses/200/content/application~1json/schema (Answer): the API sends `owner`, which the document leaves out",
            "/paths/~1x/get/responses/200/content/application~1json/schema (Answer): the document promises `colour`, which the API never sends",
            "/paths/~1x/get/responses/200/content/application~1json/schema (Answer): the document says `note` is always sent, but the API may leave it out",
        ]
    );
}
