use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::ids::CaseId;
use crate::db::json::JsonText;
use crate::db::schema::{case_colleagues, case_targets, cases, messages};
use crate::db::DbConn;
use crate::domain::authority::Check;
use crate::domain::reference::CaseReference;
use crate::domain::vocab::{CaseState, InstrumentKind, RequestType, Track};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = cases)]
pub struct Case {
    pub id: CaseId,
    pub reference: String,
    #[diesel(deserialize_as = String)]
    pub track: Track,
    #[diesel(deserialize_as = String)]
    pub request_type: RequestType,
    #[diesel(deserialize_as = String)]
    pub state: CaseState,
    pub requester_id: String,
    #[diesel(deserialize_as = String)]
    pub instrument_kind: InstrumentKind,
    pub instrument_reference: String,
    pub issuing_authority: String,
    pub issued_on: Option<NaiveDate>,
    pub expires_on: Option<NaiveDate>,
    /// The data category names asked for.
    #[diesel(deserialize_as = String)]
    pub data_categories: JsonText<Vec<String>>,
    pub records_from: Option<NaiveDate>,
    pub records_to: Option<NaiveDate>,
    pub ndo_present: bool,
    pub ndo_until: Option<NaiveDate>,
    pub requested_deadline: Option<NaiveDate>,
    pub summary: String,
    pub emergency_details: Option<String>,
    pub freeze_details: Option<String>,
    pub court_details: Option<String>,
    pub agency_domain: Option<String>,
    pub authority_established: bool,
    /// The authority checks, as last run.
    #[diesel(deserialize_as = String)]
    pub authority_checks: JsonText<Vec<Check>>,
    pub due_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub assigned_to: Option<String>,
    pub paused_at: Option<NaiveDateTime>,
    pub resume_state: Option<String>,
    /// JSON: the reason, and for a partial approval the targets and categories approved.
    pub decision: Option<String>,
    /// The second factor the signer's session proved (`none`, `totp`).
    pub signer_mfa: String,
    /// The fraud signals raised at intake (staff only).
    #[diesel(deserialize_as = String)]
    pub fraud_signals: JsonText<Vec<Check>>,
    /// Why the case needs a second look (its officer suspended, its domain blocked).
    pub flagged: Option<String>,
    /// Who issued or validated the instrument as a judge (EPOC, Regulation 2023/1543 Art. 4(2)).
    pub validated_by: Option<String>,
    /// The policy's `[[entity]]` the request is addressed to, and its name then.
    pub legal_entity: Option<String>,
    pub legal_entity_name: Option<String>,
    /// When the user was told of the request after its non-disclosure order ended.
    pub user_notified_on: Option<NaiveDate>,
    pub user_notified_by: Option<String>,
    /// Regulation 2023/1543 Art. 8: the enforcing authority was notified; its window to object
    /// ends then; its grounds for refusal, if it raised any.
    pub enforcing_notified: bool,
    pub objection_until: Option<NaiveDateTime>,
    pub enforcing_objection: Option<String>,
    /// When the authority checks last ran after intake (None: only at intake).
    pub checks_run_at: Option<NaiveDateTime>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = cases)]
pub struct NewCase {
    pub id: CaseId,
    pub reference: String,
    #[diesel(serialize_as = String)]
    pub track: Track,
    #[diesel(serialize_as = String)]
    pub request_type: RequestType,
    #[diesel(serialize_as = String)]
    pub state: CaseState,
    pub requester_id: String,
    #[diesel(serialize_as = String)]
    pub instrument_kind: InstrumentKind,
    pub instrument_reference: String,
    pub issuing_authority: String,
    pub issued_on: Option<NaiveDate>,
    pub expires_on: Option<NaiveDate>,
    pub data_categories: String,
    pub records_from: Option<NaiveDate>,
    pub records_to: Option<NaiveDate>,
    pub ndo_present: bool,
    pub ndo_until: Option<NaiveDate>,
    pub requested_deadline: Option<NaiveDate>,
    pub summary: String,
    pub emergency_details: Option<String>,
    pub freeze_details: Option<String>,
    pub court_details: Option<String>,
    pub agency_domain: Option<String>,
    pub authority_established: bool,
    pub authority_checks: String,
    pub due_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub signer_mfa: String,
    pub fraud_signals: String,
    pub validated_by: Option<String>,
    /// The policy's `[[entity]]` the request is addressed to, and its name then.
    pub legal_entity: Option<String>,
    pub legal_entity_name: Option<String>,
    pub enforcing_notified: bool,
    pub objection_until: Option<NaiveDateTime>,
}

