//! E-mail through a transactional outbox: a message is rendered and written to the `outbox`
//! table in the same transaction as what caused it; the worker sends it later, with retries.

pub mod outbox;
pub mod transport;

use std::path::Path;
use std::sync::Arc;

use serde::Serialize;
use tera::{Context, Tera};

use crate::db::models::new_id;
use crate::db::models::outbox::OutboxMessage;
use crate::db::DbConn;
use crate::domain::clock;
use crate::error::AppError;

/// Renders the templates `mail/<name>/{subject,text,html}.tera` and queues the result.
#[derive(Clone)]
pub struct Mailer {
    tera: Arc<Tera>,
}

/// A rendered message.
#[derive(Debug)]
pub struct Composed {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// A message to queue: which template, to whom, with what.
pub struct Letter<'a, C: Serialize> {
    pub template: &'static str,
    pub to: &'a str,
    pub context: &'a C,
}

impl Mailer {
    /// The shipped mail templates, or the deployment's where `template_dir` has its own.
    pub fn load(template_dir: Option<&Path>) -> Result<Mailer, AppError> {
        let mut tera = Tera::default();
        crate::pages::add_filters(&mut tera);
        let templates = crate::assets::templates("mail/", template_dir)?;
        tera.add_raw_templates(
            templates
                .iter()
                .map(|(path, text)| (path.strip_prefix("mail/").unwrap_or(path), text.as_str())),
        )
        .map_err(|e| AppError::config(format!("mail templates: {e:?}")))?;
        tera.autoescape_on(vec!["html.tera"]);
        Ok(Mailer {
            tera: Arc::new(tera),
        })
    }

    fn render(&self, template: &str, part: &str, context: &Context) -> Result<String, AppError> {
        self.tera
            .render(&format!("{template}/{part}.tera"), context)
            .map_err(|e| AppError::internal(format!("mail template {template}/{part}: {e:?}")))
    }

    /// The message `template` makes of `context`: its subject (on one line), text and HTML.
    pub fn compose<C: Serialize>(&self, template: &str, context: &C) -> Result<Composed, AppError> {
        let context = Context::from_serialize(context).map_err(AppError::internal)?;
        Ok(Composed {
            subject: self
                .render(template, "subject", &context)?
                .trim()
                .to_owned(),
            text: self.render(template, "text", &context)?,
            html: self.render(template, "html", &context)?,
        })
    }

