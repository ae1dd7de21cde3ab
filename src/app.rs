//! The application context: what the services need to do a request's work, built once at start
//! (`state::open`) and managed once. Handlers take it as `&State<App>`; services take `&App`.

use std::ops::Deref;
use std::sync::Arc;

use crate::config::Config;
use crate::crypto::Keys;
use crate::db::{Db, DbConn};
use crate::documents::DocumentStore;
use crate::domain::policy::Policy;
use crate::error::AppError;
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

    /// Runs `f` in one write transaction on the blocking pool (`Db::write`), with the App at
    /// hand, so the work need not copy out the parts it uses.
    pub async fn write<T, F>(&self, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn, &App) -> Result<T, AppError> + Send + 'static,
    {
        let app = self.clone();
        self.db.write(move |conn| f(conn, &app)).await
    }

    /// Runs `f` with a connection on the blocking pool (`Db::run`), with the App at hand.
    pub async fn run<T, F>(&self, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn, &App) -> Result<T, AppError> + Send + 'static,
    {
        let app = self.clone();
        self.db.run(move |conn| f(conn, &app)).await
    }
}

impl Deref for App {
    type Target = Parts;

    fn deref(&self) -> &Parts {
        &self.0
    }
}
