//! Rows of the account directory import (DESIGN §6), parsed and checked before anything is stored.

use serde::Deserialize;

use super::email::EmailAddress;
use super::identifiers::{self, Verdict};
use super::profile::{Country, Phone};
use super::vocab::{Chain, TargetKind};

/// A row as the file spells it (CSV columns or JSON keys).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AccountRow {
    pub uid: String,
    pub email: String,
    pub phone: String,
    pub name: String,
    pub country: String,
    /// CSV: `chain:address;chain:address`; JSON lines: a list of `{chain, address}`.
    pub wallets: Wallets,
    pub status: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(untagged)]
pub enum Wallets {
    #[default]
    None,
    Listed(String),
    Objects(Vec<WalletObject>),
}

#[derive(Debug, Clone, Deserialize)]
pub struct WalletObject {
    pub chain: String,
    pub address: String,
}

/// A checked account, every identifier in its canonical spelling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub uid: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub name: Option<String>,
    pub country: Option<String>,
    pub wallets: Vec<(Chain, String)>,
    pub frozen: bool,
}

fn optional(text: &str) -> Option<&str> {
    let text = text.trim();
    (!text.is_empty()).then_some(text)
}

impl AccountRow {
    /// Checks the row; the error is the reason shown beside its line number.
    pub fn validate(&self) -> Result<Account, String> {
        let uid = match identifiers::check(TargetKind::UserId, None, &self.uid) {
            Verdict::Valid(uid) => uid,
            _ => {
                return Err(format!(
                    "uid “{}” is not a platform user ID",
                    self.uid.trim()
                ))
            }
        };
        let email = optional(&self.email)
            .map(|e| {
                EmailAddress::parse(e)
                    .map(|e| e.as_str().to_owned())
                    .map_err(|_| format!("e-mail “{e}” is not an address"))
            })
            .transpose()?;
        let phone = optional(&self.phone)
            .map(|p| {
                Phone::parse(p)
                    .map(|p| p.as_str().to_owned())
                    .ok_or_else(|| format!("phone “{p}” is not an international number"))
            })
            .transpose()?;
        let country = optional(&self.country)
            .map(|c| {
                Country::parse(c)
                    .map(|c| c.code().to_owned())
                    .ok_or_else(|| format!("country “{c}” is not an ISO 3166-1 code"))
            })
            .transpose()?;
        let frozen = match self.status.trim() {
            "active" => false,
            "frozen" => true,
            other => return Err(format!("status “{other}” is neither active nor frozen")),
        };
        let listed: Vec<(String, String)> = match &self.wallets {
            Wallets::None => Vec::new(),
            Wallets::Listed(text) => text
                .split(';')
                .filter(|w| !w.trim().is_empty())
                .map(|w| {
                    w.split_once(':')
                        .map(|(c, a)| (c.trim().to_owned(), a.trim().to_owned()))
                        .ok_or_else(|| format!("wallet “{w}” is not chain:address"))
                })
                .collect::<Result<_, _>>()?,
            Wallets::Objects(objects) => objects
                .iter()
                .map(|w| (w.chain.trim().to_owned(), w.address.trim().to_owned()))
                .collect(),
        };
        let mut wallets = Vec::with_capacity(listed.len());
        for (chain, address) in listed {
            let chain_kind = Chain::parse(&chain.to_lowercase())
                .ok_or_else(|| format!("chain “{chain}” is not known"))?;
            match identifiers::check(TargetKind::WalletAddress, Some(chain_kind), &address) {
                Verdict::Valid(canonical) | Verdict::Unchecked(canonical) => {
                    wallets.push((chain_kind, canonical))
                }
                Verdict::Invalid(reason) => return Err(format!("wallet {address}: {reason}")),
            }
        }
        Ok(Account {
            uid,
            email,
            phone,
            name: optional(&self.name).map(str::to_owned),
            country,
            wallets,
            frozen,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(wallets: &str) -> AccountRow {
        AccountRow {
            uid: "U-1".into(),
            email: "Alice@Example.com".into(),
            phone: "+1 202 555 0100".into(),
            country: "us".into(),
            wallets: Wallets::Listed(wallets.into()),
            status: "active".into(),
            ..Default::default()
        }
    }

    #[test]
    fn rows_are_normalised() {
        let account = row("btc:bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq;eth:0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed").validate().unwrap();
        assert_eq!(account.email.as_deref(), Some("alice@example.com"));
        assert_eq!(account.phone.as_deref(), Some("+12025550100"));
        assert_eq!(account.country.as_deref(), Some("US"));
        assert_eq!(
            account.wallets[1],
            (
                Chain::Eth,
                "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed".into()
            )
        );
    }

    #[test]
    fn bad_rows_say_why() {
        assert!(row("btc:bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdz")
            .validate()
            .unwrap_err()
            .contains("bech32 checksum"));
        assert!(row("eth")
            .validate()
            .unwrap_err()
            .contains("not chain:address"));
        assert!(row("doge:D123")
            .validate()
            .unwrap_err()
            .contains("chain “doge” is not known"));
        let mut bad = row("");
        bad.status = "closed".into();
        assert!(bad
            .validate()
            .unwrap_err()
            .contains("neither active nor frozen"));
        bad.status = "active".into();
        bad.uid = "U 1".into();
        assert!(bad
            .validate()
            .unwrap_err()
            .contains("not a platform user ID"));
    }
}
