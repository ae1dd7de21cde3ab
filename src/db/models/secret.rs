use diesel::prelude::*;

use crate::db::schema::app_secrets;
use crate::db::{is_unique_violation, DbConn};
use crate::domain::clock;

/// The value stored under `name`, created with `generate` on first use. Instances starting
/// together agree: the loser of the insert race reads the winner's value.
pub fn get_or_create(
    conn: &mut DbConn,
    name: &str,
    generate: impl Fn() -> String,
) -> QueryResult<String> {
    let existing = app_secrets::table
        .find(name)
        .select(app_secrets::value)
        .first::<String>(conn)
        .optional()?;
    if let Some(value) = existing {
        return Ok(value);
    }
    let inserted = conn.transaction(|conn| {
        diesel::insert_into(app_secrets::table)
            .values((
                app_secrets::name.eq(name),
                app_secrets::value.eq(generate()),
                app_secrets::created_at.eq(clock::now()),
            ))
            .execute(conn)
    });
    match inserted {
        Err(e) if !is_unique_violation(&e) => Err(e),
        _ => app_secrets::table
            .find(name)
            .select(app_secrets::value)
            .first(conn),
    }
}

/// Every stored secret, `(name, value)`.
pub fn all(conn: &mut DbConn) -> QueryResult<Vec<(String, String)>> {
    app_secrets::table
        .order(app_secrets::name)
        .select((app_secrets::name, app_secrets::value))
        .load(conn)
}

/// Replaces the value of `name` if it is still `old`; whether it was.
pub fn replace(conn: &mut DbConn, name: &str, old: &str, new: &str) -> QueryResult<bool> {
    let changed = diesel::update(
        app_secrets::table
            .filter(app_secrets::name.eq(name))
            .filter(app_secrets::value.eq(old)),
    )
    .set(app_secrets::value.eq(new))
    .execute(conn)?;
    Ok(changed == 1)
}
