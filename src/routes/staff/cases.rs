use crate::domain::reference::CaseReference;
use crate::pages::{Confirm, Template};
use rocket::form::FromForm;
use rocket::http::Status;
use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use rocket::Either;
use rocket::{get, post, routes, uri, Route, State};
use serde_json::json;

use crate::app::App;
use crate::db::models::staff::Staff;
use crate::db::Db;
use crate::documents::download::Download;
use crate::domain::identity::CallOutcome;
use crate::domain::policy::Policy;
use crate::domain::vocab::{CaseState, RequestType, Role, Track};
use crate::error::AppError;
use crate::guards::{Csrf, LegalReviewer, StaffMember};
use crate::guards::{NoFields, Posted};
use crate::services::annex_iii;
use crate::services::callbacks::{self, Call};
use crate::services::fulfilment;
use crate::services::staff_cases::{self, QueueFilter, QueueOrder};
use crate::services::workflow::{self, Moved, TransitionRequest};

/// The queue's query string; unknown values are ignored rather than refused.
#[derive(Debug, Default, Clone, FromForm)]
pub struct QueueQuery {
    state: Option<String>,
    track: Option<String>,
    #[field(name = "type")]
    kind: Option<String>,
    overdue: Option<bool>,
    q: Option<String>,
    country: Option<String>,
    mine: Option<bool>,
    sort: Option<String>,
    page: Option<i64>,
}

/// The query in links (`uri!(queue(query = …))`), the values given only. Written out rather
/// than derived: the derive's code trips clippy on every `Copy` field.
impl rocket::http::uri::fmt::UriDisplay<rocket::http::uri::fmt::Query> for QueueQuery {
    fn fmt(
        &self,
        f: &mut rocket::http::uri::fmt::Formatter<'_, rocket::http::uri::fmt::Query>,
    ) -> std::fmt::Result {
        let texts = [
            ("state", &self.state),
            ("track", &self.track),
            ("type", &self.kind),
            ("q", &self.q),
            ("country", &self.country),
            ("sort", &self.sort),
        ];
        for (name, value) in texts {
            if let Some(value) = value {
                f.write_named_value(name, value)?;
            }
        }
        for (name, value) in [("overdue", self.overdue), ("mine", self.mine)] {
            if let Some(value) = value {
                f.write_named_value(name, value)?;
            }
        }
        if let Some(page) = self.page {
            f.write_named_value("page", page)?;
        }
        Ok(())
    }
}

impl rocket::http::uri::fmt::FromUriParam<rocket::http::uri::fmt::Query, QueueQuery>
    for QueueQuery
{
    type Target = QueueQuery;
    fn from_uri_param(query: QueueQuery) -> QueueQuery {
        query
    }
}

/// Links may leave the whole query out (`uri!(queue(_))`).
impl rocket::http::uri::fmt::Ignorable<rocket::http::uri::fmt::Query> for QueueQuery {}

impl QueueQuery {
    /// The filter for `viewer`. Support sees the court-order track only, its triage by
    /// default; the legal team sees both tracks (`track` narrows it), without the cases still
    /// waiting for support's triage unless it asks for that state.
    pub fn filter(&self, viewer: &Staff) -> QueueFilter {
        let support = viewer.role < Role::Legal;
        let default_states = if support {
            vec![CaseState::Triage]
        } else {
            CaseState::OPEN
                .iter()
                .copied()
                .filter(|s| *s != CaseState::Triage)
                .collect()
        };
        let state = self.state.as_deref().and_then(CaseState::parse);
        let searching = self.q.as_deref().is_some_and(|q| !q.trim().is_empty());
        QueueFilter {
            state,
            // A search looks in every state unless one is chosen: a case closed last year is
            // still the one a reviewer is asked about.
            any_state: state.is_none() && (self.state.as_deref() == Some("any") || searching),
            default_states,
            track: if support {
                Some(Track::Court)
            } else {
                self.track.as_deref().and_then(Track::parse)
            },
            request_type: self.kind.as_deref().and_then(RequestType::parse),
            overdue: self.overdue.unwrap_or(false),
            q: self.q.clone(),
            order: self.sort.as_deref().and_then(QueueOrder::parse),
            country: self.country.clone(),
            assigned_to: self.mine.unwrap_or(false).then(|| viewer.id.clone()),
            page: self.page.unwrap_or(0),
        }
    }
}

