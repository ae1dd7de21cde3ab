//! Runs the authority checks with what they need from the database: the registries, the
//! directory and open cases. At submission, and again whenever the case changes.

use diesel::prelude::*;
use serde_json::json;

use crate::audit::{self, Actor};
use crate::db::models::case::{Case, TargetRow};
use crate::db::models::document::Document;
use crate::db::models::requester::Requester;
use crate::db::models::{directory, registry};
use crate::db::schema::cases;
use crate::db::{write_tx, Db, DbConn};
use crate::domain::authority::{self, Authority};
use crate::domain::clock;
use crate::domain::email::EmailAddress;
use crate::domain::policy::Policy;
use crate::domain::registry::classify;
use crate::domain::request::{Emergency, Freeze, Instrument, Ndo, Target, ValidRequest};
use crate::domain::vocab::{CaseState, Chain, DataCategory, TargetKind, TargetRole, Track};
use crate::error::AppError;

/// Evaluates `request` from `requester` with `documents` attached. `case_id` names the case
/// being re-checked, so that it is not its own duplicate.
pub fn assess(
    conn: &mut DbConn,
    policy: &Policy,
    home_country: &str,
    requester: &Requester,
    request: &ValidRequest,
    documents: usize,
    case_id: Option<&str>,
) -> Result<Authority, AppError> {
    let email = EmailAddress::parse(&requester.email).map_err(AppError::internal)?;
    let domain = email.domain();
    let standing = classify(domain, &registry::facts(conn, domain)?);
    let states = CaseState::open_names();
    let duplicates: Vec<String> =
        if request.instrument.reference.is_empty() || requester.track != Track::Agency {
            Vec::new()
        } else {
            cases::table
                .filter(cases::instrument_reference.eq(&request.instrument.reference))
                .filter(cases::agency_domain.eq(domain))
                .filter(cases::state.eq_any(&states))
                .filter(cases::id.ne(case_id.unwrap_or_default()))
                .select(cases::reference)
                .order(cases::reference)
                .load(conn)?
        };
    let found = request
        .targets
        .iter()
        .map(|t| directory::lookup(conn, t))
        .collect::<QueryResult<Vec<_>>>()?;
    Ok(authority::evaluate(&authority::Facts {
        policy,
        home_country,
        track: requester.track,
        request,
        email_verified: true,
        domain,
        standing: &standing,
        country: requester.country.as_deref(),
        documents,
        today: clock::now().date(),
        duplicates: &duplicates,
        directory: &found,
    }))
}

/// The request as stored, back in domain terms.
pub fn stored_request(case: &Case, targets: &[TargetRow]) -> ValidRequest {
    ValidRequest {
        request_type: case.request_type,
        instrument: Instrument {
            kind: case.instrument_kind,
            reference: case.instrument_reference.clone(),
            issuing_authority: case.issuing_authority.clone(),
            issued_on: case.issued_on,
            expires_on: case.expires_on,
        },
        targets: targets
            .iter()
            .filter_map(|t| {
                Some(Target {
                    kind: TargetKind::parse(&t.kind)?,
                    value: t.value.clone(),
                    chain: t.chain.as_deref().and_then(Chain::parse),
                    role: TargetRole::parse(&t.role)?,
                })
            })
            .collect(),
        data_categories: case
            .data_category_names()
            .iter()
            .filter_map(|n| DataCategory::parse(n))
            .collect(),
        records_from: case.records_from,
        records_to: case.records_to,
        ndo: Ndo {
            present: case.ndo_present,
            until: case.ndo_until,
        },
        deadline: case.requested_deadline,
        summary: case.summary.clone(),
        emergency: parse_json::<Emergency>(&case.emergency_details),
        freeze: parse_json::<Freeze>(&case.freeze_details),
    }
}

fn parse_json<T: serde::de::DeserializeOwned>(text: &Option<String>) -> Option<T> {
    text.as_deref().and_then(|t| serde_json::from_str(t).ok())
}

/// Runs the checks again on a stored case (after a new document, an answer, an agency verified
/// by an admin …), stores the result and records the change in the audit trail.
pub async fn recheck(
    db: &Db,
    policy: &Policy,
    home_country: &str,
    case_id: &str,
    actor: Actor,
) -> Result<Authority, AppError> {
    let (policy, home_country, case_id) =
        (policy.clone(), home_country.to_owned(), case_id.to_owned());
    db.run(move |conn| {
        write_tx(conn, |conn| {
            let case: Case = cases::table.find(&case_id).select(Case::as_select()).first(conn)?;
            let requester = Requester::find(conn, &case.requester_id)?;
            let targets = TargetRow::for_case(conn, &case.id)?;
            let documents = Document::for_case(conn, &case.id)?.len();
            let request = stored_request(&case, &targets);
            let authority = assess(conn, &policy, &home_country, &requester, &request, documents, Some(&case.id))?;
            let checks = serde_json::to_string(&authority.checks).map_err(AppError::internal)?;
            if checks != case.authority_checks {
                diesel::update(cases::table.find(&case.id))
                    .set((cases::authority_checks.eq(&checks), cases::authority_established.eq(authority.established), cases::updated_at.eq(clock::now())))
                    .execute(conn)?;
                audit::record(
                    conn,
                    &actor,
                    Some(&case.id),
                    "authority.rechecked",
                    json!({ "established": authority.established, "was_established": case.authority_established }),
                )?;
            }
            Ok(authority)
        })
    })
    .await
}
