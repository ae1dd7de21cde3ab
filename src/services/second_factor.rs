//! Officers' second factor: an authenticator app (TOTP), enrolled after the first e-mail
//! sign-in, asked for at later sign-ins (`signin::verify_code`) and to file what policy says.
//! Each step works once; a legal admin alone can remove a factor, and that is audited.

use chrono::NaiveDateTime;
use serde_json::json;

use super::limits::{self, Limit};
use super::signin::digits;
use crate::audit::{self, Actor};
use crate::crypto::stream::DocumentKey;
use crate::crypto::Keys;
use crate::crypto::{open_small, seal_small, totp, HashedToken};
use crate::db::models::requester::{factor, Requester};
use crate::db::models::session;
use crate::db::{write_tx, Db, DbConn};
use crate::domain::clock;
use crate::domain::identity::Factor;
use crate::domain::vocab::Track;
use crate::error::AppError;

/// Wrong authenticator codes one officer may send outside sign-in (enrolment, step-up).
const WRONG_PER_REQUESTER: Limit = Limit {
    name: "totp-wrong",
    max: 5,
    window: chrono::TimeDelta::minutes(15),
    message: "Too many wrong authenticator codes. Wait 15 minutes and try again.",
};

fn aad(requester_id: &str) -> Vec<u8> {
    format!("requester-totp:{requester_id}").into_bytes()
}