#[get("/queue?<query..>")]
pub async fn queue(
    staff: StaffMember,
    csrf: Csrf,
    app: &State<App>,
    query: QueueQuery,
    flash: Option<FlashMessage<'_>>,
) -> Result<Template, AppError> {
    let filter = query.filter(&staff.row);
    let queue = staff_cases::queue(&app.db, filter.clone()).await?;
    let counts = staff_cases::counts(&app.db, staff.row.role).await?;
    let support = staff.row.role < Role::Legal;
    let reviewers = if support {
        Vec::new()
    } else {
        staff_cases::reviewers(&app.db).await?
    };
    let states: Vec<_> = CaseState::ALL
        .iter()
        .map(|s| json!({ "value": s.as_str(), "label": s.label() }))
        .collect();
    let types: Vec<_> = RequestType::ALL
        .iter()
        .map(|s| json!({ "value": s.as_str(), "label": s.label() }))
        .collect();
    let order = filter.order.map(QueueOrder::as_str);
    Ok(Template::render(
        "staff/queue",
        json!({
            "csrf": csrf.token(), "staff": staff.row.name, "me": staff.row.email, "role": staff.row.role,
            "queue": queue, "states": states, "types": types, "counts": counts, "support": support,
            "reviewers": reviewers,
            "filter": {
                "state": if filter.any_state { Some("any".to_owned()) } else { query.state.clone() },
                "track": query.track, "type": query.kind, "overdue": filter.overdue,
                "q": query.q.as_deref().map(crate::domain::text::escape_controls),
                "country": query.country.as_deref().map(crate::domain::text::escape_controls), "mine": query.mine.unwrap_or(false), "sort": order,
            },
            "links": query.links(queue.page, queue.more),
            "flash": flash.map(|f| f.message().to_owned()),
        }),
    ))
}

impl QueueQuery {
    /// The same view in another order, on another page, or as CSV.
    fn links(&self, page: i64, more: bool) -> serde_json::Value {
        let with = |sort: Option<String>, page: Option<i64>| {
            let mut query = self.clone();
            query.sort = sort;
            query.page = page;
            query
        };
        let sorted = |column: &str| {
            // A column's link turns its order round when it is already the order.
            let current = self.sort.as_deref().unwrap_or("");
            let sort = if current == column {
                format!("-{column}")
            } else {
                column.to_owned()
            };
            uri!("/staff", queue(query = with(Some(sort), None))).to_string()
        };
        let same_order = self.sort.clone();
        json!({
            "due": sorted("due"), "filed": sorted("filed"), "reference": sorted("reference"),
            "previous": (page > 0).then(|| uri!("/staff", queue(query = with(same_order.clone(), Some(page - 1)))).to_string()),
            "next": more.then(|| uri!("/staff", queue(query = with(same_order.clone(), Some(page + 1)))).to_string()),
            "csv": uri!("/staff", queue_csv(query = with(same_order.clone(), None))).to_string(),
            "here": uri!("/staff", queue(query = with(same_order.clone(), Some(page)))).to_string(),
        })
    }
}

/// The filtered queue as CSV, in the order shown, for a spreadsheet or a report.
#[get("/queue.csv?<query..>")]
pub async fn queue_csv(
    staff: StaffMember,
    app: &State<App>,
    query: QueueQuery,
) -> Result<Csv, AppError> {
    let (rows, more) = staff_cases::export(&app.db, &staff.row, query.filter(&staff.row)).await?;
    let body = staff_cases::queue_csv(&rows, more).map_err(AppError::internal)?;
    let day = crate::domain::clock::now().format("%Y-%m-%d");
    Ok(Csv {
        body,
        disposition: rocket::http::Header::new(
            "Content-Disposition",
            format!("attachment; filename=\"writ-queue-{day}.csv\""),
        ),
    })
}

