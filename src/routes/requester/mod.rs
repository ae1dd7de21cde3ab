//! What a requester of either track does, written once: the one-time code, the request form,
//! their cases. These routes are mounted twice, under `/agency` and `/court`; the `InArea` guard
//! reads the mount point and lets in only a requester of that track, so the two tracks stay apart
//! in every URL, guard and session, but not in the code that serves them.

pub mod cases;
pub mod form;
pub mod signin;

use crate::pages::Template;
use rocket::http::uri::Origin;
use rocket::http::Status;
use rocket::outcome::try_outcome;
use rocket::request::{FromRequest, Outcome, Request};
use rocket::Route;
use serde_json::Value;

use crate::domain::vocab::Track;
use crate::error::AppError;
use crate::guards::{AgencyOfficer, CourtRepresentative, Requester};

/// The routes both tracks mount.
pub fn routes() -> Vec<Route> {
    let mut routes = signin::routes();
    routes.extend(cases::routes());
    routes
}

/// One track's pages: where they are mounted and how to link to them.
pub struct Area {
    pub track: Track,
    /// The mount point; templates build their links from it.
    pub base: &'static str,
    pub start: fn() -> Origin<'static>,
    pub code: fn() -> Origin<'static>,
    pub list: fn() -> Origin<'static>,
    pub new_request: fn() -> Origin<'static>,
    pub profile: fn() -> Origin<'static>,
    pub case: fn(&str) -> Origin<'static>,
}

impl Area {
    /// The area a route is mounted in.
    pub fn of(request: &Request<'_>) -> Option<&'static Area> {
        match request.route()?.uri.base() {
            "/agency" => Some(&super::agency::AREA),
            "/court" => Some(&super::court::AREA),
            _ => None,
        }
    }
}

/// A signed-in requester of the track whose pages these are.
pub struct InArea {
    pub area: &'static Area,
    pub requester: Requester,
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for InArea {
    type Error = AppError;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, AppError> {
        let Some(area) = Area::of(req) else {
            let error = AppError::internal("requester pages mounted outside an area");
            return Outcome::Error((error.status, error));
        };
        // The track's own guard says who may come in, and why not.
        let requester = match area.track {
            Track::Agency => try_outcome!(req.guard::<AgencyOfficer>().await).0,
            Track::Court => try_outcome!(req.guard::<CourtRepresentative>().await).0,
        };
        Outcome::Success(InArea { area, requester })
    }
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

/// Adds what every requester page needs to `context`: the area's base and track.
pub fn in_area(area: &Area, mut context: Value) -> Value {
    if let Value::Object(map) = &mut context {
        map.insert("base".into(), Value::from(area.base));
        map.insert("track".into(), Value::from(area.track.as_str()));
    }
    context
}
