//! Sends what the outbox holds. Every instance may run a worker: claims are leases, so a
//! message is handed to one worker at a time, and a crashed worker's lease simply runs out.

use std::time::Duration;

use chrono::TimeDelta;

use super::transport::Transport;
use crate::db::models::document::HeldDocument;
use crate::db::models::outbox::OutboxMessage;
use crate::db::models::rate_limit;
use crate::db::Db;
use crate::documents::DocumentStore;
use crate::domain::clock;
use crate::error::AppError;
use crate::mail::Mailer;
use crate::services::workflow::Links;

const BATCH: i64 = 20;
const LEASE: TimeDelta = TimeDelta::minutes(5);

/// Exponential backoff: 15 s, 30 s, 1 min … capped at one hour.
pub fn backoff(attempts: i32) -> TimeDelta {
    let seconds = 15_i64.saturating_mul(1_i64 << attempts.clamp(0, 8));
    TimeDelta::seconds(seconds.min(3600))
}

/// One pass: claims due messages and sends them. Returns how many were sent.
pub async fn drain_once(db: &Db, transport: &Transport, from: &str) -> Result<usize, AppError> {
    let batch = db
        .run(|conn| Ok(OutboxMessage::claim(conn, BATCH, clock::now(), LEASE)?))
        .await?;
    let mut sent = 0;
    for message in batch {
        let (transport, from_owned, id) = (transport.clone(), from.to_owned(), message.id.clone());
        let attempts = message.attempts;
        let outcome =
            rocket::tokio::task::spawn_blocking(move || transport.send(&from_owned, &message))
                .await
                .map_err(AppError::internal)?;
        match outcome {
            Ok(()) => {
                sent += 1;
                db.run(move |conn| Ok(OutboxMessage::mark_sent(conn, &id, clock::now())?))
                    .await?;
            }
            Err(error) => {
                // The full reply stays with the message; the logger takes addresses out of it.
                log::warn!(
                    "outbox message {id} not sent (attempt {}): {error}",
                    attempts + 1
                );
                let retry_at = clock::now() + backoff(attempts);
                db.run(move |conn| Ok(OutboxMessage::mark_failed(conn, &id, &error, retry_at)?))
                    .await?;
            }
        }
    }
    Ok(sent)
}

/// What the worker looks after besides the outbox.
#[derive(Clone)]
pub struct Chores {
    pub store: DocumentStore,
    pub mailer: Mailer,
    pub links: Links,
    /// Opens the signing key, for the audit chain's hourly checkpoint.
    pub secrets: crate::crypto::stream::DocumentKey,
}

/// How often the worker signs the audit chain's head (when it has moved).
pub const CHECKPOINT_EVERY: TimeDelta = TimeDelta::hours(1);

/// Forgets what is a day old (rate-limit windows, uploads held for a form never sent again, unless
/// a saved draft keeps them), drafts not saved for 30 days, and
/// reminds requesters of preservations that end within a week.
pub async fn housekeeping(db: &Db, chores: &Chores) -> Result<(), AppError> {
    let before = clock::now() - TimeDelta::days(1);
    db.run(move |conn| Ok(rate_limit::prune(conn, before)?))
        .await?;
    crate::services::drafts::expire(db).await?;
    let now = clock::now();
    let expired = db
        .run(move |conn| Ok(HeldDocument::expire(conn, before, now)?))
        .await?;
    for id in &expired {
        chores.store.discard_held(id).await;
    }
    let a_day_ago = std::time::SystemTime::now() - Duration::from_secs(24 * 3600);
    match chores.store.sweep_incoming(a_day_ago) {
        Ok(0) => {}
        Ok(n) => log::warn!("removed {n} staging files left by an interrupted upload or seal"),
        Err(e) => log::error!("sweeping staging files: {e}"),
    }
    crate::services::fulfilment::send_reminders(db, &chores.mailer, &chores.links).await?;
    let (secrets, mailer) = (chores.secrets.clone(), chores.mailer.clone());
    db.run(move |conn| {
        let due = crate::audit::checkpoint::latest(conn)?
            .is_none_or(|last| last.at <= clock::now() - CHECKPOINT_EVERY);
        if due {
            crate::services::signing::checkpoint(conn, &secrets, &mailer)?;
        }
        Ok(())
    })
    .await
    .or_else(|e: AppError| if e.code == "conflict" { Ok(()) } else { Err(e) })?;
    Ok(())
}

/// Works the outbox until the process ends, with housekeeping every ten minutes or so.
pub async fn run(db: Db, transport: Transport, from: String, chores: Chores) {
    for round in 0u64.. {
        if round % 1200 == 0 {
            if let Err(e) = housekeeping(&db, &chores).await {
                log::error!("housekeeping: {e}");
            }
        }
        let idle = match drain_once(&db, &transport, &from).await {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_caps() {
        assert_eq!(backoff(0), TimeDelta::seconds(15));
        assert_eq!(backoff(1), TimeDelta::seconds(30));
        assert_eq!(backoff(20), TimeDelta::seconds(3600));
    }
}
