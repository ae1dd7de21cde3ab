//! The staff dashboard (`/staff`): sign-in, the legal queue, case pages, agency administration.

mod account;
mod admin;
mod bundles;
mod cases;
mod officers;
mod overview;
mod people;

pub use cases::QueueQuery;
mod signin;

use rocket::Route;
use serde_json::{json, Value};

use crate::error::AppError;
use crate::guards::Csrf;
use crate::routes::requester::{with_error, Page};

/// An admin page drawn again after `error`, with what `fill` adds (the values typed, the row
/// that failed) beside the message; a page that cannot be drawn shows its own error instead.
fn redrawn(
    template: &'static str,
    page: Result<Value, AppError>,
    csrf: &Csrf,
    error: AppError,
    fill: impl FnOnce(&mut Value),
) -> Page {
    match page {
        Ok(mut page) => {
            fill(&mut page);
            with_error(template, page, error)
        }
        Err(e) => undrawable(template, csrf, e),
    }
}

/// An admin page whose own context could not be read: the template with only the error.
fn undrawable(template: &'static str, csrf: &Csrf, error: AppError) -> Page {
    with_error(template, json!({ "csrf": csrf.token() }), error)
}

pub fn routes() -> Vec<Route> {
    let mut routes = signin::routes();
    routes.extend(cases::routes());
    routes.extend(bundles::routes());
    routes.extend(admin::routes());
    routes.extend(overview::routes());
    routes.extend(people::routes());
    routes.extend(officers::routes());
    routes.extend(account::routes());
    routes
}
