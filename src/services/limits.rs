//! Rate limits, counted in the database so that every instance shares them.
//!
//! Addresses are counted by network (/24 for IPv4, /64 for IPv6), so that a holder of many
//! addresses in one network gets one budget. Limits a stranger could spend to lock someone out
//! (codes for an address, failed staff sign-ins) count per network and address pair, and the
//! address-wide ones apply only to networks from which the address has never signed in: its
//! owner's usual network keeps working whatever others send.

use std::net::IpAddr;

use chrono::TimeDelta;

use crate::crypto::sha256_hex;
use crate::db::models::{known_network, rate_limit};
use crate::db::Db;
use crate::domain::clock;
use crate::error::AppError;

#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub name: &'static str,
    pub max: i32,
    pub window: TimeDelta,
    pub message: &'static str,
}

/// Codes for one address from one network.
pub const CODE_PER_PAIR: Limit = Limit {
    name: "code-pair",
    max: 5,
    window: TimeDelta::minutes(15),
    message: "Too many codes were requested for this address. Wait 15 minutes and try again.",
};
/// Codes for one address from networks it has never signed in from.
pub const CODE_PER_EMAIL_NEW_NETWORKS: Limit = Limit {
    name: "code-email-new",
    max: 10,
    window: TimeDelta::hours(1),
    message: "Too many codes were requested for this address. Wait an hour, or sign in from a network you have used before.",
};
pub const CODE_PER_NETWORK: Limit = Limit {
    name: "code-net",
    max: 30,
    window: TimeDelta::minutes(15),
    message: "Too many sign-in attempts from your network. Wait 15 minutes and try again.",
};
pub const VERIFY_PER_NETWORK: Limit = Limit {
    name: "verify-net",
    max: 60,
    window: TimeDelta::minutes(15),
    message: "Too many codes were tried from your network. Wait 15 minutes and try again.",
};
/// Codes tried for the addresses of one domain from networks nobody has signed in from.
pub const VERIFY_PER_DOMAIN_NEW_NETWORKS: Limit = Limit {
    name: "verify-domain-new",
    max: 100,
    window: TimeDelta::minutes(15),
    message: "Too many codes were tried from your network. Wait 15 minutes and try again.",
};
/// Codes tried from all networks nobody has signed in from, together.
pub const VERIFY_NEW_NETWORKS: Limit = Limit {
    name: "verify-new",
    max: 1000,
    window: TimeDelta::minutes(15),
    message: "Too many codes were tried from your network. Wait 15 minutes and try again.",
};
/// The allowance is `WRIT_SUBMISSIONS_PER_HOUR` (30 by default).
pub const SUBMIT_PER_REQUESTER: Limit = Limit {
    name: "submit",
    max: 30,
    window: TimeDelta::hours(1),
    message: "Too many requests were submitted in the last hour. Wait a while and try again.",
};

pub const BUNDLE_CHECK_PER_NETWORK: Limit = Limit {
    name: "bundle-check-net",
    max: 20,
    window: TimeDelta::hours(1),
    message: "Too many bundles were checked from your network in the last hour. Wait a while, or use `writ verify` offline.",
};

/// The network `ip` belongs to: its /24 (IPv4, and IPv4 mapped into IPv6) or its /64 (IPv6).
/// Anything that is not an address stands for itself.
pub fn network(ip: &str) -> String {
    match ip.parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => {
            let [a, b, c, _] = v4.octets();
            format!("{a}.{b}.{c}.0/24")
        }
        Ok(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => network(&v4.to_string()),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        Err(_) => ip.to_owned(),
    }
}

/// Subjects are stored hashed: e-mail addresses and networks are personal data.
pub fn hashed(subject: &str) -> String {
    sha256_hex(subject.as_bytes())[..32].to_owned()
}

fn key(limit: &Limit, subject: &str) -> String {
    format!("{}:{}", limit.name, hashed(subject))
}

/// The subject of a per-pair limit.
pub fn pair(network: &str, address: &str) -> String {
    format!("{network} {address}")
}

/// Counts one hit for `subject`. Refuses with 429 once the window's allowance is spent.
pub async fn check(db: &Db, limit: Limit, subject: &str) -> Result<(), AppError> {
    let key = key(&limit, subject);
    let hits = db
        .run(move |conn| Ok(rate_limit::hit(conn, &key, limit.window, clock::now())?))
        .await?;
    if hits > limit.max {
        return Err(AppError::too_many(limit.message));
    }
    Ok(())
}

/// Refuses with 429 if `subject` has spent its allowance, without counting a hit (for limits
/// that count failures only: see [`spend`]).
pub async fn unspent(db: &Db, limit: Limit, subject: &str) -> Result<(), AppError> {
    let key = key(&limit, subject);
    let hits = db
        .run(move |conn| {
            Ok(rate_limit::hits_so_far(
                conn,
                &key,
                limit.window,
                clock::now(),
            )?)
        })
        .await?;
    if hits >= limit.max {
        return Err(AppError::too_many(limit.message));
    }
    Ok(())
}

/// Counts one hit (a failure) for `subject`.
pub async fn spend(db: &Db, limit: Limit, subject: &str) -> Result<(), AppError> {
    let key = key(&limit, subject);
    db.run(move |conn| Ok(rate_limit::hit(conn, &key, limit.window, clock::now()).map(|_| ())?))
        .await
}

/// Records a sign-in of `address` from `network`.
pub async fn remember(db: &Db, address: &str, network: &str) -> Result<(), AppError> {
    let (subject, network) = (hashed(address), hashed(network));
    db.run(move |conn| {
        Ok(known_network::remember(
            conn,
            &subject,
            &network,
            clock::now(),
        )?)
    })
    .await
}

/// Whether `address` (or, with `None`, anyone) has signed in from `network` before.
pub async fn known(db: &Db, address: Option<&str>, network: &str) -> Result<bool, AppError> {
    let (subject, network) = (address.map(hashed), hashed(network));
    db.run(move |conn| Ok(known_network::is_known(conn, subject.as_deref(), &network)?))
        .await
}

#[cfg(test)]
mod tests {
    use super::network;

    #[test]
    fn addresses_are_counted_by_network() {
        assert_eq!(network("203.0.113.7"), "203.0.113.0/24");
        assert_eq!(network("203.0.113.250"), "203.0.113.0/24");
        assert_eq!(network("::ffff:203.0.113.9"), "203.0.113.0/24");
        assert_eq!(network("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(network("2001:db8:1:2:ffff::9"), "2001:db8:1:2::/64");
        assert_ne!(network("2001:db8:1:3::1"), network("2001:db8:1:2::1"));
        assert_eq!(network("unknown"), "unknown");
    }
}
