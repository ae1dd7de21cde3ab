//! A requester's cases, for either track: the list, the request form, a case, messages, withdrawal.

use crate::app::App;
use crate::domain::reference::CaseReference;
use crate::pages::{Confirm, Template};
use crate::services::bundles;
use crate::services::intake;
use crate::services::workflow;
use rocket::data::Data;
use rocket::form::FromForm;
use rocket::http::{ContentType, Status};
use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, Either, Route, State};
use serde_json::json;

use super::form::{draft_from_fields, import_targets, RequestFormView};
use super::{in_area, Area, InArea, Page};
use crate::db::models::document::HeldDocument;
use crate::documents::download::Download;
use crate::documents::multipart::{self, Upload};
use crate::documents::StagedDocument;
use crate::domain::authority::Check;
use crate::domain::clock;
use crate::domain::request::{RequestDraft, MAX_TARGETS};
use crate::domain::vocab::{RequestType, Track};
use crate::domain::FieldErrors;
use crate::error::AppError;
use crate::guards::{Csrf, Requester};
use crate::guards::{NoFields, Posted};
use crate::services::authority::Filer;
use crate::services::cases;
use crate::services::colleagues;
use crate::services::drafts::{self, Draft};

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
    app: &State<App>,
    page: Option<i64>,
    flash: Option<FlashMessage<'_>>,
) -> Result<Template, AppError> {
    let InArea { area, requester } = who;
    let cases = cases::list(&app.db, &requester.row, page.unwrap_or(0)).await?;
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

#[derive(FromForm)]
pub struct TypeQuery {
    /// The type chosen on the form's first step.
    #[field(name = "type")]
    pub kind: Option<String>,
}

/// The form: first the choice of type, then (`?type=`) the parts that type has, with the
/// requester's draft if one is kept. The profile's "saved, now file a request" is shown here,
/// where it belongs (this page did not take it, and it appeared on whichever page next did).
#[get("/requests/new?<query..>")]
async fn new(
    who: InArea,
    csrf: Csrf,
    app: &State<App>,
    query: Option<TypeQuery>,
    flash: Option<FlashMessage<'_>>,
) -> Result<Either<Page, Flash<Redirect>>, AppError> {
    let InArea { area, requester } = who;
    if !requester.ready_to_file() {
        return Ok(Either::Right(Flash::error(
            Redirect::to((area.profile)()),
            match area.track {
                Track::Agency => "Complete your profile before filing a request.",
                Track::Court => "Complete your declaration before filing a request.",
            },
        )));
    }
    let loaded = drafts::load(&app.db, &requester.row.id).await?;
    let (mut draft, held, saved) = match loaded {
        Some(l) => (l.draft, l.held, Some(l.saved_at)),
        None => (Draft::default(), Vec::new(), None),
    };
    let mut errors = FieldErrors::default();
    if let Some(chosen) = query.and_then(|q| q.kind) {
        draft.request.request_type = chosen.trim().to_owned();
        match RequestType::parse(chosen.trim()) {
            Some(kind) if kind.allowed_on(area.track) => {}
            Some(kind) => errors.add(
                "type",
                format!(
                    "{} request cannot be filed on this track; choose one of these.",
                    kind.with_article()
                ),
            ),
            None => errors.add("type", "Choose the type of request."),
        }
    }
    let status = if errors.is_empty() {
        Status::Ok
    } else {
        Status::UnprocessableEntity
    };
    let view = RequestFormView::new(area.track, &app.policy, draft.request, errors)
        .with_held(&held)
        .with_paste(draft.targets_paste)
        .with_draft_saved(saved);
    let (status, mut page) = form_page(area, status, &csrf, view);
    if let Some(flash) = flash {
        page = page.with("flash", flash.message());
    }
    Ok(Either::Left((status, page)))
}

/// Throws the draft away, with the files attached to it.
#[post("/requests/draft/discard", data = "<form>")]
async fn discard_draft(
    form: Posted<NoFields>,
    who: InArea,
    app: &State<App>,
) -> Result<Flash<Redirect>, AppError> {
    form.checked()?;
    drafts::discard(&app.db, &app.store, &who.requester.row.id).await?;
    Ok(Flash::success(
        Redirect::to((who.area.new_request)()),
        "The draft and its files were thrown away.",
    ))
}

/// Keeps `documents` for the requester while they correct or confirm the form.
async fn hold(app: &App, requester_id: &str, documents: Vec<StagedDocument>) -> Vec<HeldDocument> {
    let now = clock::now();
    let mut held: Vec<HeldDocument> = Vec::with_capacity(documents.len());
    for staged in documents {
        match app.store.hold(staged, requester_id, now).await {
            Ok(kept) => held.push(kept),
            Err(e) => log::warn!("could not keep an upload: {e}"),
        }
    }
    let rows = held.clone();
    let stored = app
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
                app.store.discard_held(&h.id).await;
            }
            Vec::new()
        }
    }
}

