//! The court-order track (`/court`): legal representatives with a court order, as platform users
//! (code to the account's e-mail of record) or as visitors (code to any address, plus a
//! declaration of their bar). The code, the request form and the cases are the requester
//! pages of `routes::requester`, mounted here for representatives only.

mod profile;
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
    routes.extend(requester::routes());
    routes
}

pub static AREA: Area = Area {
    track: Track::Court,
    base: "/court",
    start: || uri!("/court", signin::start),
    code: || uri!("/court", requester::signin::code_page),
    list: || uri!("/court", requester::cases::list(_)),
    new_request: || uri!("/court", requester::cases::new(query = _)),
    profile: || uri!("/court", profile::edit),
    case: case_uri,
};

fn case_uri(reference: &str) -> Origin<'static> {
    uri!("/court", requester::cases::show(reference = reference))
}

/// The representative's page for a case (used in e-mails).
pub fn case_path(reference: &CaseReference) -> String {
    case_uri(reference.as_str()).to_string()
}
