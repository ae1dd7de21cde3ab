use rocket::data::Data;
use rocket::http::{ContentType, Status};
use rocket::serde::json::Json;
use rocket::{get, post, routes, Route, State};
use serde_json::{json, Value};

use crate::app::App;
use crate::documents::download::Download;
use crate::documents::multipart;
use crate::domain::reference::CaseReference;
use crate::error::AppError;
use crate::guards::{LegalReviewer, Requester};
use crate::services::bundles;

/// `multipart/form-data`: parts `files`, part `category` (`records` or `content`).
#[post("/staff/cases/<reference>/production", data = "<data>")]
async fn production(
    reference: Result<CaseReference, AppError>,
    reviewer: LegalReviewer,
    app: &State<App>,
    content_type: Option<&ContentType>,
    data: Data<'_>,
) -> Result<(Status, Json<Value>), AppError> {
    let upload =
        multipart::receive_production(data, content_type, &app.store, app.config.max_documents)
            .await
            .map_err(|r| r.error)?;
    let category = upload.field("category").unwrap_or_default().to_owned();
    let reference = &reference?;
    let files = bundles::produce(app, &reviewer.0.row, reference, &category, upload.files).await?;
    Ok((Status::Created, Json(json!({ "files": files }))))
}

/// Seals every file attached since the last bundle into the next one.
#[post("/staff/cases/<reference>/bundles")]
async fn seal(
    reference: Result<CaseReference, AppError>,
    reviewer: LegalReviewer,
    app: &State<App>,
) -> Result<(Status, Json<Value>), AppError> {
    let reference = &reference?;
    let bundle = bundles::seal(app, &reviewer.0.row, reference).await?;
    serde_json::to_value(bundle)
        .map(|body| (Status::Created, Json(body)))
        .map_err(AppError::internal)
}

#[get("/staff/cases/<reference>/bundles/<n>")]
async fn staff_download(
    reference: Result<CaseReference, AppError>,
    n: i32,
    reviewer: LegalReviewer,
    app: &State<App>,
) -> Result<Download, AppError> {
    let reference = &reference?;
    Ok(bundles::stream(
        app,
        bundles::for_staff(app, &reviewer.0.row, reference, n).await?,
    ))
}

/// The requester's own bundle, until its link expires.
#[get("/requests/<reference>/bundles/<n>")]
async fn download(
    reference: Result<CaseReference, AppError>,
    n: i32,
    requester: Requester,
    app: &State<App>,
) -> Result<Download, AppError> {
    let reference = &reference?;
    Ok(bundles::stream(
        app,
        bundles::for_requester(app, &requester.row, reference, n).await?,
    ))
}

pub fn routes() -> Vec<Route> {
    routes![production, seal, staff_download, download]
}
