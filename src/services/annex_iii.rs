//! The legal team's answers to a European Production or Preservation Order it cannot execute, or
//! not in full or in time (Regulation (EU) 2023/1543, Annex III): kept numbered per case,
//! audited, announced to the requester, and printed as the document sent to the issuing
//! authority.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use serde_json::json;

use crate::app::App;
use crate::audit::{self, Actor};
use crate::db::ids::CaseId;
use crate::db::models::case::Case;
use crate::db::models::requester::Requester;
use crate::db::models::staff::Staff;
use crate::db::schema::{non_execution_answers as answers, staff};
use crate::db::{Db, DbConn};
use crate::domain::annex_iii::{self, Addressing, Answer, AnswerDraft, Order, Reason};
use crate::domain::clock::{self, rfc3339};
use crate::domain::reference::CaseReference;
use crate::domain::vocab::CaseState;
use crate::error::AppError;
use crate::mail::Letter;

/// An answer as the case pages and the API show it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct AnswerView {
    pub number: i32,
    pub reasons: Vec<ReasonView>,
    pub details: String,
    pub partial: bool,
    pub answered_at: String,
    pub answered_by: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct ReasonView {
    pub code: &'static str,
    pub label: &'static str,
    pub provision: &'static str,
}

impl ReasonView {
    fn new(reason: Reason, order: Order) -> ReasonView {
        ReasonView {
            code: reason.as_str(),
            label: reason.label(),
            provision: reason.provision(order).unwrap_or(""),
        }
    }
}

impl AnswerView {
    fn new(number: i32, answer: Answer, at: NaiveDateTime, by: String) -> AnswerView {
        AnswerView {
            number,
            reasons: answer
                .reasons
                .iter()
                .map(|r| ReasonView::new(*r, answer.order))
                .collect(),
            details: answer.details,
            partial: answer.partial,
            answered_at: rfc3339(at),
            answered_by: by,
        }
    }
}

/// The reasons a case's order may be answered with, for the form.
pub fn reasons_for(case: &Case) -> Vec<ReasonView> {
    let Some(order) = Order::of(case.instrument_kind) else {
        return Vec::new();
    };
    Reason::ALL
        .iter()
        .filter(|r| r.provision(order).is_some())
        .map(|r| ReasonView::new(*r, order))
        .collect()
}

type Row = (
    i32,
    String,
    String,
    bool,
    NaiveDateTime,
    String,
    Option<String>,
);

fn rows(conn: &mut DbConn, case_id: &CaseId) -> QueryResult<Vec<Row>> {
    answers::table
        .inner_join(staff::table)
        .filter(answers::case_id.eq(case_id))
        .order(answers::number)
        .select((
            answers::number,
            answers::reasons,
            answers::details,
            answers::partial,
            answers::answered_at,
            staff::name,
            staff::title,
        ))
        .load(conn)
}

