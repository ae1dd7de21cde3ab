//! A requester's cases, for either track: the list, the request form, a case, messages, withdrawal.

use crate::pages::{Confirm, Template};
use rocket::data::Data;
use rocket::form::{Form, FromForm};
use rocket::http::{ContentType, Status};
use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, Either, Route, State};
use serde_json::json;

use super::form::{draft_from_fields, RequestFormView};
use super::{in_area, Area, InArea, Page};
use crate::config::Config;
use crate::db::models::document::HeldDocument;
use crate::db::Db;
use crate::documents::download::Download;
use crate::documents::multipart::{self, Upload};
use crate::documents::StagedDocument;
use crate::domain::authority::Check;
use crate::domain::clock;
use crate::domain::request::{RequestDraft, MAX_TARGETS};
use crate::domain::vocab::Track;
use crate::error::{AppError, FieldErrors};
use crate::guards::{Csrf, Requester};
use crate::services::authority::Filer;
use crate::services::bundles::Bundles;
use crate::services::cases;
use crate::services::colleagues;
use crate::services::intake::Intake;
use crate::services::workflow::Workflow;

fn filer(requester: &Requester) -> Filer<'_> {
    Filer {
        requester: &requester.row,
        account_uid: requester.account_uid.as_deref(),
        second_factor: requester.second_factor,
    }
}

#[get("/requests?<page>")]
pub async fn list(
    who: InArea,
    csrf: Csrf,
    db: &State<Db>,
    page: Option<i64>,
    flash: Option<FlashMessage<'_>>,
) -> Result<Template, AppError> {
    let InArea { area, requester } = who;
    let cases = cases::list(db, &requester.row, page.unwrap_or(0)).await?;
    Ok(Template::render(
        "requester/requests",
        in_area(
            area,
            json!({ "csrf": csrf.token(), "cases": cases, "email": requester.row.email, "signed_in": true, "flash": flash.map(|f| f.message().to_owned()) }),
        ),
    ))
}

fn form_page(area: &Area, status: Status, csrf: &Csrf, view: RequestFormView) -> Page {
    (
        status,
        Template::render(
            "requester/new_request",
            in_area(
                area,
                json!({ "csrf": csrf.token(), "form": view, "signed_in": true }),
            ),
        ),
    )
}

/// The empty form; the profile's "saved, now file a request" is shown here, where it belongs
/// (this page did not take it, and it appeared on whichever page next did).
#[get("/requests/new")]
pub fn new(
    who: InArea,
    csrf: Csrf,
    intake: Intake<'_>,
    flash: Option<FlashMessage<'_>>,
) -> Either<Page, Flash<Redirect>> {
    let InArea { area, requester } = who;
    if !requester.ready_to_file() {
        return Either::Right(Flash::error(
            Redirect::to((area.profile)()),
            match area.track {
                Track::Agency => "Complete your profile before filing a request.",
                Track::Court => "Complete your declaration before filing a request.",
            },
        ));
    }
    let (status, mut page) = form_page(
        area,
        Status::Ok,
        &csrf,
        RequestFormView::new(
            area.track,
            intake.policy,
            RequestDraft::default(),
            FieldErrors::default(),
        ),
    );
    if let Some(flash) = flash {
        page = page.with("flash", flash.message());
    }
    Either::Left((status, page))
}

