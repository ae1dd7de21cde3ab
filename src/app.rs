//! The application context: what the services need to do a request's work, built once at start
//! (`state::open`) and managed once. Handlers take it as `&State<App>`; services take `&App`.

use crate::config::Config;
use crate::crypto::Keys;
use crate::db::Db;
use crate::documents::DocumentStore;
use crate::domain::policy::Policy;
use crate::links::Links;
use crate::mail::Mailer;

#[derive(Clone)]
pub struct App {
    pub config: Config,
    pub db: Db,
    pub mailer: Mailer,
    pub store: DocumentStore,
    pub policy: Policy,
    pub keys: Keys,
    pub links: Links,
}
