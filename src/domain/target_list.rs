//! A list of targets pasted into the request form or uploaded as a CSV file: one target a line,
//! `kind,value[,chain[,role]]`, separated by commas, semicolons or tabs (a spreadsheet's copied
//! cells), with or without a header line. A line that is an e-mail address or a phone number in
//! international form needs no kind.
//!
//! The lines that read are handed back as rows of the form, where the form's own checks then
//! apply; the others are kept, as typed, with a message naming each line.

use super::request::TargetDraft;
use super::vocab::{Chain, TargetKind, TargetRole};

/// What a pasted list gave.
#[derive(Debug, Default)]
pub struct Imported {
    pub targets: Vec<TargetDraft>,
    /// The lines that could not be read, as they were typed, for the requester to correct.
    pub left: String,
    /// One message per line left, with its line number.
    pub problems: Vec<(usize, String)>,
}

/// Reads `text`, a pasted list or the contents of an uploaded CSV file.
pub fn parse(text: &str) -> Imported {
    let mut imported = Imported::default();
    let delimiter = delimiter_of(text);
    let mut left: Vec<&str> = Vec::new();
    for (number, line) in text.lines().enumerate().map(|(i, l)| (i + 1, l)) {
        let cells = cells(line, delimiter);
        if cells.iter().all(String::is_empty) || is_header(&cells) {
            continue;
        }
        match target(&cells) {
            Ok(target) => imported.targets.push(target),
            Err(problem) => {
                imported.problems.push((number, problem));
                left.push(line);
            }
        }
    }
    imported.left = left.join("\n");
    imported
}

/// The separator of the first line that has one: a tab (cells copied from a spreadsheet), then
/// a semicolon (a CSV file saved where the comma is the decimal mark), else a comma.
fn delimiter_of(text: &str) -> u8 {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    [b'\t', b';', b',']
        .into_iter()
        .find(|d| first.as_bytes().contains(d))
        .unwrap_or(b',')
}

/// One line's cells, trimmed, quotes removed as CSV writes them.
fn cells(line: &str, delimiter: u8) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .trim(csv::Trim::All)
        .from_reader(line.as_bytes());
    match reader.records().next() {
        Some(Ok(record)) => record.iter().map(str::to_owned).collect(),
        // An unbalanced quote: read the line as one cell, so the message can quote it.
        _ => vec![line.trim().to_owned()],
    }
}

fn is_header(cells: &[String]) -> bool {
    cells
        .first()
        .is_some_and(|c| c.eq_ignore_ascii_case("kind") || c.eq_ignore_ascii_case("type"))
}

/// The kind as a person may write it: `wallet_address`, `Wallet address`, `wallet`, `E-mail`.
fn kind_of(text: &str) -> Option<TargetKind> {
    let name = text.trim().to_lowercase().replace(['-', ' '], "_");
    let name = match name.as_str() {
        "e_mail" | "mail" | "email_address" | "e_mail_address" => "email",
        "phone_number" | "telephone" | "mobile" => "phone",
        "wallet" | "address" => "wallet_address",
        "tx" | "txid" | "transaction" | "transaction_hash" => "tx_hash",
        "uid" | "user" | "platform_user_id" | "user_id" => "user_id",
        other => other,
    };
    TargetKind::parse(name)
}

