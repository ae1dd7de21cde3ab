use rocket::data::Data;
use rocket::http::{ContentType, Status};
use rocket::serde::json::Json;
use rocket::{get, post, routes, Route, State};
use serde_json::{json, Value};

use crate::app::App;
use crate::documents::multipart;
use crate::domain::clock::rfc3339;
use crate::domain::reference::CaseReference;
use crate::domain::request::RequestDraft;
use crate::error::AppError;
use crate::guards::{AgencyOfficer, Requester};
use crate::services::authority::Filer;
use crate::services::cases;
use crate::services::fulfilment;
use crate::services::intake;
use crate::services::workflow;

use super::views;

/// `multipart/form-data`: part `request` (the JSON of DESIGN §12), parts `documents`.
/// Findings of the authority checks are reported in the answer, not refused.
#[post("/requests", data = "<data>")]
async fn create(
    requester: Requester,
    app: &State<App>,
    content_type: Option<&ContentType>,
    data: Data<'_>,
) -> Result<(Status, Json<Value>), AppError> {
    let upload = multipart::receive(data, content_type, &app.store, app.config.max_documents)
        .await
        .map_err(|r| r.error)?;
    let json = upload.field("request").ok_or_else(|| {
        AppError::invalid(
            "request",
            "Send the request as a part named “request” holding JSON.",
        )
    })?;
    let draft: RequestDraft = serde_json::from_str(json).map_err(|e| {
        AppError::invalid("request", format!("The request part is not valid: {e}."))
    })?;
    let filer = Filer {
        requester: &requester.row,
        account_uid: requester.account_uid.as_deref(),
        second_factor: requester.second_factor,
    };
    let submitted = intake::submit(app, filer, &draft, upload.files).await?;
    let case = &submitted.case;
    Ok((
        Status::Created,
        Json(json!({
            "reference": case.reference,
            "state": case.state,
            "due_at": rfc3339(case.due_at),
            "authority": submitted.authority.for_requester(),
        })),
    ))
}

#[get("/requests?<page>")]
async fn list(
    requester: Requester,
    app: &State<App>,
    page: Option<i64>,
) -> Result<Json<views::Requests>, AppError> {
    let cases = cases::list(&app.db, &requester.row, page.unwrap_or(0)).await?;
    Ok(Json(cases.into()))
}

#[get("/requests/<reference>")]
async fn show(
    reference: Result<CaseReference, AppError>,
    requester: Requester,
    app: &State<App>,
) -> Result<Json<views::Case>, AppError> {
    let reference = &reference?;
    let case = cases::find_own(&app.db, &requester.row, reference).await?;
    Ok(Json(case.into()))
}

/// A message to the legal team (`multipart/form-data`: part `message`, parts `documents`).
/// It answers a request for information when the case waits for one.
#[post("/requests/<reference>/messages", data = "<data>")]
async fn message(
    reference: Result<CaseReference, AppError>,
    requester: Requester,
    app: &State<App>,
    content_type: Option<&ContentType>,
    data: Data<'_>,
) -> Result<(Status, Json<Value>), AppError> {
    let upload = multipart::receive(data, content_type, &app.store, app.config.max_documents)
        .await
        .map_err(|r| r.error)?;
    let body = upload.field("message").unwrap_or_default().to_owned();
    let reference = &reference?;
    let case = workflow::message(app, &requester.row, reference, &body, upload.files).await?;
    Ok((
        Status::Created,
        Json(json!({ "reference": case.reference, "state": case.state })),
    ))
}

#[post("/requests/<reference>/withdraw")]
async fn withdraw(
    reference: Result<CaseReference, AppError>,
    requester: Requester,
    app: &State<App>,
) -> Result<Json<Value>, AppError> {
    let reference = &reference?;
    workflow::withdraw(app, &requester.row, reference).await?;
    Ok(Json(
        json!({ "reference": reference, "state": "withdrawn" }),
    ))
}

/// Asks for the preservation to run 90 more days (agency requests only).
#[post("/requests/<reference>/extension")]
async fn extension(
    reference: Result<CaseReference, AppError>,
    officer: AgencyOfficer,
    app: &State<App>,
) -> Result<Json<Value>, AppError> {
    let reference = &reference?;
    let kept = fulfilment::extend_preservation(app, &officer.0.row, reference).await?;
    Ok(Json(
        json!({ "reference": reference, "preservation": kept }),
    ))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(super) struct ProductionRequest {
    production_request: String,
}

/// Confirms the production request that follows a European Preservation Order (Annex V): the
/// data is kept until produced.
#[post("/requests/<reference>/production-request", data = "<body>")]
async fn production_request(
    _json: crate::guards::JsonBody,
    reference: Result<CaseReference, AppError>,
    body: rocket::serde::json::Json<ProductionRequest>,
    officer: AgencyOfficer,
    app: &State<App>,
) -> Result<Json<Value>, AppError> {
    let reference = &reference?;
    let kept = fulfilment::confirm_production_request(
        app,
        &officer.0.row,
        reference,
        &body.production_request,
    )
    .await?;
    Ok(Json(
        json!({ "reference": reference, "preservation": kept }),
    ))
}

#[derive(serde::Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(super) struct Colleague {
    email: String,
}

/// Adds a colleague of the same agency domain, who then sees and follows the case.
#[post("/requests/<reference>/colleagues", data = "<body>")]
async fn colleague(
    _json: crate::guards::JsonBody,
    reference: Result<CaseReference, AppError>,
    body: rocket::serde::json::Json<Colleague>,
    officer: crate::guards::AgencyOfficer,
    app: &State<App>,
) -> Result<(Status, Json<Value>), AppError> {
    let reference = &reference?;
    let link = app.links.to(&crate::routes::agency::case_path(reference));
    let colleagues = crate::services::colleagues::add(
        &app.db,
        &app.mailer,
        link,
        &officer.0.row,
        reference,
        &body.email,
    )
    .await?;
    Ok((
        Status::Created,
        Json(json!({ "reference": reference, "colleagues": colleagues })),
    ))
}

pub fn routes() -> Vec<Route> {
    routes![
        create,
        list,
        show,
        message,
        withdraw,
        extension,
        production_request,
        colleague
    ]
}
