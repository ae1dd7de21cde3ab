//! The HTML pages: Tera templates from the binary (or the deployment's `WRIT_TEMPLATE_DIR`),
//! parsed once at start and rendered by a `Template` responder. A template `staff/case.html.tera`
//! is rendered as `staff/case` and served as HTML; what it prints is HTML-escaped.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

use rocket::http::{ContentType, Status};
use rocket::request::Request;
use rocket::response::{self, Responder};
use rocket::{Orbit, Rocket};
use serde::Serialize;
use tera::Tera;

use crate::app::App;
use crate::error::AppError;

/// The parsed page templates, managed by Rocket.
pub struct Pages {
    tera: Tera,
    kinds: HashMap<String, ContentType>,
}

impl Pages {
    /// Parses every page template: the mail and certificate templates have their own renderers.
    pub fn load(override_dir: Option<&Path>) -> Result<Pages, AppError> {
        let mut sources = Vec::new();
        let mut kinds = HashMap::new();
        for (path, text) in crate::assets::templates("", override_dir)? {
            if path.starts_with("mail/") || path.starts_with("certificate/") {
                continue;
            }
            let Some(stem) = path.strip_suffix(".tera") else {
                continue;
            };
            let (name, kind) = match stem.rsplit_once('.') {
                Some((name, ext)) if !ext.contains('/') => (
                    name.to_owned(),
                    ContentType::from_extension(ext).unwrap_or(ContentType::Text),
                ),
                _ => (stem.to_owned(), ContentType::Text),
            };
            kinds.insert(name.clone(), kind);
            sources.push((name, path, text));
        }
        let mut tera = Tera::default();
        add_filters(&mut tera);
        tera.add_raw_templates(
            sources
                .iter()
                .map(|(name, _, text)| (name.as_str(), text.as_str())),
        )
        .map_err(|e| AppError::config(format!("page templates: {}", describe(&e))))?;
        // Tera escapes by the file's name: give each template the one it came from.
        for (name, path, _) in &sources {
            if let Some(template) = tera.templates.get_mut(name) {
                template.path = Some(path.clone());
            }
        }
        tera.autoescape_on(vec![".html.tera", ".htm.tera", ".xml.tera"]);
        Ok(Pages { tera, kinds })
    }

    /// The page `name` with `context`, and the type it is served as.
    pub fn render(
        &self,
        name: &str,
        context: &serde_json::Value,
    ) -> Result<(ContentType, String), AppError> {
        let kind = self
            .kinds
            .get(name)
            .cloned()
            .ok_or_else(|| AppError::internal(format!("no page template {name}")))?;
        let context = tera::Context::from_value(context.clone())
            .map_err(|e| AppError::internal(format!("page {name}: {e}")))?;
        let text = self
            .tera
            .render(name, &context)
            .map_err(|e| AppError::internal(format!("page {name}: {}", describe(&e))))?;
        Ok((kind, text))
    }
}

