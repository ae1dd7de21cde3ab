//! What the app builds once at start: database (migrated), keys, document store, mailer, links.

use rocket::{Build, Orbit, Rocket};

use crate::app::{App, Parts};
use crate::config::Config;
use crate::crypto::master::{MasterKey, SEALED};
use crate::crypto::stream::DocumentKey;
use crate::crypto::{b64, random_bytes, unb64, Keys, Pepper};
use crate::db::models::secret;
use crate::db::{Db, DbConn};
use crate::documents::DocumentStore;
use crate::error::AppError;
use crate::links::Links;
use crate::mail::transport::Transport;
use crate::mail::Mailer;

/// A secret kept in the database under `name`, sealed with the master key, made by `bytes` on
/// first use. A secret from before sealing is sealed in place as it is read.
fn stored(
    conn: &mut DbConn,
    master: &MasterKey,
    name: &str,
    bytes: fn() -> Vec<u8>,
) -> Result<Vec<u8>, AppError> {
    let value = secret::get_or_create(conn, name, || master.seal(name, &b64(&bytes())))?;
    let plain = if value.starts_with(SEALED) {
        master.open(name, &value).ok_or_else(|| {
            AppError::config(format!(
                "the master key does not open the stored secret {name}: start Writ with the key that sealed the database (WRIT_MASTER_KEY or WRIT_MASTER_KEY_FILE)"
            ))
        })?
    } else {
        secret::replace(conn, name, &value, &master.seal(name, &value))?;
        value
    };
    unb64(&plain).ok_or_else(|| AppError::config(format!("the stored secret {name} is not base64")))
}

fn key32() -> Vec<u8> {
    random_bytes::<32>().to_vec()
}

/// The keys every instance shares, from the database (made on first start).
pub fn load_keys(conn: &mut DbConn, master: &MasterKey) -> Result<Keys, AppError> {
    let pepper = Pepper::new(&stored(conn, master, "code_pepper", key32)?);
    let secrets = DocumentKey::from_bytes(&stored(conn, master, "secrets_key", key32)?)
        .ok_or_else(|| AppError::config("the stored secrets key is not 32 bytes"))?;
    Ok(Keys { pepper, secrets })
}

pub struct Opened {
    pub app: App,
    pub cookie_secret: Vec<u8>,
    pub pages: crate::pages::Pages,
    pub transport: Transport,
}

/// The one set of absolute links the app writes into e-mails, certificates and pages.
pub fn links(config: &Config) -> Links {
    Links::new(&config.public_url, crate::routes::requester_case_path)
}

/// Creates the data directory and opens everything. Blocking: call it off the async executor.
pub fn open(config: &Config) -> Result<Opened, AppError> {
    let policy = config.policy()?;
    std::fs::create_dir_all(&config.data_dir).map_err(|e| {
        AppError::config(format!(
            "cannot create the data directory {}: {e}",
            config.data_dir.display()
        ))
    })?;
    let db = Db::connect(&config.database_url(), config.database_pool_size)?;
    db.migrate()?;
    let master = crate::crypto::master::load(config)?;
    let mut conn = db.get()?;
    let cookie_secret = if config.secret_key.is_empty() {
        stored(&mut conn, &master, "cookie_secret", || {
            random_bytes::<64>().to_vec()
        })?
    } else {
        unb64(&config.secret_key)
            .filter(|k| k.len() >= 64)
            .ok_or_else(|| {
                AppError::config("WRIT_SECRET_KEY must be base64 of at least 64 bytes")
            })?
    };
    let keys = load_keys(&mut conn, &master)?;
    // The first start makes the key that signs bundles.
    crate::services::signing::active(&mut conn, &keys.secrets)?;
    let document_key = DocumentKey::from_bytes(&stored(&mut conn, &master, "document_key", key32)?)
        .ok_or_else(|| AppError::config("the stored document key is not 32 bytes"))?;
    drop(conn);
    let mut store = DocumentStore::new(
        config.documents_dir(),
        document_key,
        config.max_document_bytes,
    )?;
    store.max_production_bytes = config.max_production_bytes;
    if let Some(bucket) = config.bucket() {
        store = store.in_bucket(crate::documents::remote::Remote::open(&bucket)?);
    }
    store.body_idle = config.body_idle();
    if let Some(dir) = config.static_dir().filter(|d| !d.is_dir()) {
        return Err(AppError::config(format!(
            "WRIT_STATIC_DIR: {} is not a directory",
            dir.display()
        )));
    }
    let mailer = Mailer::load(config.template_dir().as_deref())?;
    let pages = crate::pages::Pages::load(config.template_dir().as_deref())?;
    let transport = Transport::from_config(config)?;
    Ok(Opened {
        app: App::new(Parts {
            config: config.clone(),
            db,
            mailer,
            store,
            policy,
            keys,
            links: links(config),
        }),
        cookie_secret,
        pages,
        transport,
    })
}

pub async fn ignite(rocket: Rocket<Build>, config: Config) -> Result<Rocket<Build>, Rocket<Build>> {
    let opened = {
        let config = config.clone();
        rocket::tokio::task::spawn_blocking(move || open(&config)).await
    };
    let opened = match opened {
        Ok(Ok(opened)) => opened,
        Ok(Err(e)) => {
            log::error!("cannot start: {}", e.message);
            return Err(rocket);
        }
        Err(e) => {
            log::error!("cannot start: {e}");
            return Err(rocket);
        }
    };
    let figment = rocket
        .figment()
        .clone()
        .merge(("secret_key", b64(&opened.cookie_secret)));
    let relying_party = crate::crypto::passkey::RelyingParty::for_public_url(&config.public_url);
    if let Err(why) = relying_party.webauthn() {
        log::warn!("{why}: officers can use an authenticator app only");
    }
    Ok(rocket
        .configure(figment)
        .manage(relying_party)
        .manage(opened.app)
        .manage(opened.pages)
        .manage(opened.transport))
}

pub async fn start_worker(rocket: &Rocket<Orbit>) {
    let (Some(app), Some(transport)) = (rocket.state::<App>(), rocket.state::<Transport>()) else {
        return;
    };
    if app.config.outbox_worker {
        rocket::tokio::spawn(crate::worker::run(app.clone(), transport.clone()));
    }
}
