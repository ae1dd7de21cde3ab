//! `writ doctor`: the effective configuration, secrets hidden, and a check of each part a
//! deployment needs (database, storage, mail, keys, policy, templates, public address), without
//! creating or changing anything (in a bucket, one small probe object is written, read back and
//! removed). Exit 1 when a part fails.

use std::path::Path;
use std::process::ExitCode;

use crate::config::Config;
use crate::db::Db;

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    Ok(String),
    /// Works, but something is off or not made yet.
    Warn(String),
    Fail(String),
}

impl Finding {
    fn line(&self, part: &str) -> String {
        let (tag, text) = match self {
            Finding::Ok(t) => ("ok  ", t),
            Finding::Warn(t) => ("warn", t),
            Finding::Fail(t) => ("FAIL", t),
        };
        format!("  {tag}  {part}: {text}")
    }
}

/// The settings as `key = value` lines, secrets replaced by whether they are set.
pub fn settings(config: &Config) -> Vec<String> {
    let value = serde_json::to_value(config).unwrap_or_default();
    let Some(map) = value.as_object() else {
        return Vec::new();
    };
    map.iter()
        .map(|(key, value)| {
            let text = match value {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let shown = match key.as_str() {
                "secret_key" | "master_key" | "s3_secret_access_key" if text.is_empty() => {
                    "(empty)".to_owned()
                }
                "secret_key" | "master_key" | "s3_secret_access_key" => "(set, hidden)".to_owned(),
                "database_url" | "smtp_url" => hide_password(&text),
                _ => text,
            };
            format!("  {key} = {shown}")
        })
        .collect()
}

/// `scheme://user:password@host` → `scheme://user:***@host`.
pub fn hide_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or("");
            let hidden = if userinfo.contains(':') {
                format!("{user}:***")
            } else {
                user.to_owned()
            };
            format!("{scheme}://{hidden}@{host}{path}")
        }
        None => url.to_owned(),
    }
}

fn writable(dir: &Path) -> Finding {
    if !dir.exists() {
        return Finding::Warn(format!(
            "{} does not exist yet (the first start makes it)",
            dir.display()
        ));
    }
    let probe = dir.join(format!(".writ-doctor-{}", std::process::id()));
    match std::fs::write(&probe, b"probe") {
        Ok(()) => {
            let _ = std::fs::remove_file(&probe);
            Finding::Ok(format!("{} is writable", dir.display()))
        }
        Err(e) => Finding::Fail(format!("cannot write in {}: {e}", dir.display())),
    }
}

/// The staging directory (every upload is encrypted there first), and the bucket if one is set.
fn storage(config: &Config) -> Finding {
    let local = writable(&config.documents_dir());
    let Some(settings) = config.bucket() else {
        return local;
    };
    if let Finding::Fail(why) = local {
        return Finding::Fail(why);
    }
    let at = if settings.endpoint.is_empty() {
        "AWS".to_owned()
    } else {
        settings.endpoint.clone()
    };
    match crate::documents::remote::Remote::open(&settings).map_err(|e| e.message) {
        Err(why) => Finding::Fail(why),
        Ok(bucket) => match bucket.probe() {
            Ok(()) => Finding::Ok(format!(
                "{} at {at} can be written, read and deleted (staging in {})",
                bucket.url(),
                config.documents_dir().display()
            )),
            Err(why) => Finding::Fail(format!("{} at {at}: {why}", bucket.url())),
        },
    }
}

fn database(config: &Config) -> (Finding, Option<Db>) {
    let url = config.database_url();
    // A SQLite file not made yet stays unmade: connecting would create it.
    if crate::db::Backend::of(&url) == crate::db::Backend::Sqlite {
        let path = crate::db::connection_string(&url).unwrap_or_default();
        if !Path::new(&path).exists() {
            return (
                Finding::Warn(format!(
                    "{path} does not exist yet (the first start makes it)"
                )),
                None,
            );
        }
    }
    let db = match Db::connect(&url, 1) {
        Ok(db) => db,
        Err(e) => {
            return (
                Finding::Fail(format!("{}: {}", hide_password(&url), e.message)),
                None,
            )
        }
    };
    match db.pending_migrations() {
        Ok(0) => (
            Finding::Ok(format!(
                "{} answers; its schema is up to date",
                hide_password(&url)
            )),
            Some(db),
        ),
        Ok(n) => (
            Finding::Warn(format!(
                "{n} migration(s) to apply (`writ migrate`, or the next start)"
            )),
            Some(db),
        ),
        Err(e) => (Finding::Fail(e.message), None),
    }
}

