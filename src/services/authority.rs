//! Runs the authority checks with what they need from the database: the registries, the
//! directory and open cases. At submission, and again whenever the case changes.

use diesel::prelude::*;
use serde_json::json;

use crate::audit::{self, Actor};
use crate::db::ids::CaseId;
use crate::db::json::{read_optional, Corrupt};
use crate::db::models::case::{Case, TargetRow};
use crate::db::models::document::Document;
use crate::db::models::requester::Requester;
use crate::db::models::{directory, registry};
use crate::db::schema::{cases, court_filings};
use crate::db::{Db, DbConn};
use crate::domain::authority::{self, Authority, Representative};
use crate::domain::clock;
use crate::domain::email::EmailAddress;
use crate::domain::identity::Factor;
use crate::domain::policy::Policy;
use crate::domain::registry::classify;
use crate::domain::request::{Court, Emergency, Freeze, Instrument, Ndo, Target, ValidRequest};
use crate::domain::vocab::{
    CaseState, Chain, CourtPath, DataCategory, DocumentRole, TargetKind, TargetRole, Track,
};
use crate::error::AppError;

/// Who files and from where: the requester, and on the court track's user path the platform
/// account whose e-mail of record they proved.
#[derive(Clone, Copy)]
pub struct Filer<'a> {
    pub requester: &'a Requester,
    pub account_uid: Option<&'a str>,
    /// The second factor the filing session proved.
    pub second_factor: Option<Factor>,
}

impl Filer<'_> {
    pub fn court_path(&self) -> Option<CourtPath> {
        CourtPath::of(self.requester.track, self.account_uid)
    }
}

/// Evaluates `request` from `filer` with `documents` attached. `case_id` names the case
/// being re-checked, so that it is not its own duplicate.
/// How many of a request's documents are legal process, and how many the non-disclosure order.
#[derive(Debug, Clone, Copy, Default)]
pub struct Papers {
    pub process: usize,
    pub ndo_orders: usize,
}

impl Papers {
    pub fn count(roles: impl IntoIterator<Item = DocumentRole>) -> Papers {
        roles
            .into_iter()
            .fold(Papers::default(), |mut papers, role| {
                match role {
                    DocumentRole::Process => papers.process += 1,
                    DocumentRole::NdoOrder => papers.ndo_orders += 1,
                }
                papers
            })
    }

    fn of(documents: &[Document]) -> Papers {
        Papers::count(
            documents
                .iter()
                .map(|d| DocumentRole::parse(&d.role).unwrap_or(DocumentRole::Process)),
        )
    }
}

pub fn assess(
    conn: &mut DbConn,
    policy: &Policy,
    home_country: &str,
    filer: Filer<'_>,
    request: &ValidRequest,
    papers: Papers,
    case_id: Option<&CaseId>,
) -> Result<Authority, AppError> {
    let requester = filer.requester;
    let email = EmailAddress::parse(&requester.email).map_err(AppError::internal)?;
    let domain = email.domain();
    let standing = classify(domain, &registry::facts(conn, domain)?);
    let states = CaseState::open_names();
    let others = cases::table
        .filter(cases::state.eq_any(&states))
        .filter(cases::id.ne(case_id.map(CaseId::as_str).unwrap_or_default().to_owned()))
        .select(cases::reference)
        .order(cases::reference)
        // Enough to name in the finding; the check's cost must not grow with a flood of copies.
        .limit(5)
        .into_boxed();
    let duplicates: Vec<String> = match (requester.track, &request.court) {
        (Track::Court, Some(court)) => others
            .filter(
                cases::id.eq_any(
                    court_filings::table
                        .filter(court_filings::case_key.eq(court.case_key()))
                        .select(court_filings::case_id),
                ),
            )
            .load(conn)?,
        (Track::Agency, _) if !request.instrument.reference.is_empty() => others
            .filter(cases::instrument_reference.eq(request.instrument.reference.clone()))
            .filter(cases::agency_domain.eq(domain.to_owned()))
            .load(conn)?,
        _ => Vec::new(),
    };
    let representative = filer.court_path().map(|path| Representative {
        path,
        account_uid: filer.account_uid,
        bar_number: requester.bar_number.as_deref(),
        bar_jurisdiction: requester.bar_jurisdiction.as_deref(),
    });
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
        documents: papers.process,
        ndo_orders: papers.ndo_orders,
        today: clock::now().date(),
        duplicates: &duplicates,
        directory: &found,
        representative,
    }))
}