    /// Writes the rendered message to the outbox on `conn` (the caller's transaction).
    pub fn queue<C: Serialize>(
        &self,
        conn: &mut DbConn,
        letter: Letter<'_, C>,
    ) -> Result<(), AppError> {
        let composed = self.compose(letter.template, letter.context)?;
        let now = clock::now();
        let message = OutboxMessage {
            id: new_id(),
            kind: letter.template.to_owned(),
            recipient: letter.to.to_owned(),
            subject: composed.subject,
            body_text: composed.text,
            body_html: composed.html,
            attempts: 0,
            next_attempt_at: now,
            locked_until: None,
            sent_at: None,
            last_error: None,
            created_at: now,
        };
        message.insert(conn)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::Mailer;

    /// Every shipped mail template, with a context of the shape its sender gives.
    fn letters() -> Vec<(&'static str, &'static str, Value)> {
        let link = "https://writ.example/agency/requests/LE-2026-000042";
        vec![
            (
                "audit_checkpoint",
                "audit_checkpoint",
                json!({ "seq": 1200, "hash": "ab".repeat(32), "at": "2026-12-02T14:05:00Z", "key_id": "k-2026-1", "json": "{\"seq\":1200}" }),
            ),
            (
                "bundle_sealed",
                "bundle_sealed",
                json!({ "reference": "LE-2026-000042", "n": 1, "sha256": "cd".repeat(32), "expires_at": "2027-01-01T00:00:00Z", "link": link, "verify": "https://writ.example/verify" }),
            ),
            (
                "callback_failed",
                "callback_failed",
                json!({ "reference": "LE-2026-000042", "officer": "Jane Doe <j.doe@fbi.gov>", "link": "https://writ.example/staff/cases/LE-2026-000042" }),
            ),
            ("code", "code", json!({ "code": "482913", "minutes": 10 })),
            (
                "colleague_added",
                "colleague_added",
                json!({ "reference": "LE-2026-000042", "by": "j.doe@fbi.gov", "link": link }),
            ),
            (
                "emergency_alert",
                "emergency_alert",
                json!({ "reference": "LE-2026-000042", "due_at": "2026-12-02T15:05:00Z", "link": "https://writ.example/staff/cases/LE-2026-000042" }),
            ),
            (
                "freeze_executed",
                "freeze_executed",
                json!({ "reference": "CO-2026-000007", "accounts": ["U-1001"], "assets": [{ "asset": "USDT", "amount": "all" }], "terms": { "respondent": "Alice Example", "max_sum": "USD 250,000", "until": "2027-03-01", "exceptions": "reasonable living expenses" } }),
            ),
            (
                "freeze_executed_no_account",
                "freeze_executed",
                json!({ "reference": "CO-2026-000007", "accounts": [], "assets": [], "terms": null }),
            ),
            (
                "freeze_released",
                "freeze_released",
                json!({ "reference": "CO-2026-000007", "released": ["U-1001"], "still_frozen": ["U-2002"], "reason": "The order was discharged." }),
            ),
            (
                "no_account",
                "no_account",
                json!({ "email": "nobody@fbi.gov" }),
            ),
            (
                "non_execution",
                "non_execution",
                json!({ "reference": "LE-2026-000042", "certificate": "Annex III, section E: the data is protected by immunities.", "link": link }),
            ),
            (
                "preservation_reminder",
                "preservation_reminder",
                json!({ "reference": "LE-2026-000042", "expires_at": "2027-03-02", "renewable": true, "link": link }),
            ),
            (
                "preservation_reminder_last",
                "preservation_reminder",
                json!({ "reference": "LE-2026-000042", "expires_at": "2027-03-02", "renewable": false, "link": link }),
            ),
            (
                "receipt",
                "receipt",
                json!({ "reference": "LE-2026-000042", "request_type": "Information request", "due_at": "2026-12-09T14:05:00Z", "link": link }),
            ),
            (
                "staff_message",
                "staff_message",
                json!({ "reference": "LE-2026-000042", "team": "legal team", "detail": "Please attach the signed warrant.", "link": link }),
            ),
            (
                "staff_message_bare",
                "staff_message",
                json!({ "reference": "LE-2026-000042", "team": "legal team", "detail": null, "link": link }),
            ),
            (
                "state_changed",
                "state_changed",
                json!({ "reference": "LE-2026-000042", "news": "was rejected", "needs_info": false, "team": "legal team", "detail": "The warrant names another platform.", "link": link }),
            ),
            (
                "state_changed_needs_info",
                "state_changed",
                json!({ "reference": "LE-2026-000042", "news": "needs more information", "needs_info": true, "team": "legal team", "detail": "Which wallet?", "link": link }),
            ),
        ]
    }

    /// Snapshots of every message as its recipient reads it (subject, text and HTML), so that a
    /// change to a template or a filter shows up as a reviewed diff.
    #[test]
    fn every_mail_template_renders_as_its_snapshot() {
        let mailer = Mailer::load(None).unwrap();
        let shipped: std::collections::BTreeSet<&str> = mailer
            .tera
            .get_template_names()
            .filter_map(|name| name.split_once('/').map(|(template, _)| template))
            .collect();
        let covered: std::collections::BTreeSet<&str> =
            letters().iter().map(|(_, template, _)| *template).collect();
        assert_eq!(covered, shipped, "every shipped template has a snapshot");
        for (name, template, context) in letters() {
            let composed = mailer.compose(template, &context).unwrap();
            let message = format!(
                "Subject: {}\n\n{}\n---- HTML ----\n{}",
                composed.subject, composed.text, composed.html
            );
            insta::assert_snapshot!(name, message);
        }
    }
}
