//! `writ accounts import FILE`: the platform's accounts, from CSV (with a header) or JSON lines,
//! keyed by uid. Every row is checked; the import reports what it added, updated, left as it was
//! and refused, with each refused row's line number and reason.

use std::io::BufRead;
use std::path::Path;

use serde_json::json;

use crate::audit::{self, Actor};
use crate::db::models::directory::{upsert, Upserted};
use crate::db::{write_tx, Db};
use crate::domain::clock;
use crate::domain::directory::AccountRow;
use crate::error::AppError;

pub const CSV_HEADER: &[&str] = &[
    "uid", "email", "phone", "name", "country", "wallets", "status",
];

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// `(line, reason)`
    pub rejected: Vec<(u64, String)>,
}

/// Reads every row (streaming: one row in memory at a time), then stores the good ones in one transaction.
/// `file` names what `reader` reads (in messages, and by its extension the format).
pub fn import(db: &Db, file: &Path, reader: impl std::io::Read) -> Result<ImportReport, AppError> {
    let unreadable = |e: std::io::Error| AppError::config(format!("{}: {e}", file.display()));
    let reader = std::io::BufReader::new(reader);
    let mut conn = db.get()?;
    let now = clock::now();
    let json_lines = file
        .extension()
        .is_some_and(|e| e == "jsonl" || e == "ndjson");
    write_tx(&mut conn, |conn| {
        let mut report = ImportReport::default();
        let mut store = |line: u64,
                         row: Result<AccountRow, String>,
                         report: &mut ImportReport|
         -> Result<(), AppError> {
            match row.and_then(|row| row.validate()) {
                Err(reason) => report.rejected.push((line, reason)),
                Ok(account) => match upsert(conn, &account, now)? {
                    Ok(Upserted::Added) => report.added += 1,
                    Ok(Upserted::Updated) => report.updated += 1,
                    Ok(Upserted::Unchanged) => report.unchanged += 1,
                    Err(reason) => report.rejected.push((line, reason)),
                },
            }
            Ok(())
        };
        if json_lines {
            for (i, line) in reader.lines().enumerate() {
                let line = line.map_err(unreadable)?;
                if line.trim().is_empty() {
                    continue;
                }
                let row = serde_json::from_str::<AccountRow>(&line)
                    .map_err(|e| format!("not a JSON object of an account: {e}"));
                store(i as u64 + 1, row, &mut report)?;
            }
        } else {
            let mut csv = csv::ReaderBuilder::new()
                .trim(csv::Trim::All)
                .from_reader(reader);
            let headers = csv
                .headers()
                .map_err(|e| AppError::config(format!("{}: {e}", file.display())))?
                .clone();
            if headers.iter().collect::<Vec<_>>() != CSV_HEADER {
                return Err(AppError::config(format!(
                    "{}: the header must be {}",
                    file.display(),
                    CSV_HEADER.join(",")
                )));
            }
            for record in csv.records() {
                let (line, row) = match record {
                    Ok(record) => (
                        record.position().map(|p| p.line()).unwrap_or_default(),
                        record
                            .deserialize::<CsvRow>(Some(&headers))
                            .map(AccountRow::from)
                            .map_err(|e| format!("unreadable row: {e}")),
                    ),
                    Err(e) => (
                        e.position().map(|p| p.line()).unwrap_or_default(),
                        Err(format!("unreadable row: {e}")),
                    ),
                };
                store(line, row, &mut report)?;
            }
        }
        audit::record(
            conn,
            &Actor::Cli,
            None,
            "accounts.imported",
            json!({ "added": report.added, "updated": report.updated, "unchanged": report.unchanged, "rejected": report.rejected.len() }),
        )?;
        Ok(report)
    })
}

/// A CSV row; `wallets` is the `chain:address;…` list.
#[derive(Debug, serde::Deserialize)]
struct CsvRow {
    uid: String,
    email: String,
    phone: String,
    name: String,
    country: String,
    wallets: String,
    status: String,
}

impl From<CsvRow> for AccountRow {
    fn from(f: CsvRow) -> AccountRow {
        AccountRow {
            uid: f.uid,
            email: f.email,
            phone: f.phone,
            name: f.name,
            country: f.country,
            wallets: crate::domain::directory::Wallets::Listed(f.wallets),
            status: f.status,
        }
    }
}
