//! The audit log as an admin reads it: filtered by case, actor, event and dates, each event
//! with its case's reference, its actor's name and role, and its details in words; and the
//! same selection exported whole, page by page, as CSV or JSON lines.

use chrono::{NaiveDate, NaiveTime};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::Value;

use crate::db::ids::CaseId;
use crate::db::models::audit::AuditEvent;
use crate::db::schema::{audit_events, cases, requesters, staff};
use crate::db::DbConn;
use crate::domain::clock::rfc3339;
use crate::error::AppError;

/// Events on one page of the log.
pub const PAGE: i64 = 50;

/// What the admin asked for; every part may be empty.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// A case reference, in any case.
    pub case: Option<String>,
    /// A member of staff's or a requester's e-mail address, or `system` / `cli`.
    pub actor: Option<String>,
    /// An event type (`case.assigned`) or the start of one (`case.`).
    pub action: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Events before this one (the page after).
    pub before: Option<i64>,
}

impl AuditFilter {
    /// `YYYY-MM-DD` dates; anything else is refused with the field's name.
    pub fn date(field: &str, text: Option<&str>) -> Result<Option<NaiveDate>, AppError> {
        match text.map(str::trim).filter(|t| !t.is_empty()) {
            None => Ok(None),
            Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map(Some)
                .map_err(|_| AppError::invalid(field, "Enter a date as YYYY-MM-DD.")),
        }
    }

    /// A filter's text, refused when it holds a control character (nothing stored does).
    pub fn text(field: &str, text: Option<&str>) -> Result<Option<String>, AppError> {
        match text.map(str::trim).filter(|t| !t.is_empty()) {
            None => Ok(None),
            Some(text) if text.chars().any(char::is_control) => Err(AppError::invalid(
                field,
                "Remove the control character: no stored value holds one.",
            )),
            Some(text) => Ok(Some(text.to_owned())),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.case.is_none()
            && self.actor.is_none()
            && self.action.is_none()
            && self.from.is_none()
            && self.to.is_none()
    }
}

#[derive(Debug, Serialize)]
pub struct AuditLine {
    pub seq: i64,
    pub at: String,
    /// The time to the microsecond, as hashed into the chain.
    pub at_exact: String,
    /// The case's reference and whether it still exists to link to.
    pub case: Option<String>,
    /// "Lee Park (legal)", "j.doe@fbi.gov (requester)", "the system".
    pub actor: String,
    /// The stored actor (`staff:…`), as hashed into the chain.
    pub actor_id: String,
    pub action: String,
    /// `key: value` pairs of the details, in their stored order.
    pub details: Vec<(String, String)>,
    pub details_json: String,
    pub prev_hash: String,
    pub hash: String,
}

/// What the filter's names stand for in the stored columns; `None` when a name matches
/// nothing (no such case or person), so that nothing is shown rather than everything.
struct Resolved {
    case_id: Option<String>,
    actors: Option<Vec<String>>,
}

fn resolve(conn: &mut DbConn, filter: &AuditFilter) -> QueryResult<Option<Resolved>> {
    let case_id = match filter
        .case
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        None => None,
        Some(reference) => {
            let found: Option<String> = cases::table
                .filter(cases::reference.eq(reference.to_uppercase()))
                .select(cases::id)
                .first(conn)
                .optional()?;
            match found {
                Some(id) => Some(id),
                None => return Ok(None),
            }
        }
    };
    let actors = match filter
        .actor
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
    {
        None => None,
        Some(who) if who.eq_ignore_ascii_case("system") => Some(vec!["system".to_owned()]),
        Some(who) if who.eq_ignore_ascii_case("cli") => Some(vec!["cli".to_owned()]),
        Some(email) => {
            let email = email.to_lowercase();
            let mut ids: Vec<String> = staff::table
                .filter(staff::email.eq(&email))
                .select(staff::id)
                .load::<String>(conn)?
                .into_iter()
                .map(|id| format!("staff:{id}"))
                .collect();
            ids.extend(
                requesters::table
                    .filter(requesters::email.eq(&email))
                    .select(requesters::id)
                    .load::<String>(conn)?
                    .into_iter()
                    .map(|id| format!("requester:{id}")),
            );
            if ids.is_empty() {
                return Ok(None);
            }
            Some(ids)
        }
    };
    Ok(Some(Resolved { case_id, actors }))
}

