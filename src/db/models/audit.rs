use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::ids::CaseId;
use crate::db::schema::{audit_events, audit_head};
use crate::db::DbConn;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_events)]
pub struct AuditEvent {
    pub seq: i64,
    pub at: NaiveDateTime,
    pub actor: String,
    pub case_id: Option<CaseId>,
    pub action: String,
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

/// Takes the next place in the chain: bumps the head's sequence number (which locks the head
/// row until the caller's transaction ends) and returns `(seq, previous hash)`.
pub fn reserve(conn: &mut DbConn) -> QueryResult<(i64, String)> {
    diesel::update(audit_head::table.find(1))
        .set(audit_head::seq.eq(audit_head::seq + 1))
        .returning((audit_head::seq, audit_head::hash))
        .get_result(conn)
}

pub fn append(conn: &mut DbConn, event: &AuditEvent) -> QueryResult<()> {
    diesel::insert_into(audit_events::table)
        .values(event)
        .execute(conn)?;
    diesel::update(audit_head::table.find(1))
        .set(audit_head::hash.eq(&event.hash))
        .execute(conn)?;
    Ok(())
}

/// Events in chain order, a page at a time.
pub fn page(conn: &mut DbConn, after_seq: i64, limit: i64) -> QueryResult<Vec<AuditEvent>> {
    audit_events::table
        .filter(audit_events::seq.gt(after_seq))
        .order(audit_events::seq)
        .limit(limit)
        .select(AuditEvent::as_select())
        .load(conn)
}

pub fn for_case(conn: &mut DbConn, case_id: &CaseId) -> QueryResult<Vec<AuditEvent>> {
    audit_events::table
        .filter(audit_events::case_id.eq(case_id))
        .order(audit_events::seq)
        .select(AuditEvent::as_select())
        .load(conn)
}

pub fn head(conn: &mut DbConn) -> QueryResult<(i64, String)> {
    audit_head::table
        .find(1)
        .select((audit_head::seq, audit_head::hash))
        .first(conn)
}
