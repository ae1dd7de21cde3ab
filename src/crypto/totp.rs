//! TOTP (RFC 6238): 6 digits, 30-second steps, SHA-1, as every authenticator app reads an
//! `otpauth://` URI. Shared by staff and officers; each caller keeps its own secret sealed and
//! refuses a replayed step itself.

use chrono::NaiveDateTime;
use totp_rs::{Algorithm, Secret, TOTP};

use super::{random_bytes, sha256_hex};

fn totp(secret_base32: &str, account: &str) -> Result<TOTP, String> {
    let secret = Secret::Encoded(secret_base32.to_owned())
        .to_bytes()
        .map_err(|e| format!("{e:?}"))?;
    TOTP::new(
        Algorithm::SHA1,
        6,
        0,
        30,
        secret,
        Some("Writ".to_owned()),
        account.to_owned(),
    )
    .map_err(|e| e.to_string())
}

/// A new secret, base32 as authenticator apps take it.
pub fn new_secret() -> String {
    Secret::Raw(random_bytes::<20>().to_vec())
        .to_encoded()
        .to_string()
}

/// The `otpauth://` URI an authenticator app enrols from.
pub fn uri(secret_base32: &str, account: &str) -> Result<String, String> {
    Ok(totp(secret_base32, account)?.get_url())
}

/// The code an authenticator shows for `secret` at `unix_seconds` (used by tests and `writ`).
pub fn code_at(secret_base32: &str, unix_seconds: u64) -> Result<String, String> {
    Ok(totp(secret_base32, "writ")?.generate(unix_seconds))
}

/// Whether `code` is well formed: six digits.
pub fn well_formed(code: &str) -> bool {
    code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit())
}

/// The 30-second step whose code matches, allowing one step of clock drift either way.
pub fn matching_step(
    secret_base32: &str,
    code: &str,
    now: NaiveDateTime,
) -> Result<Option<i64>, String> {
    if !well_formed(code) {
        return Ok(None);
    }
    let totp = totp(secret_base32, "writ")?;
    let current = now.and_utc().timestamp() / 30;
    Ok((current - 1..=current + 1).find(|step| {
        // Digest comparison keeps the check's timing independent of the code.
        sha256_hex(totp.generate((*step * 30) as u64).as_bytes()) == sha256_hex(code.as_bytes())
    }))
}
