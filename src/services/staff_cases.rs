//! What the legal team reads: the queue and the whole of a case.

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::Value;

use super::cases::{CaseDetails, CaseSummary, DocumentView, MessageView};
use crate::db::json::read_optional;
use crate::db::models::audit as audit_rows;
use crate::db::models::case::{Case, Message, TargetRow};
use crate::db::models::document::Document;
use crate::db::models::requester::Requester;
use crate::db::models::staff::Staff;
use crate::db::schema::{approvals, case_targets, cases, notes, requesters};
use crate::db::{Db, DbConn};
use crate::domain::clock::{self, rfc3339};
use crate::domain::identity::{self, Factor};
use crate::domain::policy::Identity;
use crate::domain::reference::CaseReference;
use crate::domain::search::Search;
use crate::domain::vocab::{CaseState, RequestType, Role, Track};
use crate::domain::workflow::{self, Party};
use crate::error::AppError;

pub const PAGE_SIZE: i64 = 50;
/// The deepest page (100 000 cases in): each page reads the sort keys of every case before it,
/// and a number beyond this is a mistake, not a page (it also overflowed the offset).
pub const MAX_PAGE: i64 = 2_000;
/// Due within this long: "at risk".
pub const AT_RISK: TimeDelta = TimeDelta::hours(48);

#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    pub state: Option<CaseState>,
    /// The states shown when no state is asked for (empty: every open state).
    pub default_states: Vec<CaseState>,
    pub track: Option<Track>,
    pub request_type: Option<RequestType>,
    pub overdue: bool,
    /// Every state, whatever `default_states` says (a search without a state looks here).
    pub any_state: bool,
    pub q: Option<String>,
    /// `None`: support's triage oldest first, else emergencies first, then by due date.
    pub order: Option<QueueOrder>,
    /// The requester's country (ISO 3166-1 alpha-2).
    pub country: Option<String>,
    /// Only cases assigned to this member of staff.
    pub assigned_to: Option<String>,
    pub page: i64,
}

#[derive(Debug, Serialize)]
pub struct QueueRow {
    #[serde(flatten)]
    pub summary: CaseSummary,
    pub track: &'static str,
    pub emergency: bool,
    pub overdue: bool,
    pub at_risk: bool,
    /// Why the case needs a second look (its officer suspended, its domain blocked).
    pub flagged: Option<String>,
    /// The requester's name (their e-mail before their profile is filled in).
    pub requester: Option<String>,
    pub requester_email: Option<String>,
    /// The requester's agency, or a representative's firm.
    pub agency: Option<String>,
    pub country: Option<String>,
    /// The name of the reviewer the case is assigned to.
    pub assignee: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Queue {
    pub cases: Vec<QueueRow>,
    pub page: i64,
    pub more: bool,
}

/// The queue's order: a column, and which way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum QueueSort {
    #[default]
    Due,
    Filed,
    Reference,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueOrder {
    pub by: QueueSort,
    pub descending: bool,
}

impl QueueOrder {
    /// `due`, `filed`, `reference`; a leading `-` turns it round.
    pub fn parse(text: &str) -> Option<QueueOrder> {
        let (descending, name) = match text.strip_prefix('-') {
            Some(name) => (true, name),
            None => (false, text),
        };
        let by = match name {
            "due" => QueueSort::Due,
            "filed" => QueueSort::Filed,
            "reference" => QueueSort::Reference,
            _ => return None,
        };
        Some(QueueOrder { by, descending })
    }

    pub fn as_str(self) -> &'static str {
        match (self.by, self.descending) {
            (QueueSort::Due, false) => "due",
            (QueueSort::Due, true) => "-due",
            (QueueSort::Filed, false) => "filed",
            (QueueSort::Filed, true) => "-filed",
            (QueueSort::Reference, false) => "reference",
            (QueueSort::Reference, true) => "-reference",
        }
    }

    const OLDEST_FIRST: QueueOrder = QueueOrder {
        by: QueueSort::Filed,
        descending: false,
    };
}

/// The sort key of one case: `(not an emergency, the column's time, reference, id)`; sorting
/// by reference leaves the time at its default.
type SortKey = (bool, NaiveDateTime, String, String);

/// A case's sort key in `order`; `later` puts it after the emergencies.
fn key_of(
    order: QueueOrder,
    later: bool,
    (created, due, reference, id): (NaiveDateTime, NaiveDateTime, String, String),
) -> SortKey {
    let time = match order.by {
        QueueSort::Due => due,
        QueueSort::Filed => created,
        QueueSort::Reference => NaiveDateTime::default(),
    };
    (later, time, reference, id)
}

