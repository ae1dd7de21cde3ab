use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::requesters;
use crate::db::{is_unique_violation, DbConn};
use crate::domain::clock;
use crate::domain::email::EmailAddress;
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
}

impl Requester {
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
