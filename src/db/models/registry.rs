use diesel::prelude::*;

use crate::db::schema::{approved_agencies, blocked_domains, gov_domains};
use crate::db::DbConn;
use crate::domain::clock;
use crate::domain::registry::{lookup_names, DotGovEntry, RegistryFacts};

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = gov_domains)]
pub struct NewGovDomain {
    pub domain: String,
    pub source: String,
    pub domain_type: String,
    pub organization: String,
    pub suborganization: String,
    pub city: String,
    pub region: String,
    pub imported_at: chrono::NaiveDateTime,
}

/// Replaces every entry of `source` with `rows` (an import is the registry's whole current state).
pub fn replace_source(
    conn: &mut DbConn,
    source: &str,
    rows: &[NewGovDomain],
) -> QueryResult<usize> {
    diesel::delete(gov_domains::table.filter(gov_domains::source.eq(source))).execute(conn)?;
    // One statement per row: batch inserts are not available through the multi-backend connection.
    rows.iter().try_fold(0, |n, row| {
        Ok(n + diesel::insert_into(gov_domains::table)
            .values(row)
            .execute(conn)?)
    })
}

/// How many domains the last import of `source` holds.
pub fn count_source(conn: &mut DbConn, source: &str) -> QueryResult<i64> {
    gov_domains::table
        .filter(gov_domains::source.eq(source))
        .count()
        .get_result(conn)
}

/// What the registries say about `domain` and its parents; the most specific match wins.
pub fn facts(conn: &mut DbConn, domain: &str) -> QueryResult<RegistryFacts> {
    let names = lookup_names(domain);
    let longest = |mut found: Vec<(String, String)>| {
        found.sort_by_key(|(name, _)| std::cmp::Reverse(name.len()));
        found.into_iter().next()
    };
    let blocked = blocked_domains::table
        .filter(blocked_domains::domain.eq_any(&names))
        .select((blocked_domains::domain, blocked_domains::reason))
        .load::<(String, String)>(conn)?;
    let approved = approved_agencies::table
        .filter(approved_agencies::domain.eq_any(&names))
        .select((approved_agencies::domain, approved_agencies::agency_name))
        .load::<(String, String)>(conn)?;
    let mut dotgov = gov_domains::table
        .filter(gov_domains::domain.eq_any(&names))
        .select((
            gov_domains::domain,
            gov_domains::domain_type,
            gov_domains::organization,
            gov_domains::suborganization,
        ))
        .load::<(String, String, String, String)>(conn)?;
    dotgov.sort_by_key(|(name, ..)| std::cmp::Reverse(name.len()));
    Ok(RegistryFacts {
        blocked: longest(blocked),
        approved: longest(approved),
        dotgov: dotgov.into_iter().next().map(
            |(domain, domain_type, organization, suborganization)| DotGovEntry {
                domain,
                domain_type,
                organization,
                suborganization,
            },
        ),
    })
}

pub fn block(conn: &mut DbConn, domain: &str, reason: &str, by: &str) -> QueryResult<usize> {
    diesel::insert_into(blocked_domains::table)
        .values((
            blocked_domains::domain.eq(domain),
            blocked_domains::reason.eq(reason),
            blocked_domains::blocked_by.eq(by),
            blocked_domains::blocked_at.eq(clock::now()),
        ))
        .execute(conn)
}

pub fn approve(
    conn: &mut DbConn,
    domain: &str,
    agency: &str,
    country: &str,
    by: &str,
) -> QueryResult<usize> {
    diesel::insert_into(approved_agencies::table)
        .values((
            approved_agencies::domain.eq(domain),
            approved_agencies::agency_name.eq(agency),
            approved_agencies::country.eq(country),
            approved_agencies::approved_by.eq(by),
            approved_agencies::approved_at.eq(clock::now()),
        ))
        .execute(conn)
}