fn answer_of(order: Order, row: &Row) -> Result<Answer, AppError> {
    let names: Vec<String> = serde_json::from_str(&row.1)
        .map_err(|e| AppError::internal(format!("stored Annex III reasons are corrupt: {e}")))?;
    let reasons = names
        .iter()
        .map(|n| {
            Reason::parse(n).ok_or_else(|| {
                AppError::internal(format!("stored Annex III reason is unknown: {n}"))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Answer {
        order,
        reasons,
        details: row.2.clone(),
        partial: row.3,
    })
}

fn signer(name: &str, title: Option<&str>) -> String {
    match title {
        Some(title) => format!("{name}, {title}"),
        None => name.to_owned(),
    }
}

/// A case's answers, oldest first.
pub fn of_case(conn: &mut DbConn, case: &Case) -> Result<Vec<AnswerView>, AppError> {
    let Some(order) = Order::of(case.instrument_kind) else {
        return Ok(Vec::new());
    };
    rows(conn, &case.id)?
        .iter()
        .map(|row| {
            Ok(AnswerView::new(
                row.0,
                answer_of(order, row)?,
                row.4,
                signer(&row.5, row.6.as_deref()),
            ))
        })
        .collect()
}

/// One answer printed as the Annex III document, with the file name to save it under.
pub async fn document(
    db: &Db,
    reference: &CaseReference,
    number: i32,
) -> Result<(String, String), AppError> {
    let reference = reference.to_owned();
    db.run(move |conn| {
        let case = Case::find_by_reference(conn, &reference)?;
        let order = Order::of(case.instrument_kind).ok_or_else(AppError::not_found)?;
        let rows = rows(conn, &case.id)?;
        let row = rows
            .iter()
            .find(|r| r.0 == number)
            .ok_or_else(AppError::not_found)?;
        let answer = answer_of(order, row)?;
        let text = annex_iii::render(
            &answer,
            &Addressing {
                case: &case.reference,
                number,
                instrument_reference: &case.instrument_reference,
                issuing_authority: &case.issuing_authority,
                addressee: case.legal_entity_name.as_deref().unwrap_or("the platform"),
                received_at: &rfc3339(case.created_at),
                answered_at: &rfc3339(row.4),
                answered_by: &signer(&row.5, row.6.as_deref()),
                enforcing_notified: case.enforcing_notified,
            },
        );
        Ok((text, format!("annex-iii-{}-{number}.txt", case.reference)))
    })
    .await
}

/// Records that the case's EPOC or EPOC-PR cannot be executed (or not in full or in time),
/// with the Regulation's reasons; the requester is told to read it on the case page.
pub async fn record_non_execution(
    app: &App,
    staff: &Staff,
    reference: &CaseReference,
    draft: &AnswerDraft,
) -> Result<AnswerView, AppError> {
    let (staff_row, reference, draft) = (staff.clone(), reference.to_owned(), draft.clone());
    app.write(move |conn, app| {
        let case = Case::find_by_reference(conn, &reference)?;
        let order = Order::of(case.instrument_kind).ok_or_else(|| {
            AppError::conflict(format!(
                "Annex III answers a European Production or Preservation Order; this case's instrument is a {}.",
                case.instrument_kind.label().to_lowercase()
            ))
            .with_code("not_an_eu_order")
        })?;
        if case.state == CaseState::Withdrawn {
            return Err(AppError::conflict(
                "The requester withdrew this order: there is nothing to answer.",
            )
            .with_code("withdrawn"));
        }
        let answer = draft.check(order).map_err(AppError::invalid_fields)?;
        let number = answers::table
            .filter(answers::case_id.eq(&case.id))
            .select(diesel::dsl::max(answers::number))
            .first::<Option<i32>>(conn)?
            .unwrap_or(0)
            + 1;
        let now = clock::now();
        let codes: Vec<&str> = answer.reasons.iter().map(|r| r.as_str()).collect();
        diesel::insert_into(answers::table)
            .values((
                answers::id.eq(crate::db::models::new_id()),
                answers::case_id.eq(&case.id),
                answers::number.eq(number),
                answers::reasons.eq(serde_json::to_string(&codes).map_err(AppError::internal)?),
                answers::details.eq(&answer.details),
                answers::partial.eq(answer.partial),
                answers::answered_by.eq(&staff_row.id),
                answers::answered_at.eq(now),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            &Actor::Staff(staff_row.id.clone()),
            Some(&case.id),
            "annex_iii.answered",
            json!({ "number": number, "order": order, "reasons": codes, "partial": answer.partial }),
        )?;
        let requester = Requester::find(conn, &case.requester_id)?;
        app.mailer.queue(
            conn,
            Letter {
                template: "non_execution",
                to: &requester.email,
                context: &json!({
                    "reference": case.reference,
                    "certificate": order.certificate(),
                    "link": app.links.case_url(&case.reference)?,
                }),
            },
        )?;
        Ok(AnswerView::new(
            number,
            answer,
            now,
            signer(&staff_row.name, staff_row.title.as_deref()),
        ))
    })
    .await
}
