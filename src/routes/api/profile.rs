use rocket::serde::json::Json;
use rocket::{put, routes, Route, State};
use serde_json::{json, Value};

use crate::app::App;
use crate::db::models::requester::Requester as RequesterRow;
use crate::domain::profile::{AgencyProfileDraft, CourtProfileDraft};
use crate::domain::vocab::{CourtPath, Track};
use crate::error::AppError;
use crate::guards::{JsonBody, Requester};
use crate::services;

/// The profile of the signed-in requester: the officer's on the agency track, the
/// representative's declaration on the court track (DESIGN §12).
#[put("/profile", data = "<body>")]
async fn put_profile(
    _json: JsonBody,
    body: Json<Value>,
    requester: Requester,
    app: &State<App>,
) -> Result<Json<Value>, AppError> {
    let unreadable = |e: serde_json::Error| {
        AppError::invalid("profile", format!("The profile is not valid: {e}."))
    };
    let saved = match requester.row.track {
        Track::Agency => {
            let draft: AgencyProfileDraft =
                serde_json::from_value(body.into_inner()).map_err(unreadable)?;
            let profile = draft.validate().map_err(AppError::invalid_fields)?;
            services::profile::save_agency(&app.db, &requester.row.id, profile).await?
        }
        Track::Court => {
            let draft: CourtProfileDraft =
                serde_json::from_value(body.into_inner()).map_err(unreadable)?;
            let path = requester.court_path().unwrap_or(CourtPath::Visitor);
            let profile = draft.validate(path).map_err(AppError::invalid_fields)?;
            services::profile::save_court(&app.db, &requester.row.id, profile).await?
        }
    };
    Ok(Json(profile_json(&saved, requester.account_uid.as_deref())))
}

fn profile_json(saved: &RequesterRow, account_uid: Option<&str>) -> Value {
    match saved.track {
        Track::Agency => json!({
            "email": saved.email,
            "name": saved.name,
            "title": saved.title,
            "badge_number": saved.badge_number,
            "agency_name": saved.agency_name,
            "agency_function": saved.agency_function,
            "country": saved.country,
            "phone": saved.phone,
        }),
        Track::Court => json!({
            "email": saved.email,
            "path": if account_uid.is_some() { "user" } else { "visitor" },
            "account_uid": account_uid,
            "name": saved.name,
            "firm": saved.firm,
            "bar_number": saved.bar_number,
            "bar_jurisdiction": saved.bar_jurisdiction,
            "represents": saved.represents,
            "phone": saved.phone,
        }),
    }
}

pub fn routes() -> Vec<Route> {
    routes![put_profile]
}
