//! Fraud signals at intake: what a hijacked mailbox or a forged request tends to look like.
//! Each is a staff-only caution with its reason; none refuses a request or touches authority.

use chrono::TimeDelta;

use super::authority::{Check, Outcome};
use super::policy::Signals;
use super::vocab::RequestType;

/// What the signals are computed from, gathered by the intake service.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub request_type: Option<RequestType>,
    /// Earlier requests from this officer, and from any officer of the agency's domain.
    pub officer_requests_before: i64,
    pub domain_requests_before: i64,
    pub domain: String,
    /// How long the officer's account has existed.
    pub officer_age: TimeDelta,
    /// Cases (their references) of other officers holding a document with the same SHA-256.
    pub same_document_elsewhere: Vec<String>,
    /// Other agency domains that asked for any of these targets within the window.
    pub same_targets_domains: Vec<String>,
    /// Distinct networks this officer signed in from within the window.
    pub signin_networks: i64,
    /// This officer's requests within the volume window, this one included.
    pub officer_volume: i64,
    /// The agency's average per officer within the window (other officers of the domain).
    pub agency_average: f64,
}

fn signal(code: &str, message: String) -> Check {
    Check {
        code: code.to_owned(),
        outcome: Outcome::Warn,
        message,
        internal: true,
    }
}

/// The signals `facts` raise under `thresholds`.
pub fn evaluate(facts: &Facts, thresholds: &Signals) -> Vec<Check> {
    let mut found = Vec::new();
    if facts.domain_requests_before == 0 {
        found.push(signal(
            "first_request_domain",
            format!(
                "First request ever from {}: no officer of this domain has filed before.",
                facts.domain
            ),
        ));
    } else if facts.officer_requests_before == 0 {
        found.push(signal(
            "first_request_officer",
            format!(
                "First request from this officer ({} earlier from {}).",
                facts.domain_requests_before, facts.domain
            ),
        ));
    }
    let urgent = matches!(
        facts.request_type,
        Some(RequestType::EmergencyDisclosure | RequestType::Freeze)
    );
    let new_days = i64::from(thresholds.new_officer_days);
    if urgent && facts.officer_age < TimeDelta::days(new_days) {
        found.push(signal(
            "new_officer_urgent",
            format!(
                "An account {} old files an {}: accounts younger than {new_days} days filing emergency or freeze requests are a known pattern of hijacked mailboxes.",
                age(facts.officer_age),
                facts.request_type.map(|t| t.label().to_lowercase()).unwrap_or_default()
            ),
        ));
    }
    if !facts.same_document_elsewhere.is_empty() {
        found.push(signal(
            "document_filed_elsewhere",
            format!(
                "A document of this request (same SHA-256) was already filed by another officer, in {}.",
                facts.same_document_elsewhere.join(", ")
            ),
        ));
    }
    let agencies = facts.same_targets_domains.len() as u32 + 1;
    if agencies >= thresholds.same_targets_agencies {
        found.push(signal(
            "targets_many_agencies",
            format!(
                "{agencies} agencies asked for these targets within {} hours (also {}).",
                thresholds.same_targets_hours,
                facts.same_targets_domains.join(", ")
            ),
        ));
    }
    if facts.signin_networks >= i64::from(thresholds.signin_networks) {
        found.push(signal(
            "signin_many_networks",
            format!(
                "This officer signed in from {} different networks within {} days.",
                facts.signin_networks, thresholds.signin_networks_days
            ),
        ));
    }
    let volume = facts.officer_volume as f64;
    if facts.officer_volume >= i64::from(thresholds.volume_minimum)
        && volume >= thresholds.volume_factor * facts.agency_average.max(1.0)
    {
        found.push(signal(
            "volume_above_norm",
            format!(
                "{} requests from this officer within {} days, against {:.1} per officer of {} (more than {}×).",
                facts.officer_volume,
                thresholds.volume_days,
                facts.agency_average,
                facts.domain,
                thresholds.volume_factor
            ),
        ));
    }
    found
}

fn age(age: TimeDelta) -> String {
    match age.num_days() {
        0 => format!("{} hour(s)", age.num_hours().max(0)),
        days => format!("{days} day(s)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An established officer's ordinary request: nothing fires.
    fn clean() -> Facts {
        Facts {
            request_type: Some(RequestType::EmergencyDisclosure),
            officer_requests_before: 3,
            domain_requests_before: 40,
            domain: "fbi.gov".into(),
            officer_age: TimeDelta::days(200),
            same_document_elsewhere: vec![],
            same_targets_domains: vec![],
            signin_networks: 1,
            officer_volume: 4,
            agency_average: 3.0,
        }
    }

    fn codes(facts: &Facts) -> Vec<String> {
        evaluate(facts, &Signals::default())
            .into_iter()
            .map(|c| c.code)
            .collect()
    }

    #[test]
    fn a_clean_request_raises_nothing() {
        assert!(codes(&clean()).is_empty());
    }

    #[test]
    fn each_signal_fires_on_its_own_scenario() {
        let cases: Vec<(&str, Facts)> = vec![
            (
                "first_request_domain",
                Facts {
                    domain_requests_before: 0,
                    officer_requests_before: 0,
                    ..clean()
                },
            ),
            (
                "first_request_officer",
                Facts {
                    officer_requests_before: 0,
                    ..clean()
                },
            ),
            (
                "new_officer_urgent",
                Facts {
                    officer_age: TimeDelta::hours(5),
                    ..clean()
                },
            ),
            (
                "document_filed_elsewhere",
                Facts {
                    same_document_elsewhere: vec!["LE-2026-000001".into()],
                    ..clean()
                },
            ),
            (
                "targets_many_agencies",
                Facts {
                    same_targets_domains: vec!["a.gov".into(), "b.gov".into()],
                    ..clean()
                },
            ),
            (
                "signin_many_networks",
                Facts {
                    signin_networks: 4,
                    ..clean()
                },
            ),
            (
                "volume_above_norm",
                Facts {
                    officer_volume: 12,
                    agency_average: 2.0,
                    ..clean()
                },
            ),
        ];
        for (code, facts) in cases {
            assert_eq!(codes(&facts), vec![code.to_owned()], "scenario {code}");
            assert!(evaluate(&facts, &Signals::default())
                .iter()
                .all(|c| c.internal && c.outcome == Outcome::Warn));
        }
    }

    #[test]
    fn thresholds_are_the_policy_s() {
        let two_agencies = Facts {
            same_targets_domains: vec!["a.gov".into()],
            ..clean()
        };
        assert!(codes(&two_agencies).is_empty());
        let strict = Signals {
            same_targets_agencies: 2,
            ..Signals::default()
        };
        assert_eq!(evaluate(&two_agencies, &strict).len(), 1);
        // A new account filing a plain disclosure is not the urgent pattern.
        let new_disclosure = Facts {
            officer_age: TimeDelta::hours(1),
            request_type: Some(RequestType::Disclosure),
            ..clean()
        };
        assert!(codes(&new_disclosure).is_empty());
        // Volume: under the minimum, however far above the norm, raises nothing.
        let small = Facts {
            officer_volume: 9,
            agency_average: 0.5,
            ..clean()
        };
        assert!(codes(&small).is_empty());
        let message = &evaluate(
            &Facts {
                officer_age: TimeDelta::hours(5),
                ..clean()
            },
            &Signals::default(),
        )[0]
        .message;
        assert!(
            message.contains("5 hour(s)") && message.contains("emergency"),
            "{message}"
        );
    }
}
