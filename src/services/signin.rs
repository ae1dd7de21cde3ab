//! Sign-in by e-mail and one-time code (DESIGN §9): 6 digits, 10 minutes, 5 attempts, hashed.

use chrono::{NaiveDateTime, TimeDelta};
use serde_json::json;

use super::limits::{
    self, CODE_PER_EMAIL_NEW_NETWORKS, CODE_PER_NETWORK, CODE_PER_PAIR, VERIFY_NEW_NETWORKS,
    VERIFY_PER_DOMAIN_NEW_NETWORKS, VERIFY_PER_NETWORK,
};
use super::passkeys;
use super::second_factor;
use crate::audit::{self, Actor};
use crate::crypto::passkey::RelyingParty;
use crate::crypto::Keys;
use crate::crypto::{one_time_code, open_small, seal_small, totp, Pepper, Token};
use crate::db::models::challenge::{LoginChallenge, NewLoginChallenge};
use crate::db::models::requester::Requester;
use crate::db::models::session;
use crate::db::models::{directory, registry};
use crate::db::{write_tx, Db};
use crate::domain::clock;
use crate::domain::email::EmailAddress;
use crate::domain::identity::{self, Factor, NotPermitted, Standing};
use crate::domain::policy::Identity;
use crate::domain::registry::{classify, DomainStanding};
use crate::domain::vocab::{CourtPath, Track};
use crate::error::AppError;
use crate::mail::{Letter, Mailer};

pub const CODE_TTL: TimeDelta = TimeDelta::minutes(10);
/// The purpose of the key that seals a challenge's e-mail address.
const CHALLENGE_EMAIL: &str = "challenge-email";
pub const MAX_ATTEMPTS: i32 = 5;
pub const SESSION_TTL: TimeDelta = TimeDelta::hours(12);

pub struct CodeSent {
    pub challenge: Token,
    pub expires_at: NaiveDateTime,
}

pub struct SignedIn {
    pub token: Token,
    pub expires_at: NaiveDateTime,
    pub requester: Requester,
    pub account_uid: Option<String>,
}

/// Refuses addresses that can never file on `track`.
pub async fn admissible(
    db: &Db,
    track: Track,
    email: &EmailAddress,
) -> Result<DomainStanding, AppError> {
    let domain = email.domain().to_owned();
    let facts = db
        .run(move |conn| Ok(registry::facts(conn, &domain)?))
        .await?;
    let standing = classify(email.domain(), &facts);
    if track == Track::Agency {
        match &standing {
            DomainStanding::FreeMail => {
                return Err(AppError::invalid(
                    "email",
                    format!(
                        "{} is a free-mail provider. Agency requests must come from your official agency e-mail address.",
                        email.domain()
                    ),
                )
                .with_code("free_mail_domain"))
            }
            DomainStanding::Blocked { .. } => {
                return Err(AppError::forbidden(
                    "Requests cannot be filed from this e-mail domain. If you believe this is wrong, contact the platform's legal team by post.",
                )
                .with_code("domain_blocked"))
            }
            _ => {}
        }
    }
    Ok(standing)
}

/// Where a sign-in is headed: the agency track, or the court track by one of its two paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    Agency,
    Court(CourtPath),
}

impl Entry {
    pub fn track(self) -> Track {
        match self {
            Entry::Agency => Track::Agency,
            Entry::Court(_) => Track::Court,
        }
    }
}

