//! Checks of the requester's authority (DESIGN §3): a pure function of the request, the
//! requester's standing and the clock. A request is "authority established" when no check fails.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::registry::DomainStanding;
use super::request::ValidRequest;
use super::vocab::{RequestType, Track};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Pass,
    Warn,
    Fail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    pub code: String,
    pub outcome: Outcome,
    pub message: String,
}

impl Check {
    fn new(code: &str, outcome: Outcome, message: impl Into<String>) -> Check {
        Check {
            code: code.to_owned(),
            outcome,
            message: message.into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Authority {
    pub established: bool,
    pub checks: Vec<Check>,
}

impl Authority {
    pub fn from_checks(checks: Vec<Check>) -> Authority {
        Authority {
            established: checks.iter().all(|c| c.outcome != Outcome::Fail),
            checks,
        }
    }
}

/// Everything the checks look at.
pub struct Facts<'a> {
    pub track: Track,
    pub request: &'a ValidRequest,
    pub email_verified: bool,
    pub domain: &'a str,
    pub standing: &'a DomainStanding,
    pub documents: usize,
    pub today: NaiveDate,
}

pub fn evaluate(facts: &Facts<'_>) -> Authority {
    let mut checks = vec![email_verified(facts)];
    if facts.track == Track::Agency {
        checks.push(free_mail(facts));
        checks.push(domain_recognised(facts));
    }
    checks.push(legal_process(facts));
    checks.push(instrument_dates(facts));
    if facts.request.request_type == RequestType::EmergencyDisclosure {
        checks.push(emergency_attestation(facts));
    }
    Authority::from_checks(checks)
}

fn email_verified(facts: &Facts<'_>) -> Check {
    if facts.email_verified {
        Check::new(
            "email_verified",
            Outcome::Pass,
            "The requester proved control of the e-mail address with a one-time code.",
        )
    } else {
        Check::new(
            "email_verified",
            Outcome::Fail,
            "The requester's e-mail address has not been verified.",
        )
    }
}

fn free_mail(facts: &Facts<'_>) -> Check {
    if *facts.standing == DomainStanding::FreeMail {
        Check::new(
            "free_mail_domain",
            Outcome::Fail,
            format!(
                "{} is a free-mail provider; it proves nothing about an agency.",
                facts.domain
            ),
        )
    } else {
        Check::new(
            "free_mail_domain",
            Outcome::Pass,
            format!("{} is not a free-mail provider.", facts.domain),
        )
    }
}

fn domain_recognised(facts: &Facts<'_>) -> Check {
    match facts.standing {
        DomainStanding::Recognised { entry, .. } => {
            Check::new("agency_domain_recognised", Outcome::Pass, format!("Recognised government domain: {entry}."))
        }
        DomainStanding::Blocked { domain, reason } => {
            Check::new("agency_domain_recognised", Outcome::Fail, format!("{domain} is on the blocklist: {reason}."))
        }
        DomainStanding::FreeMail | DomainStanding::Unrecognised => Check::new(
            "agency_domain_recognised",
            Outcome::Fail,
            format!("{} is not a recognised government domain; a legal admin must verify the agency before disclosure.", facts.domain),
        ),
    }
}

fn legal_process(facts: &Facts<'_>) -> Check {
    match (
        facts.documents,
        facts.request.request_type.needs_legal_process(),
    ) {
        (0, true) => Check::new(
            "legal_process_attached",
            Outcome::Fail,
            "The legal process is not attached.",
        ),
        (0, false) => Check::new(
            "legal_process_attached",
            Outcome::Warn,
            "No document attached; the follow-up legal process must be sent before any disclosure.",
        ),
        (n, _) => Check::new(
            "legal_process_attached",
            Outcome::Pass,
            format!("{n} document(s) attached."),
        ),
    }
}

fn instrument_dates(facts: &Facts<'_>) -> Check {
    let instrument = &facts.request.instrument;
    if instrument.issued_on.is_some_and(|d| d > facts.today) {
        return Check::new(
            "instrument_dates",
            Outcome::Fail,
            "The instrument's issue date is in the future.",
        );
    }
    if let Some(expired) = instrument.expires_on.filter(|d| *d < facts.today) {
        return Check::new(
            "instrument_dates",
            Outcome::Fail,
            format!("The instrument expired on {expired}; attach a current one."),
        );
    }
    Check::new(
        "instrument_dates",
        Outcome::Pass,
        "The instrument is in force.",
    )
}

fn emergency_attestation(facts: &Facts<'_>) -> Check {
    match &facts.request.emergency {
        Some(emergency) if emergency.attested => Check::new(
            "emergency_attestation_complete",
            Outcome::Pass,
            "The officer attested that the emergency involves danger of death or serious physical injury.",
        ),
        _ => Check::new(
            "emergency_attestation_complete",
            Outcome::Fail,
            "The officer has not attested the emergency; disclosure without legal process needs that attestation.",
        ),
    }
}
