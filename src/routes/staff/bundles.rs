//! Answering a disclosure from the case page: attach produced files, seal the bundle, read it.

use crate::pages::Template;
use rocket::data::Data;
use rocket::form::{Form, FromForm};
use rocket::http::{ContentType, Status};
use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, uri, Route, State};

use super::cases::case_with_error;
use crate::config::Config;
use crate::documents::download::Download;
use crate::documents::multipart;
use crate::domain::policy::Policy;
use crate::error::AppError;
use crate::guards::{Csrf, LegalReviewer};
use crate::services::bundles::Bundles;

/// Produced files (`files`, any type) marked `records` or `content` (field `category`).
#[post("/cases/<reference>/production", data = "<data>")]
async fn production(
    reference: &str,
    reviewer: LegalReviewer,
    csrf: Csrf,
    bundles: Bundles<'_>,
    content_type: Option<&ContentType>,
    data: Data<'_>,
    config: &State<Config>,
    policy: &State<Policy>,
) -> Result<Flash<Redirect>, (Status, Template)> {
    let staff = &reviewer.0;
    let result = async {
        let upload =
            multipart::receive_production(data, content_type, bundles.store, config.max_documents)
                .await
                .map_err(|r| r.error)?;
        csrf.verify(upload.field("csrf"))?;
        let category = upload.field("category").unwrap_or_default().to_owned();
        bundles
            .produce(&staff.row, reference, &category, upload.files)
            .await
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
        Err(e) => Err(case_with_error(bundles.db, policy, staff, &csrf, reference, e).await),
    }
}

#[derive(FromForm)]
struct CsrfForm {
    csrf: String,
}

#[post("/cases/<reference>/bundles", data = "<form>")]
async fn seal(
    reference: &str,
    form: Form<CsrfForm>,
    reviewer: LegalReviewer,
    csrf: Csrf,
    bundles: Bundles<'_>,
    policy: &State<Policy>,
) -> Result<Flash<Redirect>, (Status, Template)> {
    let staff = &reviewer.0;
    let result = match csrf.verify(Some(&form.csrf)) {
        Ok(()) => bundles.seal(&staff.row, reference).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(bundle) => Ok(Flash::success(
            Redirect::to(uri!("/staff", super::cases::show(reference = reference))),
            format!(
                "Bundle {} sealed (SHA-256 {}); the requester was told.",
                bundle.n, bundle.sha256
            ),
        )),
        Err(e) => Err(case_with_error(bundles.db, policy, staff, &csrf, reference, e).await),
    }
}

#[get("/cases/<reference>/bundles/<n>")]
async fn download(
    reference: &str,
    n: i32,
    reviewer: LegalReviewer,
    bundles: Bundles<'_>,
) -> Result<Download, AppError> {
    Ok(bundles.stream(bundles.for_staff(&reviewer.0.row, reference, n).await?))
}

pub fn routes() -> Vec<Route> {
    routes![production, seal, download]
}
