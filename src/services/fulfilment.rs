//! Fulfilling preservation and freeze requests: what was done is recorded with the transition to
//! `fulfilled`, its audit event and its e-mails, in one transaction.

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::json;

use super::workflow::{transition, Mover, Transition};
use crate::app::App;
use crate::audit::{self, Actor};
use crate::db::ids::CaseId;
use crate::db::json::read as read_json;
use crate::db::models::case::{Case, TargetRow};
use crate::db::models::directory;
use crate::db::models::requester::Requester;
use crate::db::models::staff::Staff;
use crate::db::schema::{accounts, cases, freezes, preservations, seizure_transfers};
use crate::db::{Db, DbConn};
use crate::domain::clock;
use crate::domain::identifiers::{self, Verdict};
use crate::domain::reference::CaseReference;
use crate::domain::vocab::{CaseState, Chain, InstrumentKind, RequestType, TargetKind};
use crate::domain::FieldErrors;
use crate::error::{AppError, AppResult};
use crate::links::Links;
use crate::mail::{Letter, Mailer};

/// The requester is reminded this long before a preservation expires.
pub const REMINDER: TimeDelta = TimeDelta::days(7);

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct PreservationView {
    pub preserved_at: String,
    pub expires_at: String,
    pub extensions: i32,
    /// Whether the requester may still renew it (2703(f)(2): once).
    pub renewable: bool,
    /// An EPOC-PR whose production request was confirmed (Annex V): kept until produced.
    pub production_request: Option<String>,
    /// Whether the requester may confirm a production request now.
    pub confirmable: bool,
}

fn fulfil(
    conn: &mut DbConn,
    mailer: &Mailer,
    links: &Links,
    case: &Case,
    mover: &Mover,
    kind: RequestType,
) -> Result<(), AppError> {
    if case.request_type != kind {
        return Err(AppError::conflict(format!(
            "This is not a {} request.",
            kind.label().to_lowercase()
        )));
    }
    let request = Transition {
        fulfilment: true,
        ..Transition::to(CaseState::Fulfilled)
    };
    transition(conn, mailer, links, case, mover, &request).map(|_| ())
}

/// The first day the user may be told of a request under a non-disclosure order: the day after
/// it ends. `None` while an order without an end date binds.
pub fn user_notice_from(case: &Case) -> Result<Option<NaiveDate>, AppError> {
    if !case.ndo_present {
        return Ok(None);
    }
    match case.ndo_until {
        Some(until) => Ok(until.succ_opt()),
        None => Err(AppError::conflict(
            "The non-disclosure order names no end date: the user may not be told until the court lifts it or the agency gives its end.",
        )
        .with_code("ndo_in_force")),
    }
}

/// Records that the enforcing authority raised grounds for refusal of a notified EPOC
/// (Regulation 2023/1543, Art. 12): the data is then not produced.
pub async fn record_enforcing_objection(
    app: &App,
    staff: &Staff,
    reference: &CaseReference,
    grounds: &str,
) -> Result<(), AppError> {
    let grounds = grounds.trim().to_owned();
    if grounds.is_empty() || grounds.chars().count() > 2_000 {
        return Err(AppError::invalid(
            "grounds",
            "Give the grounds for refusal the enforcing authority raised (Art. 12(1)), in at most 2,000 characters.",
        ));
    }
    crate::domain::text::check_text(&grounds).map_err(|m| AppError::invalid("grounds", m))?;
    let (staff_id, reference) = (staff.id.clone(), reference.to_owned());
    app.db
        .write(move |conn| {
            let case = Case::find_by_reference(conn, &reference)?;
            if !case.enforcing_notified {
                return Err(AppError::conflict(
                    "This order was not notified to an enforcing authority.",
                )
                .with_code("not_notified"));
            }
            if case.enforcing_objection.is_some() {
                return Err(AppError::conflict("The objection is already recorded.")
                    .with_code("objection_recorded"));
            }
            diesel::update(cases::table.find(&case.id))
                .set((
                    cases::enforcing_objection.eq(&grounds),
                    cases::updated_at.eq(clock::now()),
                ))
                .execute(conn)?;
            audit::record(
                conn,
                &Actor::Staff(staff_id.clone()),
                Some(&case.id),
                "enforcing.objected",
                json!({ "grounds": grounds, "sealed_already": case.state == CaseState::Fulfilled }),
            )?;
            Ok(())
        })
        .await
}

