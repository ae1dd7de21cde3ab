//! Legal admins verify or block agencies' domains; open cases from them are checked again.

use diesel::prelude::*;
use serde_json::json;

use super::authority::recheck;
use crate::audit::{self, Actor};
use crate::db::ids::CaseId;
use crate::db::models::registry;
use crate::db::schema::{approved_agencies, blocked_domains, cases};
use crate::db::{is_unique_violation, Db};
use crate::domain::email::is_domain;
use crate::domain::policy::Policy;
use crate::domain::profile::Country;
use crate::domain::vocab::CaseState;
use crate::domain::FieldErrors;
use crate::error::AppError;

#[derive(Debug, Clone, serde::Serialize)]
pub struct Listed {
    pub domain: String,
    pub text: String,
    pub by: String,
    pub at: String,
}

pub async fn list(db: &Db) -> Result<(Vec<Listed>, Vec<Listed>), AppError> {
    db.run(|conn| {
        let approved = approved_agencies::table
            .order(approved_agencies::domain)
            .select((
                approved_agencies::domain,
                approved_agencies::agency_name,
                approved_agencies::country,
                approved_agencies::approved_by,
                approved_agencies::approved_at,
            ))
            .load::<(String, String, String, String, chrono::NaiveDateTime)>(conn)?
            .into_iter()
            .map(|(domain, name, country, by, at)| Listed {
                domain,
                text: format!("{name} ({country})"),
                by,
                at: crate::domain::clock::rfc3339(at),
            })
            .collect();
        let blocked = blocked_domains::table
            .order(blocked_domains::domain)
            .select((
                blocked_domains::domain,
                blocked_domains::reason,
                blocked_domains::blocked_by,
                blocked_domains::blocked_at,
            ))
            .load::<(String, String, String, chrono::NaiveDateTime)>(conn)?
            .into_iter()
            .map(|(domain, text, by, at)| Listed {
                domain,
                text,
                by,
                at: crate::domain::clock::rfc3339(at),
            })
            .collect();
        Ok((approved, blocked))
    })
    .await
}

pub fn clean_domain(errors: &mut FieldErrors, domain: &str) -> String {
    let domain = domain.trim().trim_start_matches('@').to_lowercase();
    if !is_domain(&domain) {
        errors.add("domain", "Enter a domain name such as police.example.org.");
    }
    domain
}

/// Open cases filed from `domain` or a name under it.
async fn open_cases_from(db: &Db, domain: &str) -> Result<Vec<CaseId>, AppError> {
    let (exact, under) = (domain.to_owned(), format!("%.{domain}"));
    db.run(move |conn| {
        Ok(cases::table
            .filter(
                cases::agency_domain
                    .eq(&exact)
                    .or(cases::agency_domain.like(&under)),
            )
            .filter(cases::state.eq_any(CaseState::open_names()))
            .select(cases::id)
            .load(conn)?)
    })
    .await
}

/// Records `domain` as a verified agency and checks its open cases again. Returns how many.
pub async fn verify(
    db: &Db,
    policy: &Policy,
    home_country: &str,
    admin_id: &str,
    domain: &str,
    agency: &str,
    country: &str,
) -> Result<usize, AppError> {
    let mut errors = FieldErrors::default();
    let domain = clean_domain(&mut errors, domain);
    let agency = agency.trim().to_owned();
    if agency.is_empty() {
        errors.add("agency_name", "Enter the agency's name.");
    }
    let country = Country::parse(country);
    if country.is_none() {
        errors.add("country", "Choose the agency's country.");
    }
    errors.into_result()?;
    let country = country.map(|c| c.code()).unwrap_or_default();
    let (admin, d) = (admin_id.to_owned(), domain.clone());
    db.write(move |conn| {
        match registry::approve(conn, &d, &agency, country, &format!("staff:{admin}")) {
            Err(e) if is_unique_violation(&e) => {
                return Err(AppError::conflict(format!("{d} is already verified.")))
            }
            other => other?,
        };
        audit::record(
            conn,
            &Actor::Staff(admin.clone()),
            None,
            "agency.verified",
            json!({ "domain": d, "agency": agency, "country": country }),
        )?;
        Ok(())
    })
    .await?;
    recheck_all(db, policy, home_country, admin_id, &domain).await
}

/// Puts `domain` on the blocklist and checks its open cases again. Returns how many.
pub async fn block(
    db: &Db,
    policy: &Policy,
    home_country: &str,
    admin_id: &str,
    domain: &str,
    reason: &str,
) -> Result<usize, AppError> {
    let mut errors = FieldErrors::default();
    let domain = clean_domain(&mut errors, domain);
    let reason = reason.trim().to_owned();
    if reason.is_empty() {
        errors.add("reason", "Say why the domain is blocked.");
    }
    errors.into_result()?;
    let (admin, d) = (admin_id.to_owned(), domain.clone());
    db.write(move |conn| {
        match registry::block(conn, &d, &reason, &format!("staff:{admin}")) {
            Err(e) if is_unique_violation(&e) => {
                return Err(AppError::conflict(format!("{d} is already blocked.")))
            }
            other => other?,
        };
        // Its officers' sessions and API tokens end with it.
        let officers = crate::db::models::session::requesters_at_domain(conn, &d)?;
        let ended = crate::db::models::session::end_for_requesters(conn, &officers)?;
        let flagged = super::officers::flag_open_cases(conn, &officers, &format!("The agency's domain {d} was blocked: {reason}"))?;
        audit::record(
            conn,
            &Actor::Staff(admin.clone()),
            None,
            "domain.blocked",
            json!({ "domain": d, "reason": reason, "sessions_ended": ended, "cases_flagged": flagged }),
        )?;
        Ok(())
    })
    .await?;
    recheck_all(db, policy, home_country, admin_id, &domain).await
}

async fn recheck_all(
    db: &Db,
    policy: &Policy,
    home_country: &str,
    admin_id: &str,
    domain: &str,
) -> Result<usize, AppError> {
    let open = open_cases_from(db, domain).await?;
    for case_id in &open {
        recheck(
            db,
            policy,
            home_country,
            case_id,
            Actor::Staff(admin_id.to_owned()),
        )
        .await?;
    }
    Ok(open.len())
}