/// Sends a one-time code to `email`. On the court track's user path the code goes only to the
/// e-mail of record of a platform account; any other address gets a letter saying so instead,
/// and the answer here is the same either way, so that nobody learns from it who has an account.
pub async fn send_code(
    db: &Db,
    mailer: &Mailer,
    pepper: &Pepper,
    entry: Entry,
    email: EmailAddress,
    client: &str,
) -> Result<CodeSent, AppError> {
    let track = entry.track();
    admissible(db, track, &email).await?;
    let network = limits::network(client);
    limits::check(db, CODE_PER_NETWORK, &network).await?;
    limits::check(db, CODE_PER_PAIR, &limits::pair(&network, email.as_str())).await?;
    // Codes asked for from elsewhere than where this address signs in have a budget of their
    // own, so that a stranger spending it does not lock the owner out of their usual network.
    if !limits::known(db, Some(email.as_str()), &network).await? {
        limits::check(db, CODE_PER_EMAIL_NEW_NETWORKS, email.as_str()).await?;
    }

    let challenge = Token::generate();
    let challenge_id = challenge.hash().0;
    // The address is kept sealed under a key that needs the challenge token, which only the
    // client holds: the database alone does not say who asked for a code.
    let sealed_email = seal_small(
        &pepper.derive(CHALLENGE_EMAIL, challenge.expose()),
        challenge_id.as_bytes(),
        email.as_str().as_bytes(),
    );
    let code = one_time_code();
    let code_hash = pepper.code_hash(&challenge_id, &code);
    let now = clock::now();
    let expires_at = now + CODE_TTL;
    let mailer = mailer.clone();
    db.write(move |conn| {
        let user_path = entry == Entry::Court(CourtPath::User);
        let account_uid = if user_path { directory::account_by_email(conn, email.as_str())? } else { None };
        NewLoginChallenge {
            id: &challenge_id,
            track: track.as_str(),
            email: &sealed_email,
            code_hash: &code_hash,
            attempts: 0,
            expires_at,
            created_at: now,
            account_uid: account_uid.as_deref(),
        }
        .insert(conn)?;
        // No account has this e-mail of record: the code is never sent, so the challenge can never be met.
        let (template, context, action) = if user_path && account_uid.is_none() {
            ("no_account", json!({ "email": email.as_str() }), "signin.no_account")
        } else {
            ("code", json!({ "code": code, "minutes": CODE_TTL.num_minutes() }), "signin.code_sent")
        };
        mailer.queue(conn, Letter { template, to: email.as_str(), context: &context })?;
        let path = match entry { Entry::Court(path) => Some(path), Entry::Agency => None };
        audit::record(conn, &Actor::System, None, action, json!({ "track": track, "path": path, "domain": email.domain(), "challenge": &challenge_id[..16] }))?;
        Ok(())
    })
    .await?;
    Ok(CodeSent {
        challenge,
        expires_at,
    })
}

/// What a sign-in presents: the e-mailed code (absent when an earlier step found it right, and
/// the second factor follows on its own page), and the authenticator's code.
#[derive(Clone, Copy, Default)]
pub struct Proof<'a> {
    pub code: Option<&'a str>,
    pub totp: Option<&'a str>,
    pub passkey: Option<PasskeyProof<'a>>,
}

/// A passkey's answer to the sign-in's ceremony, with the relying party that checks it.
#[derive(Clone, Copy)]
pub struct PasskeyProof<'a> {
    pub rp: &'a RelyingParty,
    pub answer: &'a passkeys::Answer,
}

