//! Filing a request: validate, check authority, then store the case, its targets and documents,
//! the audit event and the receipt e-mail in one transaction. A refused request stores nothing.

use chrono::Datelike;
use diesel::prelude::*;
use serde_json::json;

use super::authority::{assess, Filer};
use super::limits::{self, Limit, SUBMIT_PER_REQUESTER};
use super::signals;
use crate::app::App;
use crate::audit::{self, Actor};
use crate::db::ids::CaseId;
use crate::db::models::case::{Case, NewCase, TargetRow};
use crate::db::models::document::Document;
use crate::db::models::requester::Requester;
use crate::db::models::staff::Staff;
use crate::db::models::{counter, new_id};
use crate::db::schema::court_filings;
use crate::documents::StagedDocument;
use crate::domain::authority::Authority;
use crate::domain::email::EmailAddress;
use crate::domain::identity::{self, Factor, Officer};
use crate::domain::policy::Policy;
use crate::domain::reference::CaseReference;
use crate::domain::request::{RequestDraft, ValidRequest};
use crate::domain::vocab::{CaseState, RequestType, Role, Track};
use crate::domain::{clock, deadline};
use crate::error::AppError;
use crate::links::Links;
use crate::mail::{Letter, Mailer};

pub struct Submitted {
    pub case: Case,
    pub authority: Authority,
}

/// Checks the request; `Err` holds the 422 with every field that needs attention.
pub fn check(
    track: Track,
    draft: &RequestDraft,
    documents: &[StagedDocument],
) -> Result<ValidRequest, AppError> {
    let validated = draft.validate(track, clock::now().date());
    let kind = RequestType::parse(draft.request_type.trim());
    let missing_document =
        documents.is_empty() && kind.is_some_and(RequestType::needs_legal_process);
    match validated {
        Ok(request) if !missing_document => Ok(request),
        result => {
            let mut errors = result.err().unwrap_or_default();
            if let Some(kind) = kind.filter(|_| missing_document) {
                errors.add("documents", missing_document_message(kind));
            }
            Err(AppError::invalid_fields(errors))
        }
    }
}

fn missing_document_message(kind: RequestType) -> &'static str {
    match kind {
        RequestType::Freeze => {
            "Attach the freezing order, seizure warrant or court order (PDF, PNG or JPEG)."
        }
        _ => "Attach the legal process itself (PDF, PNG or JPEG).",
    }
}

/// A refused request, with its documents handed back (the caller may keep them for a retry).
pub struct Refused {
    pub error: AppError,
    pub documents: Vec<StagedDocument>,
}

/// A request that passed validation and has been checked, waiting to be stored.
pub struct Prepared {
    pub request: ValidRequest,
    pub authority: Authority,
    pub documents: Vec<StagedDocument>,
}

/// Validates and checks a request without storing anything. `Err` is a refusal (422, 403,
/// 429); findings of the authority checks are in `Prepared::authority`.
pub async fn prepare(
    app: &App,
    filer: Filer<'_>,
    draft: &RequestDraft,
    documents: Vec<StagedDocument>,
) -> Result<Prepared, Refused> {
    match assess_draft(app, filer, draft, &documents).await {
        Ok((request, authority)) => Ok(Prepared {
            request,
            authority,
            documents,
        }),
        Err(error) => Err(Refused { error, documents }),
    }
}

async fn assess_draft(
    app: &App,
    filer: Filer<'_>,
    draft: &RequestDraft,
    documents: &[StagedDocument],
) -> Result<(ValidRequest, Authority), AppError> {
    let requester = filer.requester;
    if !requester.ready_to_file(filer.court_path()) {
        return Err(
            AppError::forbidden(if requester.has_profile() {
                "Complete your declaration (firm, bar number and bar jurisdiction) before filing as a visitor."
            } else {
                "Complete your profile before filing a request."
            })
            .with_code("profile_required"),
        );
    }
    if let (Track::Agency, Some(kind)) = (
        requester.track,
        RequestType::parse(draft.request_type.trim()),
    ) {
        let officer = Officer {
            standing: requester.standing,
            may_file_emergency: requester.may_file_emergency,
            may_file_freeze: requester.may_file_freeze,
            enrolled: requester.enrolled(),
            session_factor: filer.second_factor,
        };
        identity::may_file(&officer, kind, &app.policy.identity)
            .map_err(|refusal| AppError::forbidden(refusal.message()).with_code(refusal.code()))?;
    }
    let limit = Limit {
        max: app.config.submissions_per_hour,
        ..SUBMIT_PER_REQUESTER
    };
    limits::check(&app.db, limit, &requester.id).await?;
    let request = check(requester.track, draft, documents)?;
    if let Some(named) = &request.entity {
        if app.policy.entity(named).is_none() {
            let known: Vec<String> = app
                .policy
                .entities
                .iter()
                .map(|e| format!("“{}” ({})", e.id, e.name))
                .collect();
            return Err(AppError::invalid(
                "entity",
                format!(
                    "“{named}” is not one of the platform's legal entities: {}.",
                    known.join(", ")
                ),
            ));
        }
    }
    let (who, uid, count) = (
        requester.clone(),
        filer.account_uid.map(str::to_owned),
        super::authority::Papers::count(documents.iter().map(|d| d.role)),
    );
    let checked = request.clone();
    let authority = app
        .run(move |conn, app| {
            let filer = Filer {
                requester: &who,
                account_uid: uid.as_deref(),
                second_factor: None,
            };
            let home = &app.config.home_country;
            assess(conn, &app.policy, home, filer, &checked, count, None)
        })
        .await?;
    Ok((request, authority))
}

