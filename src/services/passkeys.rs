//! Officers' passkeys (WebAuthn), beside the authenticator app: added on the security page by a
//! session that has proven any factor it already has, asked for at sign-in after the e-mailed
//! code, and used to prove the factor in a live session. Every ceremony is kept server-side,
//! bound to what started it, used once and short-lived; a credential belongs to one account.

use std::sync::Arc;

use chrono::{NaiveDateTime, TimeDelta};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use webauthn_rs::prelude::{
    Passkey, PasskeyAuthentication, PasskeyRegistration, PublicKeyCredential,
    RegisterPublicKeyCredential, Uuid,
};
use webauthn_rs::Webauthn;

use super::second_factor::budgeted;
use crate::audit::{self, Actor};
use crate::crypto::passkey::RelyingParty;
use crate::crypto::HashedToken;
use crate::db::models::new_id;
use crate::db::models::passkey::{self, NewCeremony, NewPasskey, StoredPasskey};
use crate::db::models::requester::{factor, Requester};
use crate::db::{is_unique_violation, write_tx, Db, DbConn};
use crate::domain::clock;
use crate::domain::identity::Factor;
use crate::domain::vocab::Track;
use crate::error::AppError;

/// How long a browser has to answer a ceremony.
const CEREMONY_TTL: TimeDelta = TimeDelta::minutes(5);
/// Passkeys one officer may hold (a phone, a laptop, a security key or two).
pub const MAX_PER_OFFICER: usize = 10;
const NAME_MAX: usize = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Register,
    SignIn,
    StepUp,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::Register => "register",
            Purpose::SignIn => "sign_in",
            Purpose::StepUp => "step_up",
        }
    }
}

/// What the browser needs to run a ceremony: `options` goes to `navigator.credentials`, and
/// `ceremony` comes back with its answer.
#[derive(Debug, Serialize)]
pub struct Options {
    pub ceremony: String,
    pub options: Value,
}

/// The browser's answer to a ceremony: the `PublicKeyCredential`, as JSON with base64url bytes.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Answer {
    pub ceremony: String,
    pub credential: Value,
}

impl Answer {
    /// From the two hidden fields a page posts (the credential as a JSON string).
    pub fn from_form(ceremony: &str, credential: &str) -> Result<Answer, AppError> {
        let credential = serde_json::from_str(credential).map_err(|_| bad_answer())?;
        Ok(Answer {
            ceremony: ceremony.trim().to_owned(),
            credential,
        })
    }
}

fn bad_answer() -> AppError {
    AppError::invalid(
        "passkey",
        "Your browser's passkey answer could not be read. Try again.",
    )
    .with_code("invalid_passkey")
}

pub(crate) fn unavailable(why: &str) -> AppError {
    AppError::conflict(format!(
        "Passkeys are not available on this platform: {why}."
    ))
    .with_code("passkeys_unavailable")
}

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::internal(format!("passkey: {e}"))
}

fn webauthn(rp: &RelyingParty) -> Result<Arc<Webauthn>, AppError> {
    rp.webauthn().map_err(unavailable)
}

fn only_officers(requester: &Requester) -> Result<(), AppError> {
    if requester.track != Track::Agency {
        return Err(AppError::forbidden(
            "Passkeys are a second factor for agency officers' accounts.",
        ));
    }
    Ok(())
}

fn credentials(stored: &[StoredPasskey]) -> Result<Vec<Passkey>, AppError> {
    stored
        .iter()
        .map(|p| serde_json::from_str::<Passkey>(&p.credential).map_err(internal))
        .collect()
}

