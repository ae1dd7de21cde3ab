//! What the API answers a read with: types of its own, built from the services' views, so that a
//! field a page's view gains for its template does not silently join the API, and each field the
//! API sends is one the OpenAPI document describes (`schemas` compares the two).
//!
//! The pieces that other operations also answer with on their own (a bundle, a production, a
//! preservation, a seizure transfer, an Annex III answer) are the services' types, checked the
//! same way wherever they appear.

use serde::Serialize;
use serde_json::Value;

use crate::domain::authority::Check;
use crate::services::annex_iii::{AnswerView, ReasonView};
use crate::services::bundles::{BundleView, ProductionView};
use crate::services::cases::{
    AuthorityView, CaseDetails, CaseSummary, CaseView, DocumentView, MessageView,
};
use crate::services::fulfilment::{FreezeRecord, PreservationView, SeizureTransferView};
use crate::services::staff_cases::{Queue, QueueRow, StaffCaseView, TimelineEntry};

/// A case in a list: the request in a line.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(super) struct Summary {
    reference: String,
    #[serde(rename = "type")]
    request_type: &'static str,
    type_label: &'static str,
    state: &'static str,
    state_label: &'static str,
    instrument: &'static str,
    instrument_reference: String,
    due_at: String,
    created_at: String,
    authority_established: bool,
}

impl From<CaseSummary> for Summary {
    fn from(s: CaseSummary) -> Summary {
        Summary {
            reference: s.reference,
            request_type: s.request_type,
            type_label: s.type_label,
            state: s.state,
            state_label: s.state_label,
            instrument: s.instrument,
            instrument_reference: s.instrument_reference,
            due_at: s.due_at,
            created_at: s.created_at,
            authority_established: s.authority_established,
        }
    }
}

/// `GET /requests`: a requester's cases, newest first.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(super) struct Requests {
    requests: Vec<Summary>,
}

impl From<Vec<CaseSummary>> for Requests {
    fn from(cases: Vec<CaseSummary>) -> Requests {
        Requests {
            requests: cases.into_iter().map(Summary::from).collect(),
        }
    }
}

/// The request as filed, which requesters and staff both read.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(super) struct Filed {
    #[serde(flatten)]
    summary: Summary,
    track: &'static str,
    instrument_label: &'static str,
    issuing_authority: String,
    issued_on: Option<String>,
    expires_on: Option<String>,
    validated_by: Option<String>,
    targets: Vec<Value>,
    data_categories: Vec<String>,
    data_category_labels: Vec<&'static str>,
    records_from: Option<String>,
    records_to: Option<String>,
    ndo: Value,
    requested_deadline: Option<String>,
    summary_text: String,
    emergency: Option<Value>,
    freeze: Option<Value>,
    court: Option<Value>,
    legal_entity: Option<Value>,
    enforcing: Option<Value>,
}

impl From<CaseDetails> for Filed {
    fn from(d: CaseDetails) -> Filed {
        Filed {
            summary: d.summary.into(),
            track: d.track,
            instrument_label: d.instrument_label,
            issuing_authority: d.issuing_authority,
            issued_on: d.issued_on,
            expires_on: d.expires_on,
            validated_by: d.validated_by,
            targets: d.targets,
            data_categories: d.data_categories,
            data_category_labels: d.data_category_labels,
            records_from: d.records_from,
            records_to: d.records_to,
            ndo: d.ndo,
            requested_deadline: d.requested_deadline,
            summary_text: d.summary_text,
            emergency: d.emergency,
            freeze: d.freeze,
            court: d.court,
            legal_entity: d.legal_entity,
            enforcing: d.enforcing,
        }
    }
}

#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(super) struct Document {
    id: String,
    name: String,
    media_type: String,
    size: i64,
    sha256: String,
    uploaded_at: String,
    role: String,
    role_label: &'static str,
}

impl From<DocumentView> for Document {
    fn from(d: DocumentView) -> Document {
        Document {
            id: d.id,
            name: d.name,
            media_type: d.media_type,
            size: d.size,
            sha256: d.sha256,
            uploaded_at: d.uploaded_at,
            role: d.role,
            role_label: d.role_label,
        }
    }
}

#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(super) struct Message {
    author: String,
    body: String,
    at: String,
}

impl From<MessageView> for Message {
    fn from(m: MessageView) -> Message {
        Message {
            author: m.author,
            body: m.body,
            at: m.at,
        }
    }
}

/// The authority checks as the requester reads them (the staff-only ones left out).
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(super) struct Authority {
    established: bool,
    checks: Vec<Check>,
}

impl From<AuthorityView> for Authority {
    fn from(a: AuthorityView) -> Authority {
        Authority {
            established: a.established,
            checks: a.checks,
        }
    }
}