/// Open cases (or those of the state asked for): emergencies first, then by due date, unless
/// another order is asked for.
///
/// One query per state (and, in the default order, per urgency), each walking an index in
/// order — `(state, due_at, reference)`, `(state, created_at, reference)`, `(state,
/// reference)` or `(state, request_type, due_at, reference)` — and stopping at the end of the
/// page; the lists are merged here. One query over several states must sort every open case
/// before it can answer (70 ms and more at 100 000 cases); these take a millisecond or two
/// each, however many cases there are.
pub async fn queue(db: &Db, filter: QueueFilter) -> Result<Queue, AppError> {
    if filter.page > MAX_PAGE {
        return Err(AppError::invalid(
            "page",
            format!("Pages go up to {MAX_PAGE}: narrow the queue with a filter or a search."),
        ));
    }
    let page = filter.page.max(0);
    db.run(move |conn| {
        let (cases, more) = rows(conn, &filter, page * PAGE_SIZE, PAGE_SIZE)?;
        Ok(Queue { cases, page, more })
    })
    .await
}

/// The most cases one export holds.
pub const MAX_EXPORT: i64 = 10_000;

/// The whole filtered queue, in its order, up to `MAX_EXPORT` cases; `true` when there were
/// more. The export carries requesters' names and addresses out of Writ, so it is audited.
pub async fn export(
    db: &Db,
    by: &Staff,
    filter: QueueFilter,
) -> Result<(Vec<QueueRow>, bool), AppError> {
    let by = by.id.clone();
    db.run(move |conn| {
        let (rows, more) = rows(conn, &filter, 0, MAX_EXPORT)?;
        crate::db::write_tx(conn, |conn| {
            crate::audit::record(
                conn,
                &crate::audit::Actor::Staff(by.clone()),
                None,
                "queue.exported",
                serde_json::json!({
                    "cases": rows.len(),
                    "truncated": more,
                    "state": filter.state.map(CaseState::as_str),
                    "any_state": filter.any_state,
                    "track": filter.track.map(Track::as_str),
                    "type": filter.request_type.map(RequestType::as_str),
                    "q": filter.q,
                    "country": filter.country,
                    "overdue": filter.overdue,
                }),
            )
        })?;
        Ok((rows, more))
    })
    .await
}

/// Active legal reviewers, by name: whom cases may be assigned to.
pub async fn reviewers(db: &Db) -> Result<Vec<Value>, AppError> {
    db.run(|conn| {
        let mut staff: Vec<Staff> = Staff::all(conn)?
            .into_iter()
            .filter(|s| s.active && s.role >= Role::Legal)
            .collect();
        staff.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(staff
            .into_iter()
            .map(|s| serde_json::json!({ "name": s.name, "email": s.email }))
            .collect())
    })
    .await
}

/// `size` rows of the queue from `offset`, and whether more follow.
fn rows(
    conn: &mut DbConn,
    filter: &QueueFilter,
    offset: i64,
    size: i64,
) -> Result<(Vec<QueueRow>, bool), AppError> {
    let now = clock::now();
    let states: Vec<CaseState> = match filter.state {
        Some(state) => vec![state],
        None if filter.any_state => CaseState::ALL.to_vec(),
        None if filter.default_states.is_empty() => CaseState::OPEN.to_vec(),
        None => filter.default_states.clone(),
    };
    let matches = match filter.q.as_deref().and_then(Search::parse) {
        Some(search) => {
            let found = Matches::find(conn, &search)?;
            if found.is_empty() {
                return Ok((Vec::new(), false));
            }
            Some(found)
        }
        None => None,
    };
    // Support triage works oldest first; the legal queue by urgency and due date.
    let order = filter.order.unwrap_or(if states == [CaseState::Triage] {
        QueueOrder::OLDEST_FIRST
    } else {
        QueueOrder::default()
    });
    let urgent_first = order == QueueOrder::default()
        && filter.request_type.is_none()
        && states != [CaseState::Triage];
    let urgencies: &[Option<bool>] = if urgent_first {
        &[Some(true), Some(false)]
    } else {
        &[None]
    };
    // Only the sort keys are read for the merge; the page's rows are read whole after. A
    // search that found few cases reads theirs at once: walking each state's index for them
    // would read every case of the state.
    let found = match &matches {
        Some(matches) => few_keys(conn, filter, matches, &states, order, urgent_first, now)?,
        None => None,
    };
    let walked = found.is_none();
    let mut keys: Vec<SortKey> = found.unwrap_or_default();
    for state in states.iter().filter(|_| walked) {
        for urgent in urgencies {
            let one = (*state, *urgent, order);
            let limit = offset + size + 1;
            keys.extend(sort_keys(conn, filter, matches.as_ref(), one, limit, now)?);
        }
    }
    keys.sort_by(|a, b| {
        let within = (&a.1, &a.2).cmp(&(&b.1, &b.2));
        a.0.cmp(&b.0).then(if order.descending {
            within.reverse()
        } else {
            within
        })
    });
    let page: Vec<String> = keys
        .into_iter()
        .skip(offset as usize)
        .take(size as usize + 1)
        .map(|(_, _, _, id)| id)
        .collect();
    let mut found: Vec<Case> = Vec::with_capacity(page.len());
    for ids in page.chunks(500) {
        found.extend(
            cases::table
                .filter(cases::id.eq_any(ids))
                .select(Case::as_select())
                .load(conn)?,
        );
    }
    let position: std::collections::HashMap<&str, usize> = page
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    found.sort_by_key(|case| position.get(case.id.as_str()).copied());
    let more = found.len() as i64 > size;
    found.truncate(size as usize);
    let people = People::of(conn, &found)?;
    let rows = found
        .iter()
        .map(|case| {
            let (overdue, at_risk) = due_tags(case, now);
            let requester = people.requesters.get(&case.requester_id);
            QueueRow {
                summary: CaseSummary::from(case),
                track: case.track.as_str(),
                emergency: case.request_type == RequestType::EmergencyDisclosure,
                overdue,
                at_risk,
                flagged: case.flagged.clone(),
                requester: requester.map(|r| r.name.clone().unwrap_or_else(|| r.email.clone())),
                requester_email: requester.map(|r| r.email.clone()),
                agency: requester.and_then(|r| r.organisation.clone()),
                country: requester.and_then(|r| r.country.clone()),
                assignee: case
                    .assigned_to
                    .as_ref()
                    .and_then(|id| people.staff.get(id))
                    .cloned(),
            }
        })
        .collect();
    Ok((rows, more))
}

