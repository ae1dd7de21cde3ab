//! Produced files, sealed bundles and the keys that sign them.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::ids::CaseId;
use crate::db::schema::{bundles, productions, signing_keys};
use crate::db::DbConn;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = signing_keys)]
pub struct SigningKeyRow {
    pub id: String,
    pub public_key_pem: String,
    /// PKCS#8, sealed with the secrets key.
    pub private_key: String,
    pub created_at: NaiveDateTime,
    pub retired_at: Option<NaiveDateTime>,
}

impl SigningKeyRow {
    /// The key that signs new bundles: the newest not retired.
    pub fn active(conn: &mut DbConn) -> QueryResult<Option<SigningKeyRow>> {
        signing_keys::table
            .filter(signing_keys::retired_at.is_null())
            .order((signing_keys::created_at.desc(), signing_keys::id))
            .select(SigningKeyRow::as_select())
            .first(conn)
            .optional()
    }

    pub fn all(conn: &mut DbConn) -> QueryResult<Vec<SigningKeyRow>> {
        signing_keys::table
            .order((signing_keys::created_at, signing_keys::id))
            .select(SigningKeyRow::as_select())
            .load(conn)
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = productions)]
pub struct Production {
    pub id: String,
    pub case_id: CaseId,
    pub category: String,
    pub filename: String,
    pub media_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub sha512: String,
    pub crc32: i64,
    pub uploaded_by: String,
    pub uploaded_at: NaiveDateTime,
    pub bundle_n: Option<i32>,
}

impl Production {
    pub fn for_case(conn: &mut DbConn, case_id: &CaseId) -> QueryResult<Vec<Production>> {
        productions::table
            .filter(productions::case_id.eq(case_id))
            .order((productions::uploaded_at, productions::id))
            .select(Production::as_select())
            .load(conn)
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = bundles)]
pub struct Bundle {
    pub case_id: CaseId,
    pub n: i32,
    pub file_id: String,
    pub sha256: String,
    pub size_bytes: i64,
    pub files: i32,
    pub key_id: String,
    pub sealed_by: String,
    pub sealed_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

impl Bundle {
    pub fn for_case(conn: &mut DbConn, case_id: &CaseId) -> QueryResult<Vec<Bundle>> {
        bundles::table
            .filter(bundles::case_id.eq(case_id))
            .order(bundles::n)
            .select(Bundle::as_select())
            .load(conn)
    }

    pub fn find(conn: &mut DbConn, case_id: &CaseId, n: i32) -> QueryResult<Bundle> {
        bundles::table
            .find((case_id, n))
            .select(Bundle::as_select())
            .first(conn)
    }
}
