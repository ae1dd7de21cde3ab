//! What a search box on the queue is asked for, spelled the ways it is stored.
//!
//! A reviewer types what they have in front of them: a reference in lower case, an Ethereum
//! address without its EIP-55 capitals, a phone number with spaces, part of an officer's e-mail
//! or agency. Intake stores targets normalised (lower-case e-mail, E.164 phone, checksummed
//! addresses), so the search compares case-folded spellings, and names and addresses by part.

use super::profile::Phone;
use super::reference::CaseReference;

/// Searches shorter than this match whole values only: a part of one or two characters would
/// match most requesters.
pub const MIN_PART: usize = 3;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search {
    /// A case reference, in its stored (upper-case) spelling.
    pub reference: Option<String>,
    /// Whole values as stored, case-folded: instrument references and targets are compared
    /// with `lower(column)`.
    pub whole: Vec<String>,
    /// A `LIKE` pattern (escape character `\`) for part of a requester's e-mail, name, firm
    /// or agency, case-folded; `None` for a search too short to match by part.
    pub part: Option<String>,
}

impl Search {
    /// `None` for a blank search.
    pub fn parse(text: &str) -> Option<Search> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        // Nothing stored holds a control character (intake refuses them), so such a search
        // finds nothing; and PostgreSQL refuses a NUL in text outright.
        if text.chars().any(char::is_control) {
            return Some(Search {
                reference: None,
                whole: Vec::new(),
                part: None,
            });
        }
        let folded = text.to_lowercase();
        let reference = CaseReference::parse(&text.to_uppercase()).map(|r| r.as_str().to_owned());
        let mut whole = vec![folded.clone()];
        if let Some(phone) = Phone::parse(text) {
            if phone.as_str() != folded {
                whole.push(phone.as_str().to_owned());
            }
        }
        let part =
            (folded.chars().count() >= MIN_PART).then(|| format!("%{}%", escape_like(&folded)));
        Some(Search {
            reference,
            whole,
            part,
        })
    }
}

/// `%`, `_` and the escape character itself match literally.
fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reference_in_lower_case_is_the_reference() {
        let search = Search::parse(" le-2026-000004 ").unwrap();
        assert_eq!(search.reference.as_deref(), Some("LE-2026-000004"));
    }

    #[test]
    fn an_address_is_compared_case_folded() {
        let search = Search::parse("0x52908400098527886E0F7030069857D2E4169EE7").unwrap();
        assert_eq!(search.reference, None);
        assert_eq!(search.whole, ["0x52908400098527886e0f7030069857d2e4169ee7"]);
    }

    #[test]
    fn a_phone_number_is_also_tried_in_e164() {
        let search = Search::parse("+1 (202) 555-0100").unwrap();
        assert_eq!(search.whole, ["+1 (202) 555-0100", "+12025550100"]);
    }

    #[test]
    fn wildcards_in_the_search_match_literally() {
        let search = Search::parse("50%_off\\").unwrap();
        assert_eq!(search.part.as_deref(), Some("%50\\%\\_off\\\\%"));
    }

    #[test]
    fn a_search_with_a_control_character_finds_nothing() {
        let search = Search::parse("ab\0cd").unwrap();
        assert!(search.reference.is_none() && search.whole.is_empty() && search.part.is_none());
    }

    #[test]
    fn short_and_blank_searches() {
        assert_eq!(Search::parse("   "), None);
        assert_eq!(Search::parse("ab").unwrap().part, None);
        assert_eq!(Search::parse("abc").unwrap().part.as_deref(), Some("%abc%"));
    }
}
