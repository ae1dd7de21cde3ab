//! Request forms kept before they are filed: whatever the requester typed, and the files they
//! attached, saved on every round of the form (adding rows, importing targets, a refusal, a
//! change of type) and on "Save draft", for `KEPT_FOR` after the last save.

use chrono::{NaiveDateTime, TimeDelta};
use diesel::Connection;
use serde::{Deserialize, Serialize};

use crate::db::models::document::HeldDocument;
use crate::db::models::draft::SavedDraft;
use crate::db::Db;
use crate::documents::DocumentStore;
use crate::domain::clock;
use crate::domain::request::RequestDraft;
use crate::error::AppError;

/// How long a draft is kept after it was last saved.
pub const KEPT_FOR: TimeDelta = TimeDelta::days(30);

/// What a draft holds.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Draft {
    pub request: RequestDraft,
    /// Pasted target lines not yet read into rows.
    pub targets_paste: String,
    /// The ids of the held files attached to it.
    pub held: Vec<String>,
}

/// A draft as loaded for the form.
pub struct Loaded {
    pub draft: Draft,
    pub saved_at: NaiveDateTime,
    pub held: Vec<HeldDocument>,
}

/// Saves `draft` as the requester's one draft; its files are kept as long as it is.
pub async fn save(db: &Db, requester_id: &str, draft: &Draft) -> Result<NaiveDateTime, AppError> {
    let body = serde_json::to_string(draft).map_err(AppError::internal)?;
    let now = clock::now();
    let row = SavedDraft {
        requester_id: requester_id.to_owned(),
        body,
        saved_at: now,
    };
    let held = draft.held.clone();
    db.run(move |conn| {
        conn.transaction(|conn| {
            row.save(conn)?;
            HeldDocument::keep(conn, &row.requester_id, &held, Some(now + KEPT_FOR))
        })
        .map_err(Into::into)
    })
    .await?;
    Ok(now)
}

/// The requester's draft with its files, if one is kept.
pub async fn load(db: &Db, requester_id: &str) -> Result<Option<Loaded>, AppError> {
    let owner = requester_id.to_owned();
    db.run(move |conn| {
        let Some(saved) = SavedDraft::find(conn, &owner)? else {
            return Ok(None);
        };
        let draft: Draft = match serde_json::from_str(&saved.body) {
            Ok(draft) => draft,
            Err(e) => {
                // Written by this code; a body it cannot read must not bar the form for good.
                log::error!(
                    "the saved draft of requester {owner} is unreadable ({e}); it is set aside"
                );
                SavedDraft::delete(conn, &owner)?;
                return Ok(None);
            }
        };
        let held = HeldDocument::find(conn, &owner, &draft.held)?;
        Ok(Some(Loaded {
            draft,
            saved_at: saved.saved_at,
            held,
        }))
    })
    .await
}

/// The request was filed: its draft goes, and any file still held for it goes at the usual time.
pub async fn filed(db: &Db, requester_id: &str) -> Result<(), AppError> {
    let owner = requester_id.to_owned();
    db.run(move |conn| {
        conn.transaction(|conn| {
            SavedDraft::delete(conn, &owner)?;
            HeldDocument::keep(conn, &owner, &[], None)
        })
        .map_err(Into::into)
    })
    .await
}

/// The requester threw the draft away: it and every file held for them go now.
pub async fn discard(db: &Db, store: &DocumentStore, requester_id: &str) -> Result<(), AppError> {
    let owner = requester_id.to_owned();
    let held = db
        .run(move |conn| {
            conn.transaction(|conn| {
                SavedDraft::delete(conn, &owner)?;
                HeldDocument::take_all(conn, &owner)
            })
            .map_err(Into::into)
        })
        .await?;
    for file in &held {
        store.discard_held(&file.id).await;
    }
    Ok(())
}

/// Forgets drafts not saved for `KEPT_FOR`.
pub async fn expire(db: &Db) -> Result<usize, AppError> {
    let before = clock::now() - KEPT_FOR;
    db.run(move |conn| Ok(SavedDraft::expire(conn, before)?))
        .await
}