impl NewCase {
    pub fn insert(self, conn: &mut DbConn) -> QueryResult<usize> {
        diesel::insert_into(cases::table).values(self).execute(conn)
    }
}

impl Case {
    /// The end of the window in which a notified EPOC's data waits for the enforcing
    /// authority (Regulation 2023/1543, Art. 10(2)), while it runs at `now`; an emergency is
    /// produced within its deadline and never waits.
    pub fn held_until(&self, now: NaiveDateTime) -> Option<NaiveDateTime> {
        self.objection_until
            .filter(|until| self.request_type != RequestType::EmergencyDisclosure && now < *until)
    }

    /// The case with this id (one already read, read again).
    pub fn find(conn: &mut DbConn, id: &CaseId) -> QueryResult<Case> {
        cases::table.find(id).select(Case::as_select()).first(conn)
    }

    pub fn find_by_reference(conn: &mut DbConn, reference: &CaseReference) -> QueryResult<Case> {
        cases::table
            .filter(cases::reference.eq(reference.as_str()))
            .select(Case::as_select())
            .first(conn)
    }

    /// A requester's own case. Another requester's case is "not found", never "forbidden", so
    /// that references cannot be probed.
    pub fn find_owned(
        conn: &mut DbConn,
        requester_id: &str,
        reference: &CaseReference,
    ) -> QueryResult<Case> {
        let case = Case::find_by_reference(conn, reference)?;
        if case.requester_id != requester_id {
            return Err(diesel::result::Error::NotFound);
        }
        Ok(case)
    }

    /// A case its requester owns, or that they were added to as a colleague.
    pub fn find_visible(
        conn: &mut DbConn,
        requester_id: &str,
        track: Track,
        email: &str,
        reference: &CaseReference,
    ) -> QueryResult<Case> {
        let case = Case::find_by_reference(conn, reference)?;
        if case.requester_id == requester_id {
            return Ok(case);
        }
        let colleague = case_colleagues::table
            .find((&case.id, email))
            .count()
            .get_result::<i64>(conn)?;
        if colleague == 1 && case.track == Track::Agency && track == Track::Agency {
            Ok(case)
        } else {
            Err(diesel::result::Error::NotFound)
        }
    }

    /// A requester's own cases and those they follow as a colleague, newest first.
    pub fn list_for_requester(
        conn: &mut DbConn,
        requester_id: &str,
        track: Track,
        email: &str,
        limit: i64,
        offset: i64,
    ) -> QueryResult<Vec<Case>> {
        // Colleagues are officers: a court requester follows nothing, whatever their address.
        let follows = if track == Track::Agency { email } else { "" };
        let followed = case_colleagues::table
            .filter(case_colleagues::email.eq(follows.to_owned()))
            .select(case_colleagues::case_id);
        cases::table
            .filter(
                cases::requester_id
                    .eq(requester_id)
                    .or(cases::id.eq_any(followed)),
            )
            .order((cases::created_at.desc(), cases::reference.desc()))
            .limit(limit)
            .offset(offset)
            .select(Case::as_select())
            .load(conn)
    }

    pub fn count(conn: &mut DbConn) -> QueryResult<i64> {
        cases::table.count().get_result(conn)
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = case_targets)]
pub struct TargetRow {
    pub id: String,
    pub case_id: CaseId,
    pub position: i32,
    pub kind: String,
    pub value: String,
    pub chain: Option<String>,
    pub role: String,
}

impl TargetRow {
    pub fn insert_all(conn: &mut DbConn, rows: &[TargetRow]) -> QueryResult<usize> {
        // One statement per row: batch inserts are not available through the multi-backend connection.
        rows.iter().try_fold(0, |n, row| {
            Ok(n + diesel::insert_into(case_targets::table)
                .values(row)
                .execute(conn)?)
        })
    }

    pub fn for_case(conn: &mut DbConn, case_id: &CaseId) -> QueryResult<Vec<TargetRow>> {
        case_targets::table
            .filter(case_targets::case_id.eq(case_id))
            .order(case_targets::position)
            .select(TargetRow::as_select())
            .load(conn)
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = messages)]
pub struct Message {
    pub id: String,
    pub case_id: CaseId,
    pub author: String,
    pub body: String,
    pub created_at: NaiveDateTime,
}

impl Message {
    pub fn for_case(conn: &mut DbConn, case_id: &CaseId) -> QueryResult<Vec<Message>> {
        messages::table
            .filter(messages::case_id.eq(case_id))
            .order(messages::created_at)
            .select(Message::as_select())
            .load(conn)
    }
}
