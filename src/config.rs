//! Typed configuration, read once: built-in defaults, then `WRIT_*` environment variables.

use std::path::PathBuf;

use rocket::figment::providers::{Env, Format, Serialized, Toml};
use rocket::figment::Figment;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Config {
    /// `sqlite:PATH` (or a plain path) or `postgres://…`. Empty: `DATA_DIR/writ.db`.
    pub database_url: String,
    pub database_pool_size: u32,
    /// Where the SQLite database, documents and e-mail files live.
    pub data_dir: PathBuf,
    /// The address people reach the portal at; used in e-mailed links.
    pub public_url: String,
    pub address: String,
    pub port: u16,
    /// Behind a reverse proxy: the header that carries the client's address (`X-Real-IP`).
    /// Empty (the default): the socket's address, which no header can spoof.
    pub ip_header: String,
    /// `smtp://host:port`; empty: e-mail is written as `.eml` files to `mail_dir`.
    pub smtp_url: String,
    /// Empty: `DATA_DIR/mail`.
    pub mail_dir: String,
    pub mail_from: String,
    /// Base64 of 64 bytes for the session cookies; empty: generated once and kept in the database.
    pub secret_key: String,
    /// Base64 of 32 bytes: the key that seals every key kept in the database. Empty: the key
    /// file `master_key_file`, made on first start.
    pub master_key: String,
    /// Empty: `DATA_DIR/master.key`.
    pub master_key_file: String,
    /// Largest accepted document, in bytes.
    pub max_document_bytes: u64,
    pub max_documents: usize,
    /// Where the platform is established; instruments from elsewhere get an MLAT caution.
    pub home_country: String,
    /// How an officer reaches the legal team's on-call at once (a telephone line, 24/7), shown
    /// on the emergency part of the request form; empty: not shown.
    pub emergency_contact: String,
    /// The authority policy (TOML); empty: the shipped `policy/default.toml`.
    pub policy_file: String,
    /// A deployment's own page and mail templates: a file here replaces the shipped one of the
    /// same path (`base.html.tera`, `mail/receipt/subject.tera`, …). Empty: the shipped ones.
    pub template_dir: String,
    /// A deployment's own static files, served under `/static/` before the shipped ones.
    pub static_dir: String,
    /// Where executed freezes are reported, for the platform's operations team.
    pub operations_email: String,
    /// The on-call legal address every emergency request is announced to at once. Empty: every
    /// active legal reviewer and admin.
    pub oncall_email: String,
    /// Run the outbox worker in this process.
    pub outbox_worker: bool,
    /// Send cookies with `Secure` (set when TLS is terminated in front of Writ or by Rocket).
    pub secure_cookies: bool,
    /// Largest produced file a legal reviewer may attach, in bytes.
    pub max_production_bytes: u64,
    /// How long a requester's link to a sealed bundle works.
    pub bundle_link_days: i64,
    /// Largest bundle the public `/verify` page accepts, in bytes.
    pub max_verify_bytes: u64,
    /// Bundles the public `/verify` page checks at once on this instance; more wait their turn
    /// elsewhere (503).
    pub max_concurrent_verify: usize,
    /// Rocket's log level: `critical` (launch, warnings, errors), `normal` (also every request
    /// line, query strings included: personal data), `debug` or `off`.
    pub log_level: String,
    /// Requests one requester may file in an hour; more are refused with 429.
    pub submissions_per_hour: i32,
    /// A session (page or API token, requester or staff) unused this long stops working.
    pub session_idle_minutes: i64,
    /// An upload that sends nothing for this long is dropped with 408, so that slow clients
    /// cannot hold connections open.
    pub body_idle_seconds: u64,
    /// `s3://bucket/prefix`: documents, productions and bundles live in that S3-compatible
    /// bucket, so that instances on several machines share them. Empty: `DATA_DIR/documents`.
    pub storage_url: String,
    /// The S3 server's address (`https://…`, or `http://…` on a private network). Empty: AWS.
    pub s3_endpoint: String,
    /// Empty: `us-east-1`, or `AWS_REGION`.
    pub s3_region: String,
    /// Empty: the usual AWS sources (`AWS_ACCESS_KEY_ID`, an instance role, …).
    pub s3_access_key_id: String,
    pub s3_secret_access_key: String,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            database_url: String::new(),
            database_pool_size: 8,
            data_dir: PathBuf::from("var"),
            public_url: String::from("http://localhost:8000"),
            address: String::from("127.0.0.1"),
            port: 8000,
            ip_header: String::new(),
            smtp_url: String::new(),
            mail_dir: String::new(),
            mail_from: String::from("Writ Legal <legal-requests@writ.localhost>"),
            secret_key: String::new(),
            master_key: String::new(),
            master_key_file: String::new(),
            max_document_bytes: 50 * 1024 * 1024,
            max_documents: 20,
            home_country: String::from("US"),
            emergency_contact: String::new(),
            policy_file: String::new(),
            template_dir: String::new(),
            static_dir: String::new(),
            operations_email: String::from("operations@writ.localhost"),
            oncall_email: String::new(),
            outbox_worker: true,
            secure_cookies: false,
            max_production_bytes: 8 * 1024 * 1024 * 1024,
            bundle_link_days: 30,
            max_verify_bytes: 8 * 1024 * 1024 * 1024,
            max_concurrent_verify: 2,
            log_level: String::from("critical"),
            submissions_per_hour: 30,
            session_idle_minutes: 30,
            body_idle_seconds: 30,
            storage_url: String::new(),
            s3_endpoint: String::new(),
            s3_region: String::new(),
            s3_access_key_id: String::new(),
            s3_secret_access_key: String::new(),
        }
    }
}

