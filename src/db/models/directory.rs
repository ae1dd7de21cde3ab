//! The platform's account directory: who a target is, if anyone.

use diesel::prelude::*;

use crate::db::schema::{account_wallets, accounts};
use crate::db::DbConn;
use crate::domain::directory::Account;
use crate::domain::request::Target;
use crate::domain::vocab::TargetKind;

/// The residencies (as the directory holds them) of the accounts `targets` match, in the
/// targets' order, each once.
pub fn residencies(conn: &mut DbConn, targets: &[Target]) -> QueryResult<Vec<String>> {
    let mut countries = Vec::new();
    for target in targets {
        let Some(Some(uid)) = lookup(conn, target)? else {
            continue;
        };
        let country: Option<String> = accounts::table
            .find(&uid)
            .select(accounts::country)
            .first(conn)?;
        if let Some(country) = country.filter(|c| !c.trim().is_empty()) {
            if !countries.contains(&country) {
                countries.push(country);
            }
        }
    }
    Ok(countries)
}

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

/// The account whose e-mail of record is `email` (already normalised), if any.
pub fn account_by_email(conn: &mut DbConn, email: &str) -> QueryResult<Option<String>> {
    accounts::table
        .filter(accounts::email.eq(email))
        .select(accounts::uid)
        .order(accounts::uid)
        .first(conn)
        .optional()
}

/// e-mail, phone, name, country, status: what an import compares.
type AccountFields = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
);

/// What an import did with one account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upserted {
    Added,
    Updated,
    Unchanged,
}

/// Adds or updates an account, keyed by uid; `Ok(Err(reason))` refuses the row (a wallet that
/// belongs to another account).
pub fn upsert(
    conn: &mut DbConn,
    account: &Account,
    now: chrono::NaiveDateTime,
) -> QueryResult<Result<Upserted, String>> {
    for (chain, address) in &account.wallets {
        let owner: Option<String> = account_wallets::table
            .find((chain.as_str(), address))
            .select(account_wallets::uid)
            .first(conn)
            .optional()?;
        if let Some(other) = owner.filter(|other| *other != account.uid) {
            return Ok(Err(format!(
                "wallet {address} already belongs to account {other}"
            )));
        }
    }
    let status = if account.frozen { "frozen" } else { "active" };
    let stored: Option<AccountFields> = accounts::table
        .find(&account.uid)
        .select((
            accounts::email,
            accounts::phone,
            accounts::name,
            accounts::country,
            accounts::status,
        ))
        .first(conn)
        .optional()?;
    let mut wallets: Vec<(String, String)> = account_wallets::table
        .filter(account_wallets::uid.eq(&account.uid))
        .select((account_wallets::chain, account_wallets::address))
        .load(conn)?;
    wallets.sort();
    let mut wanted: Vec<(String, String)> = account
        .wallets
        .iter()
        .map(|(c, a)| (c.as_str().to_owned(), a.clone()))
        .collect();
    wanted.sort();
    wanted.dedup();
    let fields = (
        account.email.clone(),
        account.phone.clone(),
        account.name.clone(),
        account.country.clone(),
        status.to_owned(),
    );
    let outcome = match stored {
        Some(current) if current == fields && wallets == wanted => {
            return Ok(Ok(Upserted::Unchanged))
        }
        Some(_) => {
            diesel::update(accounts::table.find(&account.uid))
                .set((
                    accounts::email.eq(&account.email),
                    accounts::phone.eq(&account.phone),
                    accounts::name.eq(&account.name),
                    accounts::country.eq(&account.country),
                    accounts::status.eq(status),
                    accounts::updated_at.eq(now),
                ))
                .execute(conn)?;
            diesel::delete(account_wallets::table.filter(account_wallets::uid.eq(&account.uid)))
                .execute(conn)?;
            Upserted::Updated
        }
        None => {
            diesel::insert_into(accounts::table)
                .values((
                    accounts::uid.eq(&account.uid),
                    accounts::email.eq(&account.email),
                    accounts::phone.eq(&account.phone),
                    accounts::name.eq(&account.name),
                    accounts::country.eq(&account.country),
                    accounts::status.eq(status),
                    accounts::updated_at.eq(now),
                ))
                .execute(conn)?;
            Upserted::Added
        }
    };
    for (chain, address) in &wanted {
        diesel::insert_into(account_wallets::table)
            .values((
                account_wallets::chain.eq(chain),
                account_wallets::address.eq(address),
                account_wallets::uid.eq(&account.uid),
            ))
            .execute(conn)?;
    }
    Ok(Ok(outcome))
}
