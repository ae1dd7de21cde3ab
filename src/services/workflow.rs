//! Moves cases through the state machine (`domain::workflow`): every transition is checked,
//! written with its audit event and the e-mail to the requester in one transaction.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Deserialize;
use serde_json::json;

use crate::app::App;
use crate::audit::{self, Actor};
use crate::db::ids::CaseId;
use crate::db::json::read_optional;
use crate::db::models::case::{Case, Message, TargetRow};
use crate::db::models::new_id;
use crate::db::models::requester::Requester;
use crate::db::models::staff::Staff;
use crate::db::schema::{approvals, cases, messages, notes};
use crate::db::{is_unique_violation, write_tx, DbConn};
use crate::domain::clock;
use crate::domain::reference::CaseReference;
use crate::domain::vocab::{CaseState, DataCategory, Track};
use crate::domain::workflow::{self, Party, Refusal};
use crate::domain::FieldErrors;
use crate::error::AppError;
use crate::links::Links;
use crate::mail::{Letter, Mailer};

/// A transition as asked for by the form or the API, before it is read: `to` and the categories
/// are the words sent. [`TransitionRequest::parse`] turns it into a [`Transition`].
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct TransitionRequest {
    pub to: String,
    pub reason: String,
    /// Partial approval: positions (0-based) of the targets approved.
    pub targets: Vec<usize>,
    /// Partial approval: the data categories approved.
    pub categories: Vec<String>,
}

impl TransitionRequest {
    /// Reads the state asked for and the categories; a state that is none of ours is refused
    /// here, a category that is none of ours is told with the partial approval's other errors.
    pub fn parse(self) -> Result<Transition, AppError> {
        let to = CaseState::parse(self.to.trim()).ok_or_else(|| {
            AppError::invalid("to", format!("“{}” is not a case state.", self.to.trim()))
        })?;
        let mut transition = Transition::to(to);
        transition.reason = self.reason;
        transition.targets = self.targets;
        for name in &self.categories {
            match DataCategory::parse(name) {
                Some(category) => transition.categories.push(category),
                None => transition.foreign_categories += 1,
            }
        }
        Ok(transition)
    }
}

/// A transition to make: the state, the reason and, for a partial approval, what is approved.
#[derive(Debug, Clone)]
pub struct Transition {
    pub to: CaseState,
    pub reason: String,
    /// Partial approval: positions (0-based) of the targets approved.
    pub targets: Vec<usize>,
    /// Partial approval: the data categories approved.
    pub categories: Vec<DataCategory>,
    /// Partial approval: how many of the categories asked for are no data category at all.
    pub foreign_categories: usize,
    /// Set only by the fulfilment services, which record what fulfilling means for the type.
    pub fulfilment: bool,
    /// Set by services that write to the requester themselves (a sealed bundle's own letter).
    pub silent: bool,
}

