//! Staff accounts and their sign-in: argon2id password and TOTP (RFC 6238), with lockout after
//! repeated failures, a dummy password check for unknown addresses, and codes good once.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{NaiveDateTime, TimeDelta};
use serde_json::json;

use super::limits::{self, Limit};
use crate::audit::{self, Actor};
use crate::crypto::stream::DocumentKey;
use crate::crypto::Keys;
use crate::crypto::{open_small, random_bytes, seal_small, totp, Token};
use crate::db::models::new_id;
use crate::db::models::staff::{self as rows, NewStaff, Staff};
use crate::db::{is_unique_violation, write_tx, Db};
use crate::domain::clock;
use crate::domain::email::EmailAddress;
use crate::domain::vocab::Role;
use crate::error::AppError;

pub const SESSION_TTL: TimeDelta = TimeDelta::hours(8);

/// Failed sign-ins for one address from one network: the lock a stranger can set only on
/// their own network. The answer is the same for every address, staff or not.
const FAILURES_PER_PAIR: Limit = Limit {
    name: "staff-failures-pair",
    max: 5,
    window: TimeDelta::minutes(15),
    message: "Too many failed sign-ins for this address from your network. Wait 15 minutes and try again.",
};
/// Attempts for one address from networks it has never signed in from.
const ATTEMPTS_PER_EMAIL_NEW_NETWORKS: Limit = Limit {
    name: "staff-signin-new",
    max: 20,
    window: TimeDelta::minutes(15),
    message: "Too many failed sign-ins for this address from your network. Wait 15 minutes and try again.",
};

const WRONG: &str = "Wrong e-mail address, password or code.";

pub struct NewAccount {
    pub staff: Staff,
    pub password: String,
    pub otpauth_uri: String,
    /// The TOTP secret in base32, shown once; the database keeps it sealed.
    pub totp_secret: String,
}

pub struct StaffSignedIn {
    pub token: Token,
    pub expires_at: NaiveDateTime,
    pub staff: Staff,
}

pub fn hash_password(password: &str) -> Result<String, AppError> {
    let salt = SaltString::encode_b64(&random_bytes::<16>()).map_err(AppError::internal)?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(AppError::internal)
}

fn password_matches(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A hash to check against when the address is unknown, so that the answer takes as long.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("writ-dummy-password").unwrap_or_default())
}

/// The code an authenticator shows for `secret` at `unix_seconds` (used by tests and `writ`).
pub fn code_at(secret_base32: &str, unix_seconds: u64) -> Result<String, AppError> {
    totp::code_at(secret_base32, unix_seconds).map_err(AppError::internal)
}

/// Creates an account; returns its first password and the `otpauth://` URI for the authenticator.
/// The TOTP secret is kept sealed with the instance's secrets key, bound to the account's id.
pub async fn add(
    db: &Db,
    keys: &Keys,
    email: &str,
    name: &str,
    role: Role,
    title: Option<&str>,
) -> Result<NewAccount, AppError> {
    let email = EmailAddress::parse(email).map_err(|m| AppError::invalid("email", m))?;
    let name = name.trim().to_owned();
    if name.is_empty() {
        return Err(AppError::invalid("name", "Enter the person's name."));
    }
    let title = match title.map(str::trim).filter(|t| !t.is_empty()) {
        Some(title) => Some(custodian_title(title)?),
        None => None,
    };
    let password = URL_SAFE_NO_PAD.encode(random_bytes::<15>());
    let secret = totp::new_secret();
    let otpauth_uri = totp::uri(&secret, email.as_str()).map_err(AppError::internal)?;
    let first_password = password.clone();
    let id = new_id();
    let sealed = seal_small(&keys.secrets, id.as_bytes(), secret.as_bytes());
    let staff = db
        .run(move |conn| {
            let hash = hash_password(&first_password)?;
            write_tx(conn, |conn| {
                let inserted = NewStaff {
                    id: id.clone(),
                    email: email.as_str().to_owned(),
                    name,
                    role,
                    password_hash: hash,
                    totp_secret: sealed,
                    active: true,
                    created_at: clock::now(),
                    title,
                }
                .insert(conn);
                match inserted {
                    Err(e) if is_unique_violation(&e) => {
                        return Err(AppError::conflict(format!(
                            "{email} already has a staff account."
                        )))
                    }
                    other => other?,
                };
                audit::record(
                    conn,
                    &Actor::Cli,
                    None,
                    "staff.added",
                    json!({ "staff": id, "role": role }),
                )?;
                Ok(Staff::find(conn, &id)?)
            })
        })
        .await?;
    Ok(NewAccount {
        totp_secret: secret,
        staff,
        password,
        otpauth_uri,
    })
}

