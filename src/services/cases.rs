//! What a requester may read of their own cases.

use serde::Serialize;
use serde_json::Value;

use crate::db::json::{read_optional, Corrupt};
use crate::db::models::case::{Case, Message, TargetRow};
use crate::db::models::document::Document;
use crate::db::models::requester::Requester;
use crate::db::Db;
use crate::domain::authority::Check;
use crate::domain::clock::rfc3339;
use crate::domain::reference::CaseReference;
use crate::domain::vocab::{DataCategory, DocumentRole};
use crate::error::AppError;

#[derive(Debug, Serialize)]
pub struct CaseSummary {
    pub reference: String,
    #[serde(rename = "type")]
    pub request_type: &'static str,
    pub type_label: &'static str,
    pub state: &'static str,
    pub state_label: &'static str,
    pub instrument: &'static str,
    pub instrument_reference: String,
    pub due_at: String,
    pub created_at: String,
    pub authority_established: bool,
}

impl From<&Case> for CaseSummary {
    fn from(case: &Case) -> CaseSummary {
        CaseSummary {
            reference: case.reference.clone(),
            request_type: case.request_type.as_str(),
            type_label: case.request_type.label(),
            state: case.state.as_str(),
            state_label: case.state.label(),
            instrument: case.instrument_kind.as_str(),
            instrument_reference: case.instrument_reference.clone(),
            due_at: rfc3339(case.due_at),
            created_at: rfc3339(case.created_at),
            authority_established: case.authority_established,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct AuthorityView {
    pub established: bool,
    pub checks: Vec<Check>,
}

#[derive(Debug, Serialize)]
pub struct DocumentView {
    pub id: String,
    pub name: String,
    pub media_type: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_at: String,
    /// `process` or `ndo_order`, and how a person reads it.
    pub role: String,
    pub role_label: &'static str,
}

impl From<Document> for DocumentView {
    fn from(d: Document) -> DocumentView {
        DocumentView {
            id: d.id,
            name: d.filename,
            media_type: d.media_type,
            size: d.size_bytes,
            sha256: d.sha256,
            uploaded_at: rfc3339(d.uploaded_at),
            role_label: DocumentRole::parse(&d.role)
                .unwrap_or(DocumentRole::Process)
                .label(),
            role: d.role,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct MessageView {
    pub author: String,
    pub body: String,
    pub at: String,
}

/// What requesters and staff both read of a case: the request as filed.
#[derive(Debug, Serialize)]
pub struct CaseDetails {
    #[serde(flatten)]
    pub summary: CaseSummary,
    pub track: &'static str,
    pub instrument_label: &'static str,
    pub issuing_authority: String,
    pub issued_on: Option<String>,
    pub expires_on: Option<String>,
    /// The judge or court that issued or validated an EPOC (Regulation 2023/1543 Art. 4(2)).
    pub validated_by: Option<String>,
    pub targets: Vec<Value>,
    pub data_categories: Vec<String>,
    pub data_category_labels: Vec<&'static str>,
    pub records_from: Option<String>,
    pub records_to: Option<String>,
    pub ndo: Value,
    pub requested_deadline: Option<String>,
    pub summary_text: String,
    pub emergency: Option<Value>,
    pub freeze: Option<Value>,
    /// Court track: the court that made the order.
    pub court: Option<Value>,
    /// The platform's legal entity the request is addressed to: `{id, name}`.
    pub legal_entity: Option<Value>,
    /// An EPOC notified to the enforcing authority (Regulation 2023/1543, Art. 8): `{until,
    /// held, objection}`; `held` while production waits for the window to end.
    pub enforcing: Option<Value>,
}

impl CaseDetails {
    pub fn new(case: &Case, targets: &[TargetRow]) -> Result<CaseDetails, Corrupt> {
        let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string());
        let parse = |text: &Option<String>| read_optional::<Value>(text.as_deref());
        Ok(        CaseDetails {
            summary: CaseSummary::from(case),
            track: case.track.as_str(),
            instrument_label: case.instrument_kind.label(),
            issuing_authority: case.issuing_authority.clone(),
            issued_on: date(case.issued_on),
            expires_on: date(case.expires_on),
            validated_by: case.validated_by.clone(),
            targets: targets.iter().map(|t| serde_json::json!({ "kind": t.kind, "value": t.value, "chain": t.chain, "role": t.role })).collect(),
            data_categories: case.data_categories.get()?.clone(),
            data_category_labels: case.data_categories.get()?.iter().filter_map(|n| DataCategory::parse(n)).map(DataCategory::label).collect(),
            records_from: date(case.records_from),
            records_to: date(case.records_to),
            ndo: serde_json::json!({ "present": case.ndo_present, "until": date(case.ndo_until) }),
            requested_deadline: date(case.requested_deadline),
            summary_text: case.summary.clone(),
            emergency: parse(&case.emergency_details)?,
            freeze: parse(&case.freeze_details)?,
            court: parse(&case.court_details)?,
            enforcing: case.enforcing_notified.then(|| {
                serde_json::json!({
                    "until": case.objection_until.map(rfc3339),
                    "held": case.held_until(crate::domain::clock::now()).is_some(),
                    "objection": case.enforcing_objection,
                })
            }),
            legal_entity: case.legal_entity.as_ref().map(|id| {
                serde_json::json!({ "id": id, "name": case.legal_entity_name.as_deref().unwrap_or(id) })
            }),
        })
    }
}

#[derive(Debug, Serialize)]
pub struct CaseView {
    #[serde(flatten)]
    pub details: CaseDetails,
    pub authority: AuthorityView,
    pub documents: Vec<DocumentView>,
    pub messages: Vec<MessageView>,
    pub bundles: Vec<super::bundles::BundleView>,
    pub preservation: Option<super::fulfilment::PreservationView>,
    /// Seizure warrants: the assets moved to the government, with their transactions.
    pub seizure_transfers: Vec<super::fulfilment::SeizureTransferView>,
    /// An EPOC or EPOC-PR the legal team cannot execute: its answers (Annex III).
    pub non_execution: Vec<super::annex_iii::AnswerView>,
    /// Freezes: when the freeze was lifted, once it is.
    pub freeze_released_at: Option<String>,
    /// Officers of the same agency who follow the case.
    pub colleagues: Vec<String>,
    /// Whether the viewer filed it (a colleague only reads it).
    pub owner: bool,
}

/// A requester's cases: their own, and those they follow as a colleague.
pub async fn list(db: &Db, requester: &Requester, page: i64) -> Result<Vec<CaseSummary>, AppError> {
    let (id, track, email) = (
        requester.id.clone(),
        requester.track,
        requester.email.clone(),
    );
    let cases = db
        .run(move |conn| {
            Ok(Case::list_for_requester(
                conn,
                &id,
                track,
                &email,
                50,
                page.max(0).saturating_mul(50),
            )?)
        })
        .await?;
    Ok(cases.iter().map(CaseSummary::from).collect())
}

/// A requester's own case, or one they follow as a colleague; another requester's case is
/// "not found", never "forbidden", so that references cannot be probed.
pub async fn find_own(
    db: &Db,
    requester: &Requester,
    reference: &CaseReference,
) -> Result<CaseView, AppError> {
    let (id, track, email, reference) = (
        requester.id.clone(),
        requester.track,
        requester.email.clone(),
        reference.to_owned(),
    );
    db.run(move |conn| {
        let case = Case::find_visible(conn, &id, track, &email, &reference)?;
        let colleagues = super::colleagues::of_case(conn, &case.id)?;
        let owner = case.requester_id == id;
        let targets = TargetRow::for_case(conn, &case.id)?;
        let documents = Document::for_case(conn, &case.id)?;
        let messages = Message::for_case(conn, &case.id)?;
        let preservation = super::fulfilment::preservation_of(conn, &case.id)?;
        let bundles = super::bundles::of_case(conn, &case)?;
        let transfers = super::fulfilment::seizure_transfers_of(conn, &case.id)?;
        let non_execution = super::annex_iii::of_case(conn, &case)?;
        let released =
            super::fulfilment::freeze_record_of(conn, &case.id)?.and_then(|f| f.released_at);
        let mut view = view(case, targets, documents, messages, preservation, bundles)?;
        view.seizure_transfers = transfers;
        view.non_execution = non_execution;
        view.freeze_released_at = released;
        view.colleagues = colleagues;
        view.owner = owner;
        Ok(view)
    })
    .await
}

fn view(
    case: Case,
    targets: Vec<TargetRow>,
    documents: Vec<Document>,
    messages: Vec<Message>,
    preservation: Option<super::fulfilment::PreservationView>,
    bundles: Vec<super::bundles::BundleView>,
) -> Result<CaseView, Corrupt> {
    Ok(CaseView {
        details: CaseDetails::new(&case, &targets)?,
        authority: AuthorityView {
            established: case.authority_established,
            // Internal checks (directory matches, other cases) are for staff only.
            checks: case
                .authority_checks
                .get()?
                .iter()
                .filter(|c| !c.internal)
                .cloned()
                .collect(),
        },
        documents: documents.into_iter().map(DocumentView::from).collect(),
        messages: messages
            .into_iter()
            .map(|m| MessageView {
                author: m.author,
                body: m.body,
                at: rfc3339(m.created_at),
            })
            .collect(),
        bundles,
        preservation,
        seizure_transfers: Vec::new(),
        non_execution: Vec::new(),
        freeze_released_at: None,
        colleagues: Vec::new(),
        owner: true,
    })
}
