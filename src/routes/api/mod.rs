//! The JSON API (`/api/v1`, DESIGN §10 and §12) over the same services as the pages.

mod auth;
mod bundles;
mod profile;
mod requests;
mod staff;
mod views;

#[cfg(test)]
mod schemas;

use rocket::http::ContentType;
use rocket::{get, routes, Route};

/// The OpenAPI document, kept true by `tests/it/api_openapi.rs` (what the API answers) and
/// `schemas` (the types it reads and sends).
pub const OPENAPI: &str = include_str!("openapi.json");

#[get("/openapi.json")]
fn openapi() -> (ContentType, &'static str) {
    (ContentType::JSON, OPENAPI)
}

pub fn routes() -> Vec<Route> {
    let mut routes = routes![openapi];
    routes.extend(auth::routes());
    routes.extend(bundles::routes());
    routes.extend(profile::routes());
    routes.extend(requests::routes());
    routes.extend(staff::routes());
    routes
}
