//! The agency track (`/agency`): sign-in, officer profile, requests.

pub mod form;
mod profile;
mod requests;
mod signin;

use rocket::http::Status;
use rocket::{uri, Route};
use rocket_dyn_templates::Template;
use serde_json::Value;

use crate::domain::reference::CaseReference;
use crate::error::AppError;

pub fn routes() -> Vec<Route> {
    let mut routes = signin::routes();
    routes.extend(profile::routes());
    routes.extend(requests::routes());
    routes
}

/// The officer's page for a case (used in e-mails).
pub fn case_path(reference: &CaseReference) -> String {
    uri!("/agency", requests::show(reference = reference.as_str())).to_string()
}

/// A page shown again after an error: field messages beside their fields, anything else on top.
pub type Page = (Status, Template);

pub fn with_error(template: &'static str, mut context: Value, error: AppError) -> Page {
    if let Value::Object(map) = &mut context {
        map.insert(
            "errors".into(),
            serde_json::to_value(&error.fields).unwrap_or_default(),
        );
        if error.fields.is_empty() {
            map.insert("alert".into(), Value::String(error.message.clone()));
        }
    }
    (error.status, Template::render(template, context))
}
