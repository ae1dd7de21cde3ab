use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::documents;
use crate::db::DbConn;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = documents)]
pub struct Document {
    pub id: String,
    pub case_id: String,
    pub filename: String,
    pub media_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_by: String,
    pub uploaded_at: NaiveDateTime,
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

    pub fn for_case(conn: &mut DbConn, case_id: &str) -> QueryResult<Vec<Document>> {
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
