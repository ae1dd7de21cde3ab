use rocket::{get, routes, Route, State};
use rocket_dyn_templates::Template;
use serde_json::json;

use crate::audit::{self, Verdict};
use crate::db::models::audit as audit_rows;
use crate::db::Db;
use crate::domain::clock::rfc3339;
use crate::domain::vocab::{Role, Track};
use crate::error::AppError;
use crate::guards::{Csrf, LegalAdmin, LegalReviewer, StaffMember};
use crate::services::{overview, staff_cases};

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
    let (events, verdict) = db
        .run(move |conn| {
            let (head, _) = audit_rows::head(conn)?;
            // Pages end before event `before`: 2 ..= head + 1 (event 1 is the first).
            let start = before.unwrap_or(head + 1).clamp(2, head.max(1) + 1);
            let first = (start - 50).max(0);
            let mut events = audit_rows::page(conn, first, start - first - 1)?;
            events.reverse();
            Ok((events, audit::verify(conn)?))
        })
        .await?;
    let rows: Vec<_> = events
        .iter()
        .map(|e| json!({ "seq": e.seq, "at": rfc3339(e.at), "actor": e.actor, "case": e.case_id, "action": e.action, "details": e.details, "hash": e.hash }))
        .collect();
    let verdict = match verdict {
        Verdict::Intact { events, head } => {
            json!({ "intact": true, "events": events, "head": head })
        }
        Verdict::Broken { seq, reason } => json!({ "intact": false, "seq": seq, "reason": reason }),
    };
    let older = events.last().map(|e| e.seq).filter(|seq| *seq > 1);
    Ok(Template::render(
        "staff/audit",
        json!({ "csrf": csrf.token(), "staff": admin.0.row.name, "role": admin.0.row.role, "events": rows, "verdict": verdict, "older": older }),
    ))
}

pub fn routes() -> Vec<Route> {
    routes![overview_page, ndo, audit_log]
}