/// Password and code; `kind` is `cookie` or `api`; `client` the caller's address.
pub async fn sign_in(
    db: &Db,
    keys: &Keys,
    email: &str,
    password: &str,
    code: &str,
    kind: &'static str,
    client: &str,
) -> Result<StaffSignedIn, AppError> {
    let email = EmailAddress::parse(email)
        .map_err(|_| AppError::unauthorized(WRONG).with_code("invalid_credentials"))?;
    let network = limits::network(client);
    let pair = limits::pair(&network, email.as_str());
    limits::unspent(db, FAILURES_PER_PAIR, &pair).await?;
    if !limits::known(db, Some(email.as_str()), &network).await? {
        limits::check(db, ATTEMPTS_PER_EMAIL_NEW_NETWORKS, email.as_str()).await?;
    }
    let address = email.as_str().to_owned();
    let (password, code, secrets) = (
        password.to_owned(),
        code.trim().to_owned(),
        keys.secrets.clone(),
    );
    let outcome = db
        .run(move |conn| {
            let now = clock::now();
            let Some(staff) = rows::Staff::find_by_email(conn, email.as_str())? else {
                password_matches(&password, dummy_hash());
                return Err(AppError::unauthorized(WRONG).with_code("invalid_credentials"));
            };
            let password_ok = password_matches(&password, &staff.password_hash);
            let step = matching_step(&staff, &secrets, &code, now)?;
            match (password_ok && staff.active, step) {
                (true, Some(step)) => {
                    if !rows::Staff::accept_step(conn, &staff.id, step)? {
                        return Err(AppError::unauthorized(
                            "That code was already used. Wait for the next one.",
                        )
                        .with_code("code_reused"));
                    }
                    write_tx(conn, |conn| {
                        let token = Token::generate();
                        let expires_at = now + SESSION_TTL;
                        rows::create_session(
                            conn,
                            &token.hash(),
                            &staff.id,
                            kind,
                            now,
                            expires_at,
                        )?;
                        audit::record(
                            conn,
                            &Actor::Staff(staff.id.clone()),
                            None,
                            "staff.signin",
                            json!({ "via": kind }),
                        )?;
                        Ok(StaffSignedIn {
                            token,
                            expires_at,
                            staff: Staff::find(conn, &staff.id)?,
                        })
                    })
                }
                _ => {
                    let failures = rows::Staff::record_failure(conn, &staff.id)?;
                    audit::record(
                        conn,
                        &Actor::Staff(staff.id.clone()),
                        None,
                        "staff.signin_failed",
                        json!({ "failures": failures }),
                    )?;
                    Err(AppError::unauthorized(WRONG).with_code("invalid_credentials"))
                }
            }
        })
        .await;
    match &outcome {
        Ok(_) => limits::remember(db, &address, &network).await?,
        Err(e) if e.code == "invalid_credentials" => {
            limits::spend(db, FAILURES_PER_PAIR, &pair).await?
        }
        Err(_) => {}
    }
    outcome
}

/// The 30-second step whose code matches, allowing one step of clock drift either way.
fn matching_step(
    staff: &Staff,
    secrets: &DocumentKey,
    code: &str,
    now: NaiveDateTime,
) -> Result<Option<i64>, AppError> {
    if !totp::well_formed(code) {
        return Ok(None);
    }
    let secret = open_small(secrets, staff.id.as_bytes(), &staff.totp_secret)
        .and_then(|s| String::from_utf8(s).ok())
        .ok_or_else(|| {
            AppError::internal(format!(
                "the TOTP secret of staff {} does not open",
                staff.id
            ))
        })?;
    totp::matching_step(&secret, code, now).map_err(AppError::internal)
}

