//! Call-back verification: agencies' known-good numbers, recorded by a legal admin and never
//! taken from a request, and the calls reviewers make on them before an emergency or freeze
//! request may be approved. A call the agency denies suspends the officer and alerts the admins.

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::json;

use super::officers;
use crate::audit::{self, Actor};
use crate::db::ids::CaseId;
use crate::db::models::case::Case;
use crate::db::models::new_id;
use crate::db::models::requester::Requester;
use crate::db::models::staff::Staff;
use crate::db::schema::{agency_contacts, callbacks};
use crate::db::{Db, DbConn};
use crate::domain::clock::{self, rfc3339};
use crate::domain::identity::{self, CallOutcome, Confirmation};
use crate::domain::profile::Phone;
use crate::domain::reference::CaseReference;
use crate::domain::text::check_line;
use crate::domain::vocab::Role;
use crate::domain::FieldErrors;
use crate::error::AppError;
use crate::links::Links;
use crate::mail::{Letter, Mailer};

#[derive(Debug, Clone, Serialize, Queryable)]
pub struct Contact {
    pub id: String,
    pub domain: String,
    pub label: String,
    pub phone: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CallView {
    pub phone: String,
    pub contact: String,
    pub person_reached: String,
    pub outcome: CallOutcome,
    pub outcome_label: &'static str,
    pub called_at: String,
    pub recorded_by: String,
}

/// Every known-good number, by domain.
pub fn all_contacts(conn: &mut DbConn) -> QueryResult<Vec<Contact>> {
    agency_contacts::table
        .order((agency_contacts::domain, agency_contacts::label))
        .select((
            agency_contacts::id,
            agency_contacts::domain,
            agency_contacts::label,
            agency_contacts::phone,
        ))
        .load(conn)
}

/// The numbers that may be called for a case filed from `domain`: those of the domain itself
/// and of any domain above it (`fbi.gov` for `field.fbi.gov`).
pub fn contacts_for(conn: &mut DbConn, domain: &str) -> QueryResult<Vec<Contact>> {
    Ok(all_contacts(conn)?
        .into_iter()
        .filter(|c| domain == c.domain || domain.ends_with(&format!(".{}", c.domain)))
        .collect())
}

pub async fn add_contact(
    db: &Db,
    admin_id: &str,
    domain: &str,
    label: &str,
    phone: &str,
) -> Result<(), AppError> {
    let mut errors = FieldErrors::default();
    let domain = super::agencies::clean_domain(&mut errors, domain);
    let label = label.trim().to_owned();
    if label.is_empty() {
        errors.add(
            "label",
            "Say whose number it is (the agency's duty desk, its legal office …).",
        );
    } else if let Err(message) = check_line(&label) {
        errors.add("label", message);
    }
    let phone = Phone::parse(phone);
    if phone.is_none() {
        errors.add(
            "phone",
            "Enter the number in international form, such as +1 202 324 3000.",
        );
    }
    errors.into_result()?;
    let phone = phone.map(|p| p.as_str().to_owned()).unwrap_or_default();
    let admin = admin_id.to_owned();
    db.write(move |conn| {
        let id = new_id();
        diesel::insert_into(agency_contacts::table)
            .values((
                agency_contacts::id.eq(&id),
                agency_contacts::domain.eq(&domain),
                agency_contacts::label.eq(&label),
                agency_contacts::phone.eq(&phone),
                agency_contacts::recorded_by.eq(format!("staff:{admin}")),
                agency_contacts::recorded_at.eq(clock::now()),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            &Actor::Staff(admin.clone()),
            None,
            "agency.contact_added",
            json!({ "contact": id, "domain": domain, "label": label, "phone": phone }),
        )?;
        Ok(())
    })
    .await
}

/// The call-backs of a case, oldest first, with staff named.
pub fn calls_of(conn: &mut DbConn, case_id: &CaseId) -> Result<Vec<CallView>, AppError> {
    let rows: Vec<(String, String, String, String, NaiveDateTime, String)> = callbacks::table
        .inner_join(agency_contacts::table)
        .filter(callbacks::case_id.eq(case_id))
        .order(callbacks::recorded_at)
        .select((
            callbacks::phone,
            agency_contacts::label,
            callbacks::person_reached,
            callbacks::outcome,
            callbacks::called_at,
            callbacks::recorded_by,
        ))
        .load(conn)?;
    let names: std::collections::HashMap<String, String> = Staff::all(conn)?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    Ok(rows
        .into_iter()
        .filter_map(|(phone, contact, person_reached, outcome, called_at, by)| {
            let outcome = CallOutcome::parse(&outcome)?;
            Some(CallView {
                phone,
                contact,
                person_reached,
                outcome,
                outcome_label: outcome.label(),
                called_at: rfc3339(called_at),
                recorded_by: names.get(&by).cloned().unwrap_or(by),
            })
        })
        .collect())
}

/// The `requester_confirmed` check of a case.
pub fn confirmation_of(conn: &mut DbConn, case_id: &CaseId) -> QueryResult<Confirmation> {
    let outcomes: Vec<String> = callbacks::table
        .filter(callbacks::case_id.eq(case_id))
        .order(callbacks::recorded_at)
        .select(callbacks::outcome)
        .load(conn)?;
    Ok(identity::confirmation(
        outcomes.iter().filter_map(|o| CallOutcome::parse(o)),
    ))
}

/// What a reviewer records of a call.
pub struct Call<'a> {
    pub contact_id: &'a str,
    pub person_reached: &'a str,
    pub outcome: &'a str,
    /// `YYYY-MM-DDTHH:MM` in UTC (the form's `datetime-local`), or empty for now.
    pub called_at: &'a str,
}

/// Records a call-back on the case `reference`, and returns what it found with the case's
/// `requester_confirmed` check after it. A denied call suspends the officer (sessions and
/// tokens end, open cases are flagged) and alerts every legal admin.
pub async fn record(
    db: &Db,
    mailer: &Mailer,
    links: &Links,
    reviewer_id: &str,
    reference: &CaseReference,
    call: Call<'_>,
) -> Result<(CallOutcome, Confirmation), AppError> {
    let now = clock::now();
    let mut errors = FieldErrors::default();
    let outcome = CallOutcome::parse(call.outcome.trim());
    if outcome.is_none() {
        errors.add("outcome", "Choose what the call found.");
    }
    let person = call.person_reached.trim().to_owned();
    if person.is_empty() {
        errors.add(
            "person_reached",
            "Name the person you spoke to (or “nobody” with no answer).",
        );
    } else if let Err(message) = check_line(&person) {
        errors.add("person_reached", message);
    }
    let called_at = match call.called_at.trim() {
        "" => Some(now),
        text => NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M")
            .ok()
            .filter(|at| *at <= now + TimeDelta::minutes(5)),
    };
    if called_at.is_none() {
        errors.add(
            "called_at",
            "Enter when you called (UTC), not in the future.",
        );
    }
    errors.into_result()?;
    let (outcome, called_at) = (
        outcome.unwrap_or(CallOutcome::NoAnswer),
        called_at.unwrap_or(now),
    );
    let (reviewer, reference, contact_id) = (
        reviewer_id.to_owned(),
        reference.to_owned(),
        call.contact_id.to_owned(),
    );
    let (mailer, links) = (mailer.clone(), links.clone());
    db.write(move |conn| {
        let case = Case::find_by_reference(conn, &reference)?;
        if !identity::needs_callback(case.track, case.request_type) {
            return Err(AppError::conflict("Call-backs are recorded on agency emergency and freeze requests.").with_code("no_callback_needed"));
        }
        let domain = case.agency_domain.clone().unwrap_or_default();
        let Some(contact) = contacts_for(conn, &domain)?.into_iter().find(|c| c.id == contact_id) else {
            return Err(AppError::invalid("contact", format!("Choose a number from the record of {domain}: only numbers a legal admin recorded may be called, never one from the request.")));
        };
        diesel::insert_into(callbacks::table)
            .values((
                callbacks::id.eq(new_id()),
                callbacks::case_id.eq(&case.id),
                callbacks::contact_id.eq(&contact.id),
                callbacks::phone.eq(&contact.phone),
                callbacks::person_reached.eq(&person),
                callbacks::outcome.eq(outcome.as_str()),
                callbacks::called_at.eq(called_at),
                callbacks::recorded_by.eq(&reviewer),
                callbacks::recorded_at.eq(now),
            ))
            .execute(conn)?;
        let actor = Actor::Staff(reviewer.clone());
        audit::record(
            conn,
            &actor,
            Some(&case.id),
            "callback.recorded",
            json!({ "contact": contact.id, "phone": contact.phone, "person_reached": person, "outcome": outcome, "called_at": rfc3339(called_at) }),
        )?;
        if outcome == CallOutcome::Failed {
            let officer = Requester::find(conn, &case.requester_id)?;
            let reason = format!("the agency denied the officer on a call-back for {reference}");
            officers::suspend_in(conn, &actor, &officer.id, &reason, now)?;
            let context = json!({
                "reference": reference,
                "officer": officer.email,
                "link": links.staff_case(reference.as_str()),
            });
            for admin in Staff::all(conn)?.into_iter().filter(|s| s.active && s.role == Role::Admin) {
                mailer.queue(conn, Letter { template: "callback_failed", to: &admin.email, context: &context })?;
            }
        }
        Ok((outcome, confirmation_of(conn, &case.id)?))
    })
    .await
}
