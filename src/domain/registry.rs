//! Whether an e-mail domain belongs to a government body (DESIGN §3): the blocklist, free-mail
//! providers, admin-approved agencies, the imported US .gov registry and built-in suffix rules.

use serde::Serialize;

/// Suffixes reserved for government bodies, written by us. `police.uk` matches `police.uk`
/// itself and every name under it.
pub const GOVERNMENT_SUFFIXES: &[(&str, &str)] = &[
    ("gov", "United States government (.gov)"),
    ("mil", "United States military (.mil)"),
    ("fed.us", "United States federal government (fed.us)"),
    ("police.uk", "United Kingdom police forces (police.uk)"),
    ("gov.uk", "United Kingdom government (gov.uk)"),
    ("gov.scot", "Scottish government (gov.scot)"),
    ("gov.wales", "Welsh government (gov.wales)"),
    ("gc.ca", "Government of Canada (gc.ca)"),
    ("rcmp-grc.gc.ca", "Royal Canadian Mounted Police"),
    ("gouv.fr", "French government (gouv.fr)"),
    ("interieur.gouv.fr", "French Ministry of the Interior"),
    ("justice.fr", "French Ministry of Justice (justice.fr)"),
    ("europa.eu", "European Union institutions (europa.eu)"),
    ("bund.de", "German federal government (bund.de)"),
    ("polizei.de", "German police (polizei.de)"),
    ("gv.at", "Austrian government (gv.at)"),
    ("admin.ch", "Swiss federal administration (admin.ch)"),
    ("gov.ie", "Irish government (gov.ie)"),
    ("garda.ie", "An Garda Síochána (garda.ie)"),
    ("gov.it", "Italian government (gov.it)"),
    ("gob.es", "Spanish government (gob.es)"),
    ("gov.pt", "Portuguese government (gov.pt)"),
    ("politie.nl", "Dutch police (politie.nl)"),
    ("overheid.nl", "Dutch government (overheid.nl)"),
    ("gov.pl", "Polish government (gov.pl)"),
    ("gov.au", "Australian government (gov.au)"),
    ("govt.nz", "New Zealand government (govt.nz)"),
    ("gov.sg", "Singapore government (gov.sg)"),
    ("go.jp", "Japanese government (go.jp)"),
    ("go.kr", "Korean government (go.kr)"),
    ("gov.in", "Indian government (gov.in)"),
    ("nic.in", "Indian government (nic.in)"),
    ("gov.br", "Brazilian government (gov.br)"),
    ("gob.mx", "Mexican government (gob.mx)"),
    ("gov.za", "South African government (gov.za)"),
    ("gov.il", "Israeli government (gov.il)"),
    ("gov.ae", "United Arab Emirates government (gov.ae)"),
    ("gov.hk", "Hong Kong government (gov.hk)"),
    ("gov.ph", "Philippine government (gov.ph)"),
    ("gov.tr", "Turkish government (gov.tr)"),
    ("gov.ua", "Ukrainian government (gov.ua)"),
    ("gov.cz", "Czech government (gov.cz)"),
];

/// The free-mail domains Writ refuses on the agency track: a kept list of some 14 000 public
/// webmail providers (`policy/free-mail-domains.txt`, from the npm package free-email-domains).
static FREE_MAIL_LIST: &str = include_str!("../../policy/free-mail-domains.txt");

fn free_mail_domains() -> &'static std::collections::HashSet<&'static str> {
    static DOMAINS: std::sync::OnceLock<std::collections::HashSet<&'static str>> =
        std::sync::OnceLock::new();
    DOMAINS.get_or_init(|| {
        FREE_MAIL_LIST
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .collect()
    })
}

/// Whether `domain`, or a domain it is under, is a free-mail provider.
pub fn is_free_mail(domain: &str) -> bool {
    let domains = free_mail_domains();
    let mut rest = domain;
    loop {
        if domains.contains(rest) {
            return true;
        }
        match rest.split_once('.') {
            Some((_, parent)) if parent.contains('.') => rest = parent,
            _ => return false,
        }
    }
}

/// What the database holds for a domain or one of its parents.
#[derive(Debug, Clone, Default)]
pub struct RegistryFacts {
    /// `(matched domain, reason)`
    pub blocked: Option<(String, String)>,
    /// `(matched domain, agency name)`
    pub approved: Option<(String, String)>,
    pub dotgov: Option<DotGovEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DotGovEntry {
    pub domain: String,
    pub domain_type: String,
    pub organization: String,
    pub suborganization: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "standing", rename_all = "snake_case")]
