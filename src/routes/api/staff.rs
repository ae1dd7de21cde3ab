use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{get, post, put, routes, Route, State};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::app::App;
use crate::domain::clock::rfc3339;
use crate::domain::reference::CaseReference;
use crate::error::AppError;
use crate::guards::{JsonBody, LegalReviewer, StaffMember};
use crate::routes::staff::QueueQuery;
use crate::services::annex_iii;
use crate::services::fulfilment;
use crate::services::workflow::{self, Moved, TransitionRequest};
use crate::services::{staff_auth, staff_cases};

use super::views;

#[derive(Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(super) struct Login {
    email: String,
    password: String,
    totp: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(super) struct CustodianBody {
    title: String,
    #[serde(default)]
    signs_outside_us: bool,
}

/// The caller's title and place of signing, for the certificates they seal (FRE 902(11),
/// 28 USC 1746).
#[put("/staff/me/custodian", data = "<body>")]
async fn custodian(
    _json: JsonBody,
    body: Json<CustodianBody>,
    staff: StaffMember,
    app: &State<App>,
) -> Result<Json<Value>, AppError> {
    let saved =
        staff_auth::record_custodian(&app.db, &staff.row, &body.title, body.signs_outside_us)
            .await?;
    Ok(Json(
        json!({ "name": saved.name, "title": saved.title, "signs_outside_us": saved.signs_outside_us }),
    ))
}

#[post("/staff/login", data = "<body>")]
async fn login(
    _json: JsonBody,
    body: Json<Login>,
    client: crate::guards::ClientIp,
    app: &State<App>,
) -> Result<Json<Value>, AppError> {
    let signed_in = staff_auth::sign_in(
        &app.db,
        &app.keys,
        &body.email,
        &body.password,
        &body.totp,
        "api",
        &client.0,
    )
    .await?;
    Ok(Json(
        json!({ "token": signed_in.token.expose(), "expires_at": rfc3339(signed_in.expires_at), "role": signed_in.staff.role }),
    ))
}

#[get("/staff/cases?<query..>")]
async fn cases(
    staff: StaffMember,
    app: &State<App>,
    query: QueueQuery,
) -> Result<Json<views::Cases>, AppError> {
    let queue = staff_cases::queue(&app.db, query.filter(&staff.row)).await?;
    Ok(Json(queue.into()))
}

#[get("/staff/cases/<reference>")]
async fn case(
    reference: Result<CaseReference, AppError>,
    staff: StaffMember,
    app: &State<App>,
) -> Result<Json<views::StaffCase>, AppError> {
    let reference = &reference?;
    let case = staff_cases::find(&app.db, reference, staff.row.role, &app.policy.identity).await?;
    Ok(Json(case.into()))
}

/// `{"to": "in_review", "reason": "…"}`; a partial approval adds `targets` (positions) and `categories`.
#[post("/staff/cases/<reference>/transition", data = "<body>")]
async fn transition(
    _json: JsonBody,
    reference: Result<CaseReference, AppError>,
    body: Json<TransitionRequest>,
    staff: StaffMember,
    app: &State<App>,
) -> Result<(Status, Json<Value>), AppError> {
    let reference = &reference?;
    match workflow::by_staff(app, &staff.row, reference, body.into_inner()).await? {
        Moved::To(state) => Ok((
            Status::Ok,
            Json(json!({ "reference": reference, "state": state })),
        )),
        Moved::AwaitingSecondApproval => Ok((
            Status::Accepted,
            Json(
                json!({ "reference": reference, "state": "in_review", "awaiting": "a second legal reviewer's approval" }),
            ),
        )),
    }
}

#[derive(Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(super) struct Assign {
    staff: String,
}

#[post("/staff/cases/<reference>/assign", data = "<body>")]
async fn assign(
    _json: JsonBody,
    reference: Result<CaseReference, AppError>,
    body: Json<Assign>,
    staff: LegalReviewer,
    app: &State<App>,
) -> Result<Json<Value>, AppError> {
    let reference = &reference?;
    let assignee = workflow::assign(app, &staff.0.row, reference, &body.staff).await?;
    Ok(Json(
        json!({ "reference": reference, "assigned_to": assignee.email }),
    ))
}

#[derive(Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(super) struct Note {
    body: String,
}

