use crate::app::App;
use crate::pages::Template;
use rocket::http::{ContentType, Header, Status};
use rocket::response::stream::TextStream;
use rocket::{get, routes, Route, State};
use serde_json::json;

use crate::audit::{self, checkpoint, Verdict};
use crate::db::models::audit as audit_rows;
use crate::db::Db;
use crate::domain::clock::rfc3339;
use crate::domain::vocab::{Role, Track};
use crate::error::AppError;
use crate::guards::{Csrf, LegalAdmin, LegalReviewer, StaffMember};
use crate::services::audit_log::{self as events_of, AuditFilter};
use crate::services::{overview, signing, staff_cases};

const CHART_HEIGHT: i64 = 160;
const CHART_WIDTH: i64 = 720;

#[get("/overview")]
async fn overview_page(
    staff: StaffMember,
    csrf: Csrf,
    app: &State<App>,
) -> Result<Template, AppError> {
    // Support works the court-order track only, and sees only its figures.
    let tracks: &[Track] = if staff.row.role < Role::Legal {
        &[Track::Court]
    } else {
        &[Track::Agency, Track::Court]
    };
    let overview = overview::overview(&app.db, tracks).await?;
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
async fn ndo(reviewer: LegalReviewer, csrf: Csrf, app: &State<App>) -> Result<Template, AppError> {
    let ledger = staff_cases::ndo_ledger(&app.db).await?;
    Ok(Template::render(
        "staff/ndo",
        json!({ "csrf": csrf.token(), "staff": reviewer.0.row.name, "role": reviewer.0.row.role, "ledger": ledger }),
    ))
}

/// The audit log's query string.
#[derive(Debug, Default, Clone, rocket::FromForm)]
pub struct AuditQuery {
    case: Option<String>,
    actor: Option<String>,
    action: Option<String>,
    from: Option<String>,
    to: Option<String>,
    before: Option<i64>,
}

impl AuditQuery {
    fn filter(&self) -> Result<AuditFilter, AppError> {
        Ok(AuditFilter {
            case: AuditFilter::text("case", self.case.as_deref())?,
            actor: AuditFilter::text("actor", self.actor.as_deref())?,
            action: AuditFilter::text("action", self.action.as_deref())?,
            from: AuditFilter::date("from", self.from.as_deref())?,
            to: AuditFilter::date("to", self.to.as_deref())?,
            before: self.before,
        })
    }

    /// The same selection's query string, without the page (for the exports and the next page).
    fn selection(&self) -> String {
        let mut pairs = Vec::new();
        for (name, value) in [
            ("case", &self.case),
            ("actor", &self.actor),
            ("action", &self.action),
            ("from", &self.from),
            ("to", &self.to),
        ] {
            if let Some(value) = value.as_deref().filter(|v| !v.is_empty()) {
                pairs.push(format!(
                    "{name}={}",
                    rocket::http::RawStr::new(value).percent_encode()
                ));
            }
        }
        pairs.join("&")
    }
}

/// The audit log, newest first, with the chain's verdict; filtered by case, actor, event type
/// and dates.
#[get("/admin/audit?<query..>")]
async fn audit_log(
    admin: LegalAdmin,
    csrf: Csrf,
    app: &State<App>,
    query: AuditQuery,
) -> Result<(Status, Template), AppError> {
    let (filter, error) = match query.filter() {
        Ok(filter) => (filter, None),
        Err(e) => (AuditFilter::default(), Some(e)),
    };
    let before = query.before;
    let filtered = !filter.is_empty();
    let (events, verdict, anchored, checkpoints) = app
        .db
        .run(move |conn| {
            let (head, _) = audit_rows::head(conn)?;
            // Pages end before event `before`: 2 ..= head + 1 (event 1 is the first).
            let start = before.unwrap_or(head + 1).clamp(2, head.max(1) + 1);
            let filter = AuditFilter {
                before: Some(start),
                ..filter
            };
            let events = events_of::events(conn, &filter, None, events_of::PAGE)?;
            let keys = signing::public_keys(conn)?;
            let anchored = checkpoint::check_stored(conn, &keys)?;
            Ok::<_, AppError>((
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
    let verdict = match (verdict, anchored) {
        (Verdict::Intact { events, head }, Ok(checked)) => {
            json!({ "intact": true, "events": events, "head": head, "checkpoints": checked })
        }
        (Verdict::Intact { .. }, Err(reason)) => json!({ "intact": false, "anchor": reason }),
        (Verdict::Broken { seq, reason }, _) => {
            json!({ "intact": false, "seq": seq, "reason": reason })
        }
    };
    let selection = query.selection();
    let older = events
        .last()
        .map(|e| e.seq)
        .filter(|seq| *seq > 1 && events.len() as i64 == events_of::PAGE)
        .map(|seq| {
            if selection.is_empty() {
                format!("before={seq}")
            } else {
                format!("{selection}&before={seq}")
            }
        });
    let status = error.as_ref().map(|e| e.status).unwrap_or(Status::Ok);
    Ok((
        status,
        Template::render(
            "staff/audit",
            json!({
                "csrf": csrf.token(), "staff": admin.0.row.name, "role": admin.0.row.role, "events": events,
                "verdict": verdict, "older": older, "checkpoints": checkpoints, "filtered": filtered,
                "query": shown(&query),
                "errors": error.as_ref().map(|e| e.fields.clone()),
                "selection": selection,
            }),
        ),
    ))
}

/// The query as the form shows it again: a control character written as an escape, not sent.
fn shown(query: &AuditQuery) -> serde_json::Value {
    let show = |v: &Option<String>| v.as_deref().map(crate::domain::text::escape_controls);
    json!({
        "case": show(&query.case), "actor": show(&query.actor), "action": show(&query.action),
        "from": show(&query.from), "to": show(&query.to),
    })
}

/// The selected events, oldest first, as CSV or JSON lines; read a page at a time and sent as
/// they are read, so an export of the whole log holds one page in memory. Recorded itself.
async fn export(
    admin: &LegalAdmin,
    db: &Db,
    query: &AuditQuery,
    format: &'static str,
) -> Result<TextStream![String], AppError> {
    let filter = query.filter()?;
    let by = admin.0.row.id.clone();
    let details = json!({
        "format": format, "case": filter.case, "actor": filter.actor, "action": filter.action,
        "from": filter.from.map(|d| d.to_string()), "to": filter.to.map(|d| d.to_string()),
    });
    db.run(move |conn| {
        crate::db::write_tx(conn, |conn| {
            audit::record(
                conn,
                &audit::Actor::Staff(by),
                None,
                "audit.exported",
                details,
            )
        })?;
        Ok::<_, AppError>(())
    })
    .await?;
    let db = db.clone();
    Ok(TextStream! {
        if format == "csv" {
            yield events_of::CSV_HEADER.to_owned();
        }
        let mut after = 0;
        loop {
            let filter = filter.clone();
            let page = db.run(move |conn| events_of::events(conn, &filter, Some(after), 1_000)).await;
            let page = match page {
                Ok(page) => page,
                Err(e) => {
                    log::error!("audit export stopped after event {after}: {}", e.message);
                    break;
                }
            };
            let Some(last) = page.last().map(|l| l.seq) else { break };
            let mut chunk = String::new();
            for line in &page {
                if format == "csv" {
                    chunk.push_str(&events_of::csv_line(line).unwrap_or_default());
                } else {
                    chunk.push_str(&events_of::json_line(line));
                }
            }
            yield chunk;
            after = last;
        }
    })
}

#[get("/admin/audit.csv?<query..>")]
async fn audit_csv(
    admin: LegalAdmin,
    app: &State<App>,
    query: AuditQuery,
) -> Result<Export<TextStream![String]>, AppError> {
    Ok(Export {
        body: export(&admin, &app.db, &query, "csv").await?,
        kind: ContentType::CSV,
        disposition: Header::new(
            "Content-Disposition",
            "attachment; filename=\"writ-audit.csv\"",
        ),
    })
}

#[get("/admin/audit.jsonl?<query..>")]
async fn audit_jsonl(
    admin: LegalAdmin,
    app: &State<App>,
    query: AuditQuery,
) -> Result<Export<TextStream![String]>, AppError> {
    Ok(Export {
        body: export(&admin, &app.db, &query, "jsonl").await?,
        kind: ContentType::new("application", "x-ndjson"),
        disposition: Header::new(
            "Content-Disposition",
            "attachment; filename=\"writ-audit.jsonl\"",
        ),
    })
}

/// An export as a file to keep.
#[derive(rocket::Responder)]
struct Export<R> {
    body: R,
    kind: ContentType,
    disposition: Header<'static>,
}

/// One checkpoint, exported for the legal team's own records (`writ audit verify --checkpoint`).
#[get("/admin/audit/checkpoints/<seq>")]
async fn checkpoint_file(
    _admin: LegalAdmin,
    app: &State<App>,
    seq: i64,
) -> Result<CheckpointFile, AppError> {
    let exported = app
        .db
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
    routes![
        overview_page,
        ndo,
        audit_log,
        audit_csv,
        audit_jsonl,
        checkpoint_file
    ]
}