#[derive(rocket::Responder)]
#[response(content_type = "text/csv")]
pub struct Csv {
    body: String,
    disposition: rocket::http::Header<'static>,
}

#[derive(FromForm)]
struct BulkAssignForm {
    #[field(default = Vec::new())]
    cases: Vec<String>,
    staff: String,
    /// The queue view to return to (its path and query, as the page linked it).
    #[field(default = String::new())]
    back: String,
}

/// Assigns the chosen cases of the queue to one reviewer, each audited on its own.
#[post("/queue/assign", data = "<form>")]
async fn bulk_assign(
    form: Posted<BulkAssignForm>,
    reviewer: LegalReviewer,
    app: &State<App>,
) -> Result<Flash<Redirect>, AppError> {
    let form = form.checked()?;
    // Only a queue view of this site: never a redirect elsewhere.
    let back = if form.back.starts_with("/staff/queue")
        && !form.back.contains("//")
        && !form.back.contains('\\')
    {
        form.back.clone()
    } else {
        "/staff/queue".to_owned()
    };
    if form.cases.is_empty() {
        return Ok(Flash::error(
            Redirect::to(back),
            "Choose the cases to assign: tick them in the first column.",
        ));
    }
    let mut assigned = Vec::new();
    let mut refused = Vec::new();
    let mut to = None;
    for reference in form.cases.iter().take(staff_cases::PAGE_SIZE as usize) {
        let Some(parsed) = CaseReference::parse(reference) else {
            let shown = crate::domain::text::escape_controls(reference);
            refused.push(format!("{shown}: no such case"));
            continue;
        };
        match workflow::assign(app, &reviewer.0.row, &parsed, &form.staff).await {
            Ok(assignee) => {
                assigned.push(reference.as_str());
                to = Some(assignee.name);
            }
            Err(e) if e.status == Status::NotFound => {
                refused.push(format!("{reference}: no such case"))
            }
            Err(e) => refused.push(match e.fields.messages().first() {
                Some(message) => message.to_string(),
                None => format!("{reference}: {}", e.message),
            }),
        }
    }
    let mut message = match (assigned.len(), to) {
        (0, _) | (_, None) => String::from("No case was assigned."),
        (1, Some(to)) => format!("Assigned {} to {to}.", assigned[0]),
        (n, Some(to)) => format!("Assigned {n} cases to {to}: {}.", assigned.join(", ")),
    };
    if !refused.is_empty() {
        refused.dedup();
        message.push_str(&format!(" Not assigned: {}.", refused.join("; ")));
        return Ok(Flash::error(Redirect::to(back), message));
    }
    Ok(Flash::success(Redirect::to(back), message))
}