/// `(id, email, name, agency_name, firm, country)` of a requester.
type RequesterColumns = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// `(overdue, due within AT_RISK)` of `case` at `now`; a fulfilled, rejected, withdrawn or
/// closed case is due nothing any more. The queue and the case page both say it from here.
fn due_tags(case: &Case, now: NaiveDateTime) -> (bool, bool) {
    let open = CaseState::OPEN.contains(&case.state);
    (
        open && case.due_at < now,
        open && case.due_at >= now && case.due_at < now + AT_RISK,
    )
}

/// Who filed the cases of a page, and who they are assigned to.
struct People {
    requesters: std::collections::HashMap<String, RequesterLine>,
    staff: std::collections::HashMap<String, String>,
}

struct RequesterLine {
    email: String,
    name: Option<String>,
    /// The agency, or the representative's firm.
    organisation: Option<String>,
    country: Option<String>,
}

impl People {
    fn of(conn: &mut DbConn, cases: &[Case]) -> QueryResult<People> {
        let mut requester_ids: Vec<&str> = cases.iter().map(|c| c.requester_id.as_str()).collect();
        requester_ids.sort_unstable();
        requester_ids.dedup();
        let mut staff_ids: Vec<&str> = cases
            .iter()
            .filter_map(|c| c.assigned_to.as_deref())
            .collect();
        staff_ids.sort_unstable();
        staff_ids.dedup();
        let mut requesters = std::collections::HashMap::new();
        for ids in requester_ids.chunks(500) {
            let found: Vec<RequesterColumns> = requesters::table
                .filter(requesters::id.eq_any(ids))
                .select((
                    requesters::id,
                    requesters::email,
                    requesters::name,
                    requesters::agency_name,
                    requesters::firm,
                    requesters::country,
                ))
                .load(conn)?;
            for (id, email, name, agency, firm, country) in found {
                let organisation = agency.or(firm);
                requesters.insert(
                    id,
                    RequesterLine {
                        email,
                        name,
                        organisation,
                        country,
                    },
                );
            }
        }
        let staff: std::collections::HashMap<String, String> = crate::db::schema::staff::table
            .filter(crate::db::schema::staff::id.eq_any(&staff_ids))
            .select((crate::db::schema::staff::id, crate::db::schema::staff::name))
            .load(conn)?
            .into_iter()
            .collect();
        Ok(People { requesters, staff })
    }
}

