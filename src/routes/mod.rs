//! HTTP routes, one module per audience; each exposes `routes()`.

pub mod agency;
pub mod api;
pub mod assets;
pub mod court;
pub mod public;
pub mod requester;
pub mod staff;
pub mod verify;

use rocket::http::Status;
use rocket::{Catcher, Request};

use crate::error::{AppError, GuardFailure};

/// Where a requester reads their case, whichever track it is on.
pub fn requester_case_path(reference: &crate::domain::reference::CaseReference) -> String {
    match reference.track() {
        crate::domain::vocab::Track::Agency => agency::case_path(reference),
        crate::domain::vocab::Track::Court => court::case_path(reference),
    }
}

/// Every error status ends here: the JSON shape on the API, a page elsewhere.
#[rocket::catch(default)]
fn any_error(status: Status, req: &Request<'_>) -> AppError {
    if let GuardFailure(Some((code, message))) = req.local_cache(|| GuardFailure(None)) {
        return AppError {
            status,
            code,
            message: message.clone(),
            fields: Default::default(),
        };
    }
    let (code, message) = match status.code {
        400 => ("bad_request", "The request could not be understood."),
        401 => ("unauthorized", "Sign in to continue."),
        403 => ("forbidden", "You may not do that."),
        404 => ("not_found", "Nothing was found at this address."),
        405 => ("method_not_allowed", "That method is not allowed here."),
        413 => ("too_large", "The request is too large."),
        415 => (
            "unsupported_media_type",
            "That content type is not accepted here.",
        ),
        422 => (
            "invalid",
            "The request's fields could not be read; check their names and types.",
        ),
        429 => (
            "rate_limited",
            "Too many requests. Wait a moment and try again.",
        ),
        _ if status.code >= 500 => (
            "internal",
            "Something went wrong on our side; nothing was changed.",
        ),
        _ => ("error", status.reason().unwrap_or("Error")),
    };
    AppError {
        status,
        code,
        message: message.to_owned(),
        fields: Default::default(),
    }
}

pub fn catchers() -> Vec<Catcher> {
    rocket::catchers![any_error]
}

/// A text file to save, as `Content-Disposition: attachment`.
#[derive(rocket::Responder)]
#[response(content_type = "text/plain; charset=utf-8")]
pub struct TextFile {
    body: String,
    disposition: rocket::http::Header<'static>,
}

impl TextFile {
    pub fn new(body: String, name: &str) -> TextFile {
        TextFile {
            body,
            disposition: rocket::http::Header::new(
                "Content-Disposition",
                format!("attachment; filename=\"{name}\""),
            ),
        }
    }
}
