//! Answering a disclosure from the case page: attach produced files, seal the bundle, read it.

use crate::app::App;
use crate::domain::reference::CaseReference;
use crate::pages::{Confirm, Template};
use crate::services::bundles;
use crate::services::bundles::ProductionView;
use crate::services::staff_cases::{self, StaffCaseView};
use rocket::data::Data;
use rocket::form::FromForm;
use rocket::http::{ContentType, Status};
use rocket::response::{Flash, Redirect};
use rocket::Either;
use rocket::{get, post, routes, uri, Route, State};
use serde_json::json;

use super::cases::{case_with_error, error_page};
use crate::documents::download::Download;
use crate::documents::multipart;
use crate::error::AppError;
use crate::guards::Posted;
use crate::guards::{Csrf, LegalReviewer};

/// Produced files (`files`, any type) marked `records` or `content` (field `category`).
#[post("/cases/<reference>/production", data = "<data>")]
async fn production(
    reference: Result<CaseReference, AppError>,
    reviewer: LegalReviewer,
    csrf: Csrf,
    app: &State<App>,
    content_type: Option<&ContentType>,
    data: Data<'_>,
) -> Result<Flash<Redirect>, (Status, Template)> {
    let staff = &reviewer.0;
    let reference = &reference.map_err(error_page)?;
    let result = async {
        let upload =
            multipart::receive_production(data, content_type, &app.store, app.config.max_documents)
                .await
                .map_err(|r| r.error)?;
        csrf.verify(upload.field("csrf"))?;
        let category = upload.field("category").unwrap_or_default().to_owned();
        bundles::produce(app, &staff.row, reference, &category, upload.files).await
    }
    .await;
    match result {
        Ok(files) => Ok(Flash::success(
            Redirect::to(uri!("/staff", super::cases::show(reference = reference))),
            format!(
                "{} file(s) attached; seal the bundle when the production is complete.",
                files.len()
            ),
        )),
        Err(e) => Err(case_with_error(&app.db, &app.policy, staff, &csrf, reference, e).await),
    }
}

#[derive(FromForm)]
struct SealForm {
    /// Given on the confirm step: a sealed bundle cannot be changed.
    #[field(default = false)]
    confirmed: bool,
}

#[post("/cases/<reference>/bundles", data = "<form>")]
async fn seal(
    reference: Result<CaseReference, AppError>,
    form: Posted<SealForm>,
    reviewer: LegalReviewer,
    csrf: Csrf,
    app: &State<App>,
) -> Result<Either<Flash<Redirect>, Template>, (Status, Template)> {
    let (form, token) = form.parts();
    let staff = &reviewer.0;
    let reference = &reference.map_err(error_page)?;
    if let Err(e) = token {
        return Err(case_with_error(&app.db, &app.policy, staff, &csrf, reference, e).await);
    }
    if !form.confirmed {
        let case =
            staff_cases::find(&app.db, reference, staff.row.role, &app.policy.identity).await;
        match case {
            Ok(case) => {
                let waiting: Vec<_> = case
                    .productions
                    .iter()
                    .filter(|p| p.bundle.is_none())
                    .collect();
                // Nothing to seal: the service's refusal says so on the case page.
                if !waiting.is_empty() {
                    let frame = json!({ "csrf": csrf.token(), "staff": staff.row.name, "role": staff.row.role });
                    return Ok(Either::Right(seal_confirm(&case, &waiting).render(frame)));
                }
            }
            Err(e) => {
                return Err(case_with_error(&app.db, &app.policy, staff, &csrf, reference, e).await)
            }
        }
    }
    match bundles::seal(app, &staff.row, reference).await {
        Ok(bundle) => Ok(Either::Left(Flash::success(
            Redirect::to(uri!("/staff", super::cases::show(reference = reference))),
            format!(
                "Bundle {} sealed (SHA-256 {}); the requester was told.",
                bundle.n, bundle.sha256
            ),
        ))),
        Err(e) => Err(case_with_error(&app.db, &app.policy, staff, &csrf, reference, e).await),
    }
}

/// What sealing does, file by file, before it is done.
fn seal_confirm(case: &StaffCaseView, waiting: &[&ProductionView]) -> Confirm {
    let reference = case.details.summary.reference.clone();
    let n = case.bundles.len() + 1;
    let mut lines = vec![format!(
        "Bundle {n} will hold {} file(s), signed with the platform's key, with your certificate and the case's chain of custody:",
        waiting.len()
    )];
    lines.extend(waiting.iter().map(|p| {
        format!(
            "{} ({}, {} bytes, SHA-256 {})",
            p.name, p.category, p.size, p.sha256
        )
    }));
    lines.push(if case.details.summary.state == "fulfilled" {
        "The requester is told and may download it.".to_owned()
    } else {
        "The case becomes “Fulfilled”; the requester is told and may download the bundle."
            .to_owned()
    });
    lines.push("A sealed bundle cannot be changed: a correction is a new bundle.".to_owned());
    Confirm {
        back: uri!("/staff", super::cases::show(reference = &reference)).to_string(),
        action: format!("/staff/cases/{reference}/bundles"),
        reference,
        heading: format!("Seal bundle {n}?"),
        lines,
        reason: None,
        fields: Vec::new(),
        button: format!("Yes, seal bundle {n}"),
        danger: false,
    }
}

#[get("/cases/<reference>/bundles/<n>")]
async fn download(
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

pub fn routes() -> Vec<Route> {
    routes![production, seal, download]
}