/// A Tera error with its causes, which hold the line and the reason.
fn describe(error: &tera::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// A page to render when the response is sent.
#[derive(Debug)]
pub struct Template {
    name: Cow<'static, str>,
    context: serde_json::Value,
}

impl Template {
    pub fn render(name: impl Into<Cow<'static, str>>, context: impl Serialize) -> Template {
        let name = name.into();
        let context = serde_json::to_value(context).unwrap_or_else(|e| {
            log::error!("page {name}: its context does not serialise: {e}");
            serde_json::Value::Null
        });
        Template { name, context }
    }

    /// The same page with one more value in its context.
    pub fn with(mut self, key: &str, value: impl Serialize) -> Template {
        if let (Some(map), Ok(value)) = (self.context.as_object_mut(), serde_json::to_value(value))
        {
            map.insert(key.to_owned(), value);
        }
        self
    }

    /// The page rendered now, outside a request (a page streamed after a long check).
    pub fn show(rocket: &Rocket<Orbit>, name: &str, context: impl Serialize) -> Option<String> {
        let pages = rocket.state::<Pages>()?;
        let context = with_limits(serde_json::to_value(context).ok()?, rocket.state::<App>());
        match pages.render(name, &context) {
            Ok((_, text)) => Some(text),
            Err(e) => {
                log::error!("{}", e.message);
                None
            }
        }
    }
}

/// What every page may print of the settings: the upload limits, so that forms say them and the page's
/// script refuses a file too large before sending it.
fn with_limits(mut context: serde_json::Value, app: Option<&App>) -> serde_json::Value {
    if let (Some(app), Some(map)) = (app, context.as_object_mut()) {
        let config = &app.config;
        map.entry("limits").or_insert_with(|| {
            serde_json::json!({
                "document_bytes": config.max_document_bytes,
                "document_mib": config.max_document_bytes / (1024 * 1024),
                "documents": config.max_documents,
                "production_bytes": config.max_production_bytes,
                "verify_bytes": config.max_verify_bytes,
            })
        });
        // Not an upload limit, but as much a setting every page may print.
        map.entry("emergency_contact")
            .or_insert_with(|| serde_json::Value::from(config.emergency_contact.trim()));
    }
    context
}

impl<'r> Responder<'r, 'static> for Template {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        let pages = req.rocket().state::<Pages>().ok_or_else(|| {
            log::error!("the page templates are not loaded");
            Status::InternalServerError
        })?;
        let context = with_limits(self.context, req.rocket().state::<App>());
        let (kind, text) = pages.render(&self.name, &context).map_err(|e| {
            log::error!("{}", e.message);
            Status::InternalServerError
        })?;
        (kind, text).respond_to(req)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_html_and_escape_what_they_print() {
        let pages = Pages::load(None).unwrap();
        let (kind, text) = pages
            .render(
                "error",
                &serde_json::json!({ "status": 404, "reason": "Not Found", "message": "<script>alert(1)</script>" }),
            )
            .unwrap();
        assert_eq!(kind, ContentType::HTML);
        assert!(text.contains("&lt;script&gt;alert(1)"), "{text}");
        assert!(!text.contains("<script>alert"));
        assert!(text.contains("/static/favicon.svg"));
        assert!(pages.render("nowhere", &serde_json::json!({})).is_err());
    }

    #[test]
    fn a_deployment_page_replaces_the_shipped_one() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("public")).unwrap();
        std::fs::write(
            dir.path().join("public/index.html.tera"),
            "{% extends \"base\" %}{% block content %}<p>Our own front page</p>{% endblock content %}",
        )
        .unwrap();
        let pages = Pages::load(Some(dir.path())).unwrap();
        let (_, text) = pages
            .render("public/index", &serde_json::json!({}))
            .unwrap();
        assert!(text.contains("Our own front page"));
        std::fs::write(dir.path().join("public/index.html.tera"), "{% if %}").unwrap();
        let broken = Pages::load(Some(dir.path()))
            .err()
            .expect("a broken template is refused");
        assert!(
            broken.message.contains("public/index"),
            "{}",
            broken.message
        );
    }
}

/// The page that asks "are you sure?" before an action that cannot be undone, without
/// JavaScript: it posts the same fields again with `confirmed=true`.
#[derive(Debug, Serialize)]
pub struct Confirm {
    pub reference: String,
    pub heading: String,
    /// What will happen, one paragraph each.
    pub lines: Vec<String>,
    /// The reason typed into the form, shown back as it will be recorded.
    pub reason: Option<String>,
    /// Where the form posts, and the fields it carries besides `csrf` and `confirmed`.
    pub action: String,
    pub fields: Vec<(String, String)>,
    pub button: String,
    pub danger: bool,
    /// The page the action was started from.
    pub back: String,
}

impl Confirm {
    /// The page, with `frame` (the navigation's context: who is signed in, the CSRF token).
    pub fn render(self, mut frame: serde_json::Value) -> Template {
        frame["confirm"] = serde_json::json!(self);
        Template::render("confirm", frame)
    }
}

/// The filters every page and mail template may use.
pub fn add_filters(tera: &mut Tera) {
    tera.register_filter("utc", utc);
}

/// `{{ at | utc }}`: a time as Writ writes it everywhere, `2026-12-03 14:05 UTC` (the
/// `<time datetime>` beside it keeps the exact instant). A value that is not a time (a bare
/// date, an empty field) is left as it is.
fn utc(value: &tera::Value, _: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
    let Some(text) = value.as_str() else {
        return Ok(value.clone());
    };
    let parsed = chrono::DateTime::parse_from_rfc3339(text)
        .map(|at| at.naive_utc())
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f"))
        // A `NaiveDateTime` as serde writes it (UTC throughout Writ).
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f"));
    Ok(match parsed {
        Ok(at) => tera::Value::from(at.format("%Y-%m-%d %H:%M UTC").to_string()),
        Err(_) => value.clone(),
    })
}

#[cfg(test)]
mod time_tests {
    use super::*;

    fn utc_of(text: &str) -> String {
        utc(&tera::Value::from(text), &HashMap::new())
            .unwrap()
            .as_str()
            .unwrap()
            .to_owned()
    }

    #[test]
    fn times_read_the_same_everywhere() {
        assert_eq!(utc_of("2026-12-03T14:05:59Z"), "2026-12-03 14:05 UTC");
        assert_eq!(utc_of("2026-12-03T15:05:59+01:00"), "2026-12-03 14:05 UTC");
        assert_eq!(utc_of("2026-12-03 14:05:59.123456"), "2026-12-03 14:05 UTC");
        assert_eq!(utc_of("2026-12-03T14:05:59.123456"), "2026-12-03 14:05 UTC");
        assert_eq!(utc_of("2026-12-03"), "2026-12-03", "a date stays a date");
        assert_eq!(utc_of(""), "");
    }
}
