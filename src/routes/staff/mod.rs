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