#[get("/cases/<reference>")]
pub(super) async fn show(
    reference: Result<CaseReference, AppError>,
    staff: StaffMember,
    csrf: Csrf,
    app: &State<App>,
    flash: Option<FlashMessage<'_>>,
) -> Result<Template, AppError> {
    let reference = &reference?;
    let case = staff_cases::find(&app.db, reference, staff.row.role, &app.policy.identity).await?;
    Ok(Template::render(
        "staff/case",
        json!({ "csrf": csrf.token(), "staff": staff.row.name, "me": staff.row.email, "role": staff.row.role, "custodian": staff.row.title, "case": case, "flash": flash.map(|f| f.message().to_owned()) }),
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
    /// Given on the confirm step of a decision (approve, partially approve, reject).
    #[field(default = false)]
    confirmed: bool,
}

impl TransitionForm {
    /// A decision cannot be taken back: it is asked about once more, unless the form is
    /// incomplete (the service's refusal says what is missing, on the case page).
    fn needs_confirming(&self, from: CaseState) -> Option<CaseState> {
        let to = CaseState::parse(&self.to)?;
        let decision = matches!(
            to,
            CaseState::Approved | CaseState::PartiallyApproved | CaseState::Rejected
        );
        let complete = !(crate::domain::workflow::needs_reason(from, to)
            && self.reason.trim().is_empty())
            && (to != CaseState::PartiallyApproved
                || (!self.targets.is_empty() && !self.categories.is_empty()));
        (decision && complete && !self.confirmed).then_some(to)
    }

    /// The confirm step: what the decision does, and the same fields again.
    fn confirm(&self, case: &staff_cases::StaffCaseView, to: CaseState) -> Confirm {
        let reference = case.details.summary.reference.clone();
        let told = "The requester is told by e-mail.";
        let (heading, mut lines, button) = match to {
            CaseState::Approved => (
                format!("Approve {reference}?"),
                vec![format!(
                    "You approve the whole request: every target and every category of data asked for. {told}"
                )],
                "Yes, approve".to_owned(),
            ),
            CaseState::PartiallyApproved => {
                let targets: Vec<String> = self
                    .targets
                    .iter()
                    .filter_map(|i| case.details.targets.get(*i))
                    .map(|t| {
                        let kind = t["kind"].as_str().unwrap_or_default().replace('_', " ");
                        format!("{kind} {}", t["value"].as_str().unwrap_or_default())
                    })
                    .collect();
                (
                    format!("Partially approve {reference}?"),
                    vec![
                        format!("Targets approved: {}.", targets.join("; ")),
                        format!("Categories approved: {}.", self.categories.join(", ").replace('_', " ")),
                        format!("Everything else asked for is refused. {told}"),
                    ],
                    "Yes, partially approve".to_owned(),
                )
            }
            _ => (
                format!("Reject {reference}?"),
                vec![format!("Nothing is disclosed and work on the case stops. {told}")],
                "Yes, reject".to_owned(),
            ),
        };
        if case.details.summary.request_type == RequestType::EmergencyDisclosure.as_str()
            && to != CaseState::Rejected
            && case.approvals.is_empty()
        {
            lines.push("An emergency disclosure needs a second legal reviewer's approval: yours is the first.".into());
        }
        let mut fields = vec![
            ("to".to_owned(), self.to.clone()),
            ("reason".to_owned(), self.reason.clone()),
        ];
        fields.extend(
            self.targets
                .iter()
                .map(|t| ("targets".to_owned(), t.to_string())),
        );
        fields.extend(
            self.categories
                .iter()
                .map(|c| ("categories".to_owned(), c.clone())),
        );
        Confirm {
            back: uri!("/staff", show(reference = &reference)).to_string(),
            action: format!("/staff/cases/{reference}/transition"),
            reference,
            heading,
            lines,
            reason: Some(self.reason.trim().to_owned()).filter(|r| !r.is_empty()),
            fields,
            button,
            danger: to == CaseState::Rejected,
        }
    }
}

/// The case page again, with what went wrong on top and the status that says it.
pub(super) async fn case_with_error(
    db: &Db,
    policy: &Policy,
    staff: &StaffMember,
    csrf: &Csrf,
    reference: &CaseReference,
    error: AppError,
) -> (Status, Template) {
    match staff_cases::find(db, reference, staff.row.role, &policy.identity).await {
        Ok(case) => {
            let mut context = json!({ "csrf": csrf.token(), "staff": staff.row.name, "me": staff.row.email, "role": staff.row.role, "custodian": staff.row.title, "case": case });
            context["alert"] = json!(match error
                .fields
                .get("reason")
                .or(error.fields.get("targets"))
                .or(error.fields.get("body"))
                .or(error.fields.get("staff"))
            {
                Some(field) => field.to_owned(),
                None if !error.fields.is_empty() => error.fields.messages().join(" "),
                None => error.message.clone(),
            });
            (error.status, Template::render("staff/case", context))
        }
        Err(e) => error_page(e),
    }
}

/// The error page, where the case page cannot be drawn (no such case).
pub(super) fn error_page(e: AppError) -> (Status, Template) {
    (
        e.status,
        Template::render(
            "error",
            json!({ "status": e.status.code, "reason": e.status.reason(), "message": e.message }),
        ),
    )
}

#[post("/cases/<reference>/transition", data = "<form>")]
async fn transition(
    reference: Result<CaseReference, AppError>,
    form: Posted<TransitionForm>,
    staff: StaffMember,
    csrf: Csrf,
    app: &State<App>,
) -> Result<Either<Flash<Redirect>, Template>, (Status, Template)> {
    let (form, token) = form.parts();
    let reference = &reference.map_err(error_page)?;
    if let Err(e) = token {
        return Err(case_with_error(&app.db, &app.policy, &staff, &csrf, reference, e).await);
    }
    let case = staff_cases::find(&app.db, reference, staff.row.role, &app.policy.identity).await;
    let case = match case {
        Ok(case) => case,
        Err(e) => {
            return Err(case_with_error(&app.db, &app.policy, &staff, &csrf, reference, e).await)
        }
    };
    let from = CaseState::parse(case.details.summary.state).unwrap_or(CaseState::Closed);
    if let Some(to) = form.needs_confirming(from) {
        let frame =
            json!({ "csrf": csrf.token(), "staff": staff.row.name, "role": staff.row.role });
        return Ok(Either::Right(form.confirm(&case, to).render(frame)));
    }
    let request = TransitionRequest {
        to: form.to,
        reason: form.reason,
        targets: form.targets,
        categories: form.categories,
    };
    let back = Redirect::to(uri!("/staff", show(reference = reference)));
    match workflow::by_staff(app, &staff.row, reference, request).await {
        Ok(Moved::To(state)) => Ok(Either::Left(Flash::success(back, format!("The case is now “{}”.", state.label())))),
        Ok(Moved::AwaitingSecondApproval) => Ok(Either::Left(Flash::success(back, "Your approval is recorded. An emergency disclosure needs a second legal reviewer's approval."))),
        Err(e) => Err(case_with_error(&app.db, &app.policy, &staff, &csrf, reference, e).await),
    }
}

#[derive(FromForm)]
struct NoteForm {
    body: String,
}

#[post("/cases/<reference>/notes", data = "<form>")]
async fn note(
    reference: Result<CaseReference, AppError>,
    form: Posted<NoteForm>,
    staff: StaffMember,
    csrf: Csrf,
    app: &State<App>,
) -> Result<Flash<Redirect>, (Status, Template)> {
    let reference = &reference.map_err(error_page)?;
    let result = match form.checked() {
        Ok(form) => workflow::note(app, &staff.row, reference, &form.body).await,
        Err(e) => Err(e),
    };
    after_action(app, &staff, &csrf, reference, result, |()| {
        "Note added.".to_owned()
    })
    .await
}

/// Writes to the requester without asking for information (the case keeps its state).
#[post("/cases/<reference>/messages", data = "<form>")]
async fn message(
    reference: Result<CaseReference, AppError>,
    form: Posted<NoteForm>,
    staff: StaffMember,
    csrf: Csrf,
    app: &State<App>,
) -> Result<Flash<Redirect>, (Status, Template)> {
    let reference = &reference.map_err(error_page)?;
    let result = match form.checked() {
        Ok(form) => workflow::write_to_requester(app, &staff.row, reference, &form.body).await,
        Err(e) => Err(e),
    };
    after_action(app, &staff, &csrf, reference, result, |()| {
        "Message sent to the requester; the case stays where it is.".to_owned()
    })
    .await
}

/// "Run the checks again": after an account import, a registry update or a change of an
/// agency's standing, the stored checks may be stale.
#[post("/cases/<reference>/checks", data = "<form>")]
async fn rerun_checks(
    reference: Result<CaseReference, AppError>,
    form: Posted<NoFields>,
    staff: StaffMember,
    csrf: Csrf,
    app: &State<App>,
) -> Result<Flash<Redirect>, (Status, Template)> {
    let reference = &reference.map_err(error_page)?;
    let result = match form.checked() {
        Ok(NoFields) => workflow::rerun_checks(app, &staff.row, reference).await,
        Err(e) => Err(e),
    };
    after_action(app, &staff, &csrf, reference, result, |authority| {
        if authority.established {
            "Checks run again: authority established.".to_owned()
        } else {
            "Checks run again: authority not established.".to_owned()
        }
    })
    .await
}

#[derive(FromForm)]
struct AssignForm {
    staff: String,
}

#[post("/cases/<reference>/assign", data = "<form>")]
async fn assign(
    reference: Result<CaseReference, AppError>,
    form: Posted<AssignForm>,
    reviewer: LegalReviewer,
    csrf: Csrf,
    app: &State<App>,
) -> Result<Flash<Redirect>, (Status, Template)> {
    let reference = &reference.map_err(error_page)?;
    let result = match form.checked() {
        Ok(form) => workflow::assign(app, &reviewer.0.row, reference, &form.staff).await,
        Err(e) => Err(e),
    };
    after_action(app, &reviewer.0, &csrf, reference, result, |assignee| {
        format!("Assigned to {}.", assignee.name)
    })
    .await
}

#[derive(FromForm)]
struct UserNoticeForm {
    /// The day the user was told (`YYYY-MM-DD`); empty for today.
    notified_on: String,
}

/// A staff action's answer as a page: back to the case with `done`'s message, or the case page
/// again with the error.
async fn after_action<T>(
    app: &App,
    staff: &StaffMember,
    csrf: &Csrf,
    reference: &CaseReference,
    result: Result<T, AppError>,
    done: impl FnOnce(T) -> String,
) -> Result<Flash<Redirect>, (Status, Template)> {
    match result {
        Ok(value) => Ok(Flash::success(
            Redirect::to(uri!("/staff", show(reference = reference))),
            done(value),
        )),
        Err(e) => Err(case_with_error(&app.db, &app.policy, staff, csrf, reference, e).await),
    }
}

/// Records the day the user was told of the request, once its non-disclosure order has ended.
#[post("/cases/<reference>/user-notice", data = "<form>")]
async fn user_notice(
    reference: Result<CaseReference, AppError>,
    form: Posted<UserNoticeForm>,
    reviewer: LegalReviewer,
    csrf: Csrf,
    app: &State<App>,
) -> Result<Flash<Redirect>, (Status, Template)> {
    let reference = &reference.map_err(error_page)?;
    let result = async {
        let form = form.checked()?;
        let on =
            match form.notified_on.trim() {
                "" => None,
                text => Some(text.parse::<chrono::NaiveDate>().map_err(|_| {
                    AppError::invalid("notified_on", "Give the date as YYYY-MM-DD.")
                })?),
            };
        fulfilment::record_user_notice(app, &reviewer.0.row, reference, on).await
    }
    .await;
    after_action(app, &reviewer.0, &csrf, reference, result, |on| {
        format!("The user's notice is recorded, on {on}.")
    })
    .await
}

#[post("/cases/<reference>/preservation", data = "<form>")]
async fn preservation(
    reference: Result<CaseReference, AppError>,
    form: Posted<NoFields>,
    reviewer: LegalReviewer,
    csrf: Csrf,
    app: &State<App>,
) -> Result<Flash<Redirect>, (Status, Template)> {
    let reference = &reference.map_err(error_page)?;
    let result = match form.checked() {
        Ok(NoFields) => fulfilment::record_preservation(app, &reviewer.0.row, reference).await,
        Err(e) => Err(e),
    };
    after_action(app, &reviewer.0, &csrf, reference, result, |kept| {
        format!(
            "Preservation recorded; the records are kept until {}.",
            kept.expires_at
        )
    })
    .await
}

#[post("/cases/<reference>/freeze", data = "<form>")]
async fn freeze(
    reference: Result<CaseReference, AppError>,
    form: Posted<NoFields>,
    reviewer: LegalReviewer,
    csrf: Csrf,
    app: &State<App>,
) -> Result<Flash<Redirect>, (Status, Template)> {
    let reference = &reference.map_err(error_page)?;
    let result = match form.checked() {
        Ok(NoFields) => {
            fulfilment::record_freeze(
                app,
                &reviewer.0.row,
                reference,
                &app.config.operations_email,
            )
            .await
        }
        Err(e) => Err(e),
    };
    after_action(app, &reviewer.0, &csrf, reference, result, |accounts| {
        format!(
            "Freeze recorded; {} directory account(s) marked frozen and operations informed.",
            accounts.len()
        )
    })
    .await
}

#[derive(FromForm)]
struct ObjectionForm {
    grounds: String,
}

/// Records the enforcing authority's grounds for refusal of a notified EPOC.
#[post("/cases/<reference>/enforcing-objection", data = "<form>")]
async fn enforcing_objection(
    reference: Result<CaseReference, AppError>,
    form: Posted<ObjectionForm>,
    reviewer: LegalReviewer,
    csrf: Csrf,
    app: &State<App>,
) -> Result<Flash<Redirect>, (Status, Template)> {
    let reference = &reference.map_err(error_page)?;
    let result = match form.checked() {
        Ok(form) => {
            fulfilment::record_enforcing_objection(app, &reviewer.0.row, reference, &form.grounds)
                .await
        }
        Err(e) => Err(e),
    };
    after_action(app, &reviewer.0, &csrf, reference, result, |()| {
        "The enforcing authority's objection is recorded: the data will not be produced.".to_owned()
    })
    .await
}

#[derive(FromForm)]
struct ReleaseForm {
    reason: String,
}

/// Lifts an executed freeze; operations are told which accounts to release.
#[post("/cases/<reference>/freeze/release", data = "<form>")]
async fn release_freeze(
    reference: Result<CaseReference, AppError>,
    form: Posted<ReleaseForm>,
    reviewer: LegalReviewer,
    csrf: Csrf,
    app: &State<App>,
) -> Result<Flash<Redirect>, (Status, Template)> {
    let reference = &reference.map_err(error_page)?;
    let result = match form.checked() {
        Ok(form) => {
            fulfilment::release_freeze(
                app,
                &reviewer.0.row,
                reference,
                &form.reason,
                &app.config.operations_email,
            )
            .await
        }
        Err(e) => Err(e),
    };
    after_action(app, &reviewer.0, &csrf, reference, result, |accounts| {
        format!(
            "Freeze released; {} directory account(s) active again and operations informed.",
            accounts.len()
        )
    })
    .await
}

#[derive(FromForm)]
struct TransferForm {
    asset: String,
    amount: String,
    chain: String,
    destination: String,
    tx_hash: String,
}

/// Records assets moved to the government under a seizure warrant.
#[post("/cases/<reference>/seizure-transfers", data = "<form>")]
async fn seizure_transfer(
    reference: Result<CaseReference, AppError>,
    form: Posted<TransferForm>,
    reviewer: LegalReviewer,
    csrf: Csrf,
    app: &State<App>,
) -> Result<Flash<Redirect>, (Status, Template)> {
    let (form, token) = form.parts();
    let draft = crate::services::fulfilment::SeizureTransferDraft {
        asset: form.asset.clone(),
        amount: form.amount.clone(),
        chain: form.chain.clone(),
        destination: form.destination.clone(),
        tx_hash: form.tx_hash.clone(),
    };
    let reference = &reference.map_err(error_page)?;
    let result = match token {
        Ok(()) => {
            fulfilment::record_seizure_transfer(app, &reviewer.0.row, reference, &draft).await
        }
        Err(e) => Err(e),
    };
    after_action(app, &reviewer.0, &csrf, reference, result, |t| {
        format!(
            "Seizure transfer recorded: {} {} to {} ({}).",
            t.amount, t.asset, t.destination, t.tx_hash
        )
    })
    .await
}

#[derive(FromForm)]
struct NonExecutionForm {
    #[field(default = Vec::new())]
    reasons: Vec<String>,
    details: String,
    #[field(default = false)]
    partial: bool,
}

/// Records that the case's EPOC or EPOC-PR cannot be executed, in the terms of Annex III.
#[post("/cases/<reference>/non-execution", data = "<form>")]
async fn non_execution(
    reference: Result<CaseReference, AppError>,
    form: Posted<NonExecutionForm>,
    reviewer: LegalReviewer,
    csrf: Csrf,
    app: &State<App>,
) -> Result<Flash<Redirect>, (Status, Template)> {
    let (form, token) = form.parts();
    let draft = crate::domain::annex_iii::AnswerDraft {
        reasons: form.reasons.clone(),
        details: form.details.clone(),
        partial: form.partial,
    };
    let reference = &reference.map_err(error_page)?;
    let result = match token {
        Ok(()) => annex_iii::record_non_execution(app, &reviewer.0.row, reference, &draft).await,
        Err(e) => Err(e),
    };
    after_action(app, &reviewer.0, &csrf, reference, result, |a| {
        format!(
            "Annex III answer {} recorded; download it below and send it to the issuing authority. The requester was told to read it on the case page.",
            a.number
        )
    })
    .await
}

/// An Annex III answer as the document sent to the issuing authority.
#[get("/cases/<reference>/non-execution/<n>")]
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

#[derive(FromForm)]
struct CallbackForm {
    contact: String,
    person_reached: String,
    outcome: String,
    #[field(default = String::new())]
    called_at: String,
}

/// Records a call-back to the agency, on a number from its record.
#[post("/cases/<reference>/callbacks", data = "<form>")]
async fn callback(
    reference: Result<CaseReference, AppError>,
    form: Posted<CallbackForm>,
    reviewer: LegalReviewer,
    csrf: Csrf,
    app: &State<App>,
) -> Result<Flash<Redirect>, (Status, Template)> {
    let (form, token) = form.parts();
    let call = Call {
        contact_id: &form.contact,
        person_reached: &form.person_reached,
        outcome: &form.outcome,
        called_at: &form.called_at,
    };
    let reference = &reference.map_err(error_page)?;
    let result = match token {
        Ok(()) => {
            callbacks::record(
                &app.db,
                &app.mailer,
                &app.links,
                &reviewer.0.row.id,
                reference,
                call,
            )
            .await
        }
        Err(e) => Err(e),
    };
    after_action(app, &reviewer.0, &csrf, reference, result, |(outcome, _)| {
        match outcome {
            CallOutcome::Confirmed => "Call-back recorded: the agency confirmed the officer and the request.",
            CallOutcome::NoAnswer => "Call-back recorded: nobody answered; the check stays pending.",
            CallOutcome::Failed => "Call-back recorded: the agency denied the officer. The officer is suspended and the legal admins are alerted.",
        }
        .to_owned()
    })
    .await
}

/// A document of the case, decrypted as it streams; each view is an audit event.
#[get("/cases/<reference>/documents/<id>")]
async fn document(
    reference: Result<CaseReference, AppError>,
    id: &str,
    staff: StaffMember,
    app: &State<App>,
) -> Result<Download, AppError> {
    let reference = &reference?;
    let document = staff_cases::view_document(&app.db, &staff.row, reference, id).await?;
    Ok(Download::start(
        &app.store,
        &document.id,
        &document.media_type,
        &document.filename,
    ))
}

pub fn routes() -> Vec<Route> {
    routes![
        queue,
        queue_csv,
        bulk_assign,
        show,
        transition,
        callback,
        note,
        message,
        rerun_checks,
        assign,
        document,
        preservation,
        user_notice,
        freeze,
        release_freeze,
        seizure_transfer,
        non_execution,
        non_execution_document,
        enforcing_objection
    ]
}
