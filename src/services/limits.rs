//! Rate limits, counted in the database so that every instance shares them.

use chrono::TimeDelta;

use crate::crypto::sha256_hex;
use crate::db::models::rate_limit;
use crate::db::Db;
use crate::domain::clock;
use crate::error::AppError;

#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub name: &'static str,
    pub max: i32,
    pub window: TimeDelta,
    pub message: &'static str,
}

pub const CODE_PER_EMAIL: Limit = Limit {
    name: "code-email",
    max: 5,
    window: TimeDelta::minutes(15),
    message: "Too many codes were requested for this address. Wait 15 minutes and try again.",
};
pub const CODE_PER_IP: Limit = Limit {
    name: "code-ip",
    max: 30,
    window: TimeDelta::minutes(15),
    message: "Too many sign-in attempts from your network. Wait 15 minutes and try again.",
};
pub const VERIFY_PER_IP: Limit = Limit {
    name: "verify-ip",
    max: 60,
    window: TimeDelta::minutes(15),
    message: "Too many codes were tried from your network. Wait 15 minutes and try again.",
};
/// The allowance is `WRIT_SUBMISSIONS_PER_HOUR` (30 by default).
pub const SUBMIT_PER_REQUESTER: Limit = Limit {
    name: "submit",
    max: 30,
    window: TimeDelta::hours(1),
    message: "Too many requests were submitted in the last hour. Wait a while and try again.",
};

pub const BUNDLE_CHECK_PER_IP: Limit = Limit {
    name: "bundle-check-ip",
    max: 20,
    window: TimeDelta::hours(1),
    message: "Too many bundles were checked from your network in the last hour. Wait a while, or use `writ verify` offline.",
};

/// Counts one hit for `subject` (stored hashed: e-mail addresses and IPs are personal data).
/// Refuses with 429 once the window's allowance is spent.
pub async fn check(db: &Db, limit: Limit, subject: &str) -> Result<(), AppError> {
    let key = format!("{}:{}", limit.name, &sha256_hex(subject.as_bytes())[..32]);
    let hits = db
        .run(move |conn| Ok(rate_limit::hit(conn, &key, limit.window, clock::now())?))
        .await?;
    if hits > limit.max {
        return Err(AppError::too_many(limit.message));
    }
    Ok(())
}
