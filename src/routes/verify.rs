//! Verification for anyone holding a bundle: `/verify` checks an uploaded bundle file by file
//! against the keys this platform publishes, and `/.well-known/writ/signing-keys.json`
//! publishes every key that ever signed one.
//!
//! The page is public, so its cost is bounded before any work is done: the rate limit is counted
//! before the body is read, the CSRF token must arrive ahead of the file (nothing is written
//! otherwise), a few bundles are checked at once per instance (503 beyond), and the check stops
//! when the visitor goes away.

use std::sync::Arc;
use std::time::Duration;

use crate::pages::Template;
use rocket::data::Data;
use rocket::http::{ContentType, Status};
use rocket::response::stream::TextStream;
use rocket::serde::json::Json;
use rocket::tokio::sync::{OwnedSemaphorePermit, Semaphore};
use rocket::{get, post, routes, Orbit, Rocket, Route, State};
use serde_json::{json, Value};

use crate::app::App;
use crate::bundle::verify::{verify, Control, Report, Trust};
use crate::documents::multipart;
use crate::error::AppError;
use crate::guards::{ClientIp, Csrf};
use crate::services::limits::{self, BUNDLE_CHECK_PER_NETWORK};
use crate::services::signing;

/// How often a waiting visitor's connection is written to: a keep-alive for them, and the write
/// that fails once they have gone, which stops the check.
const HEARTBEAT: Duration = Duration::from_millis(500);

/// The bundles this instance checks at once (`WRIT_MAX_CONCURRENT_VERIFY`).
pub struct Slots(Arc<Semaphore>);

impl Slots {
    pub fn new(permits: usize) -> Slots {
        Slots(Arc::new(Semaphore::new(permits.max(1))))
    }

    fn take(&self) -> Result<OwnedSemaphorePermit, AppError> {
        self.0.clone().try_acquire_owned().map_err(|_| {
            AppError::busy(
                "Other bundles are being checked right now. Try again in a minute, or use `writ verify` offline.",
            )
        })
    }
}

#[get("/verify")]
fn page(csrf: Csrf, app: &State<App>) -> Template {
    Template::render(
        "public/verify",
        json!({ "csrf": csrf.token(), "keys_url": app.links.signing_keys() }),
    )
}

/// Removes the uploaded copy whatever happens.
struct Upload(std::path::PathBuf);

impl Drop for Upload {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Stops the check when the response is dropped: finished, or abandoned by the client.
struct StopOnDrop(Arc<Control>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        if !self.0.is_cancelled() {
            self.0.cancel();
        }
    }
}

type Refusal = (Status, Template);

/// The running app, for rendering the report once the check ends.
pub struct Running<'r>(&'r Rocket<Orbit>);

#[rocket::async_trait]
impl<'r> rocket::request::FromRequest<'r> for Running<'r> {
    type Error = std::convert::Infallible;

    async fn from_request(
        req: &'r rocket::Request<'_>,
    ) -> rocket::request::Outcome<Self, Self::Error> {
        rocket::request::Outcome::Success(Running(req.rocket()))
    }
}

#[post("/verify", data = "<data>")]
async fn check<'r>(
    csrf: Csrf,
    client: ClientIp,
    content_type: Option<&ContentType>,
    data: Data<'_>,
    app: &State<App>,
    slots: &State<Slots>,
    running: Running<'r>,
) -> Result<(ContentType, TextStream![String + 'r]), Refusal> {
    let refuse = |error: AppError| {
        let mut errors = error.fields.clone();
        if errors.is_empty() {
            errors.add("bundle", error.message.clone());
        }
        (
            error.status,
            Template::render(
                "public/verify",
                json!({ "csrf": csrf.token(), "errors": errors, "keys_url": app.links.signing_keys() }),
            ),
        )
    };
    // Counted before the upload is read: a refused visitor writes nothing to disk.
    limits::check(
        &app.db,
        BUNDLE_CHECK_PER_NETWORK,
        &limits::network(&client.0),
    )
    .await
    .map_err(refuse)?;
    let permit = slots.take().map_err(refuse)?;
    let upload = Upload(
        app.config
            .documents_dir()
            .join("incoming")
            .join(format!("verify-{}", crate::db::models::new_id())),
    );
    let token_first = |fields: &[(String, String)]| {
        let token = fields
            .iter()
            .find(|(n, _)| n == "csrf")
            .map(|(_, v)| v.trim());
        csrf.verify(token)
    };
    let (_, size) = multipart::receive_file_to(
        data,
        content_type,
        "bundle",
        &upload.0,
        app.config.max_verify_bytes,
        app.config.body_idle(),
        token_first,
    )
    .await
    .map_err(refuse)?;
    if size == 0 {
        return Err(refuse(AppError::invalid(
            "bundle",
            "Choose the bundle (.zip) to check.",
        )));
    }
    let trust = Trust::Published(signing::trusted(&app.db).await.map_err(refuse)?);

    let control = Arc::new(Control::default());
    let stop = StopOnDrop(control.clone());
    let mut work = rocket::tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let path = upload.0.clone();
        let open = || std::fs::File::open(&path).map(std::io::BufReader::new);
        let report = verify(open, &trust, &control);
        if report.stopped {
            log::warn!(
                "a bundle check stopped after {} of {size} bytes: the visitor went away",
                control.hashed()
            );
        }
        drop(upload);
        report
    });
    let csrf = csrf.token().to_owned();
    let keys = app.links.signing_keys();
    Ok((
        ContentType::HTML,
        TextStream! {
            let _stop = stop;
            loop {
                match rocket::tokio::time::timeout(HEARTBEAT, &mut work).await {
                    Ok(done) => {
                        yield render(running.0, &csrf, &keys, done.ok());
                        break;
                    }
                    // White space before the document: harmless to a browser, and a write.
                    Err(_) => yield " ".to_owned(),
                }
            }
        },
    ))
}

fn render(rocket: &Rocket<Orbit>, csrf: &str, keys_url: &str, report: Option<Report>) -> String {
    let context = match &report {
        Some(report) => json!({ "csrf": csrf, "report": report, "keys_url": keys_url }),
        None => {
            json!({ "csrf": csrf, "keys_url": keys_url, "errors": { "bundle": "The check failed on our side. Please try again." } })
        }
    };
    Template::show(rocket, "public/verify", context)
        .unwrap_or_else(|| "The verification page could not be shown.".to_owned())
}

#[get("/.well-known/writ/signing-keys.json")]
async fn signing_keys(app: &State<App>) -> Result<Json<Value>, AppError> {
    signing::published(&app.db).await.map(Json)
}

pub fn routes() -> Vec<Route> {
    routes![page, check, signing_keys]
}