/// Up to `limit` events of `filter`, newest first below `filter.before`, or (`ascending`)
/// oldest first above `after`.
pub fn events(
    conn: &mut DbConn,
    filter: &AuditFilter,
    ascending_after: Option<i64>,
    limit: i64,
) -> Result<Vec<AuditLine>, AppError> {
    let Some(resolved) = resolve(conn, filter)? else {
        return Ok(Vec::new());
    };
    let mut query = audit_events::table.into_boxed();
    if let Some(case_id) = resolved.case_id {
        query = query.filter(audit_events::case_id.eq(case_id));
    }
    if let Some(actors) = resolved.actors {
        query = query.filter(audit_events::actor.eq_any(actors));
    }
    if let Some(action) = filter
        .action
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
    {
        query = if let Some(prefix) = action.strip_suffix('.') {
            let escaped = prefix
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            query.filter(
                audit_events::action
                    .like(format!("{escaped}.%"))
                    .escape('\\'),
            )
        } else {
            query.filter(audit_events::action.eq(action.to_owned()))
        };
    }
    if let Some(from) = filter.from {
        query = query.filter(audit_events::at.ge(from.and_time(NaiveTime::MIN)));
    }
    if let Some(to) = filter.to.and_then(|d| d.succ_opt()) {
        query = query.filter(audit_events::at.lt(to.and_time(NaiveTime::MIN)));
    }
    query = match ascending_after {
        Some(after) => query
            .filter(audit_events::seq.gt(after))
            .order(audit_events::seq.asc()),
        None => match filter.before {
            Some(before) => query
                .filter(audit_events::seq.lt(before))
                .order(audit_events::seq.desc()),
            None => query.order(audit_events::seq.desc()),
        },
    };
    let found: Vec<AuditEvent> = query
        .limit(limit)
        .select(AuditEvent::as_select())
        .load(conn)?;
    lines(conn, found)
}

