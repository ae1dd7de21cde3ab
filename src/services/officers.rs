//! Officers' standing and permissions, set by a legal admin: verified with the agency,
//! suspended (every session and token ends at once, their open cases are flagged), what types
//! of request they may file. Every change is audited with its reason.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use serde_json::json;

use crate::audit::{self, Actor};
use crate::db::models::requester::Requester;
use crate::db::models::session;
use crate::db::schema::{cases, requesters};
use crate::db::{Db, DbConn};
use crate::domain::clock::{self, rfc3339};
use crate::domain::identity::{self, Standing};
use crate::domain::policy::Identity;
use crate::domain::vocab::{CaseState, Track};
use crate::error::AppError;

/// An officer as the legal admins' list shows them.
#[derive(Debug, Serialize)]
pub struct OfficerView {
    pub id: String,
    pub email: String,
    pub name: Option<String>,
    pub agency_name: Option<String>,
    pub standing: Standing,
    pub standing_label: &'static str,
    pub standing_reason: Option<String>,
    pub verified_at: Option<String>,
    pub reverify_at: Option<String>,
    pub reverify_due: bool,
    pub may_file_emergency: bool,
    pub may_file_freeze: bool,
    pub second_factor: Option<String>,
    pub created_at: String,
}

/// The officer's factors as staff read them (`None`: e-mail code only).
fn factors(officer: &Requester) -> Option<String> {
    let set_up: Vec<String> = [
        ("authenticator app", officer.totp_enrolled_at),
        ("passkey", officer.passkey_enrolled_at),
    ]
    .into_iter()
    .filter_map(|(what, at)| at.map(|at| format!("{what} since {}", rfc3339(at))))
    .collect();
    (!set_up.is_empty()).then(|| set_up.join("; "))
}

pub fn view(officer: &Requester, identity: &Identity, now: NaiveDateTime) -> OfficerView {
    let reverify = officer
        .verified_at
        .map(|at| identity::reverify_at(at, identity));
    OfficerView {
        id: officer.id.clone(),
        email: officer.email.clone(),
        name: officer.name.clone(),
        agency_name: officer.agency_name.clone(),
        standing: officer.standing,
        standing_label: officer.standing.label(),
        standing_reason: officer.standing_reason.clone(),
        verified_at: officer.verified_at.map(rfc3339),
        reverify_at: reverify.map(rfc3339),
        reverify_due: officer.standing == Standing::Verified
            && reverify.is_some_and(|at| at <= now),
        may_file_emergency: officer.may_file_emergency,
        may_file_freeze: officer.may_file_freeze,
        second_factor: factors(officer),
        created_at: rfc3339(officer.created_at),
    }
}

/// Every officer, newest first, or those whose address contains `q`.
pub async fn list(
    db: &Db,
    identity: &Identity,
    q: Option<String>,
) -> Result<Vec<OfficerView>, AppError> {
    let identity = *identity;
    db.run(move |conn| {
        let mut query = requesters::table
            .filter(requesters::track.eq(Track::Agency.as_str()))
            .order(requesters::created_at.desc())
            .limit(200)
            .select(Requester::as_select())
            .into_boxed();
        if let Some(q) = q.map(|q| q.trim().to_lowercase()).filter(|q| !q.is_empty()) {
            query =
                query.filter(requesters::email.like(format!("%{}%", q.replace(['%', '_'], ""))));
        }
        let now = clock::now();
        Ok(query
            .load(conn)?
            .iter()
            .map(|o| view(o, &identity, now))
            .collect())
    })
    .await
}

/// The agency officer `id`; a court-track requester is not found here.
fn find_officer(conn: &mut DbConn, id: &str) -> Result<Requester, AppError> {
    let officer = Requester::find(conn, id)?;
    if officer.track != Track::Agency {
        return Err(AppError::not_found());
    }
    Ok(officer)
}