impl Config {
    /// Defaults, overridden by the TOML file `WRIT_CONFIG` names (its keys are the settings'
    /// names without `WRIT_`: `database_url = "…"`), overridden in turn by `WRIT_*` variables.
    pub fn load() -> Result<Config, AppError> {
        let file = std::env::var("WRIT_CONFIG")
            .ok()
            .filter(|f| !f.trim().is_empty());
        if let Some(file) = &file {
            if !std::path::Path::new(file).is_file() {
                return Err(AppError::config(format!(
                    "WRIT_CONFIG: {file} is not a file"
                )));
            }
        }
        Config::figment_with(file.as_deref())
            .extract()
            .map_err(|e| AppError::config(format!("configuration: {e}")))
    }

    pub fn figment() -> Figment {
        Config::figment_with(None)
    }

    fn figment_with(file: Option<&str>) -> Figment {
        let figment = Figment::from(Serialized::defaults(Config::default()));
        let figment = match file {
            Some(file) => figment.merge(Toml::file(file)),
            None => figment,
        };
        figment.merge(Env::prefixed("WRIT_").ignore(&["config"]))
    }

    /// Why `public_url` does not lead to this instance, where it names this machine: e-mailed
    /// links and signed certificates would point elsewhere. A public URL on another host is
    /// a reverse proxy's, whose port is its own.
    pub fn public_url_mismatch(&self) -> Option<String> {
        use rocket::http::uri::Absolute;
        let url = self.public_url.trim();
        let parsed = match Absolute::parse(url) {
            Ok(parsed) if matches!(parsed.scheme(), "http" | "https") => parsed,
            _ => return Some(format!("WRIT_PUBLIC_URL “{url}” is not an http:// or https:// address: e-mailed links will not work")),
        };
        let authority = parsed.authority()?;
        let host = authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']');
        let local = ["localhost", "127.0.0.1", "::1"].contains(&host)
            || (host == self.address && !["0.0.0.0", "::"].contains(&self.address.as_str()));
        if !local {
            return None;
        }
        let port = authority
            .port()
            .unwrap_or(if parsed.scheme() == "https" { 443 } else { 80 });
        (port != self.port).then(|| {
            format!(
                "WRIT_PUBLIC_URL {url} names port {port}, but Writ listens on {}:{}: e-mailed links and signed certificates would point elsewhere (set WRIT_PUBLIC_URL={}://{host}:{})",
                self.address, self.port, parsed.scheme(), self.port
            )
        })
    }

    pub fn database_url(&self) -> String {
        if self.database_url.is_empty() {
            format!("sqlite:{}", self.data_dir.join("writ.db").display())
        } else {
            self.database_url.clone()
        }
    }

    pub fn mail_dir(&self) -> PathBuf {
        if self.mail_dir.is_empty() {
            self.data_dir.join("mail")
        } else {
            PathBuf::from(&self.mail_dir)
        }
    }

    /// The authority policy: the configured file, or the one that ships. A broken file is a
    /// start-up error naming the file, the line and the reason.
    pub fn policy(&self) -> Result<crate::domain::policy::Policy, AppError> {
        use crate::domain::policy::{Policy, DEFAULT};
        if self.policy_file.is_empty() {
            return Policy::parse(DEFAULT)
                .map_err(|e| AppError::config(format!("policy/default.toml: {e}")));
        }
        let text = std::fs::read_to_string(&self.policy_file).map_err(|e| {
            AppError::config(format!(
                "cannot read the policy file {}: {e}",
                self.policy_file
            ))
        })?;
        Policy::parse(&text)
            .map_err(|e| AppError::config(format!("policy file {}: {e}", self.policy_file)))
    }

    pub fn body_idle(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.body_idle_seconds.max(1))
    }

    /// Sessions last used before this are no longer live.
    pub fn idle_since(&self, now: chrono::NaiveDateTime) -> chrono::NaiveDateTime {
        now - chrono::TimeDelta::minutes(self.session_idle_minutes.max(1))
    }

    /// The deployment's template folder, if it names one.
    pub fn template_dir(&self) -> Option<PathBuf> {
        (!self.template_dir.trim().is_empty()).then(|| PathBuf::from(self.template_dir.trim()))
    }

    /// The deployment's static folder, if it names one.
    pub fn static_dir(&self) -> Option<PathBuf> {
        (!self.static_dir.trim().is_empty()).then(|| PathBuf::from(self.static_dir.trim()))
    }

    /// The bucket stored files live in, if the settings name one.
    pub fn bucket(&self) -> Option<crate::documents::remote::Settings> {
        let url = self.storage_url.trim();
        (!url.is_empty()).then(|| crate::documents::remote::Settings {
            url: url.to_owned(),
            endpoint: self.s3_endpoint.trim().to_owned(),
            region: self.s3_region.trim().to_owned(),
            access_key_id: self.s3_access_key_id.trim().to_owned(),
            secret_access_key: self.s3_secret_access_key.trim().to_owned(),
        })
    }

    pub fn documents_dir(&self) -> PathBuf {
        self.data_dir.join("documents")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(public_url: &str, address: &str, port: u16) -> Config {
        Config {
            public_url: public_url.into(),
            address: address.into(),
            port,
            ..Config::default()
        }
    }

    #[test]
    fn a_public_url_naming_this_machine_names_the_port_it_listens_on() {
        assert_eq!(
            at("http://localhost:8000", "127.0.0.1", 8000).public_url_mismatch(),
            None
        );
        assert_eq!(
            at("http://127.0.0.1:9000/", "127.0.0.1", 9000).public_url_mismatch(),
            None
        );
        let wrong = at("http://localhost:8000", "127.0.0.1", 9000)
            .public_url_mismatch()
            .unwrap();
        assert!(
            wrong.contains("names port 8000, but Writ listens on 127.0.0.1:9000"),
            "{wrong}"
        );
        assert!(wrong.contains("WRIT_PUBLIC_URL=http://localhost:9000"));
        let default_port = at("http://localhost", "127.0.0.1", 8000)
            .public_url_mismatch()
            .unwrap();
        assert!(default_port.contains("names port 80"));
        let own_address = at("http://10.0.0.5:8000", "10.0.0.5", 8080).public_url_mismatch();
        assert!(own_address.is_some());
        // Behind a reverse proxy the public address is the proxy's.
        assert_eq!(
            at("https://legal.example.com", "127.0.0.1", 8000).public_url_mismatch(),
            None
        );
        let broken = at("legal.example.com", "127.0.0.1", 8000)
            .public_url_mismatch()
            .unwrap();
        assert!(broken.contains("is not an http:// or https:// address"));
    }

    #[test]
    fn the_shipped_deployment_settings_file_reads() {
        let file = concat!(env!("CARGO_MANIFEST_DIR"), "/deploy/writ.toml");
        let config: Config = Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::file(file))
            .extract()
            .unwrap();
        assert_eq!(config.public_url, "https://legal.example.com");
        assert_eq!(config.ip_header, "X-Real-IP");
        assert!(config.secure_cookies);
        assert_eq!(config.public_url_mismatch(), None, "behind its proxy");
    }
}
