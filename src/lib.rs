//! Writ: the legal-request intake portal. `rocket(config)` builds the whole application, so
//! `writ serve` and the tests run the very same thing.

pub mod app;
pub mod assets;
pub mod audit;
pub mod bundle;
pub mod cli;
pub mod config;
pub mod crypto;
pub mod db;
pub mod doctor;
pub mod documents;
pub mod domain;
pub mod error;
pub mod guards;
pub mod links;
pub mod logging;
pub mod mail;
pub mod pages;
pub mod routes;
pub mod security;
pub mod services;
pub mod state;
pub mod worker;

use rocket::data::{Limits, ToByteUnit};
use rocket::fairing::AdHoc;
use rocket::{Build, Rocket};

pub use config::Config;

/// The application: routes, templates, security headers, and (at ignite) the database,
/// keys, document store and mailer, all built from `config`.
pub fn rocket(config: Config) -> Rocket<Build> {
    let max_upload = config
        .max_document_bytes
        .saturating_mul(config.max_documents as u64)
        + 4 * 1024 * 1024;
    let figment = rocket::Config::figment()
        .merge(("address", config.address.clone()))
        .merge(("port", config.port));
    // Rocket reads the client's address from `X-Real-IP` unless told otherwise: that header is
    // only to be believed when a proxy of the deployment's own sets it.
    let figment = match config.ip_header.trim() {
        "" => figment.merge(("ip_header", false)),
        header => figment.merge(("ip_header", header.to_owned())),
    };
    let figment = figment
        .merge(("cli_colors", false))
        // Request lines carry query strings (a staff search for an e-mail address, say): the
        // default keeps launch lines, warnings and errors only, so that no personal data is logged.
        .merge(("log_level", config.log_level.clone()))
        .merge((
            "limits",
            Limits::default()
                .limit("json", 1.mebibytes())
                .limit("form", 256.kibibytes())
                .limit("data-form", max_upload.bytes()),
        ));
    let verify_slots = routes::verify::Slots::new(config.max_concurrent_verify);
    let config_static_dir = config.static_dir();
    rocket::custom(figment)
        .manage(verify_slots)
        .attach(AdHoc::try_on_ignite("Writ state", |rocket| {
            state::ignite(rocket, config)
        }))
        .attach(security::Headers)
        .attach(AdHoc::on_liftoff("Outbox worker", |rocket| {
            Box::pin(state::start_worker(rocket))
        }))
        .mount("/", routes::public::routes())
        .mount("/", routes::verify::routes())
        .mount("/agency", routes::agency::routes())
        .mount("/court", routes::court::routes())
        .mount("/staff", routes::staff::routes())
        .mount("/api/v1", routes::api::routes())
        .mount(
            "/static",
            routes::assets::routes(config_static_dir.as_deref()),
        )
        .register("/", routes::catchers())
}
