use rocket::data::Data;
use rocket::http::{ContentType, Status};
use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, uri, Either, Route, State};
use rocket_dyn_templates::Template;
use serde_json::json;

use super::form::{draft_from_fields, RequestFormView};
use crate::config::Config;
use crate::db::Db;
use crate::documents::multipart::{self, Upload};
use crate::documents::DocumentStore;
use crate::domain::request::RequestDraft;
use crate::error::{AppError, FieldErrors};
use crate::guards::{AgencyOfficer, Csrf};
use crate::mail::Mailer;
use crate::services::cases;
use crate::services::intake::Intake;

#[get("/requests?<page>")]
pub async fn list(
    officer: AgencyOfficer,
    csrf: Csrf,
    db: &State<Db>,
    page: Option<i64>,
    flash: Option<FlashMessage<'_>>,
) -> Result<Template, AppError> {
    let cases = cases::list(db, &officer.0.row.id, page.unwrap_or(0)).await?;
    Ok(Template::render(
        "agency/requests",
        json!({ "csrf": csrf.token(), "cases": cases, "email": officer.0.row.email, "signed_in": true, "flash": flash.map(|f| f.message().to_owned()) }),
    ))
}

fn form_page(status: Status, csrf: &Csrf, view: RequestFormView) -> (Status, Template) {
    (
        status,
        Template::render(
            "agency/new_request",
            json!({ "csrf": csrf.token(), "form": view, "signed_in": true }),
        ),
    )
}

#[get("/requests/new")]
pub fn new(officer: AgencyOfficer, csrf: Csrf) -> Either<(Status, Template), Redirect> {
    if !officer.0.row.has_profile() {
        return Either::Right(Redirect::to(uri!("/agency", super::profile::edit)));
    }
    Either::Left(form_page(
        Status::Ok,
        &csrf,
        RequestFormView::new(RequestDraft::default(), FieldErrors::default(), 0, 0, None),
    ))
}

fn count_field(upload: &Upload, name: &str) -> usize {
    upload.field(name).and_then(|v| v.parse().ok()).unwrap_or(0)
}

#[post("/requests", data = "<data>")]
pub async fn create(
    officer: AgencyOfficer,
    csrf: Csrf,
    content_type: Option<&ContentType>,
    data: Data<'_>,
    db: &State<Db>,
    mailer: &State<Mailer>,
    store: &State<DocumentStore>,
    config: &State<Config>,
) -> Result<Flash<Redirect>, (Status, Template)> {
    let refused = |fields: &[(String, String)], error: AppError| {
        let draft = draft_from_fields(fields);
        let mut errors = error.fields.clone();
        let alert = if errors.is_empty() {
            // Upload problems belong beside the file field.
            if matches!(error.status.code, 413 | 415) {
                errors.add("documents", error.message.clone());
                None
            } else {
                Some(error.message.clone())
            }
        } else {
            Some(
                "Some fields need attention. Nothing was stored; select your documents again."
                    .to_owned(),
            )
        };
        form_page(
            error.status,
            &csrf,
            RequestFormView::new(draft, errors, 0, 0, alert),
        )
    };
    let upload = match multipart::receive(data, content_type, store, config.max_documents).await {
        Ok(upload) => upload,
        Err(rejected) => return Err(refused(&rejected.fields, rejected.error)),
    };
    csrf.verify(upload.field("csrf"))
        .map_err(|e| refused(&upload.fields, e))?;
    if !officer.0.row.has_profile() {
        return Ok(Flash::warning(
            Redirect::to(uri!("/agency", super::profile::edit)),
            "Complete your profile before filing a request.",
        ));
    }
    // "Add another target/asset" buttons re-draw the form with more rows; nothing is stored.
    if let Some(action @ ("add_target" | "add_asset")) = upload.field("action") {
        let extra_targets =
            count_field(&upload, "extra_targets") + usize::from(action == "add_target");
        let extra_assets =
            count_field(&upload, "extra_assets") + usize::from(action == "add_asset");
        let view = RequestFormView::new(
            draft_from_fields(&upload.fields),
            FieldErrors::default(),
            extra_targets,
            extra_assets,
            None,
        );
        return Err(form_page(Status::Ok, &csrf, view));
    }
    let draft = draft_from_fields(&upload.fields);
    let intake = Intake {
        db,
        mailer,
        store,
        public_url: &config.public_url,
        case_path: super::case_path,
    };
    let fields = upload.fields;
    match intake.submit(&officer.0.row, &draft, upload.files).await {
        Ok(submitted) => Ok(Flash::success(
            Redirect::to(uri!("/agency", show(reference = &submitted.case.reference))),
            format!(
                "Request {} received. A receipt was e-mailed to you.",
                submitted.case.reference
            ),
        )),
        Err(error) => Err(refused(&fields, error)),
    }
}

#[get("/requests/<reference>")]
pub async fn show(
    reference: &str,
    officer: AgencyOfficer,
    csrf: Csrf,
    db: &State<Db>,
    flash: Option<FlashMessage<'_>>,
) -> Result<Template, AppError> {
    let case = cases::find_own(db, &officer.0.row.id, reference).await?;
    Ok(Template::render(
        "agency/case",
        json!({ "csrf": csrf.token(), "case": case, "signed_in": true, "flash": flash.map(|f| f.message().to_owned()) }),
    ))
}

pub fn routes() -> Vec<Route> {
    routes![list, new, create, show]
}
