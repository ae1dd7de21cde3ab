use serde_json::json;

use crate::audit::{self, Actor};
use crate::db::models::requester::Requester;
use crate::db::Db;
use crate::domain::profile::{AgencyProfile, CourtProfile};
use crate::error::AppError;

/// Stores the officer's profile; an audit event records that it changed (not its contents).
pub async fn save_agency(
    db: &Db,
    requester_id: &str,
    profile: AgencyProfile,
) -> Result<Requester, AppError> {
    let id = requester_id.to_owned();
    db.write(move |conn| {
        Requester::save_agency_profile(conn, &id, &profile)?;
        audit::record(conn, &Actor::Requester(id.clone()), None, "profile.updated", json!({ "country": profile.country.code(), "agency_function": profile.agency_function }))?;
        Ok(Requester::find(conn, &id)?)
    })
    .await
}

/// Stores the legal representative's declaration; the audit event says that it changed.
pub async fn save_court(
    db: &Db,
    requester_id: &str,
    profile: CourtProfile,
) -> Result<Requester, AppError> {
    let id = requester_id.to_owned();
    db.write(move |conn| {
        Requester::save_court_profile(conn, &id, &profile)?;
        audit::record(
            conn,
            &Actor::Requester(id.clone()),
            None,
            "profile.updated",
            json!({ "bar_declared": profile.bar_number.is_some() }),
        )?;
        Ok(Requester::find(conn, &id)?)
    })
    .await
}
