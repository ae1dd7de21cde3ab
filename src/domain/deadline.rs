//! The deadline policy of DESIGN §5: the first rule of the policy file that matches sets the
//! due date. A date the requester asks for that is sooner (a return date) binds; a later one
//! replaces the policy's only where the rule allows it.

use chrono::{NaiveDateTime, NaiveTime, TimeDelta};

use super::policy::DeadlineRule;
use super::request::ValidRequest;

/// When the case is due, counted from submission.
pub fn due_at(
    rules: &[DeadlineRule],
    request: &ValidRequest,
    submitted: NaiveDateTime,
) -> NaiveDateTime {
    let rule = rules.iter().find(|rule| {
        rule.request_type
            .is_none_or(|kind| kind == request.request_type)
            && rule
                .instrument
                .is_none_or(|kind| kind == request.instrument.kind)
    });
    // `Policy::parse` insists on a catch-all rule; 30 days is the design's own default.
    let (hours, may_extend) = rule
        .map(|r| (r.hours, r.requester_may_extend))
        .unwrap_or((720, true));
    let policy = submitted + TimeDelta::hours(i64::from(hours));
    let requested = request
        .deadline
        .map(|day| day.and_time(NaiveTime::from_hms_opt(23, 59, 59).unwrap_or_default()));
    match requested {
        Some(requested) if requested < policy => requested,
        Some(requested) if may_extend && requested > policy => requested,
        _ => policy,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::policy::Policy;
    use crate::domain::request::{Instrument, Ndo};
    use crate::domain::vocab::{InstrumentKind, RequestType};
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
                validated_by: None,
                enforcing_notified: false,
            },
            targets: vec![],
            data_categories: vec![],
            records_from: None,
            records_to: None,
            ndo: Ndo::default(),
            deadline,
            summary: "s".into(),
            court: None,
            entity: None,
            emergency: None,
            freeze: None,
        }
    }

    #[test]
    fn the_shipped_deadline_rules() {
        let rules = Policy::default_policy().deadline;
        let at = NaiveDate::from_ymd_opt(2026, 11, 26)
            .unwrap()
            .and_hms_opt(10, 0, 0)
            .unwrap();
        let hours = |r: &ValidRequest| (due_at(&rules, r, at) - at).num_hours();
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
                &rules,
                &request(RequestType::Disclosure, InstrumentKind::Subpoena, later),
                at
            )
            .date(),
            later.unwrap()
        );
    }

    /// A return date sooner than the policy's deadline binds the platform: the case is due then,
    /// to the end of that day; a later one replaces the policy's only where the rule allows.
    #[test]
    fn a_return_date_sooner_than_policy_binds() {
        let rules = Policy::default_policy().deadline;
        let at = NaiveDate::from_ymd_opt(2026, 11, 26)
            .unwrap()
            .and_hms_opt(10, 0, 0)
            .unwrap();
        let day = |d: u32| NaiveDate::from_ymd_opt(2026, 11, d);
        let table = [
            // (type, instrument, requested, due)
            (
                RequestType::Disclosure,
                InstrumentKind::Subpoena,
                day(30),
                "2026-11-30 23:59:59",
            ),
            (
                RequestType::Disclosure,
                InstrumentKind::Subpoena,
                day(26),
                "2026-11-26 23:59:59",
            ),
            (
                RequestType::Preservation,
                InstrumentKind::PreservationLetter,
                day(30),
                "2026-11-27 10:00:00",
            ),
            (
                RequestType::EmergencyDisclosure,
                InstrumentKind::EmergencyAttestation,
                day(28),
                "2026-11-26 18:00:00",
            ),
        ];
        for (kind, instrument, requested, due) in table {
            assert_eq!(
                due_at(&rules, &request(kind, instrument, requested), at).to_string(),
                due,
                "{kind} by {instrument}, asked for {requested:?}"
            );
        }
    }
}