/// A code as typed, without the spaces people put in it.
pub(super) fn digits(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Checks a code (and, where the officer has one, the second factor) against its challenge and
/// opens a session. Every try, code or second factor, spends one of the challenge's attempts.
/// A right code for an officer whose second factor is asked for and not given answers 401
/// `second_factor_required`, and the challenge stays open for it.
pub async fn verify_code(
    db: &Db,
    keys: &Keys,
    identity: &Identity,
    challenge: &Token,
    proof: Proof<'_>,
    session_kind: &'static str,
    client: &str,
) -> Result<SignedIn, AppError> {
    let code = proof.code.map(digits);
    if code
        .as_deref()
        .is_some_and(|c| c.len() != 6 || !c.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(AppError::invalid(
            "code",
            "Enter the 6-digit code from the e-mail.",
        ));
    }
    let totp = proof.totp.map(digits).filter(|t| !t.is_empty());
    if totp.as_deref().is_some_and(|t| !totp::well_formed(t)) {
        return Err(AppError::invalid(
            "totp",
            "Enter the 6-digit code your authenticator app shows.",
        ));
    }
    let passkey = match proof.passkey {
        Some(p) => Some((
            p.rp.webauthn().map_err(passkeys::unavailable)?,
            p.answer.clone(),
        )),
        None => None,
    };
    let network = limits::network(client);
    limits::check(db, VERIFY_PER_NETWORK, &network).await?;
    let challenge_id = challenge.hash().0;
    // Guesses from networks nobody has signed in from share budgets per domain and in all: a
    // guesser with many networks gets no fresh allowance from each.
    let email_key = keys.pepper.derive(CHALLENGE_EMAIL, challenge.expose());
    let id = challenge_id.clone();
    let found = db
        .run(move |conn| {
            Ok(diesel::OptionalExtension::optional(LoginChallenge::find(
                conn, &id,
            ))?)
        })
        .await?;
    if !limits::known(db, None, &network).await? {
        let domain = found
            .as_ref()
            .and_then(|c| address_of(&email_key, c).ok())
            .map(|email| email.domain().to_owned());
        if let Some(domain) = domain {
            limits::check(db, VERIFY_PER_DOMAIN_NEW_NETWORKS, &domain).await?;
        }
        limits::check(db, VERIFY_NEW_NETWORKS, "all").await?;
    }
    let found = found.ok_or_else(|| {
        AppError::unauthorized("This sign-in was not found. Request a new code.")
            .with_code("unknown_challenge")
    })?;
    let (pepper, secrets, identity) = (keys.pepper.clone(), keys.secrets.clone(), *identity);
    let signed_in = db
        .run(move |conn| {
            let now = clock::now();
            let refusal = |c: &LoginChallenge| -> AppError {
                if c.consumed_at.is_some() {
                    AppError::unauthorized("This code was already used. Request a new code.")
                        .with_code("code_used")
                } else if c.expires_at <= now {
                    AppError::unauthorized("The code has expired. Request a new code.")
                        .with_code("code_expired")
                } else {
                    AppError::too_many("Too many wrong codes. Request a new code.")
                        .with_code("too_many_attempts")
                }
            };
            let wrong = |what: &str, code: &'static str| -> AppError {
                let left = MAX_ATTEMPTS - found.attempts - 1;
                if left > 0 {
                    AppError::unauthorized(format!("{what} {left} attempt(s) left."))
                        .with_code(code)
                } else {
                    AppError::too_many(format!(
                        "{what} No attempts are left: request a new code."
                    ))
                    .with_code("too_many_attempts")
                }
            };
            if !LoginChallenge::spend_attempt(conn, &challenge_id, MAX_ATTEMPTS, now)? {
                return Err(refusal(&found));
            }
            match &code {
                Some(code) if !pepper.code_matches(&challenge_id, code, &found.code_hash) => {
                    return Err(wrong("That code is not right.", "invalid_code"));
                }
                Some(_) => {}
                None if found.code_verified_at.is_none() => {
                    return Err(AppError::unauthorized(
                        "Enter the code from the e-mail first.",
                    )
                    .with_code("code_required"));
                }
                None => {}
            }
            let track = Track::parse(&found.track)
                .ok_or_else(|| AppError::internal("challenge with unknown track"))?;
            let email = address_of(&email_key, &found)?;
            let existing = Requester::find_by_email(conn, track, &email)?;
            if existing
                .as_ref()
                .is_some_and(|r| r.standing == Standing::Suspended)
            {
                LoginChallenge::consume(conn, &challenge_id, now)?;
                audit::record(
                    conn,
                    &Actor::System,
                    None,
                    "signin.refused_suspended",
                    json!({ "requester": existing.as_ref().map(|r| &r.id) }),
                )?;
                return Err(AppError::forbidden(NotPermitted::Suspended.message())
                    .with_code(NotPermitted::Suspended.code()));
            }
            let enrolled = existing.as_ref().filter(|r| r.enrolled());
            let factor = match (enrolled, &totp, &passkey) {
                (_, None, Some((webauthn, answer))) => {
                    let owner = existing.as_ref().map_or("", |r| r.id.as_str());
                    let checked = passkeys::check(conn, webauthn, owner, passkeys::Purpose::SignIn, &challenge_id, answer, now)?;
                    if checked != passkeys::Checked::Accepted {
                        audit::record(
                            conn,
                            &Actor::System,
                            None,
                            "signin.second_factor_failed",
                            json!({ "requester": existing.as_ref().map(|r| &r.id), "factor": Factor::Passkey, "outcome": checked }),
                        )?;
                        return Err(match checked {
                            passkeys::Checked::Unknown => wrong("That passkey is not registered to this account.", "unknown_passkey"),
                            passkeys::Checked::Expired => wrong("The passkey request expired or was answered already; try again.", "passkey_expired"),
                            _ => wrong("The passkey's answer did not verify.", "invalid_passkey"),
                        });
                    }
                    Some(Factor::Passkey)
                }
                (Some(officer), Some(totp), _) => {
                    let checked = second_factor::check(conn, &secrets, &officer.id, totp, now)?;
                    if checked != second_factor::Checked::Accepted {
                        audit::record(
                            conn,
                            &Actor::Requester(officer.id.clone()),
                            None,
                            "signin.second_factor_failed",
                            json!({ "factor": Factor::Totp, "replayed": checked == second_factor::Checked::Replayed }),
                        )?;
                        return Err(match checked {
                            second_factor::Checked::Replayed => AppError::unauthorized(
                                "That authenticator code was already used. Wait for the next one.",
                            )
                            .with_code("totp_reused"),
                            _ => wrong("That authenticator code is not right.", "invalid_totp"),
                        });
                    }
                    Some(Factor::Totp)
                }
                (Some(_), None, None) if identity::factor_at_sign_in(identity.second_factor, true) => {
                    LoginChallenge::mark_code_verified(conn, &challenge_id, now)?;
                    return Err(AppError::unauthorized(
                        "This account has a second factor: enter the code your authenticator app shows, or use your passkey.",
                    )
                    .with_code("second_factor_required"));
                }
                _ => None,
            };
            write_tx(conn, |conn| {
                if !LoginChallenge::consume(conn, &challenge_id, now)? {
                    return Err(refusal(&found));
                }
                let requester = Requester::find_or_create(conn, track, &email)?;
                let token = Token::generate();
                let expires_at = now + SESSION_TTL;
                session::create(
                    conn,
                    &session::NewSession {
                        token_hash: &token.hash().0,
                        requester_id: &requester.id,
                        kind: session_kind,
                        account_uid: found.account_uid.as_deref(),
                        second_factor: factor.map(Factor::as_str),
                        created_at: now,
                        expires_at,
                    },
                )?;
                audit::record(
                    conn,
                    &Actor::Requester(requester.id.clone()),
                    None,
                    "signin",
                    json!({ "track": track, "via": session_kind, "account": found.account_uid, "second_factor": factor }),
                )?;
                Ok(SignedIn {
                    token,
                    expires_at,
                    requester,
                    account_uid: found.account_uid.clone(),
                })
            })
        })
        .await?;
    limits::remember(db, &signed_in.requester.email, &network).await?;
    Ok(signed_in)
}