fn target(cells: &[String]) -> Result<TargetDraft, String> {
    let cell = |i: usize| cells.get(i).map(String::as_str).unwrap_or("");
    if cells.len() == 1 {
        let value = cell(0);
        let kind = if value.contains('@') {
            TargetKind::Email
        } else if value.starts_with('+') {
            TargetKind::Phone
        } else {
            return Err(format!(
                "say what “{value}” is: write the kind first, as in “wallet_address,{value},btc”."
            ));
        };
        return Ok(TargetDraft {
            kind: kind.as_str().to_owned(),
            value: value.to_owned(),
            chain: None,
            role: TargetRole::Subject.as_str().to_owned(),
        });
    }
    let kind = kind_of(cell(0)).ok_or_else(|| {
        let kinds: Vec<&str> = TargetKind::ALL.iter().map(|k| k.as_str()).collect();
        format!(
            "“{}” is not a kind of target ({}).",
            cell(0),
            kinds.join(", ")
        )
    })?;
    if cell(1).is_empty() {
        return Err(format!("the {} has no value.", kind.label().to_lowercase()));
    }
    let chain = match cell(2) {
        "" => None,
        text => Some(
            Chain::parse(&text.to_lowercase())
                .ok_or_else(|| format!("“{text}” is not a chain the platform supports."))?,
        ),
    };
    let role = match cell(3) {
        "" => TargetRole::Subject,
        text => TargetRole::parse(&text.to_lowercase()).ok_or_else(|| {
            format!("“{text}” is not a role (suspect, victim, witness, subject or other).")
        })?,
    };
    if cells.len() > 4 {
        return Err("a line has at most four cells: kind, value, chain, role.".to_owned());
    }
    Ok(TargetDraft {
        kind: kind.as_str().to_owned(),
        value: cell(1).to_owned(),
        chain: chain.map(|c| c.as_str().to_owned()),
        role: role.as_str().to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(imported: &Imported) -> Vec<(&str, &str, Option<&str>, &str)> {
        imported
            .targets
            .iter()
            .map(|t| {
                (
                    t.kind.as_str(),
                    t.value.as_str(),
                    t.chain.as_deref(),
                    t.role.as_str(),
                )
            })
            .collect()
    }

    #[test]
    fn reads_a_csv_file_with_its_header() {
        let imported = parse(
            "kind,value,chain,role\r\nemail,Alice@Example.com,,suspect\r\n\
             wallet_address,\"bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq\",BTC,victim\r\n\r\n",
        );
        assert_eq!(
            kinds(&imported),
            [
                ("email", "Alice@Example.com", None, "suspect"),
                (
                    "wallet_address",
                    "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
                    Some("btc"),
                    "victim"
                ),
            ]
        );
        assert!(imported.problems.is_empty());
        assert_eq!(imported.left, "");
    }

    #[test]
    fn reads_cells_copied_from_a_spreadsheet_and_bare_addresses() {
        let imported = parse("Wallet address\t0xabc\teth\nbob@example.com\n+44 20 7946 0958\n");
        assert_eq!(
            kinds(&imported),
            [
                ("wallet_address", "0xabc", Some("eth"), "subject"),
                ("email", "bob@example.com", None, "subject"),
                ("phone", "+44 20 7946 0958", None, "subject"),
            ]
        );
        let semicolons = parse("tx;0xdeadbeef;ETH;witness");
        assert_eq!(
            kinds(&semicolons),
            [("tx_hash", "0xdeadbeef", Some("eth"), "witness")]
        );
    }

    #[test]
    fn keeps_the_lines_it_cannot_read_with_their_numbers() {
        let imported = parse(
            "email,a@b.com\nbank_account,GB29NWBK60161331926819\nbc1qxyz\nwallet_address,0x1,dogecoin\nemail,c@d.com,,boss\nphone,\n\"open",
        );
        assert_eq!(kinds(&imported), [("email", "a@b.com", None, "subject")]);
        assert_eq!(
            imported.left,
            "bank_account,GB29NWBK60161331926819\nbc1qxyz\nwallet_address,0x1,dogecoin\nemail,c@d.com,,boss\nphone,\n\"open"
        );
        let numbers: Vec<usize> = imported.problems.iter().map(|(n, _)| *n).collect();
        assert_eq!(numbers, [2, 3, 4, 5, 6, 7]);
        let says = |i: usize, text: &str| imported.problems[i].1.contains(text);
        assert!(says(0, "“bank_account” is not a kind of target"));
        assert!(says(1, "write the kind first"));
        assert!(says(2, "“dogecoin” is not a chain"));
        assert!(says(3, "“boss” is not a role"));
        assert!(says(4, "has no value"));
    }

    #[test]
    fn an_empty_paste_gives_nothing() {
        for text in ["", "\n  \n,,\n", "kind,value,chain,role\n"] {
            let imported = parse(text);
            assert!(imported.targets.is_empty() && imported.problems.is_empty());
            assert_eq!(imported.left, "");
        }
    }
}
