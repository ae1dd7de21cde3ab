use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::known_networks;
use crate::db::{is_unique_violation, DbConn};

/// Records that `subject` signed in from `network` (both hashed by the caller).
pub fn remember(
    conn: &mut DbConn,
    subject: &str,
    network: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let updated = diesel::update(known_networks::table.find((subject, network)))
        .set(known_networks::last_signin_at.eq(now))
        .execute(conn)?;
    if updated > 0 {
        return Ok(());
    }
    let inserted = conn.transaction(|conn| {
        diesel::insert_into(known_networks::table)
            .values((
                known_networks::subject.eq(subject),
                known_networks::network.eq(network),
                known_networks::last_signin_at.eq(now),
            ))
            .execute(conn)
    });
    match inserted {
        Err(e) if !is_unique_violation(&e) => Err(e),
        _ => Ok(()),
    }
}

/// Whether `subject` (or, with `None`, anybody) has signed in from `network`.
pub fn is_known(conn: &mut DbConn, subject: Option<&str>, network: &str) -> QueryResult<bool> {
    let from = known_networks::table.filter(known_networks::network.eq(network));
    match subject {
        Some(subject) => diesel::select(diesel::dsl::exists(
            from.filter(known_networks::subject.eq(subject)),
        ))
        .get_result(conn),
        None => diesel::select(diesel::dsl::exists(from)).get_result(conn),
    }
}
