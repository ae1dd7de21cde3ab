//! Where e-mail goes: `.eml` files in a directory (the default) or an SMTP server.

use std::path::PathBuf;

use lettre::message::{header, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{FileTransport, Message, SmtpTransport, Transport as _};

use crate::config::Config;
use crate::db::models::outbox::OutboxMessage;
use crate::error::AppError;

#[derive(Clone)]
pub enum Transport {
    Files(FileTransport),
    Smtp(SmtpTransport),
}

impl Transport {
    pub fn from_config(config: &Config) -> Result<Transport, AppError> {
        if config.smtp_url.is_empty() {
            let dir: PathBuf = config.mail_dir();
            std::fs::create_dir_all(&dir).map_err(|e| {
                AppError::config(format!(
                    "cannot create the mail directory {}: {e}",
                    dir.display()
                ))
            })?;
            return Ok(Transport::Files(FileTransport::new(dir)));
        }
        smtp(&config.smtp_url).map(Transport::Smtp)
    }

    /// Whether mail can leave: the SMTP server answers (files: always). Blocking.
    pub fn check(&self) -> Result<(), String> {
        match self {
            Transport::Files(_) => Ok(()),
            Transport::Smtp(smtp) => match smtp.test_connection() {
                Ok(true) => Ok(()),
                Ok(false) => Err("the server did not answer as an SMTP server".into()),
                Err(e) => Err(e.to_string()),
            },
        }
    }

    /// Sends one queued message. Blocking: call it from a blocking task.
    pub fn send(&self, from: &str, message: &OutboxMessage) -> Result<(), String> {
        let email = build(from, message)?;
        match self {
            Transport::Files(files) => files.send(&email).map(|_| ()).map_err(|e| e.to_string()),
            Transport::Smtp(smtp) => smtp.send(&email).map(|_| ()).map_err(|e| e.to_string()),
        }
    }
}

/// `smtp://[user:password@]host[:port]`, plain SMTP (a relay on the local network).
fn smtp(url: &str) -> Result<SmtpTransport, AppError> {
    let invalid = || {
        AppError::config(format!(
            "WRIT_SMTP_URL must look like smtp://host:port, not {url}"
        ))
    };
    let rest = url.strip_prefix("smtp://").ok_or_else(invalid)?;
    let (credentials, host_port) = match rest.rsplit_once('@') {
        Some((userinfo, host_port)) => (Some(userinfo), host_port),
        None => (None, rest),
    };
    let host_port = host_port.trim_end_matches('/');
    let (host, port) = match host_port.rsplit_once(':') {
        Some((host, port)) => (host, port.parse::<u16>().map_err(|_| invalid())?),
        None => (host_port, 25),
    };
    if host.is_empty() {
        return Err(invalid());
    }
    let mut builder = SmtpTransport::builder_dangerous(host)
        .port(port)
        .timeout(Some(std::time::Duration::from_secs(20)));
    if let Some((user, password)) = credentials.and_then(|c| c.split_once(':')) {
        builder = builder.credentials(Credentials::new(user.to_owned(), password.to_owned()));
    }
    Ok(builder.build())
}

fn build(from: &str, message: &OutboxMessage) -> Result<Message, String> {
    let from: Mailbox = from.parse().map_err(|e| format!("sender address: {e}"))?;
    let to: Mailbox = message
        .recipient
        .parse()
        .map_err(|e| format!("recipient address: {e}"))?;
    let domain = from.email.domain().to_owned();
    Message::builder()
        .from(from)
        .to(to)
        .subject(&message.subject)
        // The outbox id makes a re-sent message recognisable as the same message.
        .message_id(Some(format!("<{}@{}>", message.id, domain)))
        .multipart(
            MultiPart::alternative()
                .singlepart(
                    SinglePart::builder()
                        .header(header::ContentType::TEXT_PLAIN)
                        .body(message.body_text.clone()),
                )
                .singlepart(
                    SinglePart::builder()
                        .header(header::ContentType::TEXT_HTML)
                        .body(message.body_html.clone()),
                ),
        )
        .map_err(|e| e.to_string())
}