/// The events with their references and names looked up, a query per kind for the lot.
fn lines(conn: &mut DbConn, found: Vec<AuditEvent>) -> Result<Vec<AuditLine>, AppError> {
    use std::collections::HashMap;
    let mut case_ids: Vec<&str> = found
        .iter()
        .filter_map(|e| e.case_id.as_ref().map(CaseId::as_str))
        .collect();
    case_ids.sort_unstable();
    case_ids.dedup();
    let references: HashMap<String, String> = cases::table
        .filter(cases::id.eq_any(&case_ids))
        .select((cases::id, cases::reference))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let ids_of = |prefix: &str| {
        let mut ids: Vec<String> = found
            .iter()
            .filter_map(|e| e.actor.strip_prefix(prefix).map(str::to_owned))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    };
    // Details name staff by id too (`{"to": …}` of an assignment, `{"staff": …}` of an
    // account change): those are looked up with the actors.
    let mut staff_ids = ids_of("staff:");
    let parsed: Vec<Vec<(String, String)>> = found.iter().map(|e| readable(&e.details)).collect();
    staff_ids.extend(
        parsed
            .iter()
            .flatten()
            .filter(|(_, v)| uuid::Uuid::parse_str(v).is_ok())
            .map(|(_, v)| v.clone()),
    );
    staff_ids.sort_unstable();
    staff_ids.dedup();
    let staff_names: HashMap<String, String> = staff::table
        .filter(staff::id.eq_any(&staff_ids))
        .select((staff::id, staff::name, staff::role))
        .load::<(String, String, String)>(conn)?
        .into_iter()
        .map(|(id, name, role)| (id, format!("{name} ({role})")))
        .collect();
    let requester_names: HashMap<String, String> = requesters::table
        .filter(requesters::id.eq_any(ids_of("requester:")))
        .select((requesters::id, requesters::email, requesters::track))
        .load::<(String, String, String)>(conn)?
        .into_iter()
        .map(|(id, email, track)| {
            let role = if track == "court" {
                "court requester"
            } else {
                "officer"
            };
            (id, format!("{email} ({role})"))
        })
        .collect();
    Ok(found
        .into_iter()
        .zip(parsed)
        .map(|(e, details)| {
            let actor = if let Some(id) = e.actor.strip_prefix("staff:") {
                staff_names
                    .get(id)
                    .cloned()
                    .unwrap_or_else(|| e.actor.clone())
            } else if let Some(id) = e.actor.strip_prefix("requester:") {
                requester_names
                    .get(id)
                    .cloned()
                    .unwrap_or_else(|| e.actor.clone())
            } else if e.actor == "system" {
                "the system".to_owned()
            } else if e.actor == "cli" {
                "the command line".to_owned()
            } else {
                e.actor.clone()
            };
            AuditLine {
                seq: e.seq,
                at: rfc3339(e.at),
                at_exact: e
                    .at
                    .and_utc()
                    .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
                case: e
                    .case_id
                    .as_ref()
                    .and_then(|id| references.get(id.as_str()).cloned()),
                actor,
                actor_id: e.actor,
                action: e.action,
                details: details
                    .into_iter()
                    .map(|(k, v)| match staff_names.get(&v) {
                        Some(name) => (k, name.clone()),
                        None => (k, v),
                    })
                    .collect(),
                details_json: e.details,
                prev_hash: e.prev_hash,
                hash: e.hash,
            }
        })
        .collect())
}

/// `{"to": "in_review", "reason": "…"}` as `[("to", "in_review"), ("reason", "…")]`; a value
/// that is not text is written as compact JSON; details that are not an object, as they are.
fn readable(details: &str) -> Vec<(String, String)> {
    match serde_json::from_str::<Value>(details) {
        Ok(Value::Object(map)) => map
            .into_iter()
            .filter(|(_, v)| !v.is_null() && v.as_str() != Some(""))
            .map(|(k, v)| {
                let text = match v {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                (k.replace('_', " "), text)
            })
            .collect(),
        _ => vec![(String::new(), details.to_owned())],
    }
}

/// One CSV line of an event (no header): what a spreadsheet shows, formulas defused.
pub fn csv_line(line: &AuditLine) -> Result<String, csv::Error> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let safe = super::staff_cases::spreadsheet_safe;
    out.write_record([
        line.seq.to_string(),
        line.at_exact.clone(),
        line.case.clone().unwrap_or_default(),
        safe(&line.actor),
        line.actor_id.clone(),
        line.action.clone(),
        safe(&line.details_json),
        line.prev_hash.clone(),
        line.hash.clone(),
    ])?;
    let bytes = out
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

pub const CSV_HEADER: &str = "seq,at,case,actor,actor_id,action,details,prev_hash,hash\n";

/// One JSON line of an event: the stored fields as hashed (so a reader can recompute the
/// chain), with the reference and the actor's name beside them.
pub fn json_line(line: &AuditLine) -> String {
    let value = serde_json::json!({
        "seq": line.seq, "at": line.at_exact, "case": line.case, "actor": line.actor_id, "actor_name": line.actor,
        "action": line.action, "details": line.details_json, "prev_hash": line.prev_hash, "hash": line.hash,
    });
    value.to_string() + "\n"
}

/// The first day of a range given as `YYYY-MM-DD`, for the page's form.
pub fn day(at: Option<NaiveDate>) -> String {
    at.map(|d| d.to_string()).unwrap_or_default()
}
