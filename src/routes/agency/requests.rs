use rocket::data::Data;
use rocket::http::{ContentType, Status};
use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, uri, Either, Route, State};
use rocket_dyn_templates::Template;
use serde_json::json;

use super::form::{draft_from_fields, RequestFormView};
use crate::config::Config;
use crate::db::models::document::HeldDocument;
use crate::db::Db;
use crate::documents::multipart::{self, Upload};
use crate::documents::StagedDocument;
use crate::domain::authority::Check;
use crate::domain::clock;
use crate::domain::request::{RequestDraft, MAX_TARGETS};
use crate::error::{AppError, FieldErrors};
use crate::guards::{AgencyOfficer, Csrf};
use crate::services::cases;
use crate::services::intake::Intake;
use crate::services::workflow::Workflow;

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

/// Keeps `documents` for the requester while they correct or confirm the form.
async fn hold(
    intake: &Intake<'_>,
    requester_id: &str,
    documents: Vec<StagedDocument>,
) -> Vec<HeldDocument> {
    let now = clock::now();
    let held: Vec<HeldDocument> = documents
        .into_iter()
        .filter_map(
            |staged| match intake.store.hold(staged, requester_id, now) {
                Ok(held) => Some(held),
                Err(e) => {
                    log::warn!("could not keep an upload: {e}");
                    None
                }
            },
        )
        .collect();
    let rows = held.clone();
    let stored = intake
        .db
        .run(move |conn| {
            rows.iter()
                .try_for_each(|h| h.insert(conn).map(|_| ()))
                .map_err(Into::into)
        })
        .await;
    match stored {
        Ok(()) => held,
        Err(_) => {
            held.iter().for_each(|h| intake.store.discard_held(&h.id));
            Vec::new()
        }
    }
}

/// Takes back the files kept from an earlier round of this form.
async fn resume(
    intake: &Intake<'_>,
    requester_id: &str,
    upload: &Upload,
) -> Result<Vec<StagedDocument>, AppError> {
    let ids: Vec<String> = upload
        .fields
        .iter()
        .filter(|(name, _)| name == "held")
        .map(|(_, id)| id.clone())
        .collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let owner = requester_id.to_owned();
    let held = intake
        .db
        .run(move |conn| Ok(HeldDocument::take(conn, &owner, &ids)?))
        .await?;
    held.iter()
        .map(|h| intake.store.resume(h).map_err(AppError::internal))
        .collect()
}