/// Takes back the files kept from an earlier round of this form.
async fn resume(
    app: &App,
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
    let held = app
        .db
        .run(move |conn| Ok(HeldDocument::take(conn, &owner, &ids)?))
        .await?;
    held.iter()
        .map(|h| app.store.resume(h).map_err(AppError::internal))
        .collect()
}

/// What the form holds between two rounds.
struct Round {
    draft: RequestDraft,
    /// Pasted target lines that could not be read.
    paste: String,
    held: Vec<HeldDocument>,
    /// Blank target and asset rows asked for beyond the usual.
    extra: (usize, usize),
    saved: Option<chrono::NaiveDateTime>,
    /// Back to the form's first step, to change the type.
    choosing_type: bool,
    /// Failing checks the requester is asked to confirm or fix.
    findings: Vec<Check>,
}

impl Round {
    fn of(draft: RequestDraft) -> Round {
        Round {
            draft,
            paste: String::new(),
            held: Vec::new(),
            extra: (0, 0),
            saved: None,
            choosing_type: false,
            findings: Vec::new(),
        }
    }
}

/// The form drawn again for `round`: `error`'s field messages beside their fields, anything else
/// at the top.
fn round_page(area: &Area, csrf: &Csrf, app: &App, round: Round, error: Option<AppError>) -> Page {
    let view = |errors: FieldErrors, alert: Option<String>| {
        let view = RequestFormView::new(area.track, &app.policy, round.draft.clone(), errors)
            .with_extra_rows(round.extra.0, round.extra.1)
            .with_alert(alert)
            .with_held(&round.held)
            .with_paste(round.paste.clone())
            .with_draft_saved(round.saved)
            .with_findings(round.findings.clone());
        if round.choosing_type {
            view.choosing_type()
        } else {
            view
        }
    };
    let Some(error) = error else {
        return form_page(area, Status::Ok, csrf, view(FieldErrors::default(), None));
    };
    let mut errors = error.fields.clone();
    let alert = if !errors.is_empty() {
        Some("Some fields need attention. Nothing was filed; your draft is kept.".to_owned())
    } else if matches!(error.status.code, 413 | 415) {
        // Upload problems belong beside the file field.
        errors.add("documents", error.message.clone());
        None
    } else {
        Some(error.message.clone())
    };
    form_page(area, error.status, csrf, view(errors, alert))
}

/// Holds `documents` and saves the round as the requester's draft. A draft that cannot be saved
/// is logged: the page still shows everything, as before drafts were kept.
async fn keep(
    app: &App,
    requester_id: &str,
    mut round: Round,
    documents: Vec<StagedDocument>,
) -> Round {
    round.held = hold(app, requester_id, documents).await;
    let draft = Draft {
        request: round.draft.clone(),
        targets_paste: round.paste.clone(),
        held: round.held.iter().map(|h| h.id.clone()).collect(),
    };
    match drafts::save(&app.db, requester_id, &draft).await {
        Ok(at) => round.saved = Some(at),
        Err(e) => log::error!("could not save a draft: {}", e.message),
    }
    round
}

