//! Every absolute link Writ writes into an e-mail, a certificate or a page, made from
//! `WRIT_PUBLIC_URL` in one place (`state::open` builds the one `Links` the app uses).

use crate::domain::reference::CaseReference;
use crate::error::AppError;

#[derive(Clone)]
pub struct Links {
    /// `WRIT_PUBLIC_URL` without its trailing `/`.
    base: String,
    /// Where a requester reads a case, whichever track it is on (the routes know).
    requester_case: fn(&CaseReference) -> String,
}

impl Links {
    pub fn new(public_url: &str, requester_case: fn(&CaseReference) -> String) -> Links {
        Links {
            base: public_url.trim_end_matches('/').to_owned(),
            requester_case,
        }
    }

    /// `path` (which starts with `/`) on this platform.
    pub fn to(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The requester's page of the case.
    pub fn requester_case(&self, reference: &CaseReference) -> String {
        self.to(&(self.requester_case)(reference))
    }

    /// The requester's page of the case stored under `reference`.
    pub fn case_url(&self, reference: &str) -> Result<String, AppError> {
        let reference = CaseReference::parse(reference)
            .ok_or_else(|| AppError::internal("stored reference is malformed"))?;
        Ok(self.requester_case(&reference))
    }

    /// The legal team's page of the case.
    pub fn staff_case(&self, reference: &str) -> String {
        self.to(&format!("/staff/cases/{reference}"))
    }

    /// The public page that checks a bundle.
    pub fn verify(&self) -> String {
        self.to("/verify")
    }

    /// Where the platform publishes its signing keys.
    pub fn signing_keys(&self) -> String {
        self.to("/.well-known/writ/signing-keys.json")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(reference: &CaseReference) -> String {
        format!("/agency/requests/{}", reference.as_str())
    }

    #[test]
    fn links_join_the_public_url_with_or_without_its_slash() {
        for base in ["https://legal.example.com", "https://legal.example.com/"] {
            let links = Links::new(base, page);
            assert_eq!(links.verify(), "https://legal.example.com/verify");
            assert_eq!(
                links.case_url("LE-2026-000004").unwrap(),
                "https://legal.example.com/agency/requests/LE-2026-000004"
            );
            assert_eq!(
                links.staff_case("LE-2026-000004"),
                "https://legal.example.com/staff/cases/LE-2026-000004"
            );
        }
        assert!(Links::new("https://x.example", page)
            .case_url("nonsense")
            .is_err());
    }
}
