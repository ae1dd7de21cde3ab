//! The append-only audit trail (DESIGN §8): every event carries the hash of the one before it,
//! `hash = SHA-256(prev_hash || canonical event)`, so editing, removing or reordering any event
//! breaks the chain from that point on.

pub mod checkpoint;

use diesel::QueryResult;
use ring::digest;
use serde_json::Value;

use crate::db::ids::CaseId;
use crate::db::models::audit::{self as rows, AuditEvent};
use crate::db::DbConn;
use crate::domain::clock;

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who did something.
#[derive(Debug, Clone)]
pub enum Actor {
    Requester(String),
    Staff(String),
    System,
    Cli,
}

impl Actor {
    pub fn label(&self) -> String {
        match self {
            Actor::Requester(id) => format!("requester:{id}"),
            Actor::Staff(id) => format!("staff:{id}"),
            Actor::System => "system".to_owned(),
            Actor::Cli => "cli".to_owned(),
        }
    }
}

/// The bytes hashed for an event: a JSON array in a fixed order, with `details` as stored.
pub fn canonical(event: &AuditEvent) -> String {
    let at = event
        .at
        .and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    serde_json::to_string(&(
        event.seq,
        at,
        &event.actor,
        &event.case_id,
        &event.action,
        &event.details,
    ))
    .unwrap_or_default()
}

pub fn chain_hash(prev_hash: &str, event: &AuditEvent) -> String {
    let mut ctx = digest::Context::new(&digest::SHA256);
    ctx.update(prev_hash.as_bytes());
    ctx.update(canonical(event).as_bytes());
    hex::encode(ctx.finish())
}

/// Appends an event. Call it inside the transaction of the change it records, so the two
/// commit or fail together; the head row serialises concurrent writers.
pub fn record(
    conn: &mut DbConn,
    actor: &Actor,
    case_id: Option<&CaseId>,
    action: &str,
    details: Value,
) -> QueryResult<AuditEvent> {
    let (seq, prev_hash) = rows::reserve(conn)?;
    let mut event = AuditEvent {
        seq,
        at: clock::now(),
        actor: actor.label(),
        case_id: case_id.cloned(),
        action: action.to_owned(),
        details: details.to_string(),
        prev_hash,
        hash: String::new(),
    };
    event.hash = chain_hash(&event.prev_hash, &event);
    rows::append(conn, &event)?;
    Ok(event)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Intact { events: i64, head: String },
    Broken { seq: i64, reason: String },
}

/// Recomputes the whole chain, a page at a time, and names the first event that does not hold.
pub fn verify(conn: &mut DbConn) -> QueryResult<Verdict> {
    verify_with(conn, |_| {})
}

/// As [`verify`], telling `checked` the last event checked after each page of events.
pub fn verify_with(conn: &mut DbConn, mut checked: impl FnMut(i64)) -> QueryResult<Verdict> {
    let mut expected_prev = GENESIS.to_owned();
    let mut last_seq = 0;
    loop {
        let page = rows::page(conn, last_seq, 1000)?;
        if page.is_empty() {
            break;
        }
        for event in page {
            if event.seq != last_seq + 1 {
                return Ok(Verdict::Broken {
                    seq: last_seq + 1,
                    reason: format!("event {} is missing", last_seq + 1),
                });
            }
            if event.prev_hash != expected_prev {
                return Ok(Verdict::Broken {
                    seq: event.seq,
                    reason: "its prev_hash does not match the event before it".into(),
                });
            }
            if chain_hash(&event.prev_hash, &event) != event.hash {
                return Ok(Verdict::Broken {
                    seq: event.seq,
                    reason: "its contents do not match its hash".into(),
                });
            }
            expected_prev = event.hash;
            last_seq = event.seq;
        }
        checked(last_seq);
    }
    let (head_seq, head_hash) = rows::head(conn)?;
    if head_seq != last_seq || head_hash != expected_prev {
        return Ok(Verdict::Broken {
            seq: last_seq + 1,
            reason: format!(
                "the chain ends at event {last_seq} but the head records event {head_seq}"
            ),
        });
    }
    Ok(Verdict::Intact {
        events: last_seq,
        head: expected_prev,
    })
}
