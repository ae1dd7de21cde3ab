//! `/static/`: the files the binary carries (`writ.css`, `passkey.js`, `favicon.svg`), after
//! those of the deployment's `WRIT_STATIC_DIR`, which win.

use std::path::{Path, PathBuf};

use rocket::fs::FileServer;
use rocket::http::{ContentType, Header};
use rocket::response::Redirect;
use rocket::{get, routes, Route};

/// A shipped file, with a validator so that browsers keep it.
#[derive(rocket::Responder)]
struct Shipped {
    body: (ContentType, Vec<u8>),
    etag: Header<'static>,
}

#[get("/<path..>", rank = 11)]
fn shipped(path: PathBuf) -> Option<Shipped> {
    let name = path
        .components()
        .map(|c| c.as_os_str().to_str())
        .collect::<Option<Vec<_>>>()?
        .join("/");
    let (bytes, sha256) = crate::assets::static_file(&name)?;
    let kind = path
        .extension()
        .and_then(|e| e.to_str())
        .and_then(ContentType::from_extension)
        .unwrap_or(ContentType::Binary);
    Some(Shipped {
        body: (kind, bytes),
        etag: Header::new("ETag", format!("\"{}\"", hex::encode(&sha256[..16]))),
    })
}

/// Browsers ask for `/favicon.ico` where a page names none (a PDF, a JSON answer).
#[get("/favicon.ico")]
pub fn favicon() -> Redirect {
    Redirect::permanent("/static/favicon.svg")
}

/// The routes under `/static`: the deployment's folder first, if it has one.
pub fn routes(static_dir: Option<&Path>) -> Vec<Route> {
    let mut all = routes![shipped];
    if let Some(dir) = static_dir.filter(|d| d.is_dir()) {
        all.extend(Vec::<Route>::from(FileServer::from(dir).rank(10)));
    }
    all
}