fn open(secrets: &DocumentKey, requester_id: &str, sealed: &str) -> Result<String, AppError> {
    open_small(secrets, &aad(requester_id), sealed)
        .and_then(|s| String::from_utf8(s).ok())
        .ok_or_else(|| {
            AppError::internal(format!(
                "the TOTP secret of requester {requester_id} does not open"
            ))
        })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checked {
    Accepted,
    Wrong,
    /// Right, but its step was already used.
    Replayed,
}

/// Checks `code` against the officer's enrolled secret, spending its step if right.
pub fn check(
    conn: &mut DbConn,
    secrets: &DocumentKey,
    requester_id: &str,
    code: &str,
    now: NaiveDateTime,
) -> Result<Checked, AppError> {
    let (Some(sealed), _) = factor::secrets(conn, requester_id)? else {
        return Ok(Checked::Wrong);
    };
    let secret = open(secrets, requester_id, &sealed)?;
    match totp::matching_step(&secret, code, now).map_err(AppError::internal)? {
        None => Ok(Checked::Wrong),
        Some(step) if factor::accept_step(conn, requester_id, step)? => Ok(Checked::Accepted),
        Some(_) => Ok(Checked::Replayed),
    }
}

/// A secret waiting for its first code, shown once.
pub struct Enrolment {
    pub secret: String,
    pub otpauth_uri: String,
}

fn only_officers(requester: &Requester) -> Result<(), AppError> {
    if requester.track != Track::Agency {
        return Err(AppError::forbidden(
            "A second factor is for agency officers' accounts.",
        ));
    }
    Ok(())
}

/// Starts enrolment: a new pending secret (any earlier pending one is replaced). An officer
/// with a passkey adds the app only from a session that proved a factor.
pub async fn start(
    db: &Db,
    keys: &Keys,
    requester: &Requester,
    session_factor: Option<Factor>,
) -> Result<Enrolment, AppError> {
    only_officers(requester)?;
    if requester.totp_enrolled_at.is_some() {
        return Err(already_enrolled());
    }
    if requester.enrolled() && session_factor.is_none() {
        return Err(AppError::forbidden(
            "Confirm your passkey in this session before adding an authenticator app.",
        )
        .with_code("second_factor_required"));
    }
    let secret = totp::new_secret();
    let otpauth_uri = totp::uri(&secret, &requester.email).map_err(AppError::internal)?;
    let sealed = seal_small(&keys.secrets, &aad(&requester.id), secret.as_bytes());
    let id = requester.id.clone();
    let changed = db
        .run(move |conn| Ok(factor::set_pending(conn, &id, &sealed)?))
        .await?;
    if changed != 1 {
        return Err(already_enrolled());
    }
    Ok(Enrolment {
        secret,
        otpauth_uri,
    })
}

fn already_enrolled() -> AppError {
    AppError::conflict("This account already has an authenticator app. To replace it, ask the platform's legal team: a legal admin removes it after checking with your agency.")
        .with_code("already_enrolled")
}

fn wrong_code() -> AppError {
    AppError::invalid(
        "totp",
        "That code is not right. Enter the 6-digit code your authenticator app shows now.",
    )
    .with_code("invalid_totp")
}

/// The refusals that spend from an officer's budget: a wrong code, or a passkey answer that did
/// not verify.
const SPENDING: [&str; 4] = [
    "invalid_totp",
    "invalid_passkey",
    "unknown_passkey",
    "passkey_expired",
];

/// Runs `attempt` under one officer's budget of wrong codes: refused once it is spent, and a
/// wrong code (or refused passkey) spends from it.
pub(super) async fn budgeted<T>(
    db: &Db,
    requester_id: &str,
    attempt: impl std::future::Future<Output = Result<T, AppError>>,
) -> Result<T, AppError> {
    limits::unspent(db, WRONG_PER_REQUESTER, requester_id).await?;
    let outcome = attempt.await;
    if outcome.as_ref().is_err_and(|e| SPENDING.contains(&e.code)) {
        limits::spend(db, WRONG_PER_REQUESTER, requester_id).await?;
    }
    outcome
}

/// Confirms enrolment with the first code; the session it is done in counts as proven.
pub async fn confirm(
    db: &Db,
    keys: &Keys,
    requester: &Requester,
    session: &HashedToken,
    code: &str,
) -> Result<NaiveDateTime, AppError> {
    only_officers(requester)?;
    let code = digits(code);
    let (id, token, secrets) = (
        requester.id.clone(),
        session.0.clone(),
        keys.secrets.clone(),
    );
    let attempt = db.run(move |conn| {
        let (_, pending) = factor::secrets(conn, &id)?;
        let Some(pending) = pending else {
            return Err(AppError::conflict(
                "Start again: no authenticator is waiting to be confirmed.",
            )
            .with_code("no_pending_enrolment"));
        };
        let secret = open(&secrets, &id, &pending)?;
        let now = clock::now();
        let Some(step) = totp::matching_step(&secret, &code, now).map_err(AppError::internal)?
        else {
            return Err(wrong_code());
        };
        write_tx(conn, |conn| {
            if !factor::enrol(conn, &id, &pending, step, now)? {
                return Err(already_enrolled());
            }
            factor::mark_session(conn, &token, Factor::Totp.as_str())?;
            audit::record(
                conn,
                &Actor::Requester(id.clone()),
                None,
                "officer.second_factor_enrolled",
                json!({ "factor": Factor::Totp }),
            )?;
            Ok(now)
        })
    });
    budgeted(db, &requester.id, attempt).await
}

/// Proves the factor in a live session (to file what needs it when sign-in did not ask).
pub async fn step_up(
    db: &Db,
    keys: &Keys,
    requester: &Requester,
    session: &HashedToken,
    code: &str,
) -> Result<(), AppError> {
    only_officers(requester)?;
    let code = digits(code);
    let (id, token, secrets) = (
        requester.id.clone(),
        session.0.clone(),
        keys.secrets.clone(),
    );
    let attempt = db.run(move |conn| {
        match check(conn, &secrets, &id, &code, clock::now())? {
            Checked::Accepted => {}
            Checked::Replayed => {
                return Err(AppError::invalid(
                    "totp",
                    "That code was already used. Wait for the next one.",
                )
                .with_code("totp_reused"))
            }
            Checked::Wrong => return Err(wrong_code()),
        }
        factor::mark_session(conn, &token, Factor::Totp.as_str())?;
        audit::record(
            conn,
            &Actor::Requester(id.clone()),
            None,
            "officer.second_factor_proven",
            json!({ "factor": Factor::Totp }),
        )?;
        Ok(())
    });
    budgeted(db, &requester.id, attempt).await
}

/// Recovery: a legal admin removes an officer's factor, with the reason on record; every
/// session of the officer ends, so the next sign-in is by e-mail and enrols again.
pub async fn remove(
    db: &Db,
    admin_id: &str,
    requester_id: &str,
    reason: &str,
) -> Result<(), AppError> {
    let reason = reason.trim().to_owned();
    if reason.is_empty() {
        return Err(AppError::invalid(
            "reason",
            "Say how the officer's identity was checked (the audit trail keeps it).",
        ));
    }
    let (admin, id) = (admin_id.to_owned(), requester_id.to_owned());
    db.write(move |conn| {
        let officer = Requester::find(conn, &id)?;
        if !officer.enrolled() {
            return Err(
                AppError::conflict("This officer has no second factor to remove.")
                    .with_code("not_enrolled"),
            );
        }
        factor::remove(conn, &id)?;
        let ended = session::end_for_requester(conn, &id)?;
        audit::record(
            conn,
            &Actor::Staff(admin.clone()),
            None,
            "officer.second_factor_removed",
            json!({ "requester": id, "reason": reason, "sessions_ended": ended }),
        )?;
        Ok(())
    })
    .await
}