fn credential_key(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn store_ceremony(
    conn: &mut DbConn,
    requester_id: &str,
    purpose: Purpose,
    bound_to: &str,
    state: &impl Serialize,
    options: &impl Serialize,
) -> Result<Options, AppError> {
    let id = new_id();
    let now = clock::now();
    passkey::begin(
        conn,
        &NewCeremony {
            id: &id,
            requester_id,
            purpose: purpose.as_str(),
            bound_to,
            state: &serde_json::to_string(state).map_err(internal)?,
            expires_at: now + CEREMONY_TTL,
        },
        now,
    )?;
    Ok(Options {
        ceremony: id,
        options: serde_json::to_value(options).map_err(internal)?,
    })
}

fn expired() -> AppError {
    AppError::invalid(
        "passkey",
        "The passkey request has expired or was already answered. Try again.",
    )
    .with_code("passkey_expired")
}

/// The officer's passkeys, for their security page.
pub async fn list(db: &Db, requester_id: &str) -> Result<Vec<StoredPasskey>, AppError> {
    let id = requester_id.to_owned();
    db.run(move |conn| Ok(passkey::of_requester(conn, &id)?))
        .await
}

/// Starts adding a passkey. An officer who already has a factor adds another only from a
/// session that proved one: a mailbox alone must not be able to plant its own passkey.
pub async fn begin_registration(
    db: &Db,
    rp: &RelyingParty,
    requester: &Requester,
    session: &HashedToken,
    session_factor: Option<Factor>,
) -> Result<Options, AppError> {
    only_officers(requester)?;
    let webauthn = webauthn(rp)?;
    if requester.enrolled() && session_factor.is_none() {
        return Err(AppError::forbidden(
            "Confirm your current second factor in this session before adding a passkey.",
        )
        .with_code("second_factor_required"));
    }
    let user = Uuid::parse_str(&requester.id).map_err(internal)?;
    let (id, email, name, token) = (
        requester.id.clone(),
        requester.email.clone(),
        requester.name.clone(),
        session.0.clone(),
    );
    db.run(move |conn| {
        let existing = passkey::of_requester(conn, &id)?;
        if existing.len() >= MAX_PER_OFFICER {
            return Err(AppError::conflict(format!(
                "This account already has {MAX_PER_OFFICER} passkeys, the most it may hold."
            ))
            .with_code("too_many_passkeys"));
        }
        let exclude = credentials(&existing)?
            .iter()
            .map(|p| p.cred_id().clone())
            .collect();
        let display = name.as_deref().unwrap_or(&email);
        let (options, state): (_, PasskeyRegistration) = webauthn
            .start_passkey_registration(user, &email, display, Some(exclude))
            .map_err(internal)?;
        store_ceremony(conn, &id, Purpose::Register, &token, &state, &options)
    })
    .await
}

/// What a finished registration added.
pub struct Added {
    pub id: String,
    pub name: String,
    pub created_at: NaiveDateTime,
}

/// Finishes adding a passkey; the session it is done in counts as proven.
pub async fn finish_registration(
    db: &Db,
    rp: &RelyingParty,
    requester: &Requester,
    session: &HashedToken,
    answer: Answer,
    name: &str,
) -> Result<Added, AppError> {
    only_officers(requester)?;
    let webauthn = webauthn(rp)?;
    let name = name.trim();
    let name = if name.is_empty() {
        format!("Passkey added {}", clock::now().format("%Y-%m-%d"))
    } else if name.chars().count() > NAME_MAX {
        return Err(AppError::invalid(
            "name",
            format!("Keep the passkey's name to {NAME_MAX} characters."),
        ));
    } else {
        name.to_owned()
    };
    let credential: RegisterPublicKeyCredential =
        serde_json::from_value(answer.credential).map_err(|_| bad_answer())?;
    let (id, token) = (requester.id.clone(), session.0.clone());
    db.run(move |conn| {
        let now = clock::now();
        let state = write_tx(conn, |conn| {
            passkey::take(
                conn,
                &answer.ceremony,
                &id,
                Purpose::Register.as_str(),
                &token,
                now,
            )
        })?
        .ok_or_else(expired)?;
        let state: PasskeyRegistration = serde_json::from_str(&state).map_err(internal)?;
        let made = webauthn
            .finish_passkey_registration(&credential, &state)
            .map_err(|e| {
                AppError::invalid(
                    "passkey",
                    format!("The passkey could not be added: your browser's answer did not verify ({e})."),
                )
                .with_code("passkey_rejected")
            })?;
        let added = Added {
            id: new_id(),
            name,
            created_at: now,
        };
        let stored = serde_json::to_string(&made).map_err(internal)?;
        let credential_id = credential_key(made.cred_id());
        write_tx(conn, |conn| {
            let inserted = passkey::add(
                conn,
                &NewPasskey {
                    id: &added.id,
                    requester_id: &id,
                    credential_id: &credential_id,
                    name: &added.name,
                    credential: &stored,
                    created_at: now,
                },
            );
            match inserted {
                Err(e) if is_unique_violation(&e) => {
                    return Err(AppError::conflict(
                        "This passkey is already registered to an account.",
                    )
                    .with_code("passkey_exists"))
                }
                other => other?,
            }
            factor::mark_session(conn, &token, Factor::Passkey.as_str())?;
            audit::record(
                conn,
                &Actor::Requester(id.clone()),
                None,
                "officer.second_factor_enrolled",
                json!({ "factor": Factor::Passkey, "passkey": added.id, "name": added.name }),
            )?;
            Ok(added)
        })
    })
    .await
}

async fn begin_assertion(
    db: &Db,
    webauthn: Arc<Webauthn>,
    requester_id: &str,
    purpose: Purpose,
    bound_to: &str,
) -> Result<Options, AppError> {
    let (id, bound_to) = (requester_id.to_owned(), bound_to.to_owned());
    db.run(move |conn| {
        let stored = passkey::of_requester(conn, &id)?;
        if stored.is_empty() {
            return Err(AppError::conflict(
                "This account has no passkey. Use your authenticator app's code.",
            )
            .with_code("no_passkey"));
        }
        let (options, state): (_, PasskeyAuthentication) = webauthn
            .start_passkey_authentication(&credentials(&stored)?)
            .map_err(internal)?;
        store_ceremony(conn, &id, purpose, &bound_to, &state, &options)
    })
    .await
}

/// Starts the passkey step of a sign-in whose e-mailed code was found right.
pub async fn begin_sign_in(
    db: &Db,
    rp: &RelyingParty,
    officer: &Requester,
    challenge_id: &str,
) -> Result<Options, AppError> {
    let webauthn = webauthn(rp)?;
    begin_assertion(db, webauthn, &officer.id, Purpose::SignIn, challenge_id).await
}

/// How a passkey's answer fared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Checked {
    Accepted,
    /// The credential is not one of this officer's passkeys.
    Unknown,
    /// The ceremony is gone (expired, answered already, or started elsewhere).
    Expired,
    /// The signature, origin or challenge did not verify.
    Wrong,
}

