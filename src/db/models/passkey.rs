//! Officers' passkeys and the WebAuthn ceremonies waiting for a browser's answer.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{passkey_ceremonies, passkeys, requesters};
use crate::db::DbConn;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = passkeys)]
pub struct StoredPasskey {
    pub id: String,
    pub requester_id: String,
    pub credential_id: String,
    pub name: String,
    /// The webauthn-rs `Passkey` (public key and counter), JSON.
    pub credential: String,
    pub created_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
}

#[derive(Insertable)]
#[diesel(table_name = passkeys)]
pub struct NewPasskey<'a> {
    pub id: &'a str,
    pub requester_id: &'a str,
    pub credential_id: &'a str,
    pub name: &'a str,
    pub credential: &'a str,
    pub created_at: NaiveDateTime,
}

/// An officer's passkeys, oldest first.
pub fn of_requester(conn: &mut DbConn, requester_id: &str) -> QueryResult<Vec<StoredPasskey>> {
    passkeys::table
        .filter(passkeys::requester_id.eq(requester_id))
        .order((passkeys::created_at, passkeys::id))
        .select(StoredPasskey::as_select())
        .load(conn)
}

/// The passkey with `credential_id`, whoever holds it.
pub fn by_credential(conn: &mut DbConn, credential_id: &str) -> QueryResult<Option<StoredPasskey>> {
    passkeys::table
        .filter(passkeys::credential_id.eq(credential_id))
        .select(StoredPasskey::as_select())
        .first(conn)
        .optional()
}

/// Adds a passkey and marks the officer enrolled (the first one sets the date).
pub fn add(conn: &mut DbConn, new: &NewPasskey<'_>) -> QueryResult<()> {
    diesel::insert_into(passkeys::table)
        .values(new)
        .execute(conn)?;
    diesel::update(
        requesters::table
            .find(new.requester_id)
            .filter(requesters::passkey_enrolled_at.is_null()),
    )
    .set(requesters::passkey_enrolled_at.eq(new.created_at))
    .execute(conn)?;
    Ok(())
}

/// Stores the credential as updated by a sign-in (its counter), with the time of use.
pub fn used(conn: &mut DbConn, id: &str, credential: &str, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(passkeys::table.find(id))
        .set((
            passkeys::credential.eq(credential),
            passkeys::last_used_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn remove_all(conn: &mut DbConn, requester_id: &str) -> QueryResult<usize> {
    diesel::delete(
        passkey_ceremonies::table.filter(passkey_ceremonies::requester_id.eq(requester_id)),
    )
    .execute(conn)?;
    diesel::delete(passkeys::table.filter(passkeys::requester_id.eq(requester_id))).execute(conn)
}

#[derive(Insertable)]
#[diesel(table_name = passkey_ceremonies)]
pub struct NewCeremony<'a> {
    pub id: &'a str,
    pub requester_id: &'a str,
    pub purpose: &'a str,
    pub bound_to: &'a str,
    pub state: &'a str,
    pub expires_at: NaiveDateTime,
}

/// Stores a ceremony, dropping those that have expired on the way and any earlier one for the
/// same purpose and binding: one session or sign-in has at most one waiting at a time.
pub fn begin(conn: &mut DbConn, new: &NewCeremony<'_>, now: NaiveDateTime) -> QueryResult<()> {
    diesel::delete(
        passkey_ceremonies::table.filter(
            passkey_ceremonies::expires_at
                .le(now)
                .or(passkey_ceremonies::bound_to
                    .eq(new.bound_to)
                    .and(passkey_ceremonies::purpose.eq(new.purpose))),
        ),
    )
    .execute(conn)?;
    diesel::insert_into(passkey_ceremonies::table)
        .values(new)
        .execute(conn)
        .map(|_| ())
}

/// Takes a ceremony for its one use: its state when `id` is still live, was started for
/// `purpose` by `requester_id`, and is bound to `bound_to`; deleted either way.
pub fn take(
    conn: &mut DbConn,
    id: &str,
    requester_id: &str,
    purpose: &str,
    bound_to: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<String>> {
    let found: Option<(String, String, String, String, NaiveDateTime)> = passkey_ceremonies::table
        .find(id)
        .select((
            passkey_ceremonies::requester_id,
            passkey_ceremonies::purpose,
            passkey_ceremonies::bound_to,
            passkey_ceremonies::state,
            passkey_ceremonies::expires_at,
        ))
        .first(conn)
        .optional()?;
    let Some((owner, kind, binding, state, expires_at)) = found else {
        return Ok(None);
    };
    // Whoever presents it, a ceremony is spent: a second answer to the same challenge finds nothing.
    let deleted = diesel::delete(passkey_ceremonies::table.find(id)).execute(conn)?;
    let live = deleted == 1
        && owner == requester_id
        && kind == purpose
        && binding == bound_to
        && expires_at > now;
    Ok(live.then_some(state))
}
