//! The keys that sign bundles: made on first start, rotated by `writ keys rotate`, published at
//! `/.well-known/writ/signing-keys.json`. Retired keys stay published, so old bundles verify.

use diesel::prelude::*;
use serde_json::{json, Value};

use crate::audit::{self, Actor};
use crate::bundle::keys::{self, Signer};
use crate::crypto::stream::DocumentKey;
use crate::crypto::{open_small, seal_small};
use crate::db::models::bundle::SigningKeyRow;
use crate::db::schema::signing_keys;
use crate::db::{is_unique_violation, write_tx, Db, DbConn};
use crate::domain::clock::{self, rfc3339};
use crate::error::AppError;
use crate::mail::{Letter, Mailer};

/// The addresses of the active legal admins.
fn legal_admins(conn: &mut DbConn) -> QueryResult<Vec<String>> {
    use crate::db::schema::staff;
    staff::table
        .filter(staff::role.eq(crate::domain::vocab::Role::Admin.as_str()))
        .filter(staff::active.eq(true))
        .order(staff::email)
        .select(staff::email)
        .load(conn)
}

/// Stores a new key; returns its id.
fn insert_key(conn: &mut DbConn, secrets: &DocumentKey) -> QueryResult<String> {
    let pkcs8 = keys::generate();
    // A key ring just made always parses.
    let public = Signer::from_pkcs8(&pkcs8)
        .expect("a generated key parses")
        .public_key();
    let id = public.id();
    diesel::insert_into(signing_keys::table)
        .values((
            signing_keys::id.eq(&id),
            signing_keys::public_key_pem.eq(public.pem()),
            signing_keys::private_key.eq(seal_small(secrets, id.as_bytes(), &pkcs8)),
            signing_keys::created_at.eq(clock::now()),
        ))
        .execute(conn)?;
    Ok(id)
}

fn unseal(row: &SigningKeyRow, secrets: &DocumentKey) -> Result<Signer, AppError> {
    open_small(secrets, row.id.as_bytes(), &row.private_key)
        .and_then(|pkcs8| Signer::from_pkcs8(&pkcs8))
        .ok_or_else(|| AppError::internal(format!("signing key {} cannot be opened", row.id)))
}

/// The key that signs new bundles, made if there is none. Instances starting together agree:
/// the one that loses the race to insert reads the winner's key.
pub fn active(
    conn: &mut DbConn,
    secrets: &DocumentKey,
) -> Result<(SigningKeyRow, Signer), AppError> {
    if let Some(row) = SigningKeyRow::active(conn)? {
        let signer = unseal(&row, secrets)?;
        return Ok((row, signer));
    }
    match conn.transaction(|conn| insert_key(conn, secrets)) {
        Ok(id) => {
            audit::record(
                conn,
                &Actor::System,
                None,
                "signing_key.created",
                json!({ "key": id }),
            )?;
        }
        Err(e) if is_unique_violation(&e) => {}
        Err(e) => return Err(e.into()),
    }
    let row = SigningKeyRow::active(conn)?
        .ok_or_else(|| AppError::internal("no signing key was stored"))?;
    let signer = unseal(&row, secrets)?;
    Ok((row, signer))
}

/// Retires the active key and makes a new one; returns the new key's id.
pub async fn rotate(db: &Db, secrets: &DocumentKey) -> Result<String, AppError> {
    let secrets = secrets.clone();
    db.write(move |conn| {
        let now = clock::now();
        let retired =
            diesel::update(signing_keys::table.filter(signing_keys::retired_at.is_null()))
                .set(signing_keys::retired_at.eq(now))
                .execute(conn)?;
        let id = insert_key(conn, &secrets)?;
        audit::record(
            conn,
            &Actor::System,
            None,
            "signing_key.rotated",
            json!({ "key": id, "retired": retired }),
        )?;
        Ok(id)
    })
    .await
}

/// Every key that ever signed for the platform, active or retired: what `/verify` trusts and
/// what audit checkpoints are checked against.
pub fn public_keys(conn: &mut DbConn) -> Result<Vec<keys::PublicKey>, AppError> {
    SigningKeyRow::all(conn)?
        .iter()
        .map(|row| {
            keys::PublicKey::from_pem(&row.public_key_pem).ok_or_else(|| {
                AppError::internal(format!("signing key {} is not a public key", row.id))
            })
        })
        .collect()
}

pub async fn trusted(db: &Db) -> Result<Vec<keys::PublicKey>, AppError> {
    db.run(public_keys).await
}

/// `checkpoint` as it is exported, with the stored key that signed it.
pub fn exported_checkpoint(
    conn: &mut DbConn,
    checkpoint: &crate::audit::checkpoint::Checkpoint,
) -> Result<Value, AppError> {
    let key = public_keys(conn)?
        .into_iter()
        .find(|key| key.id() == checkpoint.key_id)
        .ok_or_else(|| AppError::internal("a checkpoint's key is not stored"))?;
    Ok(checkpoint.export(&key))
}

/// Every key, newest first, as `/.well-known/writ/signing-keys.json` publishes them.
pub async fn published(db: &Db) -> Result<Value, AppError> {
    let rows = db.run(|conn| Ok(SigningKeyRow::all(conn)?)).await?;
    let keys: Vec<Value> = rows
        .iter()
        .rev()
        .map(|k| {
            json!({
                "id": k.id,
                "algorithm": "Ed25519",
                "public_key_pem": k.public_key_pem,
                "created_at": rfc3339(k.created_at),
                "retired_at": k.retired_at.map(rfc3339),
                "active": k.retired_at.is_none(),
            })
        })
        .collect();
    Ok(json!({ "keys": keys }))
}

/// Signs the audit chain's head with the active key (unless it has a checkpoint already), mails
/// a copy to every active legal admin for their own records, and returns the newest
/// checkpoint, exported with its key.
pub fn checkpoint(
    conn: &mut DbConn,
    secrets: &DocumentKey,
    mailer: &Mailer,
) -> Result<Value, AppError> {
    use crate::audit::checkpoint;
    let (_, signer) = active(conn, secrets)?;
    if let Some(made) = checkpoint::make(conn, &signer)? {
        let exported = made.export(&signer.public_key());
        let context = json!({
            "seq": made.seq, "hash": made.hash, "at": rfc3339(made.at), "key_id": made.key_id,
            "json": serde_json::to_string_pretty(&exported).map_err(AppError::internal)?,
        });
        write_tx(conn, |conn| {
            for admin in legal_admins(conn)? {
                mailer.queue(
                    conn,
                    Letter {
                        template: "audit_checkpoint",
                        to: &admin,
                        context: &context,
                    },
                )?;
            }
            audit::record(
                conn,
                &Actor::System,
                None,
                "audit.checkpointed",
                json!({ "seq": made.seq, "key": made.key_id }),
            )?;
            Ok::<_, AppError>(())
        })?;
    }
    let latest = checkpoint::latest(conn)?
        .ok_or_else(|| AppError::conflict("The audit chain is empty: nothing to checkpoint."))?;
    exported_checkpoint(conn, &latest)
}
