use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;

use crate::db::schema::outbox;
use crate::db::DbConn;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = outbox)]
pub struct OutboxMessage {
    pub id: String,
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub locked_until: Option<NaiveDateTime>,
    pub sent_at: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
}

impl OutboxMessage {
    pub fn insert(&self, conn: &mut DbConn) -> QueryResult<usize> {
        diesel::insert_into(outbox::table)
            .values(self)
            .execute(conn)
    }

    /// Claims up to `limit` due messages for `lease`, so that no other worker sends them
    /// meanwhile. On PostgreSQL the candidates are locked with `FOR UPDATE SKIP LOCKED`, so
    /// workers on several instances take disjoint batches without waiting on each other.
    pub fn claim(
        conn: &mut DbConn,
        limit: i64,
        now: NaiveDateTime,
        lease: TimeDelta,
    ) -> QueryResult<Vec<OutboxMessage>> {
        crate::db::write_tx(conn, |conn| {
            let due = || {
                outbox::table
                    .filter(outbox::sent_at.is_null())
                    .filter(outbox::next_attempt_at.le(now))
                    .filter(
                        outbox::locked_until
                            .is_null()
                            .or(outbox::locked_until.lt(now)),
                    )
                    .order(outbox::next_attempt_at)
                    .limit(limit)
            };
            let batch = match conn {
                #[cfg(feature = "postgres")]
                DbConn::Pg(pg) => due()
                    .select(OutboxMessage::as_select())
                    .for_update()
                    .skip_locked()
                    .load(pg)?,
                DbConn::Sqlite(sqlite) => due().select(OutboxMessage::as_select()).load(sqlite)?,
            };
            let ids: Vec<&str> = batch.iter().map(|m| m.id.as_str()).collect();
            diesel::update(outbox::table.filter(outbox::id.eq_any(&ids)))
                .set(outbox::locked_until.eq(now + lease))
                .execute(conn)?;
            Ok(batch)
        })
    }

    /// Marks a message delivered and prunes what it said: a sent letter's subject and body
    /// (sign-in codes among them) have no business staying in the database.
    pub fn mark_sent(conn: &mut DbConn, id: &str, now: NaiveDateTime) -> QueryResult<usize> {
        diesel::update(outbox::table.find(id))
            .set((
                outbox::sent_at.eq(now),
                outbox::locked_until.eq(None::<NaiveDateTime>),
                outbox::last_error.eq(None::<String>),
                outbox::subject.eq(""),
                outbox::body_text.eq(""),
                outbox::body_html.eq(""),
            ))
            .execute(conn)
    }

    /// Records a failed attempt and when to try again.
    pub fn mark_failed(
        conn: &mut DbConn,
        id: &str,
        error: &str,
        retry_at: NaiveDateTime,
    ) -> QueryResult<usize> {
        diesel::update(outbox::table.find(id))
            .set((
                outbox::attempts.eq(outbox::attempts + 1),
                outbox::next_attempt_at.eq(retry_at),
                outbox::locked_until.eq(None::<NaiveDateTime>),
                outbox::last_error.eq(error),
            ))
            .execute(conn)
    }

    pub fn pending_count(conn: &mut DbConn) -> QueryResult<i64> {
        outbox::table
            .filter(outbox::sent_at.is_null())
            .count()
            .get_result(conn)
    }
}