#[post("/staff/cases/<reference>/notes", data = "<body>")]
async fn note(
    _json: JsonBody,
    reference: Result<CaseReference, AppError>,
    body: Json<Note>,
    staff: StaffMember,
    app: &State<App>,
) -> Result<(Status, Json<Value>), AppError> {
    let reference = &reference?;
    workflow::note(app, &staff.row, reference, &body.body).await?;
    Ok((Status::Created, Json(json!({ "reference": reference }))))
}

/// Writes to the requester without asking for information; the case keeps its state.
#[post("/staff/cases/<reference>/messages", data = "<body>")]
async fn message(
    _json: JsonBody,
    reference: Result<CaseReference, AppError>,
    body: Json<Note>,
    staff: StaffMember,
    app: &State<App>,
) -> Result<(Status, Json<Value>), AppError> {
    let reference = &reference?;
    workflow::write_to_requester(app, &staff.row, reference, &body.body).await?;
    Ok((Status::Created, Json(json!({ "reference": reference }))))
}

/// Runs an open case's authority checks again now; 409 `case_closed` once it is decided.
#[post("/staff/cases/<reference>/checks")]
async fn rerun_checks(
    reference: Result<CaseReference, AppError>,
    staff: StaffMember,
    app: &State<App>,
) -> Result<Json<Value>, AppError> {
    let reference = &reference?;
    let authority = workflow::rerun_checks(app, &staff.row, reference).await?;
    Ok(Json(json!({
        "reference": reference,
        "established": authority.established,
        "checks": authority.checks,
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(super) struct UserNotice {
    /// The day the user was told; today when left out.
    #[serde(default)]
    notified_on: Option<chrono::NaiveDate>,
}

/// Records the day the user was told of the request, once its non-disclosure order has ended
/// (18 USC 2705(b)); 409 `ndo_in_force` before.
#[post("/staff/cases/<reference>/user-notice", data = "<body>")]
async fn user_notice(
    _json: JsonBody,
    reference: Result<CaseReference, AppError>,
    body: Json<UserNotice>,
    reviewer: LegalReviewer,
    app: &State<App>,
) -> Result<Json<Value>, AppError> {
    let reference = &reference?;
    let on =
        fulfilment::record_user_notice(app, &reviewer.0.row, reference, body.notified_on).await?;
    Ok(Json(
        json!({ "reference": reference, "user_notified_on": on.to_string() }),
    ))
}

/// Records that the requested records are preserved (90 days) and fulfils the case.
#[post("/staff/cases/<reference>/preservation")]
async fn preservation(
    reference: Result<CaseReference, AppError>,
    reviewer: LegalReviewer,
    app: &State<App>,
) -> Result<Json<Value>, AppError> {
    let reference = &reference?;
    let kept = fulfilment::record_preservation(app, &reviewer.0.row, reference).await?;
    Ok(Json(
        json!({ "reference": reference, "state": "fulfilled", "preservation": kept }),
    ))
}

/// Records an executed freeze: directory accounts are marked frozen and operations informed.
#[post("/staff/cases/<reference>/freeze")]
async fn freeze(
    reference: Result<CaseReference, AppError>,
    reviewer: LegalReviewer,
    app: &State<App>,
) -> Result<Json<Value>, AppError> {
    let reference = &reference?;
    let accounts = fulfilment::record_freeze(
        app,
        &reviewer.0.row,
        reference,
        &app.config.operations_email,
    )
    .await?;
    Ok(Json(
        json!({ "reference": reference, "state": "fulfilled", "frozen_accounts": accounts }),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(super) struct Objection {
    grounds: String,
}

/// Records the enforcing authority's grounds for refusal of a notified EPOC (Regulation
/// 2023/1543, Art. 12): the data is then not produced.
#[post("/staff/cases/<reference>/enforcing-objection", data = "<body>")]
async fn enforcing_objection(
    _json: JsonBody,
    reference: Result<CaseReference, AppError>,
    body: Json<Objection>,
    reviewer: LegalReviewer,
    app: &State<App>,
) -> Result<Json<Value>, AppError> {
    let reference = &reference?;
    fulfilment::record_enforcing_objection(app, &reviewer.0.row, reference, &body.grounds).await?;
    Ok(Json(json!({ "reference": reference, "produced": false })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(super) struct Release {
    reason: String,
}

/// Lifts an executed freeze; operations are told which accounts to release.
#[post("/staff/cases/<reference>/freeze/release", data = "<body>")]
async fn release_freeze(
    _json: JsonBody,
    reference: Result<CaseReference, AppError>,
    body: Json<Release>,
    reviewer: LegalReviewer,
    app: &State<App>,
) -> Result<Json<Value>, AppError> {
    let reference = &reference?;
    let released = fulfilment::release_freeze(
        app,
        &reviewer.0.row,
        reference,
        &body.reason,
        &app.config.operations_email,
    )
    .await?;
    Ok(Json(
        json!({ "reference": reference, "released_accounts": released }),
    ))
}

/// Records assets moved to the government under a seizure warrant.
#[post("/staff/cases/<reference>/seizure-transfers", data = "<body>")]
async fn seizure_transfer(
    _json: JsonBody,
    reference: Result<CaseReference, AppError>,
    body: Json<crate::services::fulfilment::SeizureTransferDraft>,
    reviewer: LegalReviewer,
    app: &State<App>,
) -> Result<(Status, Json<Value>), AppError> {
    let reference = &reference?;
    let transfer =
        fulfilment::record_seizure_transfer(app, &reviewer.0.row, reference, &body).await?;
    Ok((
        Status::Created,
        Json(json!({ "reference": reference, "transfer": transfer })),
    ))
}

/// Records that the case's EPOC or EPOC-PR cannot be executed, or not in full or in time, with
/// the reasons of Annex III of Regulation 2023/1543.
#[post("/staff/cases/<reference>/non-execution", data = "<body>")]
async fn non_execution(
    _json: JsonBody,
    reference: Result<CaseReference, AppError>,
    body: Json<crate::domain::annex_iii::AnswerDraft>,
    reviewer: LegalReviewer,
    app: &State<App>,
) -> Result<(Status, Json<Value>), AppError> {
    let reference = &reference?;
    let answer = annex_iii::record_non_execution(app, &reviewer.0.row, reference, &body).await?;
    let document = format!(
        "/api/v1/staff/cases/{reference}/non-execution/{}",
        answer.number
    );
    Ok((
        Status::Created,
        Json(json!({ "reference": reference, "answer": answer, "document": document })),
    ))
}

/// An Annex III answer as the document sent to the issuing authority (plain text).
#[get("/staff/cases/<reference>/non-execution/<n>")]
async fn non_execution_document(
    reference: Result<CaseReference, AppError>,
    n: i32,
    _reviewer: LegalReviewer,
    app: &State<App>,
) -> Result<crate::routes::TextFile, AppError> {
    let reference = &reference?;
    let (text, name) = crate::services::annex_iii::document(&app.db, reference, n).await?;
    Ok(crate::routes::TextFile::new(text, &name))
}

#[derive(Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(super) struct Callback {
    contact: String,
    person_reached: String,
    outcome: String,
    /// `YYYY-MM-DDTHH:MM` UTC; absent: now.
    #[serde(default)]
    called_at: Option<String>,
}

/// Records a call-back to the agency on a number from its record (emergency and freeze).
#[post("/staff/cases/<reference>/callbacks", data = "<body>")]
async fn callback(
    _json: JsonBody,
    reference: Result<CaseReference, AppError>,
    body: Json<Callback>,
    reviewer: LegalReviewer,
    app: &State<App>,
) -> Result<(Status, Json<Value>), AppError> {
    let call = crate::services::callbacks::Call {
        contact_id: &body.contact,
        person_reached: &body.person_reached,
        outcome: &body.outcome,
        called_at: body.called_at.as_deref().unwrap_or_default(),
    };
    let reference = &reference?;
    let (outcome, confirmation) = crate::services::callbacks::record(
        &app.db,
        &app.mailer,
        &app.links,
        &reviewer.0.row.id,
        reference,
        call,
    )
    .await?;
    Ok((
        Status::Created,
        Json(
            json!({ "reference": reference, "outcome": outcome, "requester_confirmed": confirmation }),
        ),
    ))
}

pub fn routes() -> Vec<Route> {
    routes![
        login,
        custodian,
        user_notice,
        release_freeze,
        seizure_transfer,
        non_execution,
        non_execution_document,
        enforcing_objection,
        cases,
        case,
        transition,
        callback,
        assign,
        note,
        message,
        rerun_checks,
        preservation,
        freeze
    ]
}
