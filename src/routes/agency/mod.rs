//! The agency track (`/agency`): sign-in, officer profile, requests. The code, the request form
//! and the cases are the requester pages of `routes::requester`, mounted here for officers only.

mod guide;
mod profile;
mod requests;
mod security;
mod signin;

use rocket::http::uri::Origin;
use rocket::{uri, Route};

use crate::domain::reference::CaseReference;
use crate::domain::vocab::Track;
use crate::error::AppError;
use crate::routes::requester::cases::TypeQuery;
use crate::routes::requester::{self, Area};

pub fn routes() -> Vec<Route> {
    let mut routes = signin::routes();
    routes.extend(profile::routes());
    routes.extend(requests::routes());
    routes.extend(security::routes());
    routes.extend(guide::routes());
    routes.extend(requester::routes());
    routes
}

pub static AREA: Area = Area {
    track: Track::Agency,
    base: "/agency",
    start: || uri!("/agency", signin::start),
    code: || uri!("/agency", requester::signin::code_page),
    list: || uri!("/agency", requester::cases::list(_)),
    new_request: || uri!("/agency", requester::cases::new(query = _)),
    profile: || uri!("/agency", profile::edit),
    case: case_uri,
};

fn case_uri(reference: &str) -> Origin<'static> {
    uri!("/agency", requester::cases::show(reference = reference))
}

/// The officer's page for a case (used in e-mails).
pub fn case_path(reference: &CaseReference) -> String {
    case_uri(reference.as_str()).to_string()
}
