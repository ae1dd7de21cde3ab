//! The deadline policy of DESIGN §5, as a table: the first rule that matches sets the due date.

use chrono::{NaiveDateTime, NaiveTime, TimeDelta};

use super::request::ValidRequest;
use super::vocab::{InstrumentKind, RequestType};

#[derive(Debug, Clone, Copy)]
enum Matches {
    Type(RequestType),
    Instrument(InstrumentKind),
    Any,
}

#[derive(Debug, Clone, Copy)]
pub struct DeadlineRule {
    matches: Matches,
    hours: i64,
    /// Whether a later deadline asked for by the requester replaces the policy's.
    requester_may_extend: bool,
}

pub const POLICY: &[DeadlineRule] = &[
    DeadlineRule {
        matches: Matches::Type(RequestType::EmergencyDisclosure),
        hours: 8,
        requester_may_extend: false,
    },
    DeadlineRule {
        matches: Matches::Instrument(InstrumentKind::EuProductionOrder),
        hours: 10 * 24,
        requester_may_extend: true,
    },
    DeadlineRule {
        matches: Matches::Type(RequestType::Preservation),
        hours: 24,
        requester_may_extend: false,
    },
    DeadlineRule {
        matches: Matches::Any,
        hours: 30 * 24,
        requester_may_extend: true,
    },
];

/// When the case is due, counted from submission.
pub fn due_at(request: &ValidRequest, submitted: NaiveDateTime) -> NaiveDateTime {
    let rule = POLICY
        .iter()
        .find(|rule| match rule.matches {
            Matches::Type(kind) => request.request_type == kind,
            Matches::Instrument(kind) => request.instrument.kind == kind,
            Matches::Any => true,
        })
        .copied()
        .unwrap_or(DeadlineRule {
            matches: Matches::Any,
            hours: 30 * 24,
            requester_may_extend: true,
        });
    let policy = submitted + TimeDelta::hours(rule.hours);
    let requested = request
        .deadline
        .map(|day| day.and_time(NaiveTime::from_hms_opt(23, 59, 59).unwrap_or_default()));
    match requested {
        Some(requested) if rule.requester_may_extend && requested > policy => requested,
        _ => policy,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::request::{Instrument, Ndo};
    use chrono::NaiveDate;

    fn request(
        request_type: RequestType,
        kind: InstrumentKind,
        deadline: Option<NaiveDate>,
    ) -> ValidRequest {
        ValidRequest {
            request_type,
            instrument: Instrument {
                kind,
                reference: "R".into(),
                issuing_authority: "A".into(),
                issued_on: None,
                expires_on: None,
            },
            targets: vec![],
            data_categories: vec![],
            records_from: None,
            records_to: None,
            ndo: Ndo::default(),
            deadline,
            summary: "s".into(),
            emergency: None,
            freeze: None,
        }
    }

    #[test]
    fn policy_table() {
        let at = NaiveDate::from_ymd_opt(2026, 11, 26)
            .unwrap()
            .and_hms_opt(10, 0, 0)
            .unwrap();
        let hours = |r: &ValidRequest| (due_at(r, at) - at).num_hours();
        assert_eq!(
            hours(&request(
                RequestType::EmergencyDisclosure,
                InstrumentKind::EmergencyAttestation,
                None
            )),
            8
        );
        assert_eq!(
            hours(&request(
                RequestType::EmergencyDisclosure,
                InstrumentKind::EuProductionOrder,
                None
            )),
            8
        );
        assert_eq!(
            hours(&request(
                RequestType::Disclosure,
                InstrumentKind::EuProductionOrder,
                None
            )),
            240
        );
        assert_eq!(
            hours(&request(
                RequestType::Preservation,
                InstrumentKind::PreservationLetter,
                None
            )),
            24
        );
        assert_eq!(
            hours(&request(
                RequestType::Disclosure,
                InstrumentKind::Subpoena,
                None
            )),
            720
        );
        let later = NaiveDate::from_ymd_opt(2027, 3, 1);
        assert_eq!(
            due_at(
                &request(RequestType::Disclosure, InstrumentKind::Subpoena, later),
                at
            )
            .date(),
            later.unwrap()
        );
        let sooner = NaiveDate::from_ymd_opt(2026, 11, 30);
        assert_eq!(
            hours(&request(
                RequestType::Disclosure,
                InstrumentKind::Subpoena,
                sooner
            )),
            720
        );
    }
}