impl Transition {
    /// To `to`, with no reason and nothing else.
    pub fn to(to: CaseState) -> Transition {
        Transition {
            to,
            reason: String::new(),
            targets: Vec::new(),
            categories: Vec::new(),
            foreign_categories: 0,
            fulfilment: false,
            silent: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Moved {
    To(CaseState),
    /// An emergency approval waits for a second, different legal reviewer.
    AwaitingSecondApproval,
}

/// Who is acting, as the state machine and the audit trail see them.
#[derive(Debug, Clone)]
pub struct Mover {
    pub party: Party,
    pub actor: Actor,
    pub staff_id: Option<String>,
}

impl Mover {
    pub fn staff(staff: &Staff) -> Mover {
        Mover {
            party: Party::Staff(staff.role),
            actor: Actor::Staff(staff.id.clone()),
            staff_id: Some(staff.id.clone()),
        }
    }
    pub fn requester(requester: &Requester) -> Mover {
        Mover {
            party: Party::Requester,
            actor: Actor::Requester(requester.id.clone()),
            staff_id: None,
        }
    }
}

fn refusal(refusal: Refusal) -> AppError {
    match refusal {
        Refusal::Illegal(message) => AppError::conflict(message).with_code("illegal_transition"),
        Refusal::NotAllowed(message) => AppError::forbidden(message),
        Refusal::NotYet { code, message } => AppError::conflict(message).with_code(code),
        Refusal::Fields(errors) => errors.into(),
    }
}

/// Applies a transition on `conn`, inside the caller's transaction.
pub fn transition(
    conn: &mut DbConn,
    mailer: &Mailer,
    links: &Links,
    case: &Case,
    mover: &Mover,
    request: &Transition,
) -> Result<Moved, AppError> {
    let to = request.to;
    let facts = workflow::CaseFacts {
        state: case.state,
        request_type: case.request_type,
        track: case.track,
        due_at: case.due_at,
        paused_at: case.paused_at,
        assigned_to: case.assigned_to.as_deref(),
    };
    let callback = if workflow::needs_callback(&facts, to) {
        Some(super::callbacks::confirmation_of(conn, &case.id)?)
    } else {
        None
    };
    let reason = request.reason.trim().to_owned();
    let ask = workflow::Ask {
        to,
        party: mover.party,
        staff_id: mover.staff_id.as_deref(),
        reason: &reason,
        fulfilment: request.fulfilment,
    };
    let now = clock::now();
    let plan = match workflow::plan(&facts, &ask, callback, now) {
        Ok(plan) => plan,
        // A partial approval's missing reason is told together with its targets' errors.
        Err(Refusal::Fields(mut errors)) if to == CaseState::PartiallyApproved => {
            partial(conn, case, request, &mut errors)?;
            return Err(errors.into());
        }
        Err(why) => return Err(refusal(why)),
    };
    let from = plan.from;
    let decision = if to == CaseState::PartiallyApproved {
        let mut errors = FieldErrors::default();
        let decision = partial(conn, case, request, &mut errors)?;
        errors.into_result()?;
        Some(decision)
    } else {
        None
    };

    if plan.approvals_needed > 1 {
        let staff_id = mover.staff_id.clone().unwrap_or_default();
        let scope = decision.as_ref().map(Scope::of);
        // The second reviewer approves what the first did, or less: never more.
        let earlier: Vec<(String, Option<String>)> = approvals::table
            .filter(approvals::case_id.eq(&case.id))
            .filter(approvals::staff_id.ne(&staff_id))
            .select((approvals::staff_id, approvals::scope))
            .load(conn)?;
        for (_, first) in &earlier {
            let first =
                read_optional::<serde_json::Value>(first.as_deref())?.map(|v| Scope::of(&v));
            if let Some(wider) = Scope::wider(scope.as_ref(), first.as_ref()) {
                return Err(AppError::conflict(format!(
                    "The first reviewer approved {}; a second approval may approve that or less, not {wider}. Approve the same scope or a narrower one, or return the case to the queue.",
                    first.as_ref().map_or("the whole request".to_owned(), Scope::describe),
                ))
                .with_code("wider_than_first_approval"));
            }
        }
        let inserted = conn.transaction(|conn| {
            diesel::insert_into(approvals::table)
                .values((
                    approvals::case_id.eq(&case.id),
                    approvals::staff_id.eq(&staff_id),
                    approvals::to_state.eq(to.as_str()),
                    approvals::approved_at.eq(now),
                    approvals::scope.eq(decision.as_ref().map(|d| d.to_string())),
                ))
                .execute(conn)
        });
        match inserted {
            Err(e) if is_unique_violation(&e) => {
                return Err(AppError::conflict("You have already approved this emergency request; a different legal reviewer must approve it too.").with_code("second_reviewer_required"))
            }
            other => other?,
        };
        let approvers: i64 = approvals::table
            .filter(approvals::case_id.eq(&case.id))
            .count()
            .get_result(conn)?;
        if (approvers as usize) < plan.approvals_needed {
            audit::record(
                conn,
                &mover.actor,
                Some(&case.id),
                "case.approval_recorded",
                json!({ "to": to, "approvals": approvers }),
            )?;
            return Ok(Moved::AwaitingSecondApproval);
        }
    }

    let decision_json = match to {
        CaseState::Approved | CaseState::Rejected => Some(json!({ "reason": reason }).to_string()),
        CaseState::PartiallyApproved => decision.map(|d| d.to_string()),
        _ => case.decision.clone(),
    };
    // The state we read must still be the state we change: a concurrent transition wins, this one is refused.
    let changed = diesel::update(
        cases::table
            .find(&case.id)
            .filter(cases::state.eq(from.as_str())),
    )
    .set((
        cases::state.eq(to.as_str()),
        cases::due_at.eq(plan.due_at),
        cases::paused_at.eq(plan.paused_at),
        cases::resume_state.eq(plan.resume_state.map(CaseState::as_str)),
        cases::assigned_to.eq(&plan.assigned_to),
        cases::decision.eq(decision_json),
        cases::updated_at.eq(now),
    ))
    .execute(conn)?;
    if changed != 1 {
        return Err(
            AppError::conflict("The case changed meanwhile; reload it and try again.")
                .with_code("stale"),
        );
    }
    if let Some(author) = plan.question_from {
        insert_message(conn, &case.id, author, &reason, now)?;
    }
    if let (true, Some(staff_id)) = (plan.escalation_note, &mover.staff_id) {
        // The escalation's note is for the legal team, never for the requester.
        insert_note(
            conn,
            &case.id,
            staff_id,
            &format!("Escalated from triage: {reason}"),
            now,
        )?;
    }
    audit::record(
        conn,
        &mover.actor,
        Some(&case.id),
        "case.transition",
        json!({ "from": from, "to": to, "reason": reason }),
    )?;
    // On the court track support's question and refusal are written to the representative, who
    // is no investigation's subject; on the agency track the e-mail stays bare (NDOs, leaks).
    let detail = plan.reason_in_mail.then_some(reason.as_str());
    if !request.silent {
        notify(conn, mailer, links, case, to, detail)?;
    }
    Ok(Moved::To(to))
}

/// What an emergency approval recorded with `scope` approved, in words ("the whole request",
/// "only target 1, subscriber information").
/// A scope that does not read is an error, never "the whole request".
pub fn describe_approval(scope: Option<&str>) -> Result<String, AppError> {
    let scope = read_optional::<serde_json::Value>(scope)?;
    Ok(scope.map_or("the whole request".to_owned(), |v| Scope::of(&v).describe()))
}

/// What one approval approved: the whole request, or some targets (by position) and categories.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Scope {
    targets: std::collections::BTreeSet<u64>,
    categories: std::collections::BTreeSet<String>,
}

impl Scope {
    /// From a partial approval's decision (`{"targets": [{"position": …}], "categories": […]}`).
    fn of(decision: &serde_json::Value) -> Scope {
        Scope {
            targets: decision["targets"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|t| t["position"].as_u64())
                .collect(),
            categories: decision["categories"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| c.as_str().map(str::to_owned))
                .collect(),
        }
    }

    /// What `second` approves beyond `first` (None: the whole request), if anything.
    fn wider(second: Option<&Scope>, first: Option<&Scope>) -> Option<String> {
        match (second, first) {
            (_, None) => None,
            (None, Some(_)) => Some("the whole request".to_owned()),
            (Some(second), Some(first)) => {
                let targets: Vec<String> = second
                    .targets
                    .difference(&first.targets)
                    .map(|p| format!("target {}", p + 1))
                    .collect();
                let categories: Vec<String> = second
                    .categories
                    .difference(&first.categories)
                    .map(|c| Scope::category_words(c))
                    .collect();
                let beyond: Vec<String> = targets.into_iter().chain(categories).collect();
                (!beyond.is_empty()).then(|| beyond.join(", "))
            }
        }
    }

    /// "subscriber information" for `subscriber_info` (the name itself if it is none of ours).
    fn category_words(name: &str) -> String {
        DataCategory::parse(name).map_or(name.to_owned(), |c| c.label().to_lowercase())
    }

    fn describe(&self) -> String {
        let mut parts: Vec<String> = self
            .targets
            .iter()
            .map(|p| format!("target {}", p + 1))
            .collect();
        parts.extend(self.categories.iter().map(|c| Scope::category_words(c)));
        if parts.is_empty() {
            "nothing".to_owned()
        } else {
            format!("only {}", parts.join(", "))
        }
    }
}

/// Checks a partial approval's targets and categories against the request.
fn partial(
    conn: &mut DbConn,
    case: &Case,
    request: &Transition,
    errors: &mut FieldErrors,
) -> Result<serde_json::Value, AppError> {
    let targets = TargetRow::for_case(conn, &case.id)?;
    let asked = case.data_categories.get()?;
    let mut chosen_targets: Vec<usize> = request
        .targets
        .iter()
        .copied()
        .filter(|i| *i < targets.len())
        .collect();
    chosen_targets.sort_unstable();
    chosen_targets.dedup();
    let categories: Vec<&str> = request
        .categories
        .iter()
        .map(|c| c.as_str())
        .filter(|c| asked.iter().any(|a| a == c))
        .collect();
    if chosen_targets.len() != request.targets.len()
        || categories.len() != request.categories.len()
        || request.foreign_categories > 0
    {
        errors.add(
            "targets",
            "Choose only targets and categories that the request names.",
        );
    }
    if chosen_targets.is_empty() && categories.is_empty() {
        errors.add(
            "targets",
            "Choose the targets and categories you approve; to approve nothing, reject.",
        );
    }
    let approved_targets: Vec<serde_json::Value> = chosen_targets
        .iter()
        .map(|i| json!({ "position": i, "kind": targets[*i].kind, "value": targets[*i].value }))
        .collect();
    Ok(
        json!({ "reason": request.reason.trim(), "targets": approved_targets, "categories": categories }),
    )
}

fn insert_message(
    conn: &mut DbConn,
    case_id: &CaseId,
    author: &str,
    body: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(messages::table)
        .values(Message {
            id: new_id(),
            case_id: case_id.to_owned(),
            author: author.to_owned(),
            body: body.to_owned(),
            created_at: now,
        })
        .execute(conn)
}

/// Tells the requester the case moved. The e-mail holds the reference, the new state and a link,
/// and `detail` (a question or a reason) only where the track allows it.
fn notify(
    conn: &mut DbConn,
    mailer: &Mailer,
    links: &Links,
    case: &Case,
    to: CaseState,
    detail: Option<&str>,
) -> Result<(), AppError> {
    let requester = Requester::find(conn, &case.requester_id)?;
    mailer.queue(
        conn,
        Letter {
            template: "state_changed",
            to: &requester.email,
            context: &json!({
                "reference": case.reference,
                "state": to.label(),
                "news": to.news(),
                "needs_info": to == CaseState::NeedsInfo,
                "team": match case.track { Track::Agency => "legal team", Track::Court => "platform's support and legal team" },
                "detail": detail,
                "link": links.case_url(&case.reference)?,
            }),
        },
    )
}

fn insert_note(
    conn: &mut DbConn,
    case_id: &CaseId,
    staff_id: &str,
    body: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(notes::table)
        .values((
            notes::id.eq(new_id()),
            notes::case_id.eq(case_id),
            notes::staff_id.eq(staff_id),
            notes::body.eq(body),
            notes::created_at.eq(now),
        ))
        .execute(conn)
}

/// A message between the requester and staff, trimmed and checked; errors name `field`.
fn message_body(body: &str, field: &'static str) -> Result<String, AppError> {
    let body = body.trim().to_owned();
    if body.is_empty() {
        return Err(AppError::invalid(field, "Write your message."));
    }
    if body.chars().count() > 20_000 {
        return Err(AppError::invalid(field, "At most 20000 characters."));
    }
    crate::domain::text::check_text(&body).map_err(|m| AppError::invalid(field, m))?;
    Ok(body)
}

/// An internal note: never shown to the requester.
pub fn add_note(conn: &mut DbConn, case: &Case, staff: &Staff, body: &str) -> Result<(), AppError> {
    let body = body.trim();
    if body.is_empty() {
        return Err(AppError::invalid("body", "Write the note."));
    }
    if body.chars().count() > 20_000 {
        return Err(AppError::invalid("body", "At most 20000 characters."));
    }
    let now = clock::now();
    write_tx(conn, |conn| {
        insert_note(conn, &case.id, &staff.id, body, now)?;
        audit::record(
            conn,
            &Actor::Staff(staff.id.clone()),
            Some(&case.id),
            "case.note_added",
            json!({ "length": body.chars().count() }),
        )?;
        Ok::<_, AppError>(())
    })
}

/// Assigns a case to a legal reviewer, inside the caller's transaction.
pub fn assign_in(
    conn: &mut DbConn,
    case: &Case,
    by: &Staff,
    to_email: &str,
) -> Result<Staff, AppError> {
    let assignee = Staff::find_by_email(conn, to_email.trim())?
        .filter(|s| s.active && s.role >= crate::domain::vocab::Role::Legal)
        .ok_or_else(|| AppError::invalid("staff", "Choose an active legal reviewer."))?;
    write_tx(conn, |conn| {
        diesel::update(cases::table.find(&case.id))
            .set((
                cases::assigned_to.eq(&assignee.id),
                cases::updated_at.eq(clock::now()),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            &Actor::Staff(by.id.clone()),
            Some(&case.id),
            "case.assigned",
            json!({ "to": assignee.id }),
        )?;
        Ok::<_, AppError>(())
    })?;
    Ok(assignee)
}

/// A member of staff moves a case.
pub async fn by_staff(
    app: &App,
    staff: &Staff,
    reference: &CaseReference,
    request: TransitionRequest,
) -> Result<Moved, AppError> {
    let (mover, reference, role) = (Mover::staff(staff), reference.to_owned(), staff.role);
    app.write(move |conn, app| {
        let case = super::staff_cases::visible_case(conn, &reference, role)?;
        // An unknown case is told before a malformed request.
        let request = request.parse()?;
        transition(conn, &app.mailer, &app.links, &case, &mover, &request)
    })
    .await
}

/// The requester withdraws their own open case.
pub async fn withdraw(
    app: &App,
    requester: &Requester,
    reference: &CaseReference,
) -> Result<Moved, AppError> {
    let (mover, requester, reference) = (
        Mover::requester(requester),
        requester.clone(),
        reference.to_owned(),
    );
    app.write(move |conn, app| {
        let case = Case::find_owned(conn, &requester.id, &reference)?;
        let request = Transition::to(CaseState::Withdrawn);
        transition(conn, &app.mailer, &app.links, &case, &mover, &request)
    })
    .await
}

/// The requester writes to the legal team, with documents if any. Answering a request for
/// information sends the case back to the queue it came from; new documents re-run the checks.
pub async fn message(
    app: &App,
    requester: &Requester,
    reference: &CaseReference,
    body: &str,
    mut documents: Vec<crate::documents::StagedDocument>,
) -> Result<Case, AppError> {
    let body = message_body(body, "message")?;
    app.store.upload(&mut documents).await?;
    let (mover, who, reference) = (
        Mover::requester(requester),
        requester.clone(),
        reference.to_owned(),
    );
    let stored_ids: Vec<String> = documents.iter().map(|d| d.id.clone()).collect();
    let had_documents = !documents.is_empty();
    let result = app
        .write(move |conn, app| {
            let case = Case::find_owned(conn, &who.id, &reference)?;
            if !CaseState::OPEN.contains(&case.state) {
                return Err(AppError::conflict("This case is closed to new messages.").with_code("case_closed"));
            }
            let now = clock::now();
            insert_message(conn, &case.id, &format!("requester:{}", who.email), &body, now)?;
            for staged in &documents {
                app.store.persist(staged)?;
                crate::db::models::document::Document::insert_all(conn, &[staged.row(&case.id, &format!("requester:{}", who.id), now)])?;
            }
            audit::record(
                conn,
                &mover.actor,
                Some(&case.id),
                "case.message",
                json!({ "documents": documents.iter().map(|d| json!({ "id": d.id, "sha256": d.sha256 })).collect::<Vec<_>>() }),
            )?;
            if case.state == CaseState::NeedsInfo {
                let back = workflow::after_answer(case.resume_state.as_deref().and_then(CaseState::parse));
                transition(conn, &app.mailer, &app.links, &case, &mover, &Transition::to(back))?;
            }
            Ok(Case::find_by_reference(conn, &reference)?)
        })
        .await;
    match result {
        Ok(case) => {
            if had_documents {
                super::authority::recheck(
                    &app.db,
                    &app.policy,
                    &app.config.home_country,
                    &case.id,
                    Actor::System,
                )
                .await?;
            }
            Ok(case)
        }
        Err(e) => {
            // The transaction rolled back; files it had moved into place go too.
            app.store.discard_stored(&stored_ids).await;
            Err(e)
        }
    }
}

/// Staff write to the requester without asking for information: the case keeps its state
/// and its clock. The requester reads it on the case page; the e-mail carries the text only
/// on the court track (on the agency track it stays bare: non-disclosure orders, leaks).
pub async fn write_to_requester(
    app: &App,
    staff: &Staff,
    reference: &CaseReference,
    body: &str,
) -> Result<(), AppError> {
    let body = message_body(body, "body")?;
    let (staff, reference) = (staff.clone(), reference.to_owned());
    app.write(move |conn, app| {
        let case = super::staff_cases::visible_case(conn, &reference, staff.role)?;
        if !CaseState::OPEN.contains(&case.state) {
            return Err(AppError::conflict(
                "The case is closed to new messages.",
            )
            .with_code("case_closed"));
        }
        let author = match staff.role {
            crate::domain::vocab::Role::Support => "Support",
            _ => "Legal team",
        };
        let now = clock::now();
        insert_message(conn, &case.id, author, &body, now)?;
        audit::record(
            conn,
            &Actor::Staff(staff.id.clone()),
            Some(&case.id),
            "case.message_to_requester",
            json!({ "characters": body.chars().count() }),
        )?;
        let requester = Requester::find(conn, &case.requester_id)?;
        app.mailer.queue(
            conn,
            Letter {
                template: "staff_message",
                to: &requester.email,
                context: &json!({
                    "reference": case.reference,
                    "team": match case.track { Track::Agency => "legal team", Track::Court => "platform's support and legal team" },
                    "detail": (case.track == Track::Court).then_some(body.as_str()),
                    "link": app.links.case_url(&case.reference)?,
                }),
            },
        )
    })
    .await
}

/// Runs an open case's authority checks again now ("Run the checks again" on the case page):
/// the account directory, the .gov registry or an agency's standing may have changed since.
pub async fn rerun_checks(
    app: &App,
    staff: &Staff,
    reference: &CaseReference,
) -> Result<crate::domain::authority::Authority, AppError> {
    let (role, reference) = (staff.role, reference.to_owned());
    let case = app
        .db
        .run(move |conn| super::staff_cases::visible_case(conn, &reference, role))
        .await?;
    if !CaseState::OPEN.contains(&case.state) {
        return Err(AppError::conflict(
            "The case is closed: its checks stay as they were when it was decided.",
        )
        .with_code("case_closed"));
    }
    super::authority::rerun(
        &app.db,
        &app.policy,
        &app.config.home_country,
        &case.id,
        Actor::Staff(staff.id.clone()),
    )
    .await
}

pub async fn note(
    app: &App,
    staff: &Staff,
    reference: &CaseReference,
    body: &str,
) -> Result<(), AppError> {
    let (staff, reference, body) = (staff.clone(), reference.to_owned(), body.to_owned());
    app.db
        .run(move |conn| {
            let case = super::staff_cases::visible_case(conn, &reference, staff.role)?;
            add_note(conn, &case, &staff, &body)
        })
        .await
}

pub async fn assign(
    app: &App,
    staff: &Staff,
    reference: &CaseReference,
    to_email: &str,
) -> Result<Staff, AppError> {
    let (staff, reference, to_email) = (staff.clone(), reference.to_owned(), to_email.to_owned());
    app.db
        .run(move |conn| {
            let case = Case::find_by_reference(conn, &reference)?;
            assign_in(conn, &case, &staff, &to_email)
        })
        .await
}
