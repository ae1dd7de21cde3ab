use diesel::prelude::*;

use crate::db::schema::reference_counters::dsl::*;
use crate::db::{is_unique_violation, DbConn};

/// The next number of a series (`LE-2026`), never reused. Call it inside the transaction that
/// stores what the number names: the row lock serialises concurrent submitters, and a rolled
/// back submission gives its number back only if nobody took a later one.
pub fn next(conn: &mut DbConn, series: &str) -> QueryResult<i64> {
    loop {
        let bumped = diesel::update(reference_counters.find(series))
            .set(last_value.eq(last_value + 1))
            .returning(last_value)
            .get_result::<i64>(conn)
            .optional()?;
        if let Some(number) = bumped {
            return Ok(number);
        }
        // First number of the series; a savepoint keeps a lost race from aborting the caller.
        let started = conn.transaction(|conn| {
            diesel::insert_into(reference_counters)
                .values((prefix.eq(series), last_value.eq(1_i64)))
                .execute(conn)
        });
        match started {
            Ok(_) => return Ok(1),
            Err(e) if is_unique_violation(&e) => continue,
            Err(e) => return Err(e),
        }
    }
}