/// Files a request: prepare, then store whatever the checks found.
pub async fn submit(
    app: &App,
    filer: Filer<'_>,
    draft: &RequestDraft,
    documents: Vec<StagedDocument>,
) -> Result<Submitted, AppError> {
    let prepared = prepare(app, filer, draft, documents)
        .await
        .map_err(|refused| refused.error)?;
    commit(app, filer, prepared).await
}

/// Stores the case, its targets and documents, the audit event and the receipt, together.
pub async fn commit(
    app: &App,
    filer: Filer<'_>,
    prepared: Prepared,
) -> Result<Submitted, AppError> {
    let requester = filer.requester;
    let account_uid = filer.account_uid.map(str::to_owned);
    let Prepared {
        request,
        authority,
        mut documents,
    } = prepared;
    // In a bucket, the files go there first: the transaction only records them.
    app.store.upload(&mut documents).await?;
    let domain = EmailAddress::parse(&requester.email)
        .map_err(AppError::internal)?
        .domain()
        .to_owned();
    let now = clock::now();
    let due_at = deadline::due_at(&app.policy.deadline, &request, now);
    let requester = requester.clone();
    let outcome_authority = authority.clone();
    let series = CaseReference::series(requester.track, now.year());
    let signer_mfa = filer.second_factor.map_or("none", Factor::as_str);
    let stored_ids: Vec<String> = documents.iter().map(|d| d.id.clone()).collect();
    let result = app
        .write(move |conn, app| {
            let (policy, mailer, links) = (&app.policy, &app.mailer, &app.links);
            let number = counter::next(conn, &series)?;
            let reference = CaseReference::new(requester.track, now.year(), number);
            let hashes: Vec<String> = documents.iter().map(|d| d.sha256.clone()).collect();
            let signals = match requester.track {
                Track::Agency => signals::raised(conn, &policy.signals, &requester, &domain, &request, &hashes, now)?,
                Track::Court => Vec::new(),
            };
            let mut case = new_case(&requester, &request, &reference, &domain, &authority, now, due_at)?;
            let residencies = crate::db::models::directory::residencies(conn, &request.targets)?;
            let (entity, routing) = policy.route(request.entity.as_deref(), &residencies);
            case.objection_until = notification_window(policy, &request, now);
            case.legal_entity = Some(entity.id.clone());
            case.legal_entity_name = Some(entity.name.clone());
            case.signer_mfa = signer_mfa.to_owned();
            case.fraud_signals = serde_json::to_string(&signals).map_err(AppError::internal)?;
            let case_id = case.id.clone();
            case.insert(conn)?;
            if let Some(court) = &request.court {
                diesel::insert_into(court_filings::table)
                    .values((
                        court_filings::case_id.eq(&case_id),
                        court_filings::account_uid.eq(&account_uid),
                        court_filings::case_key.eq(court.case_key()),
                    ))
                    .execute(conn)?;
            }
            TargetRow::insert_all(conn, &target_rows(&case_id, &request))?;
            let mut rows = Vec::with_capacity(documents.len());
            for staged in &documents {
                app.store.persist(staged)?;
                rows.push(staged.row(&case_id, &format!("requester:{}", requester.id), now));
            }
            Document::insert_all(conn, &rows)?;
            audit::record(
                conn,
                &Actor::Requester(requester.id.clone()),
                Some(&case_id),
                "request.submitted",
                json!({
                    "reference": reference.as_str(),
                    "type": request.request_type,
                    "instrument": request.instrument.kind,
                    "documents": rows.iter().map(|d| json!({"id": d.id, "sha256": d.sha256, "size": d.size_bytes})).collect::<Vec<_>>(),
                    "authority_established": authority.established,
                    "account": account_uid,
                    "second_factor": signer_mfa,
                    "signals": signals.iter().map(|c| c.code.as_str()).collect::<Vec<_>>(),
                    "legal_entity": { "id": entity.id, "routed": routing.describe() },
                }),
            )?;
            if request.request_type == RequestType::EmergencyDisclosure {
                let oncall = app.config.oncall_email.trim();
                alert_oncall(conn, mailer, oncall, links, &reference, due_at)?;
            }
            let stored = Case::find_by_reference(conn, &reference)?;
            mailer.queue(
                conn,
                Letter {
                    template: "receipt",
                    to: &requester.email,
                    context: &json!({
                        "reference": reference.as_str(),
                        "request_type": request.request_type.label(),
                        "due_at": clock::rfc3339(stored.due_at),
                        "link": links.requester_case(&reference),
                    }),
                },
            )?;
            Ok(stored)
        })
        .await;
    match result {
        Ok(case) => Ok(Submitted {
            case,
            authority: outcome_authority,
        }),
        Err(e) => {
            // The transaction rolled back; files it had moved into place go too.
            app.store.discard_stored(&stored_ids).await;
            Err(e)
        }
    }
}
/// The end of the enforcing authority's window to object, for a notified EPOC (Regulation
/// 2023/1543, Art. 10(2) and (4)): the hold in ordinary cases, 96 hours in an emergency.
fn notification_window(
    policy: &Policy,
    request: &ValidRequest,
    now: chrono::NaiveDateTime,
) -> Option<chrono::NaiveDateTime> {
    let rule = policy.notification.get(&request.instrument.kind)?;
    if !request.instrument.enforcing_notified {
        return None;
    }
    let hours = if request.request_type == RequestType::EmergencyDisclosure {
        rule.emergency_objection_hours
    } else {
        rule.hold_hours
    };
    Some(now + chrono::TimeDelta::hours(i64::from(hours)))
}