/// The sort keys of the first `limit` cases in one state (and urgency: `Some(true)`
/// emergencies only, `Some(false)` none), in `order`.
fn sort_keys(
    conn: &mut DbConn,
    filter: &QueueFilter,
    matches: Option<&Matches>,
    (state, urgent, order): (CaseState, Option<bool>, QueueOrder),
    limit: i64,
    now: NaiveDateTime,
) -> QueryResult<Vec<SortKey>> {
    let emergency = RequestType::EmergencyDisclosure.as_str();
    let mut query = filtered(filter, matches, now).filter(cases::state.eq(state.as_str()));
    query = match urgent {
        Some(true) => query.filter(cases::request_type.eq(emergency)),
        Some(false) => query.filter(cases::request_type.ne(emergency)),
        None => query,
    };
    query = match (order.by, order.descending) {
        (QueueSort::Due, false) => query.order((cases::due_at.asc(), cases::reference.asc())),
        (QueueSort::Due, true) => query.order((cases::due_at.desc(), cases::reference.desc())),
        (QueueSort::Filed, false) => query.order((cases::created_at.asc(), cases::reference.asc())),
        (QueueSort::Filed, true) => {
            query.order((cases::created_at.desc(), cases::reference.desc()))
        }
        (QueueSort::Reference, false) => query.order(cases::reference.asc()),
        (QueueSort::Reference, true) => query.order(cases::reference.desc()),
    };
    let found: Vec<(NaiveDateTime, NaiveDateTime, String, String)> = query
        .limit(limit)
        .select((
            cases::created_at,
            cases::due_at,
            cases::reference,
            cases::id,
        ))
        .load(conn)?;
    // Emergencies come first when the order asks for it (they are read apart).
    let later = urgent == Some(false);
    Ok(found
        .into_iter()
        .map(|row| key_of(order, later, row))
        .collect())
}

/// The sort keys of every case a search found, read through the indexes of the case ids and
/// of the requesters; `None` when the requesters found have more than `MAX_MATCHES` cases
/// between them (then the walk of each state finds them quickly, they are so many).
fn few_keys(
    conn: &mut DbConn,
    filter: &QueueFilter,
    matches: &Matches,
    states: &[CaseState],
    order: QueueOrder,
    urgent_first: bool,
    now: NaiveDateTime,
) -> QueryResult<Option<Vec<SortKey>>> {
    if !matches.requesters.is_empty() {
        let theirs: i64 = cases::table
            .filter(cases::requester_id.eq_any(&matches.requesters))
            .count()
            .get_result(conn)?;
        if theirs + matches.cases.len() as i64 > MAX_MATCHES {
            return Ok(None);
        }
    }
    let states: Vec<&str> = states.iter().map(|s| s.as_str()).collect();
    let emergency = RequestType::EmergencyDisclosure.as_str();
    let columns = (
        cases::created_at,
        cases::due_at,
        cases::reference,
        cases::id,
        cases::request_type,
    );
    type Row = (NaiveDateTime, NaiveDateTime, String, String, String);
    let mut rows: Vec<Row> = Vec::new();
    // Two queries, each on its own index, rather than one whose OR the planner may answer
    // by walking a state's index.
    for ids in matches.cases.chunks(500) {
        rows.extend(
            filtered(filter, None, now)
                .filter(cases::state.eq_any(&states))
                .filter(cases::id.eq_any(ids))
                .select(columns)
                .load::<Row>(conn)?,
        );
    }
    if !matches.requesters.is_empty() {
        rows.extend(
            filtered(filter, None, now)
                .filter(cases::state.eq_any(&states))
                .filter(cases::requester_id.eq_any(&matches.requesters))
                .select(columns)
                .load::<Row>(conn)?,
        );
    }
    rows.sort_by(|a, b| a.3.cmp(&b.3));
    rows.dedup_by(|a, b| a.3 == b.3);
    Ok(Some(
        rows.into_iter()
            .map(|(created, due, reference, id, kind)| {
                let later = urgent_first && kind != emergency;
                key_of(order, later, (created, due, reference, id))
            })
            .collect(),
    ))
}

/// Every condition of `filter` but the state.
fn filtered(
    filter: &QueueFilter,
    matches: Option<&Matches>,
    now: NaiveDateTime,
) -> cases::BoxedQuery<'static, <DbConn as diesel::Connection>::Backend> {
    let mut query = cases::table.into_boxed();
    if let Some(track) = filter.track {
        query = query.filter(cases::track.eq(track.as_str()));
    }
    if let Some(kind) = filter.request_type {
        query = query.filter(cases::request_type.eq(kind.as_str()));
    }
    // A country with a control character matches no requester (and PostgreSQL refuses a NUL).
    if let Some(country) = filter
        .country
        .as_deref()
        .filter(|c| !c.is_empty())
        .map(|c| {
            if c.chars().any(char::is_control) {
                ""
            } else {
                c
            }
        })
    {
        let from_country = requesters::table
            .filter(requesters::country.eq(country.to_uppercase()))
            .select(requesters::id);
        query = query.filter(cases::requester_id.eq_any(from_country));
    }
    if let Some(staff_id) = filter.assigned_to.clone() {
        query = query.filter(cases::assigned_to.eq(staff_id));
    }
    if filter.overdue {
        query = query
            .filter(cases::due_at.lt(now))
            .filter(cases::state.eq_any(CaseState::open_names()));
    }
    if let Some(matches) = matches {
        query = query.filter(
            cases::id
                .eq_any(matches.cases.clone())
                .or(cases::requester_id.eq_any(matches.requesters.clone())),
        );
    }
    query
}

