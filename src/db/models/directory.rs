//! The platform's account directory: who a target is, if anyone.

use diesel::prelude::*;

use crate::db::schema::{account_wallets, accounts};
use crate::db::DbConn;
use crate::domain::request::Target;
use crate::domain::vocab::TargetKind;

/// The uid of the account a target names, `None` if no account matches, or no answer at all
/// for kinds the directory does not hold (transaction hashes).
pub fn lookup(conn: &mut DbConn, target: &Target) -> QueryResult<Option<Option<String>>> {
    let value = target.value.as_str();
    let found = match target.kind {
        TargetKind::UserId => accounts::table
            .find(value)
            .select(accounts::uid)
            .first(conn)
            .optional()?,
        TargetKind::Email => accounts::table
            .filter(accounts::email.eq(value))
            .select(accounts::uid)
            .first(conn)
            .optional()?,
        TargetKind::Phone => accounts::table
            .filter(accounts::phone.eq(value))
            .select(accounts::uid)
            .first(conn)
            .optional()?,
        TargetKind::WalletAddress => {
            let chain = target.chain.map(|c| c.as_str()).unwrap_or_default();
            account_wallets::table
                .find((chain, value))
                .select(account_wallets::uid)
                .first(conn)
                .optional()?
        }
        TargetKind::TxHash => return Ok(None),
    };
    Ok(Some(found))
}