pub enum DomainStanding {
    Blocked { domain: String, reason: String },
    FreeMail,
    Recognised { source: &'static str, entry: String },
    Unrecognised,
}

impl DomainStanding {
    pub fn is_recognised(&self) -> bool {
        matches!(self, DomainStanding::Recognised { .. })
    }
}

/// The domain and each parent with at least two labels, longest first:
/// `a.b.fbi.gov` → `a.b.fbi.gov`, `b.fbi.gov`, `fbi.gov`.
pub fn lookup_names(domain: &str) -> Vec<String> {
    let labels: Vec<&str> = domain.split('.').collect();
    (0..labels.len().saturating_sub(1))
        .map(|i| labels[i..].join("."))
        .collect()
}

fn under(domain: &str, suffix: &str) -> bool {
    domain == suffix || domain.ends_with(&format!(".{suffix}"))
}

/// Decides a domain's standing. The blocklist wins over everything, free mail is never
/// government, and the most specific source names the match.
pub fn classify(domain: &str, facts: &RegistryFacts) -> DomainStanding {
    if let Some((matched, reason)) = &facts.blocked {
        return DomainStanding::Blocked {
            domain: matched.clone(),
            reason: reason.clone(),
        };
    }
    if is_free_mail(domain) {
        return DomainStanding::FreeMail;
    }
    if let Some((matched, agency)) = &facts.approved {
        return DomainStanding::Recognised {
            source: "approved_agency",
            entry: format!("{matched}: {agency} (verified by a legal admin)"),
        };
    }
    if let Some(entry) = &facts.dotgov {
        let organization = if entry.suborganization.is_empty() {
            entry.organization.clone()
        } else {
            format!("{}, {}", entry.organization, entry.suborganization)
        };
        return DomainStanding::Recognised {
            source: "dotgov",
            entry: format!(
                "{} in the US .gov registry: {}, {}",
                entry.domain, entry.domain_type, organization
            ),
        };
    }
    GOVERNMENT_SUFFIXES
        .iter()
        .filter(|(suffix, _)| under(domain, suffix))
        .max_by_key(|(suffix, _)| suffix.len())
        .map(|(suffix, description)| DomainStanding::Recognised {
            source: "suffix_rule",
            entry: format!("*.{suffix}: {description}"),
        })
        .unwrap_or(DomainStanding::Unrecognised)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kept_list_knows_the_free_mail_providers_and_no_government() {
        for free in [
            "gmail.com",
            "protonmail.ch",
            "proton.me",
            "tuta.com",
            "gmx.de",
            "yandex.ru",
            "mail.protonmail.ch",
        ] {
            assert!(is_free_mail(free), "{free}");
        }
        for official in [
            "fbi.gov",
            "met.police.uk",
            "ec.europa.eu",
            "example.com",
            "com",
        ] {
            assert!(!is_free_mail(official), "{official}");
        }
        assert!(free_mail_domains().len() > 10_000);
        for (suffix, _) in GOVERNMENT_SUFFIXES {
            assert!(!is_free_mail(suffix), "{suffix}");
        }
        // None of the official US .gov registry (shared test data) is listed.
        let registry = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/data/dotgov/current-full.csv");
        let text =
            std::fs::read_to_string(&registry).expect("the .gov registry beside the checkout");
        let listed: Vec<&str> = text
            .lines()
            .skip(1)
            .filter_map(|line| line.split(',').next())
            .filter(|domain| is_free_mail(&domain.to_lowercase()))
            .collect();
        assert_eq!(listed, Vec::<&str>::new());
    }

    fn fbi() -> DotGovEntry {
        DotGovEntry {
            domain: "fbi.gov".into(),
            domain_type: "Federal - Executive".into(),
            organization: "Department of Justice".into(),
            suborganization: "Federal Bureau of Investigation".into(),
        }
    }

    #[test]
    fn parents_longest_first() {
        assert_eq!(
            lookup_names("a.b.fbi.gov"),
            ["a.b.fbi.gov", "b.fbi.gov", "fbi.gov"]
        );
        assert_eq!(lookup_names("fbi.gov"), ["fbi.gov"]);
    }

    #[test]
    fn dotgov_entry_names_the_department() {
        let facts = RegistryFacts {
            dotgov: Some(fbi()),
            ..Default::default()
        };
        let DomainStanding::Recognised { source, entry } = classify("fbi.gov", &facts) else {
            panic!("fbi.gov not recognised");
        };
        assert_eq!(source, "dotgov");
        assert!(
            entry.contains("Federal - Executive, Department of Justice"),
            "{entry}"
        );
    }

    #[test]
    fn suffix_rules_pick_the_most_specific() {
        let standing = classify("met.police.uk", &RegistryFacts::default());
        assert_eq!(
            standing,
            DomainStanding::Recognised {
                source: "suffix_rule",
                entry: "*.police.uk: United Kingdom police forces (police.uk)".into()
            }
        );
        assert!(!classify("notpolice.uk", &RegistryFacts::default()).is_recognised());
    }

    #[test]
    fn free_mail_and_blocklist() {
        assert_eq!(
            classify("gmail.com", &RegistryFacts::default()),
            DomainStanding::FreeMail
        );
        let facts = RegistryFacts {
            blocked: Some(("evil.gov".into(), "impersonation".into())),
            dotgov: Some(fbi()),
            ..Default::default()
        };
        assert!(matches!(
            classify("evil.gov", &facts),
            DomainStanding::Blocked { .. }
        ));
        assert_eq!(
            classify("example.com", &RegistryFacts::default()),
            DomainStanding::Unrecognised
        );
    }
}
