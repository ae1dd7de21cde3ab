//! The certificate's text as the legal team saved it, one row per version.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::certificate_templates;
use crate::db::DbConn;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = certificate_templates)]
pub struct CertificateTemplate {
    pub version: i32,
    pub body: String,
    pub changed_by: String,
    pub changed_at: NaiveDateTime,
}

impl CertificateTemplate {
    /// The newest version; `None` while Writ's own text is in use.
    pub fn current(conn: &mut DbConn) -> QueryResult<Option<CertificateTemplate>> {
        certificate_templates::table
            .order(certificate_templates::version.desc())
            .select(CertificateTemplate::as_select())
            .first(conn)
            .optional()
    }

    /// Stores `body` as the next version (in the caller's write transaction); returns it.
    pub fn save(
        conn: &mut DbConn,
        body: &str,
        staff_id: &str,
        now: NaiveDateTime,
    ) -> QueryResult<i32> {
        let last: Option<i32> = certificate_templates::table
            .select(diesel::dsl::max(certificate_templates::version))
            .first(conn)?;
        let version = last.unwrap_or(0) + 1;
        diesel::insert_into(certificate_templates::table)
            .values((
                certificate_templates::version.eq(version),
                certificate_templates::body.eq(body),
                certificate_templates::changed_by.eq(staff_id),
                certificate_templates::changed_at.eq(now),
            ))
            .execute(conn)?;
        Ok(version)
    }
}
