//! Time as the database keeps it: UTC, microsecond precision (both backends agree on that).

use chrono::{DurationRound, NaiveDateTime, TimeDelta, Utc};

pub fn now() -> NaiveDateTime {
    truncate(Utc::now().naive_utc())
}

pub fn truncate(at: NaiveDateTime) -> NaiveDateTime {
    at.duration_trunc(TimeDelta::microseconds(1)).unwrap_or(at)
}

/// RFC 3339 in UTC, as the API and e-mails show instants.
pub fn rfc3339(at: NaiveDateTime) -> String {
    at.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