/// The address a challenge's code went to, opened with the key only its token gives.
fn address_of(
    email_key: &crate::crypto::stream::DocumentKey,
    challenge: &LoginChallenge,
) -> Result<EmailAddress, AppError> {
    open_small(email_key, challenge.id.as_bytes(), &challenge.email)
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| AppError::internal("a challenge's address does not open"))
        .and_then(|e| EmailAddress::parse(&e).map_err(AppError::internal))
}

/// The officer of a sign-in whose e-mailed code was right and whose second factor is still to
/// come, with the challenge's ID: what a passkey ceremony at sign-in is started for.
pub async fn awaiting_second_factor(
    db: &Db,
    keys: &Keys,
    challenge: &Token,
) -> Result<(String, Requester), AppError> {
    let challenge_id = challenge.hash().0;
    let email_key = keys.pepper.derive(CHALLENGE_EMAIL, challenge.expose());
    db.run(move |conn| {
        let now = clock::now();
        let found = diesel::OptionalExtension::optional(LoginChallenge::find(conn, &challenge_id))?
            .filter(|c| c.consumed_at.is_none() && c.expires_at > now && c.attempts < MAX_ATTEMPTS)
            .ok_or_else(|| {
                AppError::unauthorized(
                    "This sign-in was not found or has ended. Request a new code.",
                )
                .with_code("unknown_challenge")
            })?;
        if found.code_verified_at.is_none() {
            return Err(
                AppError::unauthorized("Enter the code from the e-mail first.")
                    .with_code("code_required"),
            );
        }
        let email = address_of(&email_key, &found)?;
        let officer = Requester::find_by_email(conn, Track::Agency, &email)?
            .filter(Requester::enrolled)
            .ok_or_else(|| {
                AppError::conflict("This sign-in asks for no second factor.")
                    .with_code("no_second_factor")
            })?;
        Ok((challenge_id, officer))
    })
    .await
}

pub async fn sign_out(db: &Db, token: &Token) -> Result<(), AppError> {
    let hashed = token.hash();
    db.run(move |conn| Ok(session::delete(conn, &hashed).map(|_| ())?))
        .await
}