fn new_case(
    requester: &Requester,
    request: &ValidRequest,
    reference: &CaseReference,
    domain: &str,
    authority: &Authority,
    now: chrono::NaiveDateTime,
    due_at: chrono::NaiveDateTime,
) -> Result<NewCase, AppError> {
    let json = |value: serde_json::Value| value.to_string();
    Ok(NewCase {
        id: CaseId::generate(),
        reference: reference.as_str().to_owned(),
        track: requester.track,
        request_type: request.request_type,
        state: match requester.track {
            Track::Agency => CaseState::LegalQueue,
            Track::Court => CaseState::Triage,
        },
        requester_id: requester.id.clone(),
        instrument_kind: request.instrument.kind,
        instrument_reference: request.instrument.reference.clone(),
        issuing_authority: request.instrument.issuing_authority.clone(),
        issued_on: request.instrument.issued_on,
        expires_on: request.instrument.expires_on,
        validated_by: request.instrument.validated_by.clone(),
        legal_entity: None,
        legal_entity_name: None,
        enforcing_notified: request.instrument.enforcing_notified,
        objection_until: None,
        data_categories: json(json!(request.data_categories)),
        records_from: request.records_from,
        records_to: request.records_to,
        ndo_present: request.ndo.present,
        ndo_until: request.ndo.until,
        requested_deadline: request.deadline,
        summary: request.summary.clone(),
        emergency_details: request.emergency.as_ref().map(|e| json(json!(e))),
        freeze_details: request.freeze.as_ref().map(|f| json(json!(f))),
        court_details: request.court.as_ref().map(|c| json(json!(c))),
        agency_domain: (requester.track == Track::Agency).then(|| domain.to_owned()),
        authority_established: authority.established,
        authority_checks: serde_json::to_string(&authority.checks).map_err(AppError::internal)?,
        due_at,
        created_at: now,
        updated_at: now,
        signer_mfa: "none".to_owned(),
        fraud_signals: "[]".to_owned(),
    })
}

/// Announces an emergency to the on-call address (or, with none set, to every active member
/// of the legal team) at once: the reference and the due time only, and the staff link.
fn alert_oncall(
    conn: &mut crate::db::DbConn,
    mailer: &Mailer,
    oncall: &str,
    links: &Links,
    reference: &CaseReference,
    due_at: chrono::NaiveDateTime,
) -> Result<(), AppError> {
    let recipients: Vec<String> = if oncall.is_empty() {
        Staff::all(conn)?
            .into_iter()
            .filter(|s| s.active && s.role >= Role::Legal)
            .map(|s| s.email)
            .collect()
    } else {
        vec![oncall.to_owned()]
    };
    let context = json!({
        "reference": reference.as_str(),
        "due_at": clock::rfc3339(due_at),
        "link": links.staff_case(reference.as_str()),
    });
    for to in &recipients {
        mailer.queue(
            conn,
            Letter {
                template: "emergency_alert",
                to,
                context: &context,
            },
        )?;
    }
    audit::record(
        conn,
        &Actor::System,
        None,
        "emergency.alerted",
        json!({ "reference": reference.as_str(), "recipients": recipients.len() }),
    )?;
    Ok(())
}

fn target_rows(case_id: &CaseId, request: &ValidRequest) -> Vec<TargetRow> {
    request
        .targets
        .iter()
        .enumerate()
        .map(|(i, t)| TargetRow {
            id: new_id(),
            case_id: case_id.to_owned(),
            position: i as i32,
            kind: t.kind.as_str().to_owned(),
            value: t.value.clone(),
            chain: t.chain.map(|c| c.as_str().to_owned()),
            role: t.role.as_str().to_owned(),
        })
        .collect()
}
