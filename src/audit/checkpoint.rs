//! Checkpoints anchor the audit chain: a statement of the head (event number and hash, when),
//! signed with the platform's Ed25519 signing key. Recomputing the chain after an edit, or
//! deleting its tail and rewinding the head, leaves the chain self-consistent, but not
//! consistent with a checkpoint taken before: the event it names is gone, or its hash differs.
//! Checkpoints are kept in the database, made by `writ audit checkpoint` and hourly by the
//! worker, and exported as JSON for the legal team's own records, out of an intruder's reach.

use base64::Engine;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::bundle::keys::{PublicKey, Signer};
use crate::db::models::audit as rows;
use crate::db::schema::{audit_checkpoints, audit_events};
use crate::db::DbConn;
use crate::domain::clock::{self, rfc3339};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_checkpoints)]
pub struct Checkpoint {
    pub seq: i64,
    pub hash: String,
    pub at: NaiveDateTime,
    pub key_id: String,
    /// Base64 of the raw 64-byte Ed25519 signature of [`Checkpoint::statement`].
    pub signature: String,
}

fn b64() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::STANDARD
}

impl Checkpoint {
    /// The signed text: plain lines, so that `openssl pkeyutl -verify -rawin` checks it too.
    pub fn statement(&self) -> String {
        format!(
            "writ-audit-checkpoint/1\nseq: {}\nhash: {}\nat: {}\nkey: {}\n",
            self.seq,
            self.hash,
            rfc3339(self.at),
            self.key_id
        )
    }

    pub fn verifies_with(&self, key: &PublicKey) -> bool {
        key.id() == self.key_id
            && b64()
                .decode(&self.signature)
                .is_ok_and(|sig| key.verifies(self.statement().as_bytes(), &sig))
    }

    /// The exported form, with the key that signed it.
    pub fn export(&self, key: &PublicKey) -> Value {
        json!({
            "statement": self.statement(),
            "seq": self.seq,
            "hash": self.hash,
            "at": rfc3339(self.at),
            "key_id": self.key_id,
            "signature": self.signature,
            "public_key_pem": key.pem(),
        })
    }

    /// Reads an exported checkpoint; its signature must hold with the key it carries.
    pub fn import(text: &str) -> Result<(Checkpoint, PublicKey), String> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| format!("not an exported checkpoint: {e}"))?;
        let field = |name: &str| {
            value[name]
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| format!("not an exported checkpoint: no \"{name}\""))
        };
        let at = chrono::DateTime::parse_from_rfc3339(&field("at")?)
            .map_err(|e| format!("not an exported checkpoint: \"at\": {e}"))?
            .naive_utc();
        let checkpoint = Checkpoint {
            seq: value["seq"]
                .as_i64()
                .ok_or("not an exported checkpoint: no \"seq\"")?,
            hash: field("hash")?,
            at,
            key_id: field("key_id")?,
            signature: field("signature")?,
        };
        let key = PublicKey::from_pem(&field("public_key_pem")?)
            .ok_or("the checkpoint's public key is not an Ed25519 key in PEM form")?;
        if !checkpoint.verifies_with(&key) {
            return Err("the checkpoint's signature does not hold: it was altered".into());
        }
        Ok((checkpoint, key))
    }
}

/// Signs the chain's head as it is now and keeps the checkpoint. `None` when the chain is empty
/// or the head already has one.
pub fn make(conn: &mut DbConn, signer: &Signer) -> QueryResult<Option<Checkpoint>> {
    let (seq, hash) = rows::head(conn)?;
    if seq == 0 || latest(conn)?.is_some_and(|c| c.seq == seq) {
        return Ok(None);
    }
    let key = signer.public_key();
    let mut checkpoint = Checkpoint {
        seq,
        hash,
        at: clock::now(),
        key_id: key.id(),
        signature: String::new(),
    };
    checkpoint.signature = b64().encode(signer.sign(checkpoint.statement().as_bytes()));
    let inserted = conn.transaction(|conn| {
        diesel::insert_into(audit_checkpoints::table)
            .values(&checkpoint)
            .execute(conn)
    });
    match inserted {
        Ok(_) => Ok(Some(checkpoint)),
        // Another instance signed the same head at the same moment.
        Err(e) if crate::db::is_unique_violation(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

pub fn latest(conn: &mut DbConn) -> QueryResult<Option<Checkpoint>> {
    audit_checkpoints::table
        .order(audit_checkpoints::seq.desc())
        .select(Checkpoint::as_select())
        .first(conn)
        .optional()
}

/// The newest checkpoints, newest first.
pub fn recent(conn: &mut DbConn, limit: i64) -> QueryResult<Vec<Checkpoint>> {
    audit_checkpoints::table
        .order(audit_checkpoints::seq.desc())
        .limit(limit)
        .select(Checkpoint::as_select())
        .load(conn)
}

pub fn find(conn: &mut DbConn, seq: i64) -> QueryResult<Checkpoint> {
    audit_checkpoints::table
        .find(seq)
        .select(Checkpoint::as_select())
        .first(conn)
}

pub fn all(conn: &mut DbConn) -> QueryResult<Vec<Checkpoint>> {
    audit_checkpoints::table
        .order(audit_checkpoints::seq)
        .select(Checkpoint::as_select())
        .load(conn)
}

/// Whether the chain as stored still holds `checkpoint`: the event it names exists and has its
/// hash. (That the chain itself is intact up to the head is `audit::verify`'s to say.)
pub fn holds(conn: &mut DbConn, checkpoint: &Checkpoint) -> QueryResult<Result<(), String>> {
    let (head, _) = rows::head(conn)?;
    let stored: Option<String> = audit_events::table
        .find(checkpoint.seq)
        .select(audit_events::hash)
        .first(conn)
        .optional()?;
    let when = rfc3339(checkpoint.at);
    Ok(match stored {
        None => Err(format!(
            "TRUNCATED: the checkpoint of {when} records event {}, but the chain ends at event {head}",
            checkpoint.seq
        )),
        Some(hash) if hash != checkpoint.hash => Err(format!(
            "REWRITTEN: event {} does not have the hash the checkpoint of {when} records: the chain was recomputed after an edit",
            checkpoint.seq
        )),
        Some(_) => Ok(()),
    })
}

/// Every stored checkpoint, each signed by one of `keys` (the platform's) and still held by
/// the chain; the number checked, or what does not hold.
pub fn check_stored(conn: &mut DbConn, keys: &[PublicKey]) -> QueryResult<Result<usize, String>> {
    let stored = all(conn)?;
    for checkpoint in &stored {
        if !keys.iter().any(|key| checkpoint.verifies_with(key)) {
            return Ok(Err(format!(
                "BROKEN: the stored checkpoint of event {} is not signed by a platform key",
                checkpoint.seq
            )));
        }
        if let Err(reason) = holds(conn, checkpoint)? {
            return Ok(Err(reason));
        }
    }
    Ok(Ok(stored.len()))
}
