use crate::pages::Template;
use rocket::http::Header;
use rocket::{get, routes, Route, State};
use serde_json::json;

use crate::audit::{self, checkpoint, Verdict};
use crate::db::models::audit as audit_rows;
use crate::db::Db;
use crate::domain::clock::rfc3339;
use crate::domain::vocab::{Role, Track};
use crate::error::AppError;
use crate::guards::{Csrf, LegalAdmin, LegalReviewer, StaffMember};
use crate::services::{overview, signing, staff_cases};

const CHART_HEIGHT: i64 = 160;
const CHART_WIDTH: i64 = 720;

#[get("/overview")]
async fn overview_page(
    staff: StaffMember,
    csrf: Csrf,
    db: &State<Db>,
) -> Result<Template, AppError> {
    // Support works the court-order track only, and sees only its figures.
    let tracks: &[Track] = if staff.row.role < Role::Legal {
        &[Track::Court]
    } else {
        &[Track::Agency, Track::Court]
    };
    let overview = overview::overview(db, tracks).await?;
    let bars = overview::bars(&overview.weeks, CHART_HEIGHT, CHART_WIDTH);
    Ok(Template::render(
        "staff/overview",
        json!({
            "csrf": csrf.token(), "staff": staff.row.name, "role": staff.row.role, "overview": overview, "bars": bars,
            "chart": { "height": CHART_HEIGHT, "width": CHART_WIDTH, "bar": CHART_WIDTH / overview::WEEKS * 2 / 3 },
        }),
    ))
}

#[get("/ndo")]
async fn ndo(reviewer: LegalReviewer, csrf: Csrf, db: &State<Db>) -> Result<Template, AppError> {
    let ledger = staff_cases::ndo_ledger(db).await?;
    Ok(Template::render(
        "staff/ndo",
        json!({ "csrf": csrf.token(), "staff": reviewer.0.row.name, "role": reviewer.0.row.role, "ledger": ledger }),
    ))
}

/// The audit log, newest first, with the chain's verdict.
#[get("/admin/audit?<before>")]
async fn audit_log(
    admin: LegalAdmin,
    csrf: Csrf,
    db: &State<Db>,
    before: Option<i64>,
) -> Result<Template, AppError> {
    let (events, verdict, anchored, checkpoints) = db
        .run(move |conn| {
            let (head, _) = audit_rows::head(conn)?;
            // Pages end before event `before`: 2 ..= head + 1 (event 1 is the first).
            let start = before.unwrap_or(head + 1).clamp(2, head.max(1) + 1);
            let first = (start - 50).max(0);
            let mut events = audit_rows::page(conn, first, start - first - 1)?;
            events.reverse();
            let keys = signing::public_keys(conn)?;
            let anchored = checkpoint::check_stored(conn, &keys)?;
            Ok((
                events,
                audit::verify(conn)?,
                anchored,
                checkpoint::recent(conn, 10)?,
            ))
        })
        .await?;
    let checkpoints: Vec<_> = checkpoints
        .iter()
        .map(|c| json!({ "seq": c.seq, "at": rfc3339(c.at), "hash": c.hash, "key_id": c.key_id }))
        .collect();
    let rows: Vec<_> = events
        .iter()
        .map(|e| json!({ "seq": e.seq, "at": rfc3339(e.at), "actor": e.actor, "case": e.case_id, "action": e.action, "details": e.details, "hash": e.hash }))
        .collect();
    let verdict = match (verdict, anchored) {
        (Verdict::Intact { events, head }, Ok(checked)) => {
            json!({ "intact": true, "events": events, "head": head, "checkpoints": checked })
        }
        (Verdict::Intact { .. }, Err(reason)) => json!({ "intact": false, "anchor": reason }),
        (Verdict::Broken { seq, reason }, _) => {
            json!({ "intact": false, "seq": seq, "reason": reason })
        }
    };
    let older = events.last().map(|e| e.seq).filter(|seq| *seq > 1);
    Ok(Template::render(
        "staff/audit",
        json!({ "csrf": csrf.token(), "staff": admin.0.row.name, "role": admin.0.row.role, "events": rows, "verdict": verdict, "older": older, "checkpoints": checkpoints }),
    ))
}

/// One checkpoint, exported for the legal team's own records (`writ audit verify --checkpoint`).
#[get("/admin/audit/checkpoints/<seq>")]
async fn checkpoint_file(
    _admin: LegalAdmin,
    db: &State<Db>,
    seq: i64,
) -> Result<CheckpointFile, AppError> {
    let exported = db
        .run(move |conn| {
            let found = checkpoint::find(conn, seq)?;
            signing::exported_checkpoint(conn, &found)
        })
        .await?;
    let text = serde_json::to_string_pretty(&exported).map_err(AppError::internal)? + "\n";
    let disposition = Header::new(
        "Content-Disposition",
        format!("attachment; filename=\"writ-audit-checkpoint-{seq}.json\""),
    );
    Ok(CheckpointFile {
        body: text,
        disposition,
    })
}

/// A checkpoint as a file to keep.
#[derive(rocket::Responder)]
#[response(content_type = "json")]
struct CheckpointFile {
    body: String,
    disposition: Header<'static>,
}

pub fn routes() -> Vec<Route> {
    routes![overview_page, ndo, audit_log, checkpoint_file]
}