/// Keeps `documents` for the requester while they correct or confirm the form.
async fn hold(
    intake: &Intake<'_>,
    requester_id: &str,
    documents: Vec<StagedDocument>,
) -> Vec<HeldDocument> {
    let now = clock::now();
    let mut held: Vec<HeldDocument> = Vec::with_capacity(documents.len());
    for staged in documents {
        match intake.store.hold(staged, requester_id, now).await {
            Ok(kept) => held.push(kept),
            Err(e) => log::warn!("could not keep an upload: {e}"),
        }
    }
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
            for h in &held {
                intake.store.discard_held(&h.id).await;
            }
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

/// The request form posted: add rows, show findings to confirm, or file the request.
#[post("/requests", data = "<data>")]
async fn create(
    who: InArea,
    csrf: Csrf,
    intake: Intake<'_>,
    content_type: Option<&ContentType>,
    data: Data<'_>,
    config: &State<Config>,
) -> Result<Flash<Redirect>, Page> {
    let InArea { area, requester } = who;
    let (requester, csrf, intake) = (&requester, &csrf, &intake);
    let row = &requester.row;
    let page = |fields: &[(String, String)],
                error: Option<AppError>,
                held: &[HeldDocument],
                extra: (usize, usize)| {
        let draft = draft_from_fields(fields);
        let view = |errors: FieldErrors, alert: Option<String>| {
            RequestFormView::new(area.track, intake.policy, draft.clone(), errors)
                .with_extra_rows(extra.0, extra.1)
                .with_alert(alert)
                .with_held(held)
        };
        let Some(error) = error else {
            return form_page(area, Status::Ok, csrf, view(FieldErrors::default(), None));
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
        form_page(area, error.status, csrf, view(errors, alert))
    };
    let upload =
        match multipart::receive(data, content_type, intake.store, config.max_documents).await {
            Ok(upload) => upload,
            Err(rejected) => return Err(page(&rejected.fields, Some(rejected.error), &[], (0, 0))),
        };
    csrf.verify(upload.field("csrf"))
        .map_err(|e| page(&upload.fields, Some(e), &[], (0, 0)))?;
    if !requester.ready_to_file() {
        return Ok(Flash::warning(
            Redirect::to((area.profile)()),
            "Complete your profile before filing a request.",
        ));
    }
    let mut documents = resume(intake, &row.id, &upload)
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
        let held = hold(intake, &row.id, documents).await;
        return Err(page(&fields, None, &held, extra));
    }

    let draft = draft_from_fields(&fields);
    let prepared = match intake.prepare(filer(requester), &draft, documents).await {
        Ok(prepared) => prepared,
        Err(refused) => {
            let held = hold(intake, &row.id, refused.documents).await;
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
        let held = hold(intake, &row.id, prepared.documents).await;
        let view = RequestFormView::new(area.track, intake.policy, draft, FieldErrors::default())
            .with_held(&held)
            .with_findings(findings);
        return Err(form_page(area, Status::Ok, csrf, view));
    }
    match intake.commit(filer(requester), prepared).await {
        Ok(submitted) => Ok(Flash::success(
            Redirect::to((area.case)(&submitted.case.reference)),
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
    who: InArea,
    csrf: Csrf,
    db: &State<Db>,
    flash: Option<FlashMessage<'_>>,
) -> Result<Template, AppError> {
    let InArea { area, requester } = who;
    let case = cases::find_own(db, &requester.row, reference).await?;
    Ok(Template::render(
        "requester/case",
        in_area(
            area,
            json!({ "csrf": csrf.token(), "case": case, "signed_in": true, "flash": flash.map(|f| f.message().to_owned()) }),
        ),
    ))
}

#[derive(FromForm)]
struct ColleagueForm {
    email: String,
    csrf: String,
}

/// Adds a colleague of the same agency domain, who then follows the case.
#[post("/requests/<reference>/colleagues", data = "<form>")]
async fn colleague(
    reference: &str,
    form: Form<ColleagueForm>,
    who: InArea,
    csrf: Csrf,
    workflow: Workflow<'_>,
) -> Result<Flash<Redirect>, Either<Flash<Redirect>, AppError>> {
    let InArea { area, requester } = who;
    csrf.verify(Some(&form.csrf)).map_err(Either::Right)?;
    let back = Redirect::to((area.case)(reference));
    let link = format!(
        "{}{}",
        workflow.links.public_url.trim_end_matches('/'),
        (area.case)(reference)
    );
    let added = colleagues::add(
        workflow.db,
        workflow.mailer,
        link,
        &requester.row,
        reference,
        &form.email,
    )
    .await;
    match added {
        Ok(_) => Ok(Flash::success(
            back,
            format!(
                "{} now follows this case.",
                form.email.trim().to_lowercase()
            ),
        )),
        // Bad addresses go back to the case page with the reason; anything else is an error.
        Err(e) if e.status == Status::UnprocessableEntity => Err(Either::Left(Flash::error(
            back,
            e.fields
                .messages()
                .first()
                .map(|m| m.to_string())
                .unwrap_or(e.message),
        ))),
        Err(e) => Err(Either::Right(e)),
    }
}

/// A message to the legal team, with documents; it answers a request for information.
#[post("/requests/<reference>/messages", data = "<data>")]
async fn message(
    reference: &str,
    who: InArea,
    csrf: Csrf,
    workflow: Workflow<'_>,
    content_type: Option<&ContentType>,
    data: Data<'_>,
    config: &State<Config>,
) -> Result<Flash<Redirect>, AppError> {
    let InArea { area, requester } = who;
    let upload = multipart::receive(data, content_type, workflow.store, config.max_documents)
        .await
        .map_err(|r| r.error)?;
    csrf.verify(upload.field("csrf"))?;
    let text = upload.field("message").unwrap_or_default().to_owned();
    let back = Redirect::to((area.case)(reference));
    match workflow
        .message(&requester.row, reference, &text, upload.files)
        .await
    {
        Ok(_) => Ok(Flash::success(
            back,
            match area.track {
                Track::Agency => "Your message was sent to the legal team.",
                Track::Court => "Your message was sent to the platform's support and legal team.",
            },
        )),
        Err(e) if e.status.code == 422 => Ok(Flash::error(
            back,
            e.fields.get("message").unwrap_or(&e.message).to_owned(),
        )),
        Err(e) => Err(e),
    }
}

#[derive(FromForm)]
struct WithdrawForm {
    csrf: String,
    /// Given on the confirm step: a withdrawn request cannot be taken up again.
    #[field(default = false)]
    confirmed: bool,
}

#[post("/requests/<reference>/withdraw", data = "<form>")]
async fn withdraw(
    reference: &str,
    form: Form<WithdrawForm>,
    who: InArea,
    csrf: Csrf,
    db: &State<Db>,
    workflow: Workflow<'_>,
) -> Result<Either<Flash<Redirect>, Template>, AppError> {
    let InArea { area, requester } = who;
    csrf.verify(Some(&form.csrf))?;
    // Only one's own open case is asked about (another's is "not found", as on its page; a
    // closed one is refused by the workflow, with its reason).
    let case = cases::find_own(db, &requester.row, reference).await?;
    let open = crate::domain::vocab::CaseState::parse(case.details.summary.state)
        .is_some_and(|state| crate::domain::vocab::CaseState::OPEN.contains(&state));
    if !form.confirmed && open {
        let reference = case.details.summary.reference.clone();
        let confirm = Confirm {
            back: (area.case)(&reference).to_string(),
            action: format!("{}/requests/{reference}/withdraw", area.base),
            heading: format!("Withdraw {reference}?"),
            lines: vec![
                "Work on the request stops and the legal team is told. Nothing more is disclosed under it; \
                 a bundle already released stays yours to download."
                    .to_owned(),
                "To ask again later, file a new request.".to_owned(),
            ],
            reference,
            reason: None,
            fields: Vec::new(),
            button: "Yes, withdraw the request".to_owned(),
            danger: true,
        };
        let frame = in_area(area, json!({ "csrf": csrf.token(), "signed_in": true }));
        return Ok(Either::Right(confirm.render(frame)));
    }
    workflow.withdraw(&requester.row, reference).await?;
    Ok(Either::Left(Flash::success(
        Redirect::to((area.case)(reference)),
        "The request is withdrawn.",
    )))
}

/// A released bundle: this requester's own (403 for another's), until the link expires (410).
#[get("/requests/<reference>/bundles/<n>")]
async fn bundle(
    reference: &str,
    n: i32,
    who: InArea,
    bundles: Bundles<'_>,
) -> Result<Download, AppError> {
    Ok(bundles.stream(
        bundles
            .for_requester(&who.requester.row, reference, n)
            .await?,
    ))
}

pub fn routes() -> Vec<Route> {
    routes![list, new, create, show, colleague, message, withdraw, bundle]
}
