//! Colleagues on a case: the officer who filed it may add up to five officers of the same
//! agency domain, who then see and follow it after their own sign-in (and second factor).
//! They read; only the filing officer acts on the case.

use diesel::prelude::*;
use serde_json::json;

use crate::audit::{self, Actor};
use crate::db::ids::CaseId;
use crate::db::models::case::Case;
use crate::db::models::requester::Requester;
use crate::db::schema::case_colleagues;
use crate::db::{is_unique_violation, Db, DbConn};
use crate::domain::clock;
use crate::domain::email::EmailAddress;
use crate::domain::reference::CaseReference;
use crate::domain::vocab::Track;
use crate::error::AppError;
use crate::mail::{Letter, Mailer};

/// As many as Google's LERS allows.
pub const MAX_COLLEAGUES: i64 = 5;

pub fn of_case(conn: &mut DbConn, case_id: &CaseId) -> QueryResult<Vec<String>> {
    case_colleagues::table
        .filter(case_colleagues::case_id.eq(case_id))
        .order(case_colleagues::added_at)
        .select(case_colleagues::email)
        .load(conn)
}

/// Adds `email` to the case `reference` of `owner`; returns the colleagues now on it.
pub async fn add(
    db: &Db,
    mailer: &Mailer,
    link: String,
    owner: &Requester,
    reference: &CaseReference,
    email: &str,
) -> Result<Vec<String>, AppError> {
    if owner.track != Track::Agency {
        return Err(AppError::forbidden(
            "Colleagues are for agency officers' cases.",
        ));
    }
    let email = EmailAddress::parse(email).map_err(|m| AppError::invalid("email", m))?;
    let own = EmailAddress::parse(&owner.email).map_err(AppError::internal)?;
    if email.domain() != own.domain() {
        return Err(AppError::invalid(
            "email",
            format!(
                "A colleague's address must be at {}, as yours is.",
                own.domain()
            ),
        ));
    }
    if email.as_str() == own.as_str() {
        return Err(AppError::invalid("email", "That is your own address."));
    }
    let (owner, reference, mailer) = (owner.clone(), reference.to_owned(), mailer.clone());
    db.write(move |conn| {
        let case = Case::find_owned(conn, &owner.id, &reference)?;
        let present: i64 = case_colleagues::table
            .filter(case_colleagues::case_id.eq(&case.id))
            .count()
            .get_result(conn)?;
        if present >= MAX_COLLEAGUES {
            return Err(AppError::invalid(
                "email",
                format!("A case has at most {MAX_COLLEAGUES} colleagues."),
            ));
        }
        let inserted = conn.transaction(|conn| {
            diesel::insert_into(case_colleagues::table)
                .values((
                    case_colleagues::case_id.eq(&case.id),
                    case_colleagues::email.eq(email.as_str()),
                    case_colleagues::added_by.eq(&owner.id),
                    case_colleagues::added_at.eq(clock::now()),
                ))
                .execute(conn)
        });
        match inserted {
            Err(e) if is_unique_violation(&e) => {
                return Err(AppError::invalid(
                    "email",
                    format!("{email} already follows this case."),
                ))
            }
            other => other?,
        };
        audit::record(
            conn,
            &Actor::Requester(owner.id.clone()),
            Some(&case.id),
            "case.colleague_added",
            json!({ "colleague": email.as_str() }),
        )?;
        mailer.queue(
            conn,
            Letter {
                template: "colleague_added",
                to: email.as_str(),
                context: &json!({ "reference": reference, "by": owner.email, "link": link }),
            },
        )?;
        Ok(of_case(conn, &case.id)?)
    })
    .await
}