pub async fn sign_out(db: &Db, token: &Token) -> Result<(), AppError> {
    let hashed = token.hash();
    db.run(move |conn| Ok(rows::delete_session(conn, &hashed).map(|_| ())?))
        .await
}

/// Changes a password after checking the current one. Argon2 runs on the blocking pool.
/// Every other session of the account ends; `keep` (the session that asked) goes on.
/// A custodian's title as the certificate prints it: one line, at most 120 characters.
fn custodian_title(title: &str) -> Result<String, AppError> {
    let title = title.trim();
    if title.is_empty() {
        return Err(AppError::invalid(
            "title",
            "Enter your title, as the certificate is to name it (for example “Custodian of Records”).",
        ));
    }
    if title.chars().count() > 120 {
        return Err(AppError::invalid(
            "title",
            "Keep the title to 120 characters.",
        ));
    }
    crate::domain::text::check_line(title).map_err(|m| AppError::invalid("title", m))?;
    Ok(title.to_owned())
}

/// Records a member of staff's title and where they sign, once, for the certificates they seal
/// (FRE 902(11): the custodian's name and title; 28 USC 1746: the wording of the declaration).
pub async fn record_custodian(
    db: &Db,
    staff: &Staff,
    title: &str,
    outside_us: bool,
) -> Result<Staff, AppError> {
    let title = custodian_title(title)?;
    let id = staff.id.clone();
    db.write(move |conn| {
        rows::Staff::set_custodian(conn, &id, &title, outside_us)?;
        audit::record(
            conn,
            &Actor::Staff(id.clone()),
            None,
            "staff.custodian_recorded",
            json!({ "title": title, "signs_outside_us": outside_us }),
        )?;
        Ok(Staff::find(conn, &id)?)
    })
    .await
}

pub async fn change_password(
    db: &Db,
    staff: &Staff,
    keep: &crate::crypto::Token,
    current: &str,
    new: &str,
) -> Result<(), AppError> {
    let keep = keep.hash();
    if new.chars().count() < 12 {
        return Err(AppError::invalid(
            "new",
            "Choose a password of at least 12 characters.",
        ));
    }
    let (id, stored, current, new) = (
        staff.id.clone(),
        staff.password_hash.clone(),
        current.to_owned(),
        new.to_owned(),
    );
    db.run(move |conn| {
        if !password_matches(&current, &stored) {
            return Err(AppError::invalid(
                "current",
                "That is not your current password.",
            ));
        }
        let hash = hash_password(&new)?;
        write_tx(conn, |conn| {
            rows::Staff::set_password(conn, &id, &hash)?;
            // Whoever else holds a session of this account loses it with the old password.
            let ended = rows::end_sessions(conn, &id, Some(&keep))?;
            audit::record(
                conn,
                &Actor::Staff(id.clone()),
                None,
                "staff.password_changed",
                json!({ "sessions_ended": ended }),
            )?;
            Ok(())
        })
    })
    .await
}

/// Turns an account on or off; an inactive account cannot sign in and its sessions stop working.
pub async fn set_active(
    db: &Db,
    admin: &Staff,
    staff_id: &str,
    active: bool,
) -> Result<Staff, AppError> {
    if admin.id == staff_id && !active {
        return Err(AppError::conflict(
            "You cannot deactivate your own account.",
        ));
    }
    let (admin_id, staff_id) = (admin.id.clone(), staff_id.to_owned());
    db.write(move |conn| {
        use crate::db::schema::staff;
        use diesel::prelude::*;
        let changed = diesel::update(staff::table.find(&staff_id))
            .set(staff::active.eq(active))
            .execute(conn)?;
        if changed == 0 {
            return Err(AppError::not_found());
        }
        // Deactivation ends every session, so that reactivating opens none of them again.
        let ended = if active {
            0
        } else {
            rows::end_sessions(conn, &staff_id, None)?
        };
        audit::record(
            conn,
            &Actor::Staff(admin_id.clone()),
            None,
            if active {
                "staff.activated"
            } else {
                "staff.deactivated"
            },
            json!({ "staff": staff_id, "sessions_ended": ended }),
        )?;
        Ok(Staff::find(conn, &staff_id)?)
    })
    .await
}
