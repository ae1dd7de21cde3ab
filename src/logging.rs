//! The server's log: Rocket's lines and ours, at `WRIT_LOG_LEVEL`, with personal data taken out
//! before anything is written (DESIGN §9). Request lines keep their path but lose the query string
//! (staff search by e-mail address and name); any word naming an e-mail address becomes
//! `[address]` (SMTP replies name the recipient). Installed before Rocket starts, so Rocket logs
//! through it instead of its own logger.

use std::io::Write;

use log::{Level, LevelFilter, Log, Metadata, Record};

struct Redacting {
    max: LevelFilter,
}

/// Installs the logger for `level` (Rocket's names: off, critical, normal, debug).
pub fn init(level: &str) {
    let max = match level {
        "off" => LevelFilter::Off,
        "normal" => LevelFilter::Info,
        "debug" => LevelFilter::Trace,
        _ => LevelFilter::Warn,
    };
    if log::set_boxed_logger(Box::new(Redacting { max })).is_ok() {
        log::set_max_level(max);
    }
}

impl Log for Redacting {
    fn enabled(&self, metadata: &Metadata) -> bool {
        let chatty = ["hyper", "rustls", "r2d2", "h2"]
            .iter()
            .any(|t| metadata.target().starts_with(t));
        metadata.level() <= self.max && (!chatty || self.max == LevelFilter::Trace)
    }

    fn log(&self, record: &Record) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let line = redact(&record.args().to_string());
        let mut err = std::io::stderr().lock();
        // Rocket announces its launch as a warning; it is not one.
        let launch = record.target().starts_with("rocket::launch");
        let _ = match record.level() {
            Level::Error | Level::Warn if !launch => writeln!(err, "{}: {line}", record.level()),
            _ => writeln!(err, "{line}"),
        };
    }

    fn flush(&self) {}
}

/// `text` without e-mail addresses and query strings.
pub fn redact(text: &str) -> String {
    text.split(' ')
        .map(|word| {
            if word.contains('@') || word.to_ascii_lowercase().contains("%40") {
                "[address]".to_owned()
            } else if let Some((path, _)) = word.split_once('?') {
                format!("{path}?[query]")
            } else {
                word.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_queries_are_taken_out() {
        assert_eq!(
            redact("550 5.1.1 <j.doe@fbi.gov>: Recipient address rejected"),
            "550 5.1.1 [address] Recipient address rejected"
        );
        assert_eq!(
            redact("GET /staff/queue?q=Maria+Lopez text/html:"),
            "GET /staff/queue?[query] text/html:"
        );
        assert_eq!(redact("GET /api/v1/staff/cases/x%40y.gov"), "GET [address]");
        assert_eq!(
            redact("Matched: (queue) GET /staff/queue"),
            "Matched: (queue) GET /staff/queue"
        );
    }
}
