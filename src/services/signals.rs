//! Gathers what the fraud signals (`domain::signals`) are computed from, at intake, inside the
//! transaction that stores the case, so that "before" means before this request.

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;

use super::limits;
use crate::db::models::requester::Requester;
use crate::db::schema::{case_targets, cases, documents, known_networks};
use crate::db::DbConn;
use crate::domain::authority::Check;
use crate::domain::policy::Signals;
use crate::domain::request::ValidRequest;
use crate::domain::signals::{self, Facts};

/// The signals a request from `officer` at `domain` raises, with its documents' SHA-256.
pub fn raised(
    conn: &mut DbConn,
    thresholds: &Signals,
    officer: &Requester,
    domain: &str,
    request: &ValidRequest,
    document_hashes: &[String],
    now: NaiveDateTime,
) -> QueryResult<Vec<Check>> {
    let facts = gather(
        conn,
        thresholds,
        officer,
        domain,
        request,
        document_hashes,
        now,
    )?;
    Ok(signals::evaluate(&facts, thresholds))
}

fn gather(
    conn: &mut DbConn,
    thresholds: &Signals,
    officer: &Requester,
    domain: &str,
    request: &ValidRequest,
    document_hashes: &[String],
    now: NaiveDateTime,
) -> QueryResult<Facts> {
    let of_officer = || cases::table.filter(cases::requester_id.eq(officer.id.clone()));
    let of_domain = || cases::table.filter(cases::agency_domain.eq(domain.to_owned()));
    let officer_requests_before: i64 = of_officer().count().get_result(conn)?;
    let domain_requests_before: i64 = of_domain().count().get_result(conn)?;
    let same_document_elsewhere: Vec<String> = if document_hashes.is_empty() {
        Vec::new()
    } else {
        documents::table
            .inner_join(cases::table)
            .filter(documents::sha256.eq_any(document_hashes))
            .filter(cases::requester_id.ne(officer.id.clone()))
            .select(cases::reference)
            .distinct()
            .order(cases::reference)
            .limit(5)
            .load(conn)?
    };
    let values: Vec<String> = request.targets.iter().map(|t| t.value.clone()).collect();
    let target_since = now - TimeDelta::hours(i64::from(thresholds.same_targets_hours));
    let same_targets_domains: Vec<String> = case_targets::table
        .inner_join(cases::table)
        .filter(case_targets::value.eq_any(&values))
        .filter(cases::created_at.gt(target_since))
        .filter(cases::agency_domain.ne(domain.to_owned()))
        .select(cases::agency_domain.assume_not_null())
        .distinct()
        .order(cases::agency_domain)
        .limit(20)
        .load(conn)?;
    let network_since = now - TimeDelta::days(i64::from(thresholds.signin_networks_days));
    let signin_networks: i64 = known_networks::table
        .filter(known_networks::subject.eq(limits::hashed(&officer.email)))
        .filter(known_networks::last_signin_at.gt(network_since))
        .count()
        .get_result(conn)?;
    let volume_since = now - TimeDelta::days(i64::from(thresholds.volume_days));
    let officer_volume: i64 = of_officer()
        .filter(cases::created_at.gt(volume_since))
        .count()
        .get_result::<i64>(conn)?
        + 1;
    // The agency's other officers in the window: their requests and how many they are, at once.
    let (other_requests, other_officers): (i64, i64) = of_domain()
        .filter(cases::created_at.gt(volume_since))
        .filter(cases::requester_id.ne(officer.id.clone()))
        .select((
            diesel::dsl::count_star(),
            diesel::dsl::count(cases::requester_id).aggregate_distinct(),
        ))
        .get_result(conn)?;
    Ok(Facts {
        request_type: Some(request.request_type),
        officer_requests_before,
        domain_requests_before,
        domain: domain.to_owned(),
        officer_age: now - officer.created_at,
        same_document_elsewhere,
        same_targets_domains,
        signin_networks,
        officer_volume,
        agency_average: if other_officers == 0 {
            0.0
        } else {
            other_requests as f64 / other_officers as f64
        },
    })
}