/// Records the day the user was told of the request (by default today), once the
/// non-disclosure order, if any, has ended (18 USC 2705(b)).
pub async fn record_user_notice(
    app: &App,
    staff: &Staff,
    reference: &CaseReference,
    notified_on: Option<NaiveDate>,
) -> Result<NaiveDate, AppError> {
    let (staff_id, reference) = (staff.id.clone(), reference.to_owned());
    app.db
        .write(move |conn| {
            let case = Case::find_by_reference(conn, &reference)?;
            let today = clock::now().date();
            let on = notified_on.unwrap_or(today);
            if let Some(done) = case.user_notified_on {
                return Err(AppError::conflict(format!(
                    "The user's notice is already recorded, on {done}."
                ))
                .with_code("user_notice_recorded"));
            }
            if on > today {
                return Err(AppError::invalid(
                    "notified_on",
                    "Record a notice that was given: the date is in the future.",
                ));
            }
            if on < case.created_at.date() {
                return Err(AppError::invalid(
                    "notified_on",
                    format!("The request came in on {}: the notice cannot be earlier.", case.created_at.date()),
                ));
            }
            if let Some(from) = user_notice_from(&case)? {
                if on < from {
                    return Err(AppError::conflict(format!(
                        "18 USC 2705(b): the non-disclosure order runs until {}; the user may be told from {from}, not on {on}.",
                        from.pred_opt().unwrap_or(from)
                    ))
                    .with_code("ndo_in_force"));
                }
            }
            diesel::update(cases::table.find(&case.id))
                .set((
                    cases::user_notified_on.eq(on),
                    cases::user_notified_by.eq(&staff_id),
                    cases::updated_at.eq(clock::now()),
                ))
                .execute(conn)?;
            audit::record(
                conn,
                &Actor::Staff(staff_id.clone()),
                Some(&case.id),
                "user_notice.recorded",
                json!({ "notified_on": on.to_string(), "ndo_until": case.ndo_until.map(|d| d.to_string()) }),
            )?;
            Ok(on)
        })
        .await
}

