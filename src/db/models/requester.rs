use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::requesters;
use crate::db::{is_unique_violation, DbConn};
use crate::domain::clock;
use crate::domain::email::EmailAddress;
use crate::domain::identity::Standing;
use crate::domain::profile::{AgencyProfile, CourtProfile};
use crate::domain::vocab::{CourtPath, Track};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = requesters)]
pub struct Requester {
    pub id: String,
    #[diesel(deserialize_as = String)]
    pub track: Track,
    pub email: String,
    pub name: Option<String>,
    pub title: Option<String>,
    pub badge_number: Option<String>,
    pub agency_name: Option<String>,
    pub agency_function: Option<String>,
    pub country: Option<String>,
    pub phone: Option<String>,
    pub profile_completed_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub firm: Option<String>,
    pub bar_number: Option<String>,
    pub bar_jurisdiction: Option<String>,
    pub represents: Option<String>,
    #[diesel(deserialize_as = String)]
    pub standing: Standing,
    pub standing_reason: Option<String>,
    pub standing_changed_at: Option<NaiveDateTime>,
    pub verified_at: Option<NaiveDateTime>,
    pub may_file_emergency: bool,
    pub may_file_freeze: bool,
    pub totp_enrolled_at: Option<NaiveDateTime>,
    pub passkey_enrolled_at: Option<NaiveDateTime>,
}

impl Requester {
    /// Whether a second factor (an authenticator app or a passkey) is set up.
    pub fn enrolled(&self) -> bool {
        self.totp_enrolled_at.is_some() || self.passkey_enrolled_at.is_some()
    }

    pub fn has_profile(&self) -> bool {
        self.profile_completed_at.is_some()
    }

    /// Whether the profile holds what filing on `path` needs: a visitor has declared their bar.
    pub fn ready_to_file(&self, path: Option<CourtPath>) -> bool {
        self.has_profile()
            && (path != Some(CourtPath::Visitor)
                || (self.bar_number.is_some()
                    && self.bar_jurisdiction.is_some()
                    && self.firm.is_some()))
    }

    pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Requester> {
        requesters::table
            .find(id)
            .select(Requester::as_select())
            .first(conn)
    }

    pub fn find_by_email(
        conn: &mut DbConn,
        track: Track,
        email: &EmailAddress,
    ) -> QueryResult<Option<Requester>> {
        requesters::table
            .filter(requesters::track.eq(track.as_str()))
            .filter(requesters::email.eq(email.as_str()))
            .select(Requester::as_select())
            .first(conn)
            .optional()
    }

    /// The requester behind a verified e-mail on a track, created on first sign-in.
    pub fn find_or_create(
        conn: &mut DbConn,
        track: Track,
        email: &EmailAddress,
    ) -> QueryResult<Requester> {
        let by_email = requesters::table
            .filter(requesters::track.eq(track.as_str()))
            .filter(requesters::email.eq(email.as_str()));
        if let Some(found) = by_email
            .select(Requester::as_select())
            .first(conn)
            .optional()?
        {
            return Ok(found);
        }
        let created = conn.transaction(|conn| {
            diesel::insert_into(requesters::table)
                .values((
                    requesters::id.eq(super::new_id()),
                    requesters::track.eq(track.as_str()),
                    requesters::email.eq(email.as_str()),
                    requesters::created_at.eq(clock::now()),
                ))
                .execute(conn)
        });
        match created {
            Err(e) if !is_unique_violation(&e) => Err(e),
            _ => by_email.select(Requester::as_select()).first(conn),
        }
    }

    pub fn save_agency_profile(
        conn: &mut DbConn,
        id: &str,
        profile: &AgencyProfile,
    ) -> QueryResult<usize> {
        diesel::update(requesters::table.find(id))
            .set((
                requesters::name.eq(&profile.name),
                requesters::title.eq(&profile.title),
                requesters::badge_number.eq(&profile.badge_number),
                requesters::agency_name.eq(&profile.agency_name),
                requesters::agency_function.eq(profile.agency_function.as_str()),
                requesters::country.eq(profile.country.code()),
                requesters::phone.eq(profile.phone.as_str()),
                requesters::profile_completed_at.eq(clock::now()),
            ))
            .execute(conn)
    }

    pub fn save_court_profile(
        conn: &mut DbConn,
        id: &str,
        profile: &CourtProfile,
    ) -> QueryResult<usize> {
        diesel::update(requesters::table.find(id))
            .set((
                requesters::name.eq(&profile.name),
                requesters::firm.eq(&profile.firm),
                requesters::bar_number.eq(&profile.bar_number),
                requesters::bar_jurisdiction.eq(&profile.bar_jurisdiction),
                requesters::represents.eq(&profile.represents),
                requesters::phone.eq(profile.phone.as_ref().map(|p| p.as_str())),
                requesters::profile_completed_at.eq(clock::now()),
            ))
            .execute(conn)
    }
}

/// An officer's second factor, kept apart from the row most code reads.
pub mod factor {
    use super::*;
    use crate::db::schema::sessions;

    /// The sealed secret, and the pending one waiting for its first code.
    pub fn secrets(conn: &mut DbConn, id: &str) -> QueryResult<(Option<String>, Option<String>)> {
        requesters::table
            .find(id)
            .select((requesters::totp_secret, requesters::totp_pending))
            .first(conn)
    }

    pub fn set_pending(conn: &mut DbConn, id: &str, sealed: &str) -> QueryResult<usize> {
        diesel::update(
            requesters::table
                .find(id)
                .filter(requesters::totp_enrolled_at.is_null()),
        )
        .set(requesters::totp_pending.eq(sealed))
        .execute(conn)
    }

    /// Makes the pending secret the officer's, with the step that confirmed it already spent.
    pub fn enrol(
        conn: &mut DbConn,
        id: &str,
        sealed: &str,
        step: i64,
        now: NaiveDateTime,
    ) -> QueryResult<bool> {
        let changed = diesel::update(
            requesters::table
                .find(id)
                .filter(requesters::totp_enrolled_at.is_null()),
        )
        .set((
            requesters::totp_secret.eq(sealed),
            requesters::totp_pending.eq(None::<String>),
            requesters::totp_last_step.eq(step),
            requesters::totp_enrolled_at.eq(now),
        ))
        .execute(conn)?;
        Ok(changed == 1)
    }

    /// Spends a step: false when it (or a later one) was used already, so a code works once.
    pub fn accept_step(conn: &mut DbConn, id: &str, step: i64) -> QueryResult<bool> {
        let changed = diesel::update(
            requesters::table
                .find(id)
                .filter(requesters::totp_last_step.lt(step)),
        )
        .set(requesters::totp_last_step.eq(step))
        .execute(conn)?;
        Ok(changed == 1)
    }

    /// Removes every factor, app and passkeys (recovery by a legal admin); the officer enrols
    /// again after an e-mail sign-in.
    pub fn remove(conn: &mut DbConn, id: &str) -> QueryResult<usize> {
        crate::db::models::passkey::remove_all(conn, id)?;
        diesel::update(requesters::table.find(id))
            .set((
                requesters::totp_secret.eq(None::<String>),
                requesters::totp_pending.eq(None::<String>),
                requesters::totp_enrolled_at.eq(None::<NaiveDateTime>),
                requesters::passkey_enrolled_at.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)
    }

    /// Records that the session `token_hash` proved the factor.
    pub fn mark_session(conn: &mut DbConn, token_hash: &str, factor: &str) -> QueryResult<usize> {
        diesel::update(sessions::table.find(token_hash))
            .set(sessions::second_factor.eq(factor))
            .execute(conn)
    }
}
