//! One error type for every handler: HTML for pages, the JSON error shape of the API.

use std::fmt;

use crate::domain::FieldErrors;
use crate::pages::Template;
use rocket::http::{ContentType, Status};
use rocket::request::Request;
use rocket::response::{self, Responder, Response};
use serde::Serialize;

/// What a failing request guard had to say, left in the request's cache for the catcher to show.
pub struct GuardFailure(pub Option<(&'static str, String)>);

#[derive(Debug)]
pub struct AppError {
    pub status: Status,
    pub code: &'static str,
    pub message: String,
    pub fields: FieldErrors,
}

impl AppError {
    fn new(status: Status, code: &'static str, message: impl Into<String>) -> AppError {
        AppError {
            status,
            code,
            message: message.into(),
            fields: FieldErrors::default(),
        }
    }
    pub fn not_found() -> AppError {
        AppError::new(
            Status::NotFound,
            "not_found",
            "Nothing was found at this address.",
        )
    }
    pub fn unauthorized(message: impl Into<String>) -> AppError {
        AppError::new(Status::Unauthorized, "unauthorized", message)
    }
    pub fn forbidden(message: impl Into<String>) -> AppError {
        AppError::new(Status::Forbidden, "forbidden", message)
    }
    pub fn bad_request(message: impl Into<String>) -> AppError {
        AppError::new(Status::BadRequest, "bad_request", message)
    }
    pub fn conflict(message: impl Into<String>) -> AppError {
        AppError::new(Status::Conflict, "conflict", message)
    }
    pub fn too_large(message: impl Into<String>) -> AppError {
        AppError::new(Status::PayloadTooLarge, "too_large", message)
    }
    pub fn unsupported_type(message: impl Into<String>) -> AppError {
        AppError::new(
            Status::UnsupportedMediaType,
            "unsupported_media_type",
            message,
        )
    }
    pub fn too_many(message: impl Into<String>) -> AppError {
        AppError::new(Status::TooManyRequests, "rate_limited", message)
    }
    /// The client stopped sending before the body was complete.
    pub fn timeout(message: impl Into<String>) -> AppError {
        AppError::new(Status::RequestTimeout, "timeout", message)
    }
    /// The server is at capacity for this kind of work: 503, try again shortly.
    pub fn busy(message: impl Into<String>) -> AppError {
        AppError::new(Status::ServiceUnavailable, "busy", message)
    }
    pub fn gone(message: impl Into<String>) -> AppError {
        AppError::new(Status::Gone, "gone", message)
    }
    /// One field is wrong: 422 with the message beside that field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> AppError {
        let mut fields = FieldErrors::default();
        fields.add(field, message);
        AppError::invalid_fields(fields)
    }
    pub fn invalid_fields(fields: FieldErrors) -> AppError {
        AppError {
            fields,
            ..AppError::new(
                Status::UnprocessableEntity,
                "invalid",
                "Some fields need attention; nothing was stored.",
            )
        }
    }
    pub fn with_code(mut self, code: &'static str) -> AppError {
        self.code = code;
        self
    }
    /// A misconfiguration found at start-up; its message is shown as is.
    pub fn config(message: impl Into<String>) -> AppError {
        AppError::new(Status::InternalServerError, "config", message)
    }
    /// Anything unexpected: logged here, shown to the caller as a generic 500.
    pub fn internal(e: impl fmt::Display) -> AppError {
        log::error!("internal error: {e}");
        AppError::new(
            Status::InternalServerError,
            "internal",
            "Something went wrong on our side; nothing was changed. Please try again.",
        )
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {}", self.code, self.status.code, self.message)
    }
}

impl std::error::Error for AppError {}

/// Field messages from the rules: 422 with each message beside its field.
impl From<FieldErrors> for AppError {
    fn from(fields: FieldErrors) -> AppError {
        AppError::invalid_fields(fields)
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> AppError {
        match e {
            diesel::result::Error::NotFound => AppError::not_found(),
            e => AppError::internal(e),
        }
    }
}

impl From<crate::db::json::Corrupt> for AppError {
    fn from(e: crate::db::json::Corrupt) -> AppError {
        AppError::internal(e)
    }
}

impl From<std::io::Error> for AppError {
    fn from(e: std::io::Error) -> AppError {
        AppError::internal(e)
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: ErrorDetail<'a>,
}

#[derive(Serialize)]
struct ErrorDetail<'a> {
    code: &'a str,
    message: &'a str,
    fields: &'a FieldErrors,
}

/// The JSON error document of the API (DESIGN §10).
pub fn json_error(
    status: Status,
    code: &str,
    message: &str,
    fields: &FieldErrors,
) -> Response<'static> {
    let body = serde_json::to_string(&ErrorBody {
        error: ErrorDetail {
            code,
            message,
            fields,
        },
    })
    .unwrap_or_else(|_| String::from(r#"{"error":{"code":"internal","message":"","fields":{}}}"#));
    Response::build()
        .status(status)
        .header(ContentType::JSON)
        .sized_body(body.len(), std::io::Cursor::new(body))
        .finalize()
}

pub fn is_api(req: &Request<'_>) -> bool {
    req.uri().path().as_str().starts_with("/api/")
}

impl<'r> Responder<'r, 'static> for AppError {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        if is_api(req) {
            return Ok(json_error(
                self.status,
                self.code,
                &self.message,
                &self.fields,
            ));
        }
        let page = Template::render(
            "error",
            serde_json::json!({ "status": self.status.code, "reason": self.status.reason(), "message": &self.message }),
        );
        Response::build_from(page.respond_to(req)?)
            .status(self.status)
            .ok()
    }
}

/// An error answered as JSON wherever the route is: for the few page routes a page's script
/// calls (the passkey ceremonies).
#[derive(Debug)]
pub struct AsJson(pub AppError);

impl From<AppError> for AsJson {
    fn from(error: AppError) -> AsJson {
        AsJson(error)
    }
}

impl<'r> Responder<'r, 'static> for AsJson {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        let e = self.0;
        Ok(json_error(e.status, e.code, &e.message, &e.fields))
    }
}

pub type AppResult<T> = Result<T, AppError>;
