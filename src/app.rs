//! The application context: what the services need to do a request's work, built once at start
//! (`state::open`) and managed once. Handlers take it as `&State<App>`; services take `&App`.

use std::ops::Deref;
use std::sync::Arc;

use crate::config::Config;
use crate::crypto::Keys;
use crate::db::Db;
use crate::documents::DocumentStore;
use crate::domain::policy::Policy;
use crate::links::Links;
use crate::mail::Mailer;

/// A clone is a pointer's copy: a service moves one into the work it hands the blocking pool.
#[derive(Clone)]
pub struct App(Arc<Parts>);

/// What the App holds.
pub struct Parts {
    pub config: Config,
    pub db: Db,
    pub mailer: Mailer,
    pub store: DocumentStore,
    pub policy: Policy,
    pub keys: Keys,
    pub links: Links,
}

impl App {
    pub fn new(parts: Parts) -> App {
        App(Arc::new(parts))
    }
}

impl Deref for App {
    type Target = Parts;

    fn deref(&self) -> &Parts {
        &self.0
    }
}