/// Checks an answer to the ceremony `purpose` bound to `bound_to`, spending the ceremony; on
/// success the passkey's counter and time of use are stored.
pub fn check(
    conn: &mut DbConn,
    webauthn: &Webauthn,
    requester_id: &str,
    purpose: Purpose,
    bound_to: &str,
    answer: &Answer,
    now: NaiveDateTime,
) -> Result<Checked, AppError> {
    let Ok(credential) = serde_json::from_value::<PublicKeyCredential>(answer.credential.clone())
    else {
        return Ok(Checked::Wrong);
    };
    let state = passkey::take(
        conn,
        &answer.ceremony,
        requester_id,
        purpose.as_str(),
        bound_to,
        now,
    )?;
    let row = passkey::by_credential(conn, &credential_key(&credential.raw_id))?;
    let Some(row) = row.filter(|p| p.requester_id == requester_id) else {
        return Ok(Checked::Unknown);
    };
    let Some(state) = state else {
        return Ok(Checked::Expired);
    };
    let state: PasskeyAuthentication = serde_json::from_str(&state).map_err(internal)?;
    let Ok(result) = webauthn.finish_passkey_authentication(&credential, &state) else {
        return Ok(Checked::Wrong);
    };
    let mut key: Passkey = serde_json::from_str(&row.credential).map_err(internal)?;
    key.update_credential(&result);
    let updated = serde_json::to_string(&key).map_err(internal)?;
    passkey::used(conn, &row.id, &updated, now)?;
    Ok(Checked::Accepted)
}

/// The error an answer that was not accepted gets, outside sign-in.
fn refused(checked: Checked) -> AppError {
    match checked {
        Checked::Unknown => {
            AppError::unauthorized("That passkey is not registered to this account.")
                .with_code("unknown_passkey")
        }
        Checked::Expired => expired(),
        _ => AppError::invalid("passkey", "The passkey's answer did not verify. Try again.")
            .with_code("invalid_passkey"),
    }
}

/// Starts proving the factor with a passkey in a live session.
pub async fn begin_step_up(
    db: &Db,
    rp: &RelyingParty,
    requester: &Requester,
    session: &HashedToken,
) -> Result<Options, AppError> {
    only_officers(requester)?;
    let webauthn = webauthn(rp)?;
    begin_assertion(db, webauthn, &requester.id, Purpose::StepUp, &session.0).await
}

/// Proves the factor with a passkey in a live session (to file what needs it when sign-in did
/// not ask). A refused answer spends from the same budget as a wrong authenticator code.
pub async fn step_up(
    db: &Db,
    rp: &RelyingParty,
    requester: &Requester,
    session: &HashedToken,
    answer: Answer,
) -> Result<(), AppError> {
    only_officers(requester)?;
    let webauthn = webauthn(rp)?;
    let (id, token) = (requester.id.clone(), session.0.clone());
    let attempt = db.run(move |conn| {
        let now = clock::now();
        let checked = check(conn, &webauthn, &id, Purpose::StepUp, &token, &answer, now)?;
        if checked != Checked::Accepted {
            audit::record(
                conn,
                &Actor::Requester(id.clone()),
                None,
                "officer.second_factor_failed",
                json!({ "factor": Factor::Passkey, "outcome": checked }),
            )?;
            return Err(refused(checked));
        }
        write_tx(conn, |conn| {
            factor::mark_session(conn, &token, Factor::Passkey.as_str())?;
            audit::record(
                conn,
                &Actor::Requester(id.clone()),
                None,
                "officer.second_factor_proven",
                json!({ "factor": Factor::Passkey }),
            )?;
            Ok(())
        })
    });
    budgeted(db, &requester.id, attempt).await
}
