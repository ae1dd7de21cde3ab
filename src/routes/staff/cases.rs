use rocket::request::FlashMessage;
use rocket::{get, routes, Route, State};
use rocket_dyn_templates::Template;
use serde_json::json;

use crate::db::Db;
use crate::domain::vocab::{CaseState, RequestType, Track};
use crate::error::AppError;
use crate::guards::{Csrf, StaffMember};
use crate::services::staff_cases::{self, QueueFilter};

/// Builds the filter from query parameters; unknown values are ignored rather than refused.
pub fn filter(
    state: Option<&str>,
    track: Option<&str>,
    kind: Option<&str>,
    overdue: Option<bool>,
    q: Option<&str>,
    page: Option<i64>,
) -> QueueFilter {
    QueueFilter {
        state: state.and_then(CaseState::parse),
        track: track.and_then(Track::parse),
        request_type: kind.and_then(RequestType::parse),
        overdue: overdue.unwrap_or(false),
        q: q.map(str::to_owned),
        page: page.unwrap_or(0),
    }
}

#[get("/queue?<state>&<track>&<type>&<overdue>&<q>&<page>")]
pub async fn queue(
    staff: StaffMember,
    csrf: Csrf,
    db: &State<Db>,
    state: Option<&str>,
    track: Option<&str>,
    r#type: Option<&str>,
    overdue: Option<bool>,
    q: Option<&str>,
    page: Option<i64>,
    flash: Option<FlashMessage<'_>>,
) -> Result<Template, AppError> {
    let filter = filter(state, track, r#type, overdue, q, page);
    let queue = staff_cases::queue(db, filter.clone()).await?;
    let states: Vec<_> = CaseState::ALL
        .iter()
        .map(|s| json!({ "value": s.as_str(), "label": s.label() }))
        .collect();
    let types: Vec<_> = RequestType::ALL
        .iter()
        .map(|s| json!({ "value": s.as_str(), "label": s.label() }))
        .collect();
    Ok(Template::render(
        "staff/queue",
        json!({
            "csrf": csrf.token(), "staff": staff.row.name, "role": staff.row.role, "queue": queue,
            "states": states, "types": types,
            "filter": { "state": state, "track": track, "type": r#type, "overdue": filter.overdue, "q": q },
            "flash": flash.map(|f| f.message().to_owned()),
        }),
    ))
}

#[get("/cases/<reference>")]
pub async fn show(
    reference: &str,
    staff: StaffMember,
    csrf: Csrf,
    db: &State<Db>,
) -> Result<Template, AppError> {
    let case = staff_cases::find(db, reference).await?;
    Ok(Template::render(
        "staff/case",
        json!({ "csrf": csrf.token(), "staff": staff.row.name, "role": staff.row.role, "case": case }),
    ))
}

pub fn routes() -> Vec<Route> {
    routes![queue, show]
}
