use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::ids::CaseId;
use crate::db::schema::{documents, held_documents};
use crate::db::DbConn;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = documents)]
pub struct Document {
    pub id: String,
    pub case_id: CaseId,
    pub filename: String,
    pub media_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_by: String,
    pub uploaded_at: NaiveDateTime,
    /// `process` or `ndo_order` (`DocumentRole`).
    pub role: String,
}

impl Document {
    pub fn insert_all(conn: &mut DbConn, rows: &[Document]) -> QueryResult<usize> {
        // One statement per row: batch inserts are not available through the multi-backend connection.
        rows.iter().try_fold(0, |n, row| {
            Ok(n + diesel::insert_into(documents::table)
                .values(row)
                .execute(conn)?)
        })
    }

    pub fn for_case(conn: &mut DbConn, case_id: &CaseId) -> QueryResult<Vec<Document>> {
        documents::table
            .filter(documents::case_id.eq(case_id))
            .order((documents::uploaded_at, documents::filename))
            .select(Document::as_select())
            .load(conn)
    }

    pub fn count(conn: &mut DbConn) -> QueryResult<i64> {
        documents::table.count().get_result(conn)
    }
}

/// An uploaded file kept for its requester between two submissions of the same form.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = held_documents)]
pub struct HeldDocument {
    pub id: String,
    pub requester_id: String,
    pub filename: String,
    pub media_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub held_at: NaiveDateTime,
    pub role: String,
    /// Kept past the day a held file lasts, because a saved draft lists it.
    pub kept_until: Option<NaiveDateTime>,
}

impl HeldDocument {
    pub fn insert(&self, conn: &mut DbConn) -> QueryResult<usize> {
        diesel::insert_into(held_documents::table)
            .values(self)
            .execute(conn)
    }

    /// Takes back the requester's held files named by `ids`: they are removed from the table
    /// and returned. Ids of other requesters' files are ignored.
    pub fn take(
        conn: &mut DbConn,
        requester_id: &str,
        ids: &[String],
    ) -> QueryResult<Vec<HeldDocument>> {
        let mine = held_documents::table
            .filter(held_documents::requester_id.eq(requester_id))
            .filter(held_documents::id.eq_any(ids));
        let held = mine
            .clone()
            .select(HeldDocument::as_select())
            .order(held_documents::held_at)
            .load(conn)?;
        diesel::delete(mine).execute(conn)?;
        Ok(held)
    }

    /// Takes back every file held for the requester.
    pub fn take_all(conn: &mut DbConn, requester_id: &str) -> QueryResult<Vec<HeldDocument>> {
        let mine = held_documents::table.filter(held_documents::requester_id.eq(requester_id));
        let held = mine.select(HeldDocument::as_select()).load(conn)?;
        diesel::delete(mine).execute(conn)?;
        Ok(held)
    }

    /// The requester's held files named by `ids`, left held (a saved draft's, to show them).
    pub fn find(
        conn: &mut DbConn,
        requester_id: &str,
        ids: &[String],
    ) -> QueryResult<Vec<HeldDocument>> {
        held_documents::table
            .filter(held_documents::requester_id.eq(requester_id))
            .filter(held_documents::id.eq_any(ids))
            .select(HeldDocument::as_select())
            .order(held_documents::held_at)
            .load(conn)
    }

    /// Keeps the requester's files `ids` until `until` (their draft's end), and lets their other
    /// held files go at the usual time.
    pub fn keep(
        conn: &mut DbConn,
        requester_id: &str,
        ids: &[String],
        until: Option<NaiveDateTime>,
    ) -> QueryResult<()> {
        let mine = held_documents::table.filter(held_documents::requester_id.eq(requester_id));
        diesel::update(mine.filter(held_documents::id.ne_all(ids)))
            .set(held_documents::kept_until.eq(None::<NaiveDateTime>))
            .execute(conn)?;
        diesel::update(mine.filter(held_documents::id.eq_any(ids)))
            .set(held_documents::kept_until.eq(until))
            .execute(conn)?;
        Ok(())
    }

    /// Forgets files held since before `before` that no saved draft keeps at `now`; returns
    /// their ids, for the files to go too.
    pub fn expire(
        conn: &mut DbConn,
        before: NaiveDateTime,
        now: NaiveDateTime,
    ) -> QueryResult<Vec<String>> {
        let old = held_documents::table
            .filter(held_documents::held_at.lt(before))
            .filter(
                held_documents::kept_until
                    .is_null()
                    .or(held_documents::kept_until.lt(now)),
            );
        let ids = old.select(held_documents::id).load(conn)?;
        diesel::delete(old).execute(conn)?;
        Ok(ids)
    }
}