/// The request form posted: add rows, read a list of targets, change the type, save the draft,
/// show findings to confirm, or file the request. Every round but the last saves the draft.
#[post("/requests", data = "<data>")]
async fn create(
    who: InArea,
    csrf: Csrf,
    app: &State<App>,
    content_type: Option<&ContentType>,
    data: Data<'_>,
) -> Result<Flash<Redirect>, Page> {
    let InArea { area, requester } = who;
    let (requester, csrf) = (&requester, &csrf);
    let row = &requester.row;
    let bare = |fields: &[(String, String)], error: AppError| {
        round_page(
            area,
            csrf,
            app,
            Round::of(draft_from_fields(fields)),
            Some(error),
        )
    };
    let upload =
        match multipart::receive(data, content_type, &app.store, app.config.max_documents).await {
            Ok(upload) => upload,
            Err(rejected) => return Err(bare(&rejected.fields, rejected.error)),
        };
    csrf.verify(upload.field("csrf"))
        .map_err(|e| bare(&upload.fields, e))?;
    if !requester.ready_to_file() {
        return Ok(Flash::warning(
            Redirect::to((area.profile)()),
            "Complete your profile before filing a request.",
        ));
    }
    let mut documents = resume(app, &row.id, &upload)
        .await
        .map_err(|e| bare(&upload.fields, e))?;
    let fields = upload.fields;
    documents.extend(upload.files);

    let field = |name: &str| multipart::field(&fields, name);
    let mut round = Round::of(draft_from_fields(&fields));
    let (left, unread) = import_targets(&mut round.draft, &fields);
    round.paste = left;

    // Rounds that file nothing: more rows, a list read, the type changed, the draft saved, or a
    // list with lines to correct.
    let action = field("action").unwrap_or("submit");
    if action != "submit" || unread.is_some() {
        let count = |name: &str| {
            field(name)
                .and_then(|v| v.parse::<usize>().ok())
                .unwrap_or(0)
                .min(MAX_TARGETS)
        };
        round.extra = (
            count("extra_targets") + usize::from(action == "add_target"),
            count("extra_assets") + usize::from(action == "add_asset"),
        );
        let mut round = keep(app, &row.id, round, documents).await;
        let error = unread.map(|message| AppError::invalid("targets_paste", message));
        round.choosing_type = action == "change_type";
        return Err(round_page(area, csrf, app, round, error));
    }

    let prepared = match intake::prepare(app, filer(requester), &round.draft, documents).await {
        Ok(prepared) => prepared,
        Err(refused) => {
            let round = keep(app, &row.id, round, refused.documents).await;
            return Err(round_page(area, csrf, app, round, Some(refused.error)));
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
        let mut round = keep(app, &row.id, round, prepared.documents).await;
        round.findings = findings;
        return Err(round_page(area, csrf, app, round, None));
    }
    match intake::commit(app, filer(requester), prepared).await {
        Ok(submitted) => {
            if let Err(e) = drafts::filed(&app.db, &row.id).await {
                log::error!("could not remove a filed request's draft: {}", e.message);
            }
            Ok(Flash::success(
                Redirect::to((area.case)(&submitted.case.reference)),
                format!(
                    "Request {} received. A receipt was e-mailed to you.",
                    submitted.case.reference
                ),
            ))
        }
        Err(error) => Err(round_page(area, csrf, app, round, Some(error))),
    }
}

#[get("/requests/<reference>")]
pub async fn show(
    reference: Result<CaseReference, AppError>,
    who: InArea,
    csrf: Csrf,
    app: &State<App>,
    flash: Option<FlashMessage<'_>>,
) -> Result<Template, AppError> {
    let InArea { area, requester } = who;
    let reference = &reference?;
    let case = cases::find_own(&app.db, &requester.row, reference).await?;
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
}

/// Adds a colleague of the same agency domain, who then follows the case.
#[post("/requests/<reference>/colleagues", data = "<form>")]
async fn colleague(
    reference: Result<CaseReference, AppError>,
    form: Posted<ColleagueForm>,
    who: InArea,
    app: &State<App>,
) -> Result<Flash<Redirect>, Either<Flash<Redirect>, AppError>> {
    let InArea { area, requester } = who;
    let form = form.checked().map_err(Either::Right)?;
    let reference = &reference.map_err(Either::Right)?;
    let back = Redirect::to((area.case)(reference.as_str()));
    let link = app.links.to(&(area.case)(reference.as_str()).to_string());
    let added = colleagues::add(
        &app.db,
        &app.mailer,
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
    reference: Result<CaseReference, AppError>,
    who: InArea,
    csrf: Csrf,
    app: &State<App>,
    content_type: Option<&ContentType>,
    data: Data<'_>,
) -> Result<Flash<Redirect>, AppError> {
    let InArea { area, requester } = who;
    let upload = multipart::receive(data, content_type, &app.store, app.config.max_documents)
        .await
        .map_err(|r| r.error)?;
    csrf.verify(upload.field("csrf"))?;
    let text = upload.field("message").unwrap_or_default().to_owned();
    let reference = &reference?;
    let back = Redirect::to((area.case)(reference.as_str()));
    match workflow::message(app, &requester.row, reference, &text, upload.files).await {
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
    /// Given on the confirm step: a withdrawn request cannot be taken up again.
    #[field(default = false)]
    confirmed: bool,
}

#[post("/requests/<reference>/withdraw", data = "<form>")]
async fn withdraw(
    reference: Result<CaseReference, AppError>,
    form: Posted<WithdrawForm>,
    who: InArea,
    csrf: Csrf,
    app: &State<App>,
) -> Result<Either<Flash<Redirect>, Template>, AppError> {
    let InArea { area, requester } = who;
    let form = form.checked()?;
    // Only one's own open case is asked about (another's is "not found", as on its page; a
    // closed one is refused by the workflow, with its reason).
    let reference = &reference?;
    let case = cases::find_own(&app.db, &requester.row, reference).await?;
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
    workflow::withdraw(app, &requester.row, reference).await?;
    Ok(Either::Left(Flash::success(
        Redirect::to((area.case)(reference.as_str())),
        "The request is withdrawn.",
    )))
}

/// A released bundle: this requester's own (403 for another's), until the link expires (410).
#[get("/requests/<reference>/bundles/<n>")]
async fn bundle(
    reference: Result<CaseReference, AppError>,
    n: i32,
    who: InArea,
    app: &State<App>,
) -> Result<Download, AppError> {
    let reference = &reference?;
    Ok(bundles::stream(
        app,
        bundles::for_requester(app, &who.requester.row, reference, n).await?,
    ))
}

pub fn routes() -> Vec<Route> {
    routes![
        list,
        new,
        discard_draft,
        create,
        show,
        colleague,
        message,
        withdraw,
        bundle
    ]
}
