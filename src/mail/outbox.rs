//! Sends what the outbox holds. Every instance may run a worker (`crate::worker`): claims are
//! leases, so a message is handed to one worker at a time, and a crashed worker's lease simply
//! runs out.

use chrono::TimeDelta;

use super::transport::Transport;
use crate::db::models::outbox::OutboxMessage;
use crate::db::Db;
use crate::domain::clock;
use crate::error::AppError;

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
