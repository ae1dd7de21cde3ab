use rocket::serde::json::Json;
use rocket::{put, routes, Route, State};
use serde_json::{json, Value};

use crate::db::Db;
use crate::domain::profile::AgencyProfileDraft;
use crate::error::AppError;
use crate::guards::AgencyOfficer;
use crate::services;

#[put("/profile", format = "json", data = "<body>")]
async fn put_profile(
    body: Json<AgencyProfileDraft>,
    officer: AgencyOfficer,
    db: &State<Db>,
) -> Result<Json<Value>, AppError> {
    let profile = body.validate().map_err(AppError::invalid_fields)?;
    let saved = services::profile::save_agency(db, &officer.0.row.id, profile).await?;
    Ok(Json(json!({
        "email": saved.email,
        "name": saved.name,
        "title": saved.title,
        "badge_number": saved.badge_number,
        "agency_name": saved.agency_name,
        "agency_function": saved.agency_function,
        "country": saved.country,
        "phone": saved.phone,
    })))
}

pub fn routes() -> Vec<Route> {
    routes![put_profile]
}
