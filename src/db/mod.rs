//! Diesel over one connection type for SQLite (always built) and PostgreSQL (feature `postgres`).

pub mod ids;
pub mod json;
pub mod models;
pub mod schema;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection};
use diesel::Connection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::error::AppError;

/// One connection, whichever backend the URL names. PostgreSQL comes first so that a
/// `postgres://` URL is never mistaken for an SQLite file name.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    #[cfg(feature = "postgres")]
    Pg(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
#[cfg(feature = "postgres")]
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Which backend a database URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of(url: &str) -> Backend {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

/// Turns the configured URL into what Diesel's `establish` expects: SQLite takes a path.
pub fn connection_string(url: &str) -> Result<String, AppError> {
    match Backend::of(url) {
        Backend::Postgres if cfg!(feature = "postgres") => Ok(url.to_owned()),
        Backend::Postgres => Err(AppError::config(
            "this build of writ has no PostgreSQL support: rebuild with `--features postgres`",
        )),
        Backend::Sqlite => {
            let path = url
                .strip_prefix("sqlite://")
                .or_else(|| url.strip_prefix("sqlite:"))
                .unwrap_or(url);
            Ok(path.to_owned())
        }
    }
}

#[derive(Debug)]
struct SqlitePragmas;

impl CustomizeConnection<DbConn, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut DbConn) -> Result<(), diesel::r2d2::Error> {
        #[cfg_attr(not(feature = "postgres"), expect(irrefutable_let_patterns))]
        if let DbConn::Sqlite(conn) = conn {
            // The settings each connection holds for itself (WAL belongs to the file: see
            // `Db::connect`). The busy timeout makes writers queue instead of failing with
            // "database is locked".
            conn.batch_execute(
                "PRAGMA busy_timeout = 15000; PRAGMA foreign_keys = ON; \
                 PRAGMA synchronous = NORMAL;",
            )
            .map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

pub type DbPool = Pool<ConnectionManager<DbConn>>;

/// The shared pool. Every query runs on the blocking thread pool, never on the async executor.
#[derive(Clone)]
pub struct Db {
    pool: DbPool,
    backend: Backend,
}

impl Db {
    pub fn connect(url: &str, size: u32) -> Result<Db, AppError> {
        let backend = Backend::of(url);
        let target = connection_string(url)?;
        if backend == Backend::Sqlite {
            // WAL (readers beside the one writer) is a property of the database file: switch it
            // once, on one connection, before the pool opens its connections side by side.
            // Switching takes a lock that they would otherwise meet at start-up, and r2d2 retries
            // a failed connection after 200 ms and more.
            let mut conn = diesel::SqliteConnection::establish(&target)
                .map_err(|e| AppError::config(format!("cannot open the database: {e}")))?;
            conn.batch_execute("PRAGMA busy_timeout = 15000; PRAGMA journal_mode = WAL;")
                .map_err(|e| AppError::config(format!("cannot open the database: {e}")))?;
        }
        let manager = ConnectionManager::<DbConn>::new(target);
        let pool = Pool::builder()
            .max_size(size)
            .connection_timeout(std::time::Duration::from_secs(30))
            .connection_customizer(Box::new(SqlitePragmas))
            .build(manager)
            .map_err(|e| AppError::config(format!("cannot open the database: {e}")))?;
        Ok(Db { pool, backend })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A connection for synchronous callers (the CLI, start-up, blocking tasks).
    pub fn get(&self) -> Result<PooledConnection<ConnectionManager<DbConn>>, AppError> {
        self.pool.get().map_err(AppError::internal)
    }

    /// Runs `f` in one write transaction (`write_tx`) on the blocking pool.
    pub async fn write<T, F>(&self, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn) -> Result<T, AppError> + Send + 'static,
    {
        self.run(move |conn| write_tx(conn, f)).await
    }

    /// Runs `f` with a connection on the blocking pool.
    pub async fn run<T, F>(&self, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn) -> Result<T, AppError> + Send + 'static,
    {
        let pool = self.pool.clone();
        rocket::tokio::task::spawn_blocking(move || {
            let mut conn = pool.get().map_err(AppError::internal)?;
            f(&mut conn)
        })
        .await
        .map_err(AppError::internal)?
    }

    pub fn migrate(&self) -> Result<(), AppError> {
        migrate(&mut *self.get()?)
    }

    /// How many migrations this build has that the database has not applied.
    pub fn pending_migrations(&self) -> Result<usize, AppError> {
        let mut conn = self.get()?;
        let failed = |e| AppError::config(format!("cannot read the applied migrations: {e}"));
        match &mut *conn {
            #[cfg(feature = "postgres")]
            DbConn::Pg(conn) => conn
                .pending_migrations(POSTGRES_MIGRATIONS)
                .map(|m| m.len())
                .map_err(failed),
            DbConn::Sqlite(conn) => conn
                .pending_migrations(SQLITE_MIGRATIONS)
                .map(|m| m.len())
                .map_err(failed),
        }
    }
}

/// Applies pending migrations. On PostgreSQL an advisory lock keeps several instances
/// starting together from racing each other.
pub fn migrate(conn: &mut DbConn) -> Result<(), AppError> {
    let failed = |e| AppError::config(format!("migration failed: {e}"));
    match conn {
        #[cfg(feature = "postgres")]
        DbConn::Pg(conn) => {
            conn.batch_execute("SELECT pg_advisory_lock(7238411)")
                .map_err(AppError::internal)?;
            let result = conn.run_pending_migrations(POSTGRES_MIGRATIONS).map(|_| ());
            conn.batch_execute("SELECT pg_advisory_unlock(7238411)")
                .map_err(AppError::internal)?;
            result.map_err(failed)
        }
        DbConn::Sqlite(conn) => conn
            .run_pending_migrations(SQLITE_MIGRATIONS)
            .map(|_| ())
            .map_err(failed),
    }
}

/// A transaction for work that reads before it writes. On SQLite it begins `IMMEDIATE`, so the
/// write lock is taken up front and a concurrent writer waits instead of failing mid-way.
pub fn write_tx<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    match conn {
        DbConn::Sqlite(inner) => {
            AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?;
            match f(conn) {
                Ok(value) => {
                    <DbConn as Connection>::TransactionManager::commit_transaction(conn)?;
                    Ok(value)
                }
                Err(e) => {
                    if let Err(rollback) =
                        <DbConn as Connection>::TransactionManager::rollback_transaction(conn)
                    {
                        log::error!("rollback failed: {rollback}");
                    }
                    Err(e)
                }
            }
        }
        #[cfg(feature = "postgres")]
        DbConn::Pg(_) => conn.transaction(f),
    }
}

/// Whether an error is a unique-constraint violation (a lost insert race).
pub fn is_unique_violation(e: &diesel::result::Error) -> bool {
    matches!(
        e,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}