fn keys(config: &Config, db: Option<&Db>) -> Finding {
    let master = if !config.master_key.is_empty() {
        match crate::crypto::master::MasterKey::from_base64(&config.master_key) {
            Some(key) => key,
            None => return Finding::Fail("WRIT_MASTER_KEY is not base64 of 32 bytes".into()),
        }
    } else {
        let path = crate::crypto::master::key_file(config);
        match crate::crypto::master::read_key_file(&path) {
            Ok(Some(key)) => key,
            Ok(None) => {
                return Finding::Warn(format!(
                    "no master key yet: the first start writes {}",
                    path.display()
                ))
            }
            Err(e) => return Finding::Fail(e.message),
        }
    };
    let Some(db) = db else {
        return Finding::Warn("the master key is readable; no database to open keys in yet".into());
    };
    let opened = db.get().map_err(|e| e.message).and_then(|mut conn| {
        if crate::db::models::secret::all(&mut conn)
            .map_err(|e| e.to_string())?
            .is_empty()
        {
            return Ok(None);
        }
        crate::state::load_keys(&mut conn, &master)
            .map(Some)
            .map_err(|e| e.message)
    });
    match opened {
        Ok(Some(_)) => Finding::Ok("the master key opens the stored keys".into()),
        Ok(None) => Finding::Warn("no keys stored yet (the first start makes them)".into()),
        Err(e) => Finding::Fail(e),
    }
}

fn mail(config: &Config) -> Finding {
    if config.smtp_url.is_empty() {
        return match writable(&config.mail_dir()) {
            Finding::Ok(t) => {
                Finding::Ok(format!("no SMTP server: e-mail is written as files; {t}"))
            }
            other => other,
        };
    }
    match crate::mail::transport::Transport::from_config(config) {
        Ok(transport) => match transport.check() {
            Ok(()) => Finding::Ok(format!("{} answers", hide_password(&config.smtp_url))),
            Err(e) => Finding::Fail(format!("{}: {e}", hide_password(&config.smtp_url))),
        },
        Err(e) => Finding::Fail(e.message),
    }
}

/// Every check, in the order printed.
pub fn findings(config: &Config) -> Vec<(&'static str, Finding)> {
    let (db_finding, db) = database(config);
    let mut out = vec![("database", db_finding)];
    out.push(("storage", storage(config)));
    out.push(("mail", mail(config)));
    out.push(("keys", keys(config, db.as_ref())));
    out.push((
        "policy",
        match config.policy() {
            Ok(policy) => Finding::Ok(format!(
                "{} ({} legal entities)",
                if config.policy_file.is_empty() {
                    "the shipped policy".to_owned()
                } else {
                    config.policy_file.clone()
                },
                policy.entities.len()
            )),
            Err(e) => Finding::Fail(e.message),
        },
    ));
    let dir = config.template_dir();
    out.push((
        "templates",
        match crate::pages::Pages::load(dir.as_deref())
            .and_then(|_| crate::mail::Mailer::load(dir.as_deref()))
        {
            Ok(_) => Finding::Ok(match &dir {
                Some(d) => format!("the shipped ones, with {}'s own", d.display()),
                None => "the shipped ones".into(),
            }),
            Err(e) => Finding::Fail(e.message),
        },
    ));
    out.push((
        "public address",
        match config.public_url_mismatch() {
            None => Finding::Ok(config.public_url.clone()),
            Some(why) => Finding::Warn(why),
        },
    ));
    out
}

/// Prints the report; exit 1 when a part fails.
pub fn run(config: &Config) -> ExitCode {
    println!("configuration (defaults, then WRIT_CONFIG, then WRIT_* variables):");
    for line in settings(config) {
        println!("{line}");
    }
    println!("checks:");
    let findings = findings(config);
    for (part, finding) in &findings {
        println!("{}", finding.line(part));
    }
    if findings.iter().any(|(_, f)| matches!(f, Finding::Fail(_))) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_never_printed() {
        assert_eq!(
            hide_password("postgres://writ:s3cret@db:5432/writ"),
            "postgres://writ:***@db:5432/writ"
        );
        assert_eq!(hide_password("smtp://relay:25"), "smtp://relay:25");
        assert_eq!(
            hide_password("smtp://mailer@relay:25"),
            "smtp://mailer@relay:25"
        );
        let config = Config {
            master_key: "c2VjcmV0".into(),
            smtp_url: "smtp://u:hunter2@relay:25".into(),
            s3_secret_access_key: "wJalrXUtnFEMI".into(),
            ..Config::default()
        };
        let printed = settings(&config).join("\n");
        assert!(printed.contains("master_key = (set, hidden)"));
        assert!(printed.contains("secret_key = (empty)"));
        assert!(printed.contains("smtp_url = smtp://u:***@relay:25"));
        assert!(printed.contains("s3_secret_access_key = (set, hidden)"));
        assert!(!printed.contains("hunter2") && !printed.contains("c2VjcmV0"));
        assert!(!printed.contains("wJalrXUtnFEMI"));
    }
}
