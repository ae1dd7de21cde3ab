//! E-mail addresses, parsed once and kept lower-cased.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

impl EmailAddress {
    /// Accepts `local@domain.tld`: one `@`, a plausible local part, and a domain of
    /// letter/digit/hyphen labels with at least one dot.
    pub fn parse(input: &str) -> Result<EmailAddress, &'static str> {
        let email = input.trim().to_lowercase();
        if email.is_empty() {
            return Err("Enter an e-mail address.");
        }
        if email.len() > 254 {
            return Err("That e-mail address is too long.");
        }
        let Some((local, domain)) = email.split_once('@') else {
            return Err("Enter an e-mail address such as name@agency.gov.");
        };
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
        if !local_ok || !is_domain(domain) {
            return Err("Enter an e-mail address such as name@agency.gov.");
        }
        Ok(EmailAddress(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn domain(&self) -> &str {
        self.0
            .rsplit_once('@')
            .map(|(_, domain)| domain)
            .unwrap_or_default()
    }
}

/// A DNS name with at least two labels.
pub fn is_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && domain.len() <= 253
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.chars().all(|c| c.is_ascii_alphabetic()) && tld.len() >= 2)
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_and_splits() {
        let email = EmailAddress::parse("  J.Doe@FBI.gov ").unwrap();
        assert_eq!(email.as_str(), "j.doe@fbi.gov");
        assert_eq!(email.domain(), "fbi.gov");
    }

    #[test]
    fn refuses_malformed() {
        for bad in [
            "",
            "nobody",
            "a@b",
            "a@@b.gov",
            "a@-x.gov",
            ".a@x.gov",
            "a b@x.gov",
            "a@x.g0v",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad} was accepted");
        }
    }
}
