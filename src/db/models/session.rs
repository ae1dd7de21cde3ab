use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::crypto::HashedToken;
use crate::db::models::requester::Requester;
use crate::db::schema::{requesters, sessions};
use crate::db::DbConn;

pub fn create(
    conn: &mut DbConn,
    token: &HashedToken,
    requester_id: &str,
    kind: &str,
    account_uid: Option<&str>,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(sessions::table)
        .values((
            sessions::token_hash.eq(&token.0),
            sessions::requester_id.eq(requester_id),
            sessions::kind.eq(kind),
            sessions::account_uid.eq(account_uid),
            sessions::created_at.eq(now),
            sessions::expires_at.eq(expires_at),
        ))
        .execute(conn)
}

/// The requester a live session token belongs to, with the platform account the sign-in proved
/// (court track, user path).
pub fn requester(
    conn: &mut DbConn,
    token: &HashedToken,
    now: NaiveDateTime,
) -> QueryResult<Option<(Requester, Option<String>)>> {
    sessions::table
        .inner_join(requesters::table)
        .filter(sessions::token_hash.eq(&token.0))
        .filter(sessions::expires_at.gt(now))
        .select((Requester::as_select(), sessions::account_uid))
        .first(conn)
        .optional()
}

pub fn delete(conn: &mut DbConn, token: &HashedToken) -> QueryResult<usize> {
    diesel::delete(sessions::table.find(&token.0)).execute(conn)
}
