//! A request form saved before it is filed: one per requester.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::request_drafts;
use crate::db::DbConn;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = request_drafts)]
pub struct SavedDraft {
    pub requester_id: String,
    /// A JSON `services::drafts::Draft`.
    pub body: String,
    pub saved_at: NaiveDateTime,
}

impl SavedDraft {
    /// Replaces the requester's draft (without `ON CONFLICT`, which the connection enum lacks).
    pub fn save(&self, conn: &mut DbConn) -> QueryResult<usize> {
        SavedDraft::delete(conn, &self.requester_id)?;
        diesel::insert_into(request_drafts::table)
            .values(self)
            .execute(conn)
    }

    pub fn find(conn: &mut DbConn, requester_id: &str) -> QueryResult<Option<SavedDraft>> {
        request_drafts::table
            .find(requester_id)
            .select(SavedDraft::as_select())
            .first(conn)
            .optional()
    }

    pub fn delete(conn: &mut DbConn, requester_id: &str) -> QueryResult<usize> {
        diesel::delete(request_drafts::table.find(requester_id)).execute(conn)
    }

    /// Forgets drafts last saved before `before`.
    pub fn expire(conn: &mut DbConn, before: NaiveDateTime) -> QueryResult<usize> {
        diesel::delete(request_drafts::table.filter(request_drafts::saved_at.lt(before)))
            .execute(conn)
    }
}