/// Records that the requested data is preserved for the policy's period (90 days), and
/// fulfils the case.
pub async fn record_preservation(
    app: &App,
    staff: &Staff,
    reference: &CaseReference,
) -> Result<PreservationView, AppError> {
    let (mover, staff_id, reference) =
        (Mover::staff(staff), staff.id.clone(), reference.to_owned());
    app.write(move |conn, app| {
        let case = Case::find_by_reference(conn, &reference)?;
        let rule = app.policy.preservation.rule_for(case.instrument_kind);
        let period = rule.period();
        let renewals = i32::try_from(rule.renewals).unwrap_or(i32::MAX);
        fulfil(
            conn,
            &app.mailer,
            &app.links,
            &case,
            &mover,
            RequestType::Preservation,
        )?;
        let now = clock::now();
        diesel::insert_into(preservations::table)
            .values((
                preservations::case_id.eq(&case.id),
                preservations::preserved_at.eq(now),
                preservations::expires_at.eq(now + period),
                preservations::renewals_allowed.eq(renewals),
                preservations::confirmable.eq(rule.until_production.is_some()),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            &Actor::Staff(staff_id.clone()),
            Some(&case.id),
            "preservation.recorded",
            json!({ "expires_at": clock::rfc3339(now + period) }),
        )?;
        Ok(PreservationView {
            preserved_at: clock::rfc3339(now),
            expires_at: clock::rfc3339(now + period),
            extensions: 0,
            renewable: renewals > 0,
            production_request: None,
            confirmable: rule.until_production.is_some(),
        })
    })
    .await
}

/// The requester renews the preservation for as long again, as often as the policy allows
/// (2703(f)(2): once).
pub async fn extend_preservation(
    app: &App,
    requester: &Requester,
    reference: &CaseReference,
) -> Result<PreservationView, AppError> {
    let (requester, reference) = (requester.clone(), reference.to_owned());
    app.write(move |conn, app| {
        let case = Case::find_owned(conn, &requester.id, &reference)?;
        let rules = app.policy.preservation.rule_for(case.instrument_kind);
        // The number of renewals is the row's, fixed when the data was preserved.
        let (preserved_at, expires_at, extensions, allowed): (
            NaiveDateTime,
            NaiveDateTime,
            i32,
            i32,
        ) = preservations::table
            .find(&case.id)
            .select((
                preservations::preserved_at,
                preservations::expires_at,
                preservations::extensions,
                preservations::renewals_allowed,
            ))
            .first(conn)
            .optional()?
            .ok_or_else(|| {
                AppError::conflict("Nothing is preserved for this request yet.")
                    .with_code("not_preserved")
            })?;
        let now = clock::now();
        if expires_at < now {
            return Err(AppError::conflict("This preservation has already expired.")
                .with_code("preservation_expired"));
        }
        if extensions >= allowed {
            return Err(AppError::conflict(format!(
                "{}: a preservation lasts {} days and may be renewed {} for {} days on a renewed request; this one has been renewed already and ends on {}. To keep the records longer, serve legal process for them.",
                rules.rule,
                rules.days,
                match allowed { 1 => "once".to_owned(), n => format!("{n} times") },
                rules.renewal().num_days(),
                expires_at.date()
            ))
            .with_code("preservation_renewal_limit"));
        }
        let extended = expires_at + rules.renewal();
        diesel::update(preservations::table.find(&case.id))
            .set((
                preservations::expires_at.eq(extended),
                preservations::extensions.eq(extensions + 1),
                preservations::reminder_sent_at.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            &Actor::Requester(requester.id.clone()),
            Some(&case.id),
            "preservation.extended",
            json!({ "expires_at": clock::rfc3339(extended) }),
        )?;
        Ok(PreservationView {
            preserved_at: clock::rfc3339(preserved_at),
            expires_at: clock::rfc3339(extended),
            extensions: extensions + 1,
            renewable: extensions + 1 < allowed,
            production_request: None,
            confirmable: rules.until_production.is_some(),
        })
    })
    .await
}

/// The issuing authority confirms that it issued the production request that follows its
/// preservation order (an EPOC-PR, Regulation 2023/1543 Art. 11(1), Annex V): the data is
/// then kept until it is produced, not until the preservation's end.
pub async fn confirm_production_request(
    app: &App,
    requester: &Requester,
    reference: &CaseReference,
    production_request: &str,
) -> Result<PreservationView, AppError> {
    let production_request = production_request.trim().to_owned();
    if production_request.is_empty() || production_request.chars().count() > 200 {
        return Err(AppError::invalid(
            "production_request",
            "Give the reference of the European Production Order or other request for production you issued (Annex V), in at most 200 characters.",
        ));
    }
    crate::domain::text::check_line(&production_request)
        .map_err(|m| AppError::invalid("production_request", m))?;
    let (requester, reference) = (requester.clone(), reference.to_owned());
    app.db
        .write(move |conn| {
            let case = Case::find_owned(conn, &requester.id, &reference)?;
            let view = preservation_of(conn, &case.id)?.ok_or_else(|| {
                AppError::conflict("Nothing is preserved for this request yet.")
                    .with_code("not_preserved")
            })?;
            if view.production_request.is_some() {
                return Err(AppError::conflict("A production request is already confirmed for this preservation.")
                    .with_code("production_confirmed"));
            }
            if !view.confirmable {
                return Err(AppError::conflict(
                    "This preservation ends on its date: only a European Preservation Order is kept until production once a production request is confirmed (Regulation (EU) 2023/1543, Annex V), and only before it expires.",
                )
                .with_code("not_confirmable"));
            }
            let now = clock::now();
            diesel::update(preservations::table.find(&case.id))
                .set((
                    preservations::production_request.eq(&production_request),
                    preservations::confirmed_at.eq(now),
                ))
                .execute(conn)?;
            audit::record(
                conn,
                &Actor::Requester(requester.id.clone()),
                Some(&case.id),
                "preservation.production_confirmed",
                json!({ "production_request": production_request }),
            )?;
            preservation_of(conn, &case.id)?
                .ok_or_else(|| AppError::internal("the preservation just confirmed is gone"))
        })
        .await
}

/// Records an executed freeze: the directory accounts the targets name are marked frozen,
/// operations are told by e-mail, and the case is fulfilled.
pub async fn record_freeze(
    app: &App,
    staff: &Staff,
    reference: &CaseReference,
    operations: &str,
) -> Result<Vec<String>, AppError> {
    let (mover, staff_id, reference, operations) = (
        Mover::staff(staff),
        staff.id.clone(),
        reference.to_owned(),
        operations.to_owned(),
    );
    app.write(move |conn, app| {
        let case = Case::find_by_reference(conn, &reference)?;
        fulfil(conn, &app.mailer, &app.links, &case, &mover, RequestType::Freeze)?;
        let request = super::authority::stored_request(&case, &TargetRow::for_case(conn, &case.id)?)?;
        let mut uids: Vec<String> = Vec::new();
        for target in &request.targets {
            if let Some(Some(uid)) = directory::lookup(conn, target)? {
                if !uids.contains(&uid) {
                    uids.push(uid);
                }
            }
        }
        let now = clock::now();
        diesel::update(accounts::table.filter(accounts::uid.eq_any(&uids)))
            .set((accounts::status.eq("frozen"), accounts::updated_at.eq(now)))
            .execute(conn)?;
        diesel::insert_into(freezes::table)
            .values((freezes::case_id.eq(&case.id), freezes::executed_at.eq(now), freezes::executed_by.eq(&staff_id), freezes::accounts.eq(json!(uids).to_string())))
            .execute(conn)?;
        app.mailer.queue(
            conn,
            Letter {
                template: "freeze_executed",
                to: &operations,
                context: &json!({ "reference": case.reference, "accounts": uids, "assets": request.freeze.as_ref().map(|f| f.assets.clone()).unwrap_or_default(), "terms": request.freeze }),
            },
        )?;
        audit::record(conn, &Actor::Staff(staff_id.clone()), Some(&case.id), "freeze.recorded", json!({ "accounts": uids }))?;
        Ok(uids)
    })
    .await
}

/// Lifts an executed freeze (the order ended, was discharged, or varied): the accounts it
/// froze are active again unless another live freeze holds them; operations are told.
pub async fn release_freeze(
    app: &App,
    staff: &Staff,
    reference: &CaseReference,
    reason: &str,
    operations: &str,
) -> Result<Vec<String>, AppError> {
    let reason = reason.trim().to_owned();
    if reason.is_empty() {
        return Err(AppError::invalid(
            "reason",
            "Say why the freeze is lifted (the order ended on its return date, was discharged or varied …).",
        ));
    }
    crate::domain::text::check_text(&reason).map_err(|m| AppError::invalid("reason", m))?;
    if reason.chars().count() > 2_000 {
        return Err(AppError::invalid(
            "reason",
            "Keep the reason to 2,000 characters.",
        ));
    }
    let (staff_id, reference, operations) = (
        staff.id.clone(),
        reference.to_owned(),
        operations.to_owned(),
    );
    app.write(move |conn, app| {
        let case = Case::find_by_reference(conn, &reference)?;
        let (accounts_json, released_at): (String, Option<NaiveDateTime>) = freezes::table
            .find(&case.id)
            .select((freezes::accounts, freezes::released_at))
            .first(conn)
            .optional()?
            .ok_or_else(|| AppError::conflict("No executed freeze is recorded on this case.").with_code("not_frozen"))?;
        if let Some(at) = released_at {
            return Err(AppError::conflict(format!("This freeze was released on {}.", clock::rfc3339(at)))
                .with_code("freeze_released"));
        }
        let frozen: Vec<String> = read_json(accounts_json)?;
        // Accounts another live freeze still holds stay frozen.
        let others: Vec<String> = freezes::table
            .filter(freezes::case_id.ne(&case.id))
            .filter(freezes::released_at.is_null())
            .select(freezes::accounts)
            .load::<String>(conn)?
            .into_iter()
            .map(read_json::<Vec<String>>)
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .flatten()
            .collect();
        let released: Vec<String> = frozen.iter().filter(|uid| !others.contains(uid)).cloned().collect();
        let now = clock::now();
        diesel::update(accounts::table.filter(accounts::uid.eq_any(&released)).filter(accounts::status.eq("frozen")))
            .set((accounts::status.eq("active"), accounts::updated_at.eq(now)))
            .execute(conn)?;
        diesel::update(freezes::table.find(&case.id))
            .set((freezes::released_at.eq(now), freezes::released_by.eq(&staff_id), freezes::release_reason.eq(&reason)))
            .execute(conn)?;
        let still: Vec<&String> = frozen.iter().filter(|uid| others.contains(uid)).collect();
        app.mailer.queue(
            conn,
            Letter {
                template: "freeze_released",
                to: &operations,
                context: &json!({ "reference": case.reference, "released": released, "still_frozen": still, "reason": reason }),
            },
        )?;
        audit::record(conn, &Actor::Staff(staff_id.clone()), Some(&case.id), "freeze.released", json!({ "reason": reason, "accounts": released, "still_frozen": still }))?;
        Ok(released)
    })
    .await
}

/// Records assets moved to the government under a seizure warrant: the asset and amount,
/// the destination address and the transaction, each checked as its chain checks them.
pub async fn record_seizure_transfer(
    app: &App,
    staff: &Staff,
    reference: &CaseReference,
    transfer: &SeizureTransferDraft,
) -> Result<SeizureTransferView, AppError> {
    let transfer = transfer.validate()?;
    let (staff_id, reference) = (staff.id.clone(), reference.to_owned());
    app.db
        .write(move |conn| {
            let case = Case::find_by_reference(conn, &reference)?;
            if case.instrument_kind != InstrumentKind::SeizureWarrant {
                return Err(AppError::conflict(
                    "Only a seizure warrant authorises moving assets to the government; a freeze keeps them where they are.",
                )
                .with_code("not_a_seizure"));
            }
            let executed: Option<Option<NaiveDateTime>> = freezes::table
                .find(&case.id)
                .select(freezes::released_at)
                .first(conn)
                .optional()?;
            match executed {
                None => return Err(AppError::conflict("Record the executed freeze first: the assets are secured before they are moved.").with_code("not_frozen")),
                Some(Some(_)) => return Err(AppError::conflict("This freeze was released: nothing is held to transfer.").with_code("freeze_released")),
                Some(None) => {}
            }
            let now = clock::now();
            let id = crate::db::models::new_id();
            diesel::insert_into(seizure_transfers::table)
                .values((
                    seizure_transfers::id.eq(&id),
                    seizure_transfers::case_id.eq(&case.id),
                    seizure_transfers::asset.eq(&transfer.asset),
                    seizure_transfers::amount.eq(&transfer.amount),
                    seizure_transfers::chain.eq(transfer.chain.as_str()),
                    seizure_transfers::destination.eq(&transfer.destination),
                    seizure_transfers::tx_hash.eq(&transfer.tx_hash),
                    seizure_transfers::recorded_by.eq(&staff_id),
                    seizure_transfers::recorded_at.eq(now),
                ))
                .execute(conn)?;
            audit::record(
                conn,
                &Actor::Staff(staff_id.clone()),
                Some(&case.id),
                "seizure.transferred",
                json!({ "asset": transfer.asset, "amount": transfer.amount, "chain": transfer.chain, "destination": transfer.destination, "tx_hash": transfer.tx_hash }),
            )?;
            Ok(SeizureTransferView::new(&transfer, now))
        })
        .await
}
/// A seizure transfer as entered.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct SeizureTransferDraft {
    pub asset: String,
    pub amount: String,
    pub chain: String,
    pub destination: String,
    pub tx_hash: String,
}

/// A seizure transfer, checked.
#[derive(Debug, Clone)]
pub struct SeizureTransfer {
    pub asset: String,
    pub amount: String,
    pub chain: Chain,
    pub destination: String,
    pub tx_hash: String,
}

impl SeizureTransferDraft {
    fn validate(&self) -> Result<SeizureTransfer, AppError> {
        let mut errors = FieldErrors::default();
        let asset = self.asset.trim().to_uppercase();
        if asset.is_empty()
            || asset.chars().count() > 20
            || crate::domain::text::check_line(&asset).is_err()
        {
            errors.add("asset", "Name the asset moved (a ticker such as BTC).");
        }
        let amount = self.amount.trim().to_owned();
        if !crate::domain::request::is_amount(&amount) || amount == "all" {
            errors.add("amount", "Enter the amount moved, such as 0.5.");
        }
        let chain = Chain::parse(self.chain.trim());
        if chain.is_none() {
            errors.add("chain", "Choose the chain the transfer was made on.");
        }
        let mut checked = |field: &str, kind: TargetKind, value: &str, what: &str| -> String {
            let value = value.trim();
            if value.is_empty() {
                errors.add(field, format!("Enter the {what}."));
                return String::new();
            }
            let Some(chain) = chain else {
                return value.to_owned();
            };
            match identifiers::check(kind, Some(chain), value) {
                Verdict::Valid(v) | Verdict::Unchecked(v) => v,
                Verdict::Invalid(m) => {
                    errors.add(field, m);
                    value.to_owned()
                }
            }
        };
        let destination = checked(
            "destination",
            TargetKind::WalletAddress,
            &self.destination,
            "destination address the government named",
        );
        let tx_hash = checked(
            "tx_hash",
            TargetKind::TxHash,
            &self.tx_hash,
            "transaction hash",
        );
        match (errors.is_empty(), chain) {
            (true, Some(chain)) => Ok(SeizureTransfer {
                asset,
                amount,
                chain,
                destination,
                tx_hash,
            }),
            _ => Err(AppError::invalid_fields(errors)),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct SeizureTransferView {
    pub asset: String,
    pub amount: String,
    pub chain: Chain,
    pub chain_label: &'static str,
    pub destination: String,
    pub tx_hash: String,
    pub recorded_at: String,
}

impl SeizureTransferView {
    fn new(t: &SeizureTransfer, at: NaiveDateTime) -> SeizureTransferView {
        SeizureTransferView {
            asset: t.asset.clone(),
            amount: t.amount.clone(),
            chain: t.chain,
            chain_label: t.chain.label(),
            destination: t.destination.clone(),
            tx_hash: t.tx_hash.clone(),
            recorded_at: clock::rfc3339(at),
        }
    }
}

/// The seizure transfers recorded on a case, oldest first.
pub fn seizure_transfers_of(
    conn: &mut DbConn,
    case_id: &CaseId,
) -> QueryResult<Vec<SeizureTransferView>> {
    let rows: Vec<(String, String, String, String, String, NaiveDateTime)> =
        seizure_transfers::table
            .filter(seizure_transfers::case_id.eq(case_id))
            .order(seizure_transfers::recorded_at)
            .select((
                seizure_transfers::asset,
                seizure_transfers::amount,
                seizure_transfers::chain,
                seizure_transfers::destination,
                seizure_transfers::tx_hash,
                seizure_transfers::recorded_at,
            ))
            .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(asset, amount, chain, destination, tx_hash, at)| {
            let chain = Chain::parse(&chain).unwrap_or(Chain::Other);
            SeizureTransferView::new(
                &SeizureTransfer {
                    asset,
                    amount,
                    chain,
                    destination,
                    tx_hash,
                },
                at,
            )
        })
        .collect())
}

/// An executed freeze: when, the directory accounts it froze, and its release once lifted.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct FreezeRecord {
    pub executed_at: String,
    pub accounts: Vec<String>,
    pub released_at: Option<String>,
    pub release_reason: Option<String>,
}

/// The executed freeze on a case, with its release once lifted.
pub fn freeze_record_of(conn: &mut DbConn, case_id: &CaseId) -> AppResult<Option<FreezeRecord>> {
    let row: Option<(NaiveDateTime, String, Option<NaiveDateTime>, Option<String>)> =
        freezes::table
            .find(case_id)
            .select((
                freezes::executed_at,
                freezes::accounts,
                freezes::released_at,
                freezes::release_reason,
            ))
            .first(conn)
            .optional()?;
    let Some((executed, accounts, released, reason)) = row else {
        return Ok(None);
    };
    Ok(Some(FreezeRecord {
        executed_at: clock::rfc3339(executed),
        accounts: read_json(accounts)?,
        released_at: released.map(clock::rfc3339),
        release_reason: reason,
    }))
}

pub fn preservation_of(
    conn: &mut DbConn,
    case_id: &CaseId,
) -> QueryResult<Option<PreservationView>> {
    type Row = (NaiveDateTime, NaiveDateTime, i32, i32, Option<String>, bool);
    Ok(preservations::table
        .find(case_id)
        .select((
            preservations::preserved_at,
            preservations::expires_at,
            preservations::extensions,
            preservations::renewals_allowed,
            preservations::production_request,
            preservations::confirmable,
        ))
        .first::<Row>(conn)
        .optional()?
        .map(
            |(preserved, expires, extensions, allowed, production_request, confirmable)| {
                let open = production_request.is_none();
                PreservationView {
                    preserved_at: clock::rfc3339(preserved),
                    expires_at: clock::rfc3339(expires),
                    extensions,
                    renewable: open && extensions < allowed,
                    confirmable: open && confirmable && expires > clock::now(),
                    production_request,
                }
            },
        ))
}

/// Reminds requesters of preservations that expire within a week. Returns how many were reminded.
pub async fn send_reminders(db: &Db, mailer: &Mailer, links: &Links) -> Result<usize, AppError> {
    let (mailer, links) = (mailer.clone(), links.clone());
    db.write(move |conn| {
        let now = clock::now();
        let due: Vec<(CaseId, NaiveDateTime, i32, i32)> = preservations::table
            .filter(preservations::reminder_sent_at.is_null())
            // Kept until production once a production request is confirmed (Annex V).
            .filter(preservations::production_request.is_null())
            .filter(preservations::expires_at.gt(now))
            .filter(preservations::expires_at.le(now + REMINDER))
            .select((
                preservations::case_id,
                preservations::expires_at,
                preservations::extensions,
                preservations::renewals_allowed,
            ))
            .load::<(CaseId, NaiveDateTime, i32, i32)>(conn)?;
        for (case_id, expires_at, extensions, allowed) in &due {
            let case: Case = crate::db::schema::cases::table
                .find(case_id)
                .select(Case::as_select())
                .first(conn)?;
            let requester = Requester::find(conn, &case.requester_id)?;
            mailer.queue(
                conn,
                Letter {
                    template: "preservation_reminder",
                    to: &requester.email,
                    context: &json!({
                        "reference": case.reference,
                        "expires_at": clock::rfc3339(*expires_at),
                        "renewable": extensions < allowed,
                        "link": links.case_url(&case.reference)?,
                    }),
                },
            )?;
            diesel::update(preservations::table.find(case_id))
                .set(preservations::reminder_sent_at.eq(now))
                .execute(conn)?;
            audit::record(
                conn,
                &Actor::System,
                Some(case_id),
                "preservation.reminder_sent",
                json!({ "expires_at": clock::rfc3339(*expires_at) }),
            )?;
        }
        Ok(due.len())
    })
    .await
}
