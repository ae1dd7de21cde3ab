//! Verification for anyone holding a bundle: `/verify` checks an uploaded bundle file by file,
//! and `/.well-known/writ/signing-keys.json` publishes every key that ever signed one.

use rocket::data::Data;
use rocket::http::{ContentType, Status};
use rocket::serde::json::Json;
use rocket::{get, post, routes, Route, State};
use rocket_dyn_templates::Template;
use serde_json::{json, Value};

use crate::bundle::keys::PublicKey;
use crate::bundle::verify::verify;
use crate::config::Config;
use crate::db::Db;
use crate::documents::multipart;
use crate::error::AppError;
use crate::guards::{ClientIp, Csrf};
use crate::services::limits::{self, BUNDLE_CHECK_PER_IP};
use crate::services::signing;

#[get("/verify")]
fn page(csrf: Csrf) -> Template {
    Template::render("public/verify", json!({ "csrf": csrf.token() }))
}

/// Removes the uploaded copy whatever happens.
struct Upload(std::path::PathBuf);

impl Drop for Upload {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[post("/verify", data = "<data>")]
async fn check(
    csrf: Csrf,
    client: ClientIp,
    content_type: Option<&ContentType>,
    data: Data<'_>,
    config: &State<Config>,
    db: &State<Db>,
) -> (Status, Template) {
    let upload = Upload(
        config
            .documents_dir()
            .join("incoming")
            .join(format!("verify-{}", crate::db::models::new_id())),
    );
    let result = async {
        // Counted before the upload is read: a refused visitor writes nothing to disk.
        limits::check(db, BUNDLE_CHECK_PER_IP, &client.0).await?;
        let (fields, size) = multipart::receive_file_to(
            data,
            content_type,
            "bundle",
            &upload.0,
            config.max_verify_bytes,
        )
        .await?;
        let field = |name: &str| {
            fields
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.trim().to_owned())
        };
        csrf.verify(field("csrf").as_deref())?;
        if size == 0 {
            return Err(AppError::invalid(
                "bundle",
                "Choose the bundle (.zip) to check.",
            ));
        }
        let key = match field("key").filter(|k| !k.is_empty()) {
            Some(pem) => Some(PublicKey::from_pem(&pem).ok_or_else(|| {
                AppError::invalid(
                    "key",
                    "This is not an Ed25519 public key in PEM form (-----BEGIN PUBLIC KEY-----).",
                )
            })?),
            None => None,
        };
        let path = upload.0.clone();
        rocket::tokio::task::spawn_blocking(move || {
            let open = || std::fs::File::open(&path).map(std::io::BufReader::new);
            Ok::<_, std::io::Error>(verify(open, key.as_ref()))
        })
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::from)
    }
    .await;
    match result {
        Ok(report) => (
            Status::Ok,
            Template::render(
                "public/verify",
                json!({ "csrf": csrf.token(), "report": report }),
            ),
        ),
        Err(error) => {
            let mut errors = error.fields.clone();
            if errors.is_empty() {
                errors.add("bundle", error.message.clone());
            }
            (
                error.status,
                Template::render(
                    "public/verify",
                    json!({ "csrf": csrf.token(), "errors": errors }),
                ),
            )
        }
    }
}

#[get("/.well-known/writ/signing-keys.json")]
async fn signing_keys(db: &State<Db>) -> Result<Json<Value>, AppError> {
    signing::published(db).await.map(Json)
}

pub fn routes() -> Vec<Route> {
    routes![page, check, signing_keys]
}
