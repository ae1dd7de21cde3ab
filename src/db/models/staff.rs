use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::crypto::HashedToken;
use crate::db::schema::{staff, staff_sessions};
use crate::db::DbConn;
use crate::domain::vocab::Role;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = staff)]
pub struct Staff {
    pub id: String,
    pub email: String,
    pub name: String,
    #[diesel(deserialize_as = String)]
    pub role: Role,
    pub password_hash: String,
    pub totp_secret: String,
    pub totp_last_step: i64,
    pub failed_attempts: i32,
    pub locked_until: Option<NaiveDateTime>,
    pub active: bool,
    pub created_at: NaiveDateTime,
    /// Their title, as the custodian who signs a bundle's certificate.
    pub title: Option<String>,
    /// They sign declarations outside the United States (28 USC 1746(1)).
    pub signs_outside_us: bool,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = staff)]
pub struct NewStaff {
    pub id: String,
    pub email: String,
    pub name: String,
    #[diesel(serialize_as = String)]
    pub role: Role,
    pub password_hash: String,
    pub totp_secret: String,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub title: Option<String>,
}

impl NewStaff {
    pub fn insert(self, conn: &mut DbConn) -> QueryResult<usize> {
        diesel::insert_into(staff::table).values(self).execute(conn)
    }
}

impl Staff {
    pub fn find_by_email(conn: &mut DbConn, email: &str) -> QueryResult<Option<Staff>> {
        staff::table
            .filter(staff::email.eq(email))
            .select(Staff::as_select())
            .first(conn)
            .optional()
    }

    pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Staff> {
        staff::table.find(id).select(Staff::as_select()).first(conn)
    }

    pub fn set_custodian(
        conn: &mut DbConn,
        id: &str,
        title: &str,
        outside_us: bool,
    ) -> QueryResult<usize> {
        diesel::update(staff::table.find(id))
            .set((
                staff::title.eq(title),
                staff::signs_outside_us.eq(outside_us),
            ))
            .execute(conn)
    }

    pub fn all(conn: &mut DbConn) -> QueryResult<Vec<Staff>> {
        staff::table
            .order(staff::email)
            .select(Staff::as_select())
            .load(conn)
    }

    /// Counts a failed sign-in (for the record: the account itself is never locked, which a
    /// stranger could do to anyone; failures are limited per network and address instead).
    pub fn record_failure(conn: &mut DbConn, id: &str) -> QueryResult<i32> {
        diesel::update(staff::table.find(id))
            .set(staff::failed_attempts.eq(staff::failed_attempts + 1))
            .returning(staff::failed_attempts)
            .get_result(conn)
    }

    /// Accepts a TOTP time step once: the update changes a row only if the step is newer than
    /// the last one accepted, so a replayed code (or a concurrent second use) changes nothing.
    pub fn accept_step(conn: &mut DbConn, id: &str, step: i64) -> QueryResult<bool> {
        let changed = diesel::update(staff::table.find(id).filter(staff::totp_last_step.lt(step)))
            .set((
                staff::totp_last_step.eq(step),
                staff::failed_attempts.eq(0),
                staff::locked_until.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)?;
        Ok(changed == 1)
    }

    pub fn set_password(conn: &mut DbConn, id: &str, hash: &str) -> QueryResult<usize> {
        diesel::update(staff::table.find(id))
            .set(staff::password_hash.eq(hash))
            .execute(conn)
    }
}

pub fn create_session(
    conn: &mut DbConn,
    token: &HashedToken,
    staff_id: &str,
    kind: &str,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(staff_sessions::table)
        .values((
            staff_sessions::token_hash.eq(&token.0),
            staff_sessions::staff_id.eq(staff_id),
            staff_sessions::kind.eq(kind),
            staff_sessions::created_at.eq(now),
            staff_sessions::expires_at.eq(expires_at),
        ))
        .execute(conn)
}

/// The active member of staff a live session belongs to: not expired, and used since
/// `idle_since`; each use that finds it live marks it used (at most once a minute).
pub fn session_staff(
    conn: &mut DbConn,
    token: &HashedToken,
    now: NaiveDateTime,
    idle_since: NaiveDateTime,
) -> QueryResult<Option<Staff>> {
    let found = staff_sessions::table
        .inner_join(staff::table)
        .filter(staff_sessions::token_hash.eq(&token.0))
        .filter(staff_sessions::expires_at.gt(now))
        .filter(
            staff_sessions::last_seen_at
                .gt(idle_since)
                .or(staff_sessions::last_seen_at
                    .is_null()
                    .and(staff_sessions::created_at.gt(idle_since))),
        )
        .filter(staff::active.eq(true))
        .select((Staff::as_select(), staff_sessions::last_seen_at))
        .first::<(Staff, Option<NaiveDateTime>)>(conn)
        .optional()?;
    let Some((member, last_seen)) = found else {
        return Ok(None);
    };
    if crate::db::models::session::is_stale(last_seen, now) {
        diesel::update(staff_sessions::table.find(&token.0))
            .set(staff_sessions::last_seen_at.eq(now))
            .execute(conn)?;
    }
    Ok(Some(member))
}

/// Ends every session of `staff_id` but `keep` (the one that asked, if any).
pub fn end_sessions(
    conn: &mut DbConn,
    staff_id: &str,
    keep: Option<&HashedToken>,
) -> QueryResult<usize> {
    let mine = staff_sessions::table.filter(staff_sessions::staff_id.eq(staff_id));
    match keep {
        Some(keep) => {
            diesel::delete(mine.filter(staff_sessions::token_hash.ne(&keep.0))).execute(conn)
        }
        None => diesel::delete(mine).execute(conn),
    }
}

pub fn delete_session(conn: &mut DbConn, token: &HashedToken) -> QueryResult<usize> {
    diesel::delete(staff_sessions::table.find(&token.0)).execute(conn)
}
