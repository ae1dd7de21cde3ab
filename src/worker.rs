//! What every instance does in the background: sends the outbox and, every ten minutes or so,
//! the periodic chores (expiring what is old, preservation reminders, the audit chain's
//! checkpoint).

use std::time::Duration;

use chrono::TimeDelta;

use crate::app::App;
use crate::db::models::document::HeldDocument;
use crate::db::models::rate_limit;
use crate::domain::clock;
use crate::error::AppError;
use crate::mail::outbox::drain_once;
use crate::mail::transport::Transport;

/// How often the worker signs the audit chain's head (when it has moved).
pub const CHECKPOINT_EVERY: TimeDelta = TimeDelta::hours(1);

/// Forgets what is a day old (rate-limit windows, uploads held for a form never sent again, unless
/// a saved draft keeps them), drafts not saved for 30 days, and
/// reminds requesters of preservations that end within a week.
pub async fn housekeeping(app: &App) -> Result<(), AppError> {
    let db = &app.db;
    let before = clock::now() - TimeDelta::days(1);
    db.run(move |conn| Ok(rate_limit::prune(conn, before)?))
        .await?;
    crate::services::drafts::expire(db).await?;
    let now = clock::now();
    let expired = db
        .run(move |conn| Ok(HeldDocument::expire(conn, before, now)?))
        .await?;
    for id in &expired {
        app.store.discard_held(id).await;
    }
    let a_day_ago = std::time::SystemTime::now() - Duration::from_secs(24 * 3600);
    match app.store.sweep_incoming(a_day_ago) {
        Ok(0) => {}
        Ok(n) => log::warn!("removed {n} staging files left by an interrupted upload or seal"),
        Err(e) => log::error!("sweeping staging files: {e}"),
    }
    crate::services::fulfilment::send_reminders(db, &app.mailer, &app.links).await?;
    // The secrets key opens the signing key for the checkpoint.
    app.run(move |conn, app| {
        let due = crate::audit::checkpoint::latest(conn)?
            .is_none_or(|last| last.at <= clock::now() - CHECKPOINT_EVERY);
        if due {
            crate::services::signing::checkpoint(conn, &app.keys.secrets, &app.mailer)?;
        }
        Ok(())
    })
    .await
    .or_else(|e: AppError| if e.code == "conflict" { Ok(()) } else { Err(e) })?;
    Ok(())
}

/// Works the outbox until the process ends, with housekeeping every ten minutes or so.
pub async fn run(app: App, transport: Transport) {
    for round in 0u64.. {
        if round % 1200 == 0 {
            if let Err(e) = housekeeping(&app).await {
                log::error!("housekeeping: {e}");
            }
        }
        let idle = match drain_once(&app.db, &transport, &app.config.mail_from).await {
            Ok(0) => true,
            Ok(_) => false,
            Err(e) => {
                log::error!("outbox worker: {e}");
                true
            }
        };
        if idle {
            rocket::tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
}