fn all<T, U: From<T>>(items: Vec<T>) -> Vec<U> {
    items.into_iter().map(U::from).collect()
}

/// `GET /requests/{reference}`: a requester's case.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(super) struct Case {
    #[serde(flatten)]
    filed: Filed,
    authority: Authority,
    documents: Vec<Document>,
    messages: Vec<Message>,
    bundles: Vec<BundleView>,
    preservation: Option<PreservationView>,
    seizure_transfers: Vec<SeizureTransferView>,
    non_execution: Vec<AnswerView>,
    freeze_released_at: Option<String>,
    colleagues: Vec<String>,
    owner: bool,
}

impl From<CaseView> for Case {
    fn from(c: CaseView) -> Case {
        Case {
            filed: c.details.into(),
            authority: c.authority.into(),
            documents: all(c.documents),
            messages: all(c.messages),
            bundles: c.bundles,
            preservation: c.preservation,
            seizure_transfers: c.seizure_transfers,
            non_execution: c.non_execution,
            freeze_released_at: c.freeze_released_at,
            colleagues: c.colleagues,
            owner: c.owner,
        }
    }
}

/// A case in the legal team's queue.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(super) struct QueuedCase {
    #[serde(flatten)]
    summary: Summary,
    track: &'static str,
    emergency: bool,
    overdue: bool,
    at_risk: bool,
    flagged: Option<String>,
    requester: Option<String>,
    requester_email: Option<String>,
    agency: Option<String>,
    country: Option<String>,
    assignee: Option<String>,
}

impl From<QueueRow> for QueuedCase {
    fn from(r: QueueRow) -> QueuedCase {
        QueuedCase {
            summary: r.summary.into(),
            track: r.track,
            emergency: r.emergency,
            overdue: r.overdue,
            at_risk: r.at_risk,
            flagged: r.flagged,
            requester: r.requester,
            requester_email: r.requester_email,
            agency: r.agency,
            country: r.country,
            assignee: r.assignee,
        }
    }
}

/// `GET /staff/cases`: a page of the queue.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(super) struct Cases {
    cases: Vec<QueuedCase>,
    page: i64,
    more: bool,
}

impl From<Queue> for Cases {
    fn from(q: Queue) -> Cases {
        Cases {
            cases: all(q.cases),
            page: q.page,
            more: q.more,
        }
    }
}

/// A step of the case's audit trail.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(super) struct Step {
    seq: i64,
    at: String,
    actor: String,
    action: String,
    details: Value,
    hash: String,
}

impl From<TimelineEntry> for Step {
    fn from(e: TimelineEntry) -> Step {
        Step {
            seq: e.seq,
            at: e.at,
            actor: e.actor,
            action: e.action,
            details: e.details,
            hash: e.hash,
        }
    }
}

/// `GET /staff/cases/{reference}`: the whole case as the legal team works it.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(super) struct StaffCase {
    #[serde(flatten)]
    filed: Filed,
    requester: Value,
    agency_domain: Option<String>,
    authority: Value,
    documents: Vec<Document>,
    messages: Vec<Message>,
    timeline: Vec<Step>,
    notes: Vec<Value>,
    approvals: Vec<Value>,
    open: bool,
    overdue: bool,
    due_soon: bool,
    assigned_to: Option<String>,
    decision: Option<Value>,
    actions: Vec<Value>,
    reviewers: Vec<Value>,
    preservation: Option<PreservationView>,
    frozen_accounts: Option<Vec<String>>,
    freeze_record: Option<FreezeRecord>,
    seizure_transfers: Vec<SeizureTransferView>,
    non_execution: Vec<AnswerView>,
    non_execution_reasons: Vec<ReasonView>,
    productions: Vec<ProductionView>,
    bundles: Vec<BundleView>,
    identity: Value,
    user_notice: Value,
}

impl From<StaffCaseView> for StaffCase {
    fn from(c: StaffCaseView) -> StaffCase {
        StaffCase {
            filed: c.details.into(),
            requester: c.requester,
            agency_domain: c.agency_domain,
            authority: c.authority,
            documents: all(c.documents),
            messages: all(c.messages),
            timeline: all(c.timeline),
            notes: c.notes,
            approvals: c.approvals,
            open: c.open,
            overdue: c.overdue,
            due_soon: c.due_soon,
            assigned_to: c.assigned_to,
            decision: c.decision,
            actions: c.actions,
            reviewers: c.reviewers,
            preservation: c.preservation,
            frozen_accounts: c.frozen_accounts,
            freeze_record: c.freeze_record,
            seizure_transfers: c.seizure_transfers,
            non_execution: c.non_execution,
            non_execution_reasons: c.non_execution_reasons,
            productions: c.productions,
            bundles: c.bundles,
            identity: c.identity,
            user_notice: c.user_notice,
        }
    }
}
