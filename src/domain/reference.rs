//! Human-readable case references: `LE-2026-000123` (agency), `CO-2026-000045` (court order).

use std::fmt;

use super::vocab::Track;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CaseReference(String);

impl CaseReference {
    pub fn prefix(track: Track) -> &'static str {
        match track {
            Track::Agency => "LE",
            Track::Court => "CO",
        }
    }

    /// The counter key: one sequence per track and year.
    pub fn series(track: Track, year: i32) -> String {
        format!("{}-{year}", CaseReference::prefix(track))
    }

    pub fn new(track: Track, year: i32, number: i64) -> CaseReference {
        CaseReference(format!(
            "{}-{number:06}",
            CaseReference::series(track, year)
        ))
    }

    pub fn parse(text: &str) -> Option<CaseReference> {
        let mut parts = text.split('-');
        let (prefix, year, number) = (parts.next()?, parts.next()?, parts.next()?);
        let well_formed = parts.next().is_none()
            && matches!(prefix, "LE" | "CO")
            && year.len() == 4
            && year.bytes().all(|b| b.is_ascii_digit())
            && number.len() >= 6
            && number.len() <= 12
            && number.bytes().all(|b| b.is_ascii_digit());
        well_formed.then(|| CaseReference(text.to_owned()))
    }

    pub fn track(&self) -> Track {
        if self.0.starts_with("LE") {
            Track::Agency
        } else {
            Track::Court
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// As its text (`"LE-2026-000123"`), in answers, audit details and templates alike.
impl serde::Serialize for CaseReference {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl fmt::Display for CaseReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses() {
        let reference = CaseReference::new(Track::Agency, 2026, 123);
        assert_eq!(reference.as_str(), "LE-2026-000123");
        assert_eq!(CaseReference::parse("LE-2026-000123"), Some(reference));
        assert_eq!(
            CaseReference::new(Track::Court, 2026, 45).as_str(),
            "CO-2026-000045"
        );
        assert_eq!(
            CaseReference::parse("CO-2026-000045").unwrap().track(),
            Track::Court
        );
    }

    #[test]
    fn refuses_malformed() {
        for bad in [
            "",
            "LE-2026",
            "XX-2026-000001",
            "LE-26-000001",
            "LE-2026-12",
            "LE-2026-00000a",
            "LE-2026-000001-1",
        ] {
            assert_eq!(CaseReference::parse(bad), None, "{bad}");
        }
    }
}
