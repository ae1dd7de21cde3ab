use rocket::form::{Form, FromForm};
use rocket::http::Status;
use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, uri, Route, State};
use rocket_dyn_templates::Template;
use serde_json::json;

use crate::db::Db;
use crate::domain::vocab::{CaseState, RequestType, Track};
use crate::error::AppError;
use crate::guards::{Csrf, LegalReviewer, StaffMember};
use crate::services::staff_cases::{self, QueueFilter};
use crate::services::workflow::{Moved, TransitionRequest, Workflow};

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
    flash: Option<FlashMessage<'_>>,
) -> Result<Template, AppError> {
    let case = staff_cases::find(db, reference, staff.row.role).await?;
    Ok(Template::render(
        "staff/case",
        json!({ "csrf": csrf.token(), "staff": staff.row.name, "role": staff.row.role, "case": case, "flash": flash.map(|f| f.message().to_owned()) }),
    ))
}

#[derive(FromForm)]
struct TransitionForm {
    to: String,
    #[field(default = String::new())]
    reason: String,
    #[field(default = Vec::new())]
    targets: Vec<usize>,
    #[field(default = Vec::new())]
    categories: Vec<String>,
    csrf: String,
}

/// The case page again, with what went wrong on top and the status that says it.
async fn case_with_error(
    db: &Db,
    staff: &StaffMember,
    csrf: &Csrf,
    reference: &str,
    error: AppError,
) -> (Status, Template) {
    match staff_cases::find(db, reference, staff.row.role).await {
        Ok(case) => {
            let mut context = json!({ "csrf": csrf.token(), "staff": staff.row.name, "role": staff.row.role, "case": case });
            context["alert"] = json!(match error
                .fields
                .get("reason")
                .or(error.fields.get("targets"))
                .or(error.fields.get("body"))
                .or(error.fields.get("staff"))
            {
                Some(field) => field.to_owned(),
                None => error.message.clone(),
            });
            (error.status, Template::render("staff/case", context))
        }
        Err(e) => (
            e.status,
            Template::render(
                "error",
                json!({ "status": e.status.code, "reason": e.status.reason(), "message": e.message }),
            ),
        ),
    }
}

#[post("/cases/<reference>/transition", data = "<form>")]
async fn transition(
    reference: &str,
    form: Form<TransitionForm>,
    staff: StaffMember,
    csrf: Csrf,
    workflow: Workflow<'_>,
) -> Result<Flash<Redirect>, (Status, Template)> {
    let form = form.into_inner();
    if let Err(e) = csrf.verify(Some(&form.csrf)) {
        return Err(case_with_error(workflow.db, &staff, &csrf, reference, e).await);
    }
    let request = TransitionRequest {
        to: form.to,
        reason: form.reason,
        targets: form.targets,
        categories: form.categories,
    };
    let back = Redirect::to(uri!("/staff", show(reference = reference)));
    match workflow.by_staff(&staff.row, reference, request).await {
        Ok(Moved::To(state)) => Ok(Flash::success(back, format!("The case is now “{}”.", state.label()))),
        Ok(Moved::AwaitingSecondApproval) => Ok(Flash::success(back, "Your approval is recorded. An emergency disclosure needs a second legal reviewer's approval.")),
        Err(e) => Err(case_with_error(workflow.db, &staff, &csrf, reference, e).await),
    }
}

#[derive(FromForm)]
struct NoteForm {
    body: String,
    csrf: String,
}

#[post("/cases/<reference>/notes", data = "<form>")]
async fn note(
    reference: &str,
    form: Form<NoteForm>,
    staff: StaffMember,
    csrf: Csrf,
    workflow: Workflow<'_>,
) -> Result<Flash<Redirect>, (Status, Template)> {
    let result = match csrf.verify(Some(&form.csrf)) {
        Ok(()) => workflow.note(&staff.row, reference, &form.body).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(Flash::success(
            Redirect::to(uri!("/staff", show(reference = reference))),
            "Note added.",
        )),
        Err(e) => Err(case_with_error(workflow.db, &staff, &csrf, reference, e).await),
    }
}

#[derive(FromForm)]
struct AssignForm {
    staff: String,
    csrf: String,
}

#[post("/cases/<reference>/assign", data = "<form>")]
async fn assign(
    reference: &str,
    form: Form<AssignForm>,
    reviewer: LegalReviewer,
    csrf: Csrf,
    workflow: Workflow<'_>,
) -> Result<Flash<Redirect>, (Status, Template)> {
    let result = match csrf.verify(Some(&form.csrf)) {
        Ok(()) => {
            workflow
                .assign(&reviewer.0.row, reference, &form.staff)
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(assignee) => Ok(Flash::success(
            Redirect::to(uri!("/staff", show(reference = reference))),
            format!("Assigned to {}.", assignee.name),
        )),
        Err(e) => Err(case_with_error(workflow.db, &reviewer.0, &csrf, reference, e).await),
    }
}

pub fn routes() -> Vec<Route> {
    routes![queue, show, transition, note, assign]
}
