//! The certificate's text, as the legal admins edit it: checked before it is kept, each save a
//! version, each change audited.

use serde::Serialize;
use serde_json::json;

use crate::audit::{self, Actor};
use crate::bundle::certificate::{self, Certificate};
use crate::db::models::certificate::CertificateTemplate;
use crate::db::models::staff::Staff;
use crate::db::Db;
use crate::domain::clock::{self, rfc3339};
use crate::domain::vocab::Role;
use crate::error::AppError;

/// The text in use, for the editing page.
#[derive(Debug, Serialize)]
pub struct TemplateView {
    pub body: String,
    /// `None` while Writ's own text is in use.
    pub version: Option<i32>,
    pub changed_by: Option<String>,
    pub changed_at: Option<String>,
    /// The text rendered for a sample bundle, as signed inside the United States.
    pub preview: String,
}

impl TemplateView {
    fn of(body: String, saved: Option<(i32, String, String)>) -> TemplateView {
        let preview = Certificate::sample(false)
            .render(&body)
            .unwrap_or_else(|e| format!("(does not render: {e})"));
        let (version, changed_by, changed_at) = match saved {
            Some((v, by, at)) => (Some(v), Some(by), Some(at)),
            None => (None, None, None),
        };
        TemplateView {
            body,
            version,
            changed_by,
            changed_at,
            preview,
        }
    }

    /// `body` as submitted and refused: shown again for correction, with no version.
    pub fn unsaved(body: &str) -> TemplateView {
        TemplateView::of(body.to_owned(), None)
    }
}

pub async fn current(db: &Db) -> Result<TemplateView, AppError> {
    db.run(|conn| {
        Ok(match CertificateTemplate::current(conn)? {
            Some(saved) => {
                let by = Staff::find(conn, &saved.changed_by)?.name;
                TemplateView::of(
                    saved.body,
                    Some((saved.version, by, rfc3339(saved.changed_at))),
                )
            }
            None => TemplateView::of(certificate::DEFAULT_TEMPLATE.to_owned(), None),
        })
    })
    .await
}

/// Keeps `body` as the certificate's next version, once it passes `certificate::check`
/// (`restore` saves Writ's own text instead). Legal admins only.
pub async fn save(db: &Db, admin: &Staff, body: &str, restore: bool) -> Result<i32, AppError> {
    if admin.role < Role::Admin {
        return Err(AppError::forbidden(
            "Only a legal admin may change the certificate.",
        ));
    }
    let body = if restore {
        certificate::DEFAULT_TEMPLATE.to_owned()
    } else {
        // Browsers send a textarea's lines with CR LF.
        body.replace("\r\n", "\n")
    };
    certificate::check(&body).map_err(|m| AppError::invalid("body", m))?;
    let id = admin.id.clone();
    db.write(move |conn| {
        let version = CertificateTemplate::save(conn, &body, &id, clock::now())?;
        audit::record(
            conn,
            &Actor::Staff(id.clone()),
            None,
            "certificate.template_changed",
            json!({ "version": version, "sha256": crate::crypto::sha256_hex(body.as_bytes()), "restored_default": restore }),
        )?;
        Ok(version)
    })
    .await
}