/// Flags every open case of `requester_id` with `reason`; returns how many.
pub fn flag_open_cases(
    conn: &mut DbConn,
    requester_ids: &[String],
    reason: &str,
) -> QueryResult<usize> {
    diesel::update(
        cases::table
            .filter(cases::requester_id.eq_any(requester_ids))
            .filter(cases::state.eq_any(CaseState::open_names())),
    )
    .set(cases::flagged.eq(reason))
    .execute(conn)
}

/// Suspends inside the caller's transaction: standing, sessions, flagged cases, audit.
pub fn suspend_in(
    conn: &mut DbConn,
    actor: &Actor,
    requester_id: &str,
    reason: &str,
    now: NaiveDateTime,
) -> Result<(usize, usize), AppError> {
    diesel::update(requesters::table.find(requester_id))
        .set((
            requesters::standing.eq(Standing::Suspended.as_str()),
            requesters::standing_reason.eq(reason),
            requesters::standing_changed_at.eq(now),
        ))
        .execute(conn)?;
    let ended = session::end_for_requester(conn, requester_id)?;
    let flagged = flag_open_cases(
        conn,
        &[requester_id.to_owned()],
        &format!("The officer was suspended: {reason}"),
    )?;
    audit::record(
        conn,
        actor,
        None,
        "officer.suspended",
        json!({ "requester": requester_id, "reason": reason, "sessions_ended": ended, "cases_flagged": flagged }),
    )?;
    Ok((ended, flagged))
}

/// Sets an officer's standing. Suspension ends every session and token and flags open cases.
pub async fn set_standing(
    db: &Db,
    admin_id: &str,
    requester_id: &str,
    standing: Standing,
    reason: &str,
) -> Result<(), AppError> {
    let reason = reason.trim().to_owned();
    if reason.is_empty() {
        return Err(AppError::invalid(
            "reason",
            match standing {
                Standing::Verified => "Say how the officer was verified (whom you called at the agency, on which number).",
                Standing::Suspended => "Say why the officer is suspended.",
                Standing::Unverified => "Say why the verification is withdrawn.",
            },
        ));
    }
    let (admin, id) = (admin_id.to_owned(), requester_id.to_owned());
    db.write(move |conn| {
        let officer = find_officer(conn, &id)?;
        let now = clock::now();
        let actor = Actor::Staff(admin.clone());
        if standing == Standing::Suspended {
            suspend_in(conn, &actor, &id, &reason, now)?;
            return Ok(());
        }
        let verified_at = match standing {
            Standing::Verified => Some(now),
            _ => None,
        };
        diesel::update(requesters::table.find(&id))
            .set((
                requesters::standing.eq(standing.as_str()),
                requesters::standing_reason.eq(&reason),
                requesters::standing_changed_at.eq(now),
                requesters::verified_at.eq(verified_at),
            ))
            .execute(conn)?;
        // Lifting a suspension clears the flags it set; a reviewer reads the case again anyway.
        if officer.standing == Standing::Suspended {
            diesel::update(cases::table.filter(cases::requester_id.eq(&id)))
                .set(cases::flagged.eq(None::<String>))
                .execute(conn)?;
        }
        audit::record(
            conn,
            &actor,
            None,
            match standing {
                Standing::Verified => "officer.verified",
                _ => "officer.unverified",
            },
            json!({ "requester": id, "reason": reason, "was": officer.standing }),
        )?;
        Ok(())
    })
    .await
}

/// Sets what an officer may file.
pub async fn set_permissions(
    db: &Db,
    admin_id: &str,
    requester_id: &str,
    emergency: bool,
    freeze: bool,
) -> Result<(), AppError> {
    let (admin, id) = (admin_id.to_owned(), requester_id.to_owned());
    db.write(move |conn| {
        find_officer(conn, &id)?;
        diesel::update(requesters::table.find(&id))
            .set((
                requesters::may_file_emergency.eq(emergency),
                requesters::may_file_freeze.eq(freeze),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            &Actor::Staff(admin.clone()),
            None,
            "officer.permissions",
            json!({ "requester": id, "emergency": emergency, "freeze": freeze }),
        )?;
        Ok(())
    })
    .await
}
