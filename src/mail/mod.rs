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

    /// Writes the rendered message to the outbox on `conn` (the caller's transaction).
    pub fn queue<C: Serialize>(
        &self,
        conn: &mut DbConn,
        letter: Letter<'_, C>,
    ) -> Result<(), AppError> {
        let context = Context::from_serialize(letter.context).map_err(AppError::internal)?;
        let now = clock::now();
        let message = OutboxMessage {
            id: new_id(),
            kind: letter.template.to_owned(),
            recipient: letter.to.to_owned(),
            subject: self
                .render(letter.template, "subject", &context)?
                .trim()
                .to_owned(),
            body_text: self.render(letter.template, "text", &context)?,
            body_html: self.render(letter.template, "html", &context)?,
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