diesel::define_sql_function! {
    /// Case-folds a column; `lower(column)` indexes (migration 000017) serve the search.
    fn lower(text: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

diesel::define_sql_function! {
    #[sql_name = "lower"]
    fn lower_or_null(text: diesel::sql_types::Nullable<diesel::sql_types::Text>) -> diesel::sql_types::Nullable<diesel::sql_types::Text>;
}

/// The most cases and requesters one search collects; a search matching more is too broad
/// to be read as a list anyway, and the queue says so by its pages.
const MAX_MATCHES: i64 = 10_000;

/// What a search found, each read through an index: the cases by reference, instrument
/// reference or target, and the requesters by part of their e-mail, name, firm or agency (a
/// scan of the requesters, who are far fewer than their cases).
#[derive(Debug, Default)]
struct Matches {
    cases: Vec<String>,
    requesters: Vec<String>,
}

impl Matches {
    fn find(conn: &mut DbConn, search: &Search) -> QueryResult<Matches> {
        let mut found = Matches::default();
        if let Some(reference) = &search.reference {
            found.cases.extend(
                cases::table
                    .filter(cases::reference.eq(reference))
                    .select(cases::id)
                    .load::<String>(conn)?,
            );
        }
        found.cases.extend(
            cases::table
                .filter(lower(cases::instrument_reference).eq_any(&search.whole))
                .select(cases::id)
                .limit(MAX_MATCHES)
                .load::<String>(conn)?,
        );
        found.cases.extend(
            case_targets::table
                .filter(lower(case_targets::value).eq_any(&search.whole))
                .select(case_targets::case_id)
                .limit(MAX_MATCHES)
                .load::<String>(conn)?,
        );
        let mut requester = requesters::table
            .filter(lower(requesters::email).eq_any(&search.whole))
            .into_boxed();
        if let Some(part) = &search.part {
            requester = requester.or_filter(
                lower(requesters::email)
                    .like(part)
                    .escape('\\')
                    .or(lower_or_null(requesters::name).like(part).escape('\\'))
                    .or(lower_or_null(requesters::agency_name)
                        .like(part)
                        .escape('\\'))
                    .or(lower_or_null(requesters::firm).like(part).escape('\\')),
            );
        }
        found.requesters = requester
            .select(requesters::id)
            .limit(MAX_MATCHES)
            .load(conn)?;
        found.cases.sort();
        found.cases.dedup();
        Ok(found)
    }

    fn is_empty(&self) -> bool {
        self.cases.is_empty() && self.requesters.is_empty()
    }
}

#[derive(Debug, Serialize)]
pub struct TimelineEntry {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub details: Value,
    pub hash: String,
}

#[derive(Debug, Serialize)]
pub struct StaffCaseView {
    #[serde(flatten)]
    pub details: CaseDetails,
    pub requester: Value,
    pub agency_domain: Option<String>,
    pub authority: Value,
    pub documents: Vec<DocumentView>,
    pub messages: Vec<MessageView>,
    pub timeline: Vec<TimelineEntry>,
    pub notes: Vec<Value>,
    /// Emergency approvals given so far, each with who, when and what it approved.
    pub approvals: Vec<Value>,
    /// Still with the team (`CaseState::OPEN`): it takes messages and re-runs of its checks.
    pub open: bool,
    /// An open case past its due time, or due within `AT_RISK`: the header says so.
    pub overdue: bool,
    pub due_soon: bool,
    pub assigned_to: Option<String>,
    pub decision: Option<Value>,
    /// The states the viewer may move the case to.
    pub actions: Vec<Value>,
    /// Legal reviewers the case can be assigned to.
    pub reviewers: Vec<Value>,
    pub preservation: Option<super::fulfilment::PreservationView>,
    /// The directory accounts marked frozen, once a freeze is recorded.
    pub frozen_accounts: Option<Vec<String>>,
    /// The executed freeze: when, which accounts, and its release once lifted.
    pub freeze_record: Option<super::fulfilment::FreezeRecord>,
    /// Seizure warrants: assets moved to the government.
    pub seizure_transfers: Vec<super::fulfilment::SeizureTransferView>,
    /// An EPOC or EPOC-PR: the answers given in the terms of Annex III, and the reasons the
    /// form offers for this order.
    pub non_execution: Vec<super::annex_iii::AnswerView>,
    pub non_execution_reasons: Vec<super::annex_iii::ReasonView>,
    /// Produced files, sealed or waiting for the next bundle.
    pub productions: Vec<super::bundles::ProductionView>,
    pub bundles: Vec<super::bundles::BundleView>,
    /// Who the signer is to the platform: standing, second factor, fraud signals, call-backs.
    pub identity: Value,
    /// When the user may be, or was, told of the request (18 USC 2705(b)).
    pub user_notice: Value,
}

/// The case `reference` as a member of staff with `role` may see it. Support works the
/// court-order track only (agency requests go straight to the legal team); any other case is
/// "not found" to them, so that references cannot be probed.
pub fn visible_case(
    conn: &mut DbConn,
    reference: &CaseReference,
    role: Role,
) -> Result<Case, AppError> {
    let case = Case::find_by_reference(conn, reference)?;
    if role < Role::Legal && case.track != Track::Court {
        return Err(AppError::not_found());
    }
    Ok(case)
}

/// Open cases per track and in triage, for the queue's tabs.
pub async fn counts(db: &Db, role: Role) -> Result<Value, AppError> {
    db.run(move |conn| {
        let open =
            |conn: &mut DbConn, track: Track, states: Vec<&'static str>| -> QueryResult<i64> {
                cases::table
                    .filter(cases::track.eq(track.as_str()))
                    .filter(cases::state.eq_any(states))
                    .count()
                    .get_result(conn)
            };
        let legal: Vec<&str> = CaseState::OPEN
            .iter()
            .filter(|s| **s != CaseState::Triage)
            .map(|s| s.as_str())
            .collect();
        let triage = open(conn, Track::Court, vec![CaseState::Triage.as_str()])?;
        Ok(if role < Role::Legal {
            serde_json::json!({ "triage": triage })
        } else {
            serde_json::json!({
                "triage": triage,
                "agency": open(conn, Track::Agency, legal.clone())?,
                "court": open(conn, Track::Court, legal)?,
            })
        })
    })
    .await
}

/// The whole case as `viewer` sees it (their role decides which actions are offered).
pub async fn find(
    db: &Db,
    reference: &CaseReference,
    viewer: Role,
    identity: &Identity,
) -> Result<StaffCaseView, AppError> {
    let (reference, identity) = (reference.to_owned(), *identity);
    db.run(move |conn| view(conn, &reference, viewer, &identity))
        .await
}

/// The signer as staff weigh them: standing, the second factor the request was signed with,
/// the fraud signals of intake, and the call-backs with their `requester_confirmed` check.
fn identity_of(
    conn: &mut DbConn,
    case: &Case,
    requester: &Requester,
    identity: &Identity,
) -> Result<Value, AppError> {
    let signals = case.fraud_signals.get()?;
    let needs_callback = identity::needs_callback(case.track, case.request_type);
    let domain = case.agency_domain.clone().unwrap_or_default();
    let confirmation = super::callbacks::confirmation_of(conn, &case.id)?;
    Ok(serde_json::json!({
        "officer": (case.track == Track::Agency).then(|| super::officers::view(requester, identity, clock::now())),
        "signer_factor": Factor::label(Factor::parse(&case.signer_mfa)),
        "signer_mfa": case.signer_mfa,
        "signals": signals,
        "flagged": case.flagged,
        "callback": {
            "needed": needs_callback,
            "state": confirmation,
            "calls": super::callbacks::calls_of(conn, &case.id)?,
            "contacts": if needs_callback { super::callbacks::contacts_for(conn, &domain)? } else { Vec::new() },
        },
    }))
}

fn view(
    conn: &mut DbConn,
    reference: &CaseReference,
    viewer: Role,
    identity: &Identity,
) -> Result<StaffCaseView, AppError> {
    let case = visible_case(conn, reference, viewer)?;
    let requester = Requester::find(conn, &case.requester_id)?;
    let targets = TargetRow::for_case(conn, &case.id)?;
    let documents = Document::for_case(conn, &case.id)?;
    let messages = Message::for_case(conn, &case.id)?;
    let events = audit_rows::for_case(conn, &case.id)?;
    let checks = case.authority_checks.get()?;
    let staff_names: std::collections::BTreeMap<String, (String, String, Role)> = Staff::all(conn)?
        .into_iter()
        .map(|s| (s.id.clone(), (s.name, s.email, s.role)))
        .collect();
    let name_of = |id: &str| {
        staff_names
            .get(id)
            .map(|(name, ..)| name.clone())
            .unwrap_or_else(|| id.to_owned())
    };
    let case_notes: Vec<Value> = notes::table
        .filter(notes::case_id.eq(&case.id))
        .order(notes::created_at)
        .select((notes::staff_id, notes::body, notes::created_at))
        .load::<(String, String, chrono::NaiveDateTime)>(conn)?
        .into_iter()
        .map(|(staff, body, at)| serde_json::json!({ "author": name_of(&staff), "body": body, "at": rfc3339(at) }))
        .collect();
    let given_approvals: Vec<Value> = approvals::table
        .filter(approvals::case_id.eq(&case.id))
        .order(approvals::approved_at)
        .select((
            approvals::staff_id,
            approvals::approved_at,
            approvals::scope,
        ))
        .load::<(String, chrono::NaiveDateTime, Option<String>)>(conn)?
        .into_iter()
        .map(|(staff, at, scope)| {
            Ok(serde_json::json!({
                "by": name_of(&staff),
                "at": rfc3339(at),
                "scope": super::workflow::describe_approval(scope.as_deref())?,
            }))
        })
        .collect::<Result<_, AppError>>()?;
    let actions: Vec<Value> = workflow::allowed_targets(case.state, Party::Staff(viewer))
        .into_iter()
        .filter(|to| *to != CaseState::Withdrawn)
        .map(|to| serde_json::json!({ "to": to.as_str(), "label": to.label(), "needs_reason": workflow::needs_reason(case.state, to) }))
        .collect();
    let reviewers: Vec<Value> = staff_names
        .values()
        .filter(|(_, _, role)| *role >= Role::Legal)
        .map(|(name, email, _)| serde_json::json!({ "name": name, "email": email }))
        .collect();
    let freeze_record = super::fulfilment::freeze_record_of(conn, &case.id)?;
    let (overdue, due_soon) = due_tags(&case, clock::now());
    Ok(StaffCaseView {
        details: CaseDetails::new(&case, &targets)?,
        requester: serde_json::json!({
            "email": requester.email, "name": requester.name, "title": requester.title, "badge_number": requester.badge_number,
            "agency_name": requester.agency_name, "agency_function": requester.agency_function, "country": requester.country,
            "phone": requester.phone, "firm": requester.firm, "bar_number": requester.bar_number,
            "bar_jurisdiction": requester.bar_jurisdiction, "represents": requester.represents,
            "account_uid": super::authority::account_of(conn, &case.id)?,
        }),
        agency_domain: case.agency_domain.clone(),
        authority: serde_json::json!({
            "established": case.authority_established,
            "checks": checks,
            "run_at": rfc3339(case.checks_run_at.unwrap_or(case.created_at)),
        }),
        documents: documents.into_iter().map(DocumentView::from).collect(),
        messages: messages
            .into_iter()
            .map(|m| MessageView {
                author: m.author,
                body: m.body,
                at: rfc3339(m.created_at),
            })
            .collect(),
        timeline: events
            .into_iter()
            .map(|e| TimelineEntry {
                seq: e.seq,
                at: rfc3339(e.at),
                actor: e.actor,
                action: e.action,
                details: serde_json::from_str(&e.details).unwrap_or(Value::Null),
                hash: e.hash,
            })
            .collect(),
        notes: case_notes,
        assigned_to: case.assigned_to.as_deref().map(name_of),
        decision: read_optional(case.decision.as_deref())?,
        actions,
        reviewers,
        approvals: given_approvals,
        open: CaseState::OPEN.contains(&case.state),
        overdue,
        due_soon,
        preservation: super::fulfilment::preservation_of(conn, &case.id)?,
        frozen_accounts: freeze_record.as_ref().map(|f| f.accounts.clone()),
        freeze_record,
        seizure_transfers: super::fulfilment::seizure_transfers_of(conn, &case.id)?,
        non_execution: super::annex_iii::of_case(conn, &case)?,
        non_execution_reasons: super::annex_iii::reasons_for(&case),
        productions: crate::db::models::bundle::Production::for_case(conn, &case.id)?
            .iter()
            .map(super::bundles::ProductionView::from)
            .collect(),
        bundles: super::bundles::of_case(conn, &case)?,
        identity: identity_of(conn, &case, &requester, identity)?,
        user_notice: user_notice_of(&case, name_of),
    })
}

/// Finds a document of a case for a member of staff to read, recording that they did.
pub async fn view_document(
    db: &Db,
    staff: &Staff,
    reference: &CaseReference,
    document_id: &str,
) -> Result<Document, AppError> {
    let (staff_id, role, reference, document_id) = (
        staff.id.clone(),
        staff.role,
        reference.to_owned(),
        document_id.to_owned(),
    );
    db.run(move |conn| {
        crate::db::write_tx(conn, |conn| {
            let case = visible_case(conn, &reference, role)?;
            let document = Document::for_case(conn, &case.id)?
                .into_iter()
                .find(|d| d.id == document_id)
                .ok_or_else(AppError::not_found)?;
            crate::audit::record(
                conn,
                &crate::audit::Actor::Staff(staff_id.clone()),
                Some(&case.id),
                "document.viewed",
                serde_json::json!({ "document": document.id, "sha256": document.sha256 }),
            )?;
            Ok(document)
        })
    })
    .await
}

/// `{from, notified_on, by, due, held}`: `from` the first day the user may be told (none while
/// an order without an end binds: `held`), `due` once that day has come and no notice is recorded.
fn user_notice_of(case: &Case, name_of: impl Fn(&str) -> String) -> Value {
    let today = clock::now().date();
    let from = super::fulfilment::user_notice_from(case);
    let held = from.is_err();
    let from = from.ok().flatten();
    serde_json::json!({
        "ndo": case.ndo_present,
        "from": from.map(|d| d.to_string()),
        "held": held,
        "notified_on": case.user_notified_on.map(|d| d.to_string()),
        "by": case.user_notified_by.as_deref().map(name_of),
        "due": case.ndo_present && case.user_notified_on.is_none() && from.is_some_and(|d| d <= today),
    })
}

#[derive(Debug, Serialize)]
pub struct NdoEntry {
    pub reference: String,
    pub state: &'static str,
    pub until: Option<String>,
    /// When the user may be told: the day after the order ends; unknown while it has no end.
    pub user_notice_on: Option<String>,
    pub in_force: bool,
    /// The day the user was told, once recorded.
    pub notified_on: Option<String>,
    /// The order has ended and the user's notice is not recorded yet.
    pub notice_due: bool,
}

/// Every case under a non-disclosure order, soonest-ending first.
pub async fn ndo_ledger(db: &Db) -> Result<Vec<NdoEntry>, AppError> {
    db.run(|conn| {
        let today = clock::now().date();
        let rows: Vec<(
            String,
            String,
            Option<chrono::NaiveDate>,
            Option<chrono::NaiveDate>,
        )> = cases::table
            .filter(cases::ndo_present.eq(true))
            .order((
                cases::ndo_until.is_null(),
                cases::ndo_until.asc(),
                cases::reference.asc(),
            ))
            .select((
                cases::reference,
                cases::state,
                cases::ndo_until,
                cases::user_notified_on,
            ))
            .load(conn)?;
        Ok(rows
            .into_iter()
            .map(|(reference, state, until, notified)| NdoEntry {
                reference,
                state: CaseState::parse(&state)
                    .map(CaseState::label)
                    .unwrap_or("unknown"),
                until: until.map(|d| d.to_string()),
                user_notice_on: until.map(|d| (d + TimeDelta::days(1)).to_string()),
                in_force: until.is_none_or(|d| d >= today),
                notified_on: notified.map(|d| d.to_string()),
                notice_due: notified.is_none() && until.is_some_and(|d| d < today),
            })
            .collect())
    })
    .await
}

/// The export's text: one header line, one line per case, and a last line saying so when the
/// queue held more than `MAX_EXPORT` cases.
pub fn queue_csv(rows: &[QueueRow], more: bool) -> Result<String, csv::Error> {
    // Flexible: the last line, when there is one, is a single note.
    let mut out = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    out.write_record([
        "reference",
        "track",
        "type",
        "emergency",
        "state",
        "instrument",
        "instrument_reference",
        "requester",
        "requester_email",
        "agency",
        "country",
        "assignee",
        "filed_at",
        "due_at",
        "overdue",
        "authority_established",
    ])?;
    for row in rows {
        let c = &row.summary;
        let cell = |value: &Option<String>| spreadsheet_safe(value.as_deref().unwrap_or(""));
        out.write_record([
            c.reference.clone(),
            row.track.to_owned(),
            c.request_type.to_owned(),
            row.emergency.to_string(),
            c.state.to_owned(),
            c.instrument.to_owned(),
            spreadsheet_safe(&c.instrument_reference),
            cell(&row.requester),
            cell(&row.requester_email),
            cell(&row.agency),
            cell(&row.country),
            cell(&row.assignee),
            c.created_at.clone(),
            c.due_at.clone(),
            row.overdue.to_string(),
            c.authority_established.to_string(),
        ])?;
    }
    if more {
        out.write_record([format!(
            "# only the first {MAX_EXPORT} cases: narrow the queue to export the rest"
        )])?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    Ok(String::from_utf8(bytes).expect("the CSV writer wrote the UTF-8 it was given"))
}

/// What a requester typed is data, not a formula: a spreadsheet runs a cell that starts with
/// `=`, `+`, `-`, `@` or a tab as one, so such a cell starts with `'` (OWASP's CSV injection).
pub fn spreadsheet_safe(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    }
}