/// The request as stored, back in domain terms.
pub fn stored_request(case: &Case, targets: &[TargetRow]) -> Result<ValidRequest, Corrupt> {
    Ok(ValidRequest {
        request_type: case.request_type,
        instrument: Instrument {
            kind: case.instrument_kind,
            reference: case.instrument_reference.clone(),
            issuing_authority: case.issuing_authority.clone(),
            issued_on: case.issued_on,
            expires_on: case.expires_on,
            validated_by: case.validated_by.clone(),
            enforcing_notified: case.enforcing_notified,
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
            .data_categories
            .get()?
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
        emergency: read_optional::<Emergency>(case.emergency_details.as_deref())?,
        freeze: read_optional::<Freeze>(case.freeze_details.as_deref())?,
        court: read_optional::<Court>(case.court_details.as_deref())?,
        entity: case.legal_entity.clone(),
    })
}

/// The platform account a court-track case was filed from (user path).
pub fn account_of(conn: &mut DbConn, case_id: &CaseId) -> QueryResult<Option<String>> {
    Ok(court_filings::table
        .find(case_id)
        .select(court_filings::account_uid)
        .first::<Option<String>>(conn)
        .optional()?
        .flatten())
}

/// Runs the checks again on a stored case (after a new document, an answer, an agency verified
/// by an admin …), stores the result and records the change in the audit trail.
pub async fn recheck(
    db: &Db,
    policy: &Policy,
    home_country: &str,
    case_id: &CaseId,
    actor: Actor,
) -> Result<Authority, AppError> {
    run_again(db, policy, home_country, case_id, actor, false).await
}

/// As [`recheck`], asked for by `actor` on the case page ("Run the checks again"): recorded in
/// the audit trail even when nothing changed, since staff may rely on the run.
pub async fn rerun(
    db: &Db,
    policy: &Policy,
    home_country: &str,
    case_id: &CaseId,
    actor: Actor,
) -> Result<Authority, AppError> {
    run_again(db, policy, home_country, case_id, actor, true).await
}

async fn run_again(
    db: &Db,
    policy: &Policy,
    home_country: &str,
    case_id: &CaseId,
    actor: Actor,
    asked: bool,
) -> Result<Authority, AppError> {
    let (policy, home_country, case_id) =
        (policy.clone(), home_country.to_owned(), case_id.to_owned());
    db.write(move |conn| {
        let case: Case = cases::table.find(&case_id).select(Case::as_select()).first(conn)?;
        let requester = Requester::find(conn, &case.requester_id)?;
        let targets = TargetRow::for_case(conn, &case.id)?;
        let papers = Papers::of(&Document::for_case(conn, &case.id)?);
        let request = stored_request(&case, &targets)?;
        let account_uid = account_of(conn, &case.id)?;
        let filer = Filer { requester: &requester, account_uid: account_uid.as_deref(), second_factor: None };
        let authority = assess(conn, &policy, &home_country, filer, &request, papers, Some(&case.id))?;
        let changed = authority.checks != *case.authority_checks.get()?;
        let checks = serde_json::to_string(&authority.checks).map_err(AppError::internal)?;
        let now = clock::now();
        diesel::update(cases::table.find(&case.id)).set(cases::checks_run_at.eq(now)).execute(conn)?;
        // A change is always recorded; a re-run asked for also when nothing changed.
        if changed {
            diesel::update(cases::table.find(&case.id))
                .set((cases::authority_checks.eq(&checks), cases::authority_established.eq(authority.established), cases::updated_at.eq(now)))
                .execute(conn)?;
        }
        if changed || asked {
            audit::record(
                conn,
                &actor,
                Some(&case.id),
                "authority.rechecked",
                json!({ "established": authority.established, "was_established": case.authority_established, "changed": changed }),
            )?;
        }
        Ok(authority)
    })
    .await
}
