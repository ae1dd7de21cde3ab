use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::login_challenges;
use crate::db::DbConn;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = login_challenges)]
pub struct LoginChallenge {
    pub id: String,
    pub track: String,
    pub email: String,
    pub code_hash: String,
    pub attempts: i32,
    pub expires_at: NaiveDateTime,
    pub consumed_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub account_uid: Option<String>,
    /// When the e-mailed code was found right, with the second factor still to come.
    pub code_verified_at: Option<NaiveDateTime>,
}

#[derive(Insertable)]
#[diesel(table_name = login_challenges)]
pub struct NewLoginChallenge<'a> {
    pub id: &'a str,
    pub track: &'a str,
    pub email: &'a str,
    pub code_hash: &'a str,
    pub attempts: i32,
    pub expires_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub account_uid: Option<&'a str>,
}

impl NewLoginChallenge<'_> {
    pub fn insert(&self, conn: &mut DbConn) -> QueryResult<usize> {
        diesel::insert_into(login_challenges::table)
            .values(self)
            .execute(conn)
    }
}

impl LoginChallenge {
    pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<LoginChallenge> {
        login_challenges::table
            .find(id)
            .select(LoginChallenge::as_select())
            .first(conn)
    }

    /// Spends one attempt, only while the challenge is live and under `max` attempts. Returns
    /// whether an attempt was available; concurrent guesses cannot exceed the limit.
    pub fn spend_attempt(
        conn: &mut DbConn,
        id: &str,
        max: i32,
        now: NaiveDateTime,
    ) -> QueryResult<bool> {
        let changed = diesel::update(
            login_challenges::table
                .find(id)
                .filter(login_challenges::attempts.lt(max))
                .filter(login_challenges::consumed_at.is_null())
                .filter(login_challenges::expires_at.gt(now)),
        )
        .set(login_challenges::attempts.eq(login_challenges::attempts + 1))
        .execute(conn)?;
        Ok(changed == 1)
    }

    /// Records that the code was right, so that the second factor can follow without it.
    pub fn mark_code_verified(
        conn: &mut DbConn,
        id: &str,
        now: NaiveDateTime,
    ) -> QueryResult<usize> {
        diesel::update(
            login_challenges::table
                .find(id)
                .filter(login_challenges::code_verified_at.is_null()),
        )
        .set(login_challenges::code_verified_at.eq(now))
        .execute(conn)
    }

    /// Marks the challenge used; false if someone else used it first.
    pub fn consume(conn: &mut DbConn, id: &str, now: NaiveDateTime) -> QueryResult<bool> {
        let changed = diesel::update(
            login_challenges::table
                .find(id)
                .filter(login_challenges::consumed_at.is_null()),
        )
        .set(login_challenges::consumed_at.eq(now))
        .execute(conn)?;
        Ok(changed == 1)
    }
}
