use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::crypto::HashedToken;
use crate::db::models::requester::Requester;
use crate::db::schema::{requesters, sessions};
use crate::db::DbConn;

/// A session as a sign-in opens it.
#[derive(Insertable)]
#[diesel(table_name = sessions)]
pub struct NewSession<'a> {
    pub token_hash: &'a str,
    pub requester_id: &'a str,
    /// How the sign-in was made (`session_kind`).
    pub kind: &'a str,
    /// The platform account the sign-in proved (court track, user path).
    pub account_uid: Option<&'a str>,
    pub second_factor: Option<&'a str>,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

pub fn create(conn: &mut DbConn, session: &NewSession<'_>) -> QueryResult<usize> {
    diesel::insert_into(sessions::table)
        .values(session)
        .execute(conn)
}

/// A live session: its requester, the platform account the sign-in proved (court track, user
/// path) and the second factor it proved.
pub struct Live {
    pub requester: Requester,
    pub account_uid: Option<String>,
    pub second_factor: Option<String>,
}

/// The requester a live session token belongs to. A session is live until it expires, or until it has gone unused
/// since `idle_since`; each use that finds it live marks it used (at most once a minute).
pub fn requester(
    conn: &mut DbConn,
    token: &HashedToken,
    now: NaiveDateTime,
    idle_since: NaiveDateTime,
) -> QueryResult<Option<Live>> {
    let found = sessions::table
        .inner_join(requesters::table)
        .filter(sessions::token_hash.eq(&token.0))
        .filter(sessions::expires_at.gt(now))
        .filter(
            sessions::last_seen_at
                .gt(idle_since)
                .or(sessions::last_seen_at
                    .is_null()
                    .and(sessions::created_at.gt(idle_since))),
        )
        .select((
            Requester::as_select(),
            sessions::account_uid,
            sessions::second_factor,
            sessions::last_seen_at,
        ))
        .first::<(
            Requester,
            Option<String>,
            Option<String>,
            Option<NaiveDateTime>,
        )>(conn)
        .optional()?;
    let Some((requester, account_uid, second_factor, last_seen)) = found else {
        return Ok(None);
    };
    // Written only when a minute has passed: most requests read and write nothing more.
    if is_stale(last_seen, now) {
        diesel::update(sessions::table.find(&token.0))
            .set(sessions::last_seen_at.eq(now))
            .execute(conn)?;
    }
    Ok(Some(Live {
        requester,
        account_uid,
        second_factor,
    }))
}

/// Whether a session last marked used at `last_seen` should be marked again at `now`.
pub fn is_stale(last_seen: Option<NaiveDateTime>, now: NaiveDateTime) -> bool {
    last_seen.is_none_or(|at| at < now - chrono::TimeDelta::minutes(1))
}

/// The requesters whose address is at `domain` or below it.
pub fn requesters_at_domain(conn: &mut DbConn, domain: &str) -> QueryResult<Vec<String>> {
    let at = format!("%@{domain}");
    let below = format!("%.{domain}");
    requesters::table
        .filter(requesters::email.like(at).or(requesters::email.like(below)))
        .select(requesters::id)
        .load(conn)
}

/// Ends every session and API token of these requesters.
pub fn end_for_requesters(conn: &mut DbConn, requester_ids: &[String]) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::requester_id.eq_any(requester_ids)))
        .execute(conn)
}

/// Ends every session and API token of one requester.
pub fn end_for_requester(conn: &mut DbConn, requester_id: &str) -> QueryResult<usize> {
    end_for_requesters(conn, &[requester_id.to_owned()])
}

pub fn delete(conn: &mut DbConn, token: &HashedToken) -> QueryResult<usize> {
    diesel::delete(sessions::table.find(&token.0)).execute(conn)
}