#[post("/requests", data = "<data>")]
pub async fn create(
    officer: AgencyOfficer,
    csrf: Csrf,
    intake: Intake<'_>,
    content_type: Option<&ContentType>,
    data: Data<'_>,
    config: &State<Config>,
) -> Result<Flash<Redirect>, (Status, Template)> {
    let requester = &officer.0.row;
    let page = |fields: &[(String, String)],
                error: Option<AppError>,
                held: &[HeldDocument],
                extra: (usize, usize)| {
        let draft = draft_from_fields(fields);
        let Some(error) = error else {
            return form_page(
                Status::Ok,
                &csrf,
                RequestFormView::new(draft, FieldErrors::default(), extra.0, extra.1, None)
                    .with_held(held),
            );
        };
        let mut errors = error.fields.clone();
        let alert = if !errors.is_empty() {
            Some("Some fields need attention. Nothing was stored.".to_owned())
        } else if matches!(error.status.code, 413 | 415) {
            // Upload problems belong beside the file field.
            errors.add("documents", error.message.clone());
            None
        } else {
            Some(error.message.clone())
        };
        form_page(
            error.status,
            &csrf,
            RequestFormView::new(draft, errors, extra.0, extra.1, alert).with_held(held),
        )
    };
    let upload =
        match multipart::receive(data, content_type, intake.store, config.max_documents).await {
            Ok(upload) => upload,
            Err(rejected) => return Err(page(&rejected.fields, Some(rejected.error), &[], (0, 0))),
        };
    csrf.verify(upload.field("csrf"))
        .map_err(|e| page(&upload.fields, Some(e), &[], (0, 0)))?;
    if !requester.has_profile() {
        return Ok(Flash::warning(
            Redirect::to(uri!("/agency", super::profile::edit)),
            "Complete your profile before filing a request.",
        ));
    }
    let mut documents = resume(&intake, &requester.id, &upload)
        .await
        .map_err(|e| page(&upload.fields, Some(e), &[], (0, 0)))?;
    let fields = upload.fields;
    documents.extend(upload.files);

    // "Add another target/asset" buttons draw the form again with more rows; nothing is stored.
    let field = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    if let Some(action @ ("add_target" | "add_asset")) = field("action") {
        let count = |name: &str| {
            field(name)
                .and_then(|v| v.parse::<usize>().ok())
                .unwrap_or(0)
                .min(MAX_TARGETS)
        };
        let extra = (
            count("extra_targets") + usize::from(action == "add_target"),
            count("extra_assets") + usize::from(action == "add_asset"),
        );
        let held = hold(&intake, &requester.id, documents).await;
        return Err(page(&fields, None, &held, extra));
    }

    let draft = draft_from_fields(&fields);
    let prepared = match intake.prepare(requester, &draft, documents).await {
        Ok(prepared) => prepared,
        Err(refused) => {
            let held = hold(&intake, &requester.id, refused.documents).await;
            return Err(page(&fields, Some(refused.error), &held, (0, 0)));
        }
    };
    // Findings the requester can fix are shown before anything is stored; they may still submit.
    let findings: Vec<Check> = prepared
        .authority
        .fixable_failures()
        .into_iter()
        .cloned()
        .collect();
    if !findings.is_empty() && field("confirm") != Some("yes") {
        let held = hold(&intake, &requester.id, prepared.documents).await;
        let view = RequestFormView::new(draft, FieldErrors::default(), 0, 0, None)
            .with_held(&held)
            .with_findings(findings);
        return Err(form_page(Status::Ok, &csrf, view));
    }
    match intake.commit(requester, prepared).await {
        Ok(submitted) => Ok(Flash::success(
            Redirect::to(uri!("/agency", show(reference = &submitted.case.reference))),
            format!(
                "Request {} received. A receipt was e-mailed to you.",
                submitted.case.reference
            ),
        )),
        Err(error) => Err(page(&fields, Some(error), &[], (0, 0))),
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

/// A message to the legal team, with documents; it answers a request for information.
#[post("/requests/<reference>/messages", data = "<data>")]
pub async fn message(
    reference: &str,
    officer: AgencyOfficer,
    csrf: Csrf,
    workflow: Workflow<'_>,
    content_type: Option<&ContentType>,
    data: Data<'_>,
    config: &State<Config>,
) -> Result<Flash<Redirect>, AppError> {
    let upload = multipart::receive(data, content_type, workflow.store, config.max_documents)
        .await
        .map_err(|r| r.error)?;
    csrf.verify(upload.field("csrf"))?;
    let body = upload.field("message").unwrap_or_default().to_owned();
    let back = Redirect::to(uri!("/agency", show(reference = reference)));
    match workflow
        .message(&officer.0.row, reference, &body, upload.files)
        .await
    {
        Ok(_) => Ok(Flash::success(
            back,
            "Your message was sent to the legal team.",
        )),
        Err(e) if e.status.code == 422 => Ok(Flash::error(
            back,
            e.fields.get("message").unwrap_or(&e.message).to_owned(),
        )),
        Err(e) => Err(e),
    }
}

#[derive(rocket::form::FromForm)]
pub struct CsrfForm {
    csrf: String,
}

#[post("/requests/<reference>/withdraw", data = "<form>")]
pub async fn withdraw(
    reference: &str,
    form: rocket::form::Form<CsrfForm>,
    officer: AgencyOfficer,
    csrf: Csrf,
    workflow: Workflow<'_>,
) -> Result<Flash<Redirect>, AppError> {
    csrf.verify(Some(&form.csrf))?;
    workflow.withdraw(&officer.0.row, reference).await?;
    Ok(Flash::success(
        Redirect::to(uri!("/agency", show(reference = reference))),
        "The request is withdrawn.",
    ))
}

#[post("/requests/<reference>/extension", data = "<form>")]
pub async fn extension(
    reference: &str,
    form: rocket::form::Form<CsrfForm>,
    officer: AgencyOfficer,
    csrf: Csrf,
    workflow: Workflow<'_>,
) -> Result<Flash<Redirect>, AppError> {
    csrf.verify(Some(&form.csrf))?;
    let kept = workflow
        .extend_preservation(&officer.0.row, reference)
        .await?;
    Ok(Flash::success(
        Redirect::to(uri!("/agency", show(reference = reference))),
        format!("The preservation now runs until {}.", kept.expires_at),
    ))
}

pub fn routes() -> Vec<Route> {
    routes![list, new, create, show, message, withdraw, extension]
}
