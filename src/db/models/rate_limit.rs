use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;

use crate::db::schema::rate_limits::dsl::*;
use crate::db::{is_unique_violation, DbConn};

/// The start of the fixed window of `window` that contains `now`.
fn window_of(window: TimeDelta, now: NaiveDateTime) -> NaiveDateTime {
    let seconds = window.num_seconds().max(1);
    chrono::DateTime::from_timestamp(now.and_utc().timestamp() / seconds * seconds, 0)
        .unwrap_or_default()
        .naive_utc()
}

/// The hits on `key` so far in the window containing `now`, without counting one.
pub fn hits_so_far(
    conn: &mut DbConn,
    key: &str,
    window: TimeDelta,
    now: NaiveDateTime,
) -> QueryResult<i32> {
    Ok(rate_limits
        .find((key, window_of(window, now)))
        .select(hits)
        .first::<i32>(conn)
        .optional()?
        .unwrap_or(0))
}

/// Counts one hit on `key` in the fixed window containing `now`; returns the hits so far.
/// The counter lives in the database, so every instance shares it.
pub fn hit(
    conn: &mut DbConn,
    key: &str,
    window: TimeDelta,
    now: NaiveDateTime,
) -> QueryResult<i32> {
    let start = window_of(window, now);
    loop {
        let counted = diesel::update(rate_limits.find((key, start)))
            .set(hits.eq(hits + 1))
            .returning(hits)
            .get_result::<i32>(conn)
            .optional()?;
        if let Some(count) = counted {
            return Ok(count);
        }
        let inserted = conn.transaction(|conn| {
            diesel::insert_into(rate_limits)
                .values((bucket.eq(key), window_start.eq(start), hits.eq(1)))
                .execute(conn)
        });
        match inserted {
            Ok(_) => return Ok(1),
            Err(e) if is_unique_violation(&e) => continue,
            Err(e) => return Err(e),
        }
    }
}

/// Forgets windows that ended long ago.
pub fn prune(conn: &mut DbConn, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(rate_limits.filter(window_start.lt(before))).execute(conn)
}
