//! The case state machine of DESIGN §4, in one place: every transition, who may make it, and
//! what it needs. Anything not listed here is refused.

use chrono::NaiveDateTime;

use super::identity::{self, Confirmation};
use super::vocab::{CaseState, RequestType, Role, Track};
use super::FieldErrors;

/// Who asks for a transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    Staff(Role),
    Requester,
}

/// The minimum party a transition needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Needs {
    Support,
    Legal,
    Requester,
}

use CaseState::*;

/// `(from, to, who)`; `None` as `from` means "any open state".
const TRANSITIONS: &[(Option<CaseState>, CaseState, Needs)] = &[
    // Support triage of court-order requests.
    (Some(Triage), LegalQueue, Needs::Support),
    (Some(Triage), NeedsInfo, Needs::Support),
    (Some(Triage), Rejected, Needs::Support),
    // The legal team.
    (Some(LegalQueue), InReview, Needs::Legal),
    (Some(InReview), NeedsInfo, Needs::Legal),
    (Some(InReview), Approved, Needs::Legal),
    (Some(InReview), PartiallyApproved, Needs::Legal),
    (Some(InReview), Rejected, Needs::Legal),
    (Some(InReview), LegalQueue, Needs::Legal),
    (Some(Approved), Fulfilled, Needs::Legal),
    (Some(PartiallyApproved), Fulfilled, Needs::Legal),
    (Some(Approved), Closed, Needs::Legal),
    (Some(PartiallyApproved), Closed, Needs::Legal),
    (Some(Fulfilled), Closed, Needs::Legal),
    (Some(Rejected), Closed, Needs::Legal),
    // The requester answers a request for information, or withdraws.
    (Some(NeedsInfo), Triage, Needs::Requester),
    (Some(NeedsInfo), InReview, Needs::Requester),
    (None, Withdrawn, Needs::Requester),
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No such transition from this state: 409.
    Illegal(String),
    /// The transition exists but not for this party: 403.
    NotAllowed(String),
    /// The transition exists, but this case is not ready for it: 409 with `code`.
    NotYet { code: &'static str, message: String },
    /// Fields the transition needs are missing: 422, beside each field.
    Fields(FieldErrors),
}

fn party_meets(party: Party, needs: Needs) -> bool {
    match (party, needs) {
        (Party::Requester, Needs::Requester) => true,
        (Party::Staff(role), Needs::Support) => role >= Role::Support,
        (Party::Staff(role), Needs::Legal) => role >= Role::Legal,
        _ => false,
    }
}

/// Decides whether `party` may move a case from `from` to `to`.
pub fn check(from: CaseState, to: CaseState, party: Party) -> Result<(), Refusal> {
    let open = CaseState::OPEN.contains(&from);
    let matching: Vec<Needs> = TRANSITIONS
        .iter()
        .filter(|(f, t, _)| *t == to && f.map_or(open, |f| f == from))
        .map(|(_, _, needs)| *needs)
        .collect();
    if matching.is_empty() {
        return Err(Refusal::Illegal(format!(
            "A case that is “{}” cannot become “{}”.",
            from.label(),
            to.label()
        )));
    }
    if matching.iter().any(|needs| party_meets(party, *needs)) {
        return Ok(());
    }
    let who = match matching[0] {
        Needs::Support => "support or the legal team",
        Needs::Legal => "a legal reviewer",
        Needs::Requester => "the requester",
    };
    Err(Refusal::NotAllowed(format!(
        "Only {who} may move a case from “{}” to “{}”.",
        from.label(),
        to.label()
    )))
}

/// Where a case goes when its requester answers: back to the queue it came from.
pub fn after_answer(came_from: Option<CaseState>) -> CaseState {
    match came_from {
        Some(Triage) => Triage,
        _ => InReview,
    }
}

/// Emergency disclosures need two different legal reviewers to approve.
pub fn approvals_needed(kind: RequestType, to: CaseState) -> usize {
    match (kind, to) {
        (RequestType::EmergencyDisclosure, Approved | PartiallyApproved) => 2,
        _ => 1,
    }
}

/// Transitions that must say why. Support's escalation carries a note for the legal team.
pub fn needs_reason(from: CaseState, to: CaseState) -> bool {
    matches!(to, Rejected | NeedsInfo | PartiallyApproved) || (from, to) == (Triage, LegalQueue)
}

/// What the rules need to know of a case.
#[derive(Debug, Clone)]
pub struct CaseFacts<'a> {
    pub state: CaseState,
    pub request_type: RequestType,
    pub track: Track,
    pub due_at: NaiveDateTime,
    /// When the case stopped for a request for information.
    pub paused_at: Option<NaiveDateTime>,
    pub assigned_to: Option<&'a str>,
}

/// A transition as asked for.
#[derive(Debug, Clone)]
pub struct Ask<'a> {
    pub to: CaseState,
    pub party: Party,
    /// The member of staff asking, if it is staff.
    pub staff_id: Option<&'a str>,
    /// Why, trimmed.
    pub reason: &'a str,
    /// Asked by a fulfilment service, which records what fulfilling means for the type.
    pub fulfilment: bool,
}

/// Whether moving the case to `to` needs a confirming call-back to the agency first.
pub fn needs_callback(case: &CaseFacts<'_>, to: CaseState) -> bool {
    matches!(to, Approved | PartiallyApproved)
        && identity::needs_callback(case.track, case.request_type)
}

/// What a transition changes, once the rules allow it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub from: CaseState,
    pub to: CaseState,
    /// Leaving "needs information" moves the due time on by the time the case waited.
    pub due_at: NaiveDateTime,
    /// Set when the case stops for information; cleared otherwise.
    pub paused_at: Option<NaiveDateTime>,
    /// Where the requester's answer sends the case back to.
    pub resume_state: Option<CaseState>,
    /// Taking a case assigns it to the reviewer; returning it to the queue unassigns it.
    pub assigned_to: Option<String>,
    /// How many different legal reviewers must approve before the case moves.
    pub approvals_needed: usize,
    /// The question for the requester is kept as a message from this author.
    pub question_from: Option<&'static str>,
    /// Support's escalation: the reason becomes a note for the legal team, never the requester's.
    pub escalation_note: bool,
    /// The reason may be written into the requester's e-mail (the court track's question or
    /// refusal; on the agency track the e-mail stays bare: non-disclosure orders, leaks).
    pub reason_in_mail: bool,
}

/// Decides a transition of `case` as `ask` asks for it at `now`. `callback` is the case's
/// call-back confirmation where `needs_callback` says it needs one.
pub fn plan(
    case: &CaseFacts<'_>,
    ask: &Ask<'_>,
    callback: Option<Confirmation>,
    now: NaiveDateTime,
) -> Result<Plan, Refusal> {
    let (from, to) = (case.state, ask.to);
    check(from, to, ask.party)?;
    if needs_callback(case, to) {
        match callback.unwrap_or(Confirmation::Pending) {
            Confirmation::Confirmed => {}
            Confirmation::Pending => return Err(Refusal::NotYet {
                code: "callback_required",
                message: format!(
                    "Call the agency back before approving: an {} is approved only after a reviewer records a call-back on a number from the agency's record that confirms the officer and the request.",
                    case.request_type.label().to_lowercase()
                ),
            }),
            Confirmation::Failed => return Err(Refusal::NotYet {
                code: "callback_failed",
                message: "The agency denied the officer on a call-back: this request cannot be approved.".to_owned(),
            }),
        }
    }
    if needs_reason(from, to) && ask.reason.is_empty() {
        let mut errors = FieldErrors::default();
        errors.add(
            "reason",
            "Say why: the requester and the audit trail will read it.",
        );
        return Err(Refusal::Fields(errors));
    }
    if to == Fulfilled && !ask.fulfilment {
        let (code, message) = match case.request_type {
            RequestType::Disclosure | RequestType::EmergencyDisclosure => (
                "bundle_required",
                "A disclosure is fulfilled by sealing a disclosure bundle.",
            ),
            RequestType::Preservation => (
                "record_preservation",
                "Record the preservation to fulfil this request.",
            ),
            RequestType::Freeze => (
                "record_freeze",
                "Record the executed freeze to fulfil this request.",
            ),
        };
        return Err(Refusal::NotYet {
            code,
            message: message.to_owned(),
        });
    }
    let due_at = match (from, case.paused_at) {
        (NeedsInfo, Some(paused)) => case.due_at + (now - paused),
        _ => case.due_at,
    };
    let (paused_at, resume_state) = match to {
        NeedsInfo => (Some(now), Some(from)),
        _ => (None, None),
    };
    let assigned_to = match (from, to) {
        (LegalQueue, InReview) => ask.staff_id.map(str::to_owned),
        (InReview, LegalQueue) => None,
        _ => case.assigned_to.map(str::to_owned),
    };
    Ok(Plan {
        from,
        to,
        due_at,
        paused_at,
        resume_state,
        assigned_to,
        approvals_needed: approvals_needed(case.request_type, to),
        question_from: (to == NeedsInfo).then_some(if from == Triage {
            "Support"
        } else {
            "Legal team"
        }),
        escalation_note: (from, to) == (Triage, LegalQueue),
        reason_in_mail: case.track == Track::Court && matches!(to, NeedsInfo | Rejected),
    })
}

/// Every state a party could move a case to from `from` (for the buttons on a case page).
pub fn allowed_targets(from: CaseState, party: Party) -> Vec<CaseState> {
    CaseState::ALL
        .iter()
        .copied()
        .filter(|to| check(from, *to, party).is_ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUPPORT: Party = Party::Staff(Role::Support);
    const LEGAL: Party = Party::Staff(Role::Legal);
    const ADMIN: Party = Party::Staff(Role::Admin);

    #[test]
    fn support_triages_and_legal_decides() {
        assert_eq!(check(Triage, LegalQueue, SUPPORT), Ok(()));
        assert_eq!(check(Triage, Rejected, SUPPORT), Ok(()));
        assert!(
            matches!(check(InReview, Approved, SUPPORT), Err(Refusal::NotAllowed(m)) if m.contains("legal reviewer"))
        );
        assert!(matches!(
            check(LegalQueue, InReview, SUPPORT),
            Err(Refusal::NotAllowed(_))
        ));
        assert_eq!(check(LegalQueue, InReview, LEGAL), Ok(()));
        assert_eq!(check(InReview, Approved, ADMIN), Ok(()));
        assert_eq!(
            check(Triage, LegalQueue, LEGAL),
            Ok(()),
            "the legal team may triage too"
        );
    }

    #[test]
    fn illegal_transitions_are_refused_whoever_asks() {
        for party in [SUPPORT, LEGAL, ADMIN, Party::Requester] {
            assert!(matches!(
                check(LegalQueue, Fulfilled, party),
                Err(Refusal::Illegal(_))
            ));
            assert!(matches!(
                check(Closed, InReview, party),
                Err(Refusal::Illegal(_))
            ));
            assert!(matches!(
                check(Withdrawn, Withdrawn, party),
                Err(Refusal::Illegal(_))
            ));
        }
    }

    #[test]
    fn requesters_withdraw_open_cases_and_answer_questions() {
        for open in CaseState::OPEN {
            assert_eq!(check(*open, Withdrawn, Party::Requester), Ok(()), "{open}");
            assert!(check(*open, Withdrawn, LEGAL).is_err());
        }
        assert!(matches!(
            check(Fulfilled, Withdrawn, Party::Requester),
            Err(Refusal::Illegal(_))
        ));
        assert_eq!(check(NeedsInfo, InReview, Party::Requester), Ok(()));
        assert!(check(LegalQueue, InReview, Party::Requester).is_err());
        assert_eq!(after_answer(Some(Triage)), Triage);
        assert!(needs_reason(Triage, LegalQueue), "an escalation says why");
        assert!(!needs_reason(InReview, LegalQueue));
        assert_eq!(after_answer(Some(InReview)), InReview);
    }

    #[test]
    fn every_listed_transition_is_reachable_by_someone() {
        let parties = [SUPPORT, LEGAL, Party::Requester];
        for (from, to, _) in TRANSITIONS {
            let from = from.unwrap_or(LegalQueue);
            assert!(
                parties.iter().any(|p| check(from, *to, *p).is_ok()),
                "{from} -> {to}"
            );
        }
        assert_eq!(
            approvals_needed(RequestType::EmergencyDisclosure, Approved),
            2
        );
        assert_eq!(approvals_needed(RequestType::Disclosure, Approved), 1);
        assert_eq!(allowed_targets(InReview, SUPPORT), Vec::<CaseState>::new());
        assert!(allowed_targets(InReview, LEGAL).contains(&Approved));
    }

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap()
    }

    fn facts(state: CaseState, request_type: RequestType) -> CaseFacts<'static> {
        CaseFacts {
            state,
            request_type,
            track: Track::Agency,
            due_at: at("2026-12-10 12:00"),
            paused_at: None,
            assigned_to: Some("reviewer-a"),
        }
    }

    fn ask(to: CaseState, party: Party, reason: &str) -> Ask<'_> {
        Ask {
            to,
            party,
            staff_id: Some("reviewer-b"),
            reason,
            fulfilment: false,
        }
    }

    #[test]
    fn an_answer_gives_back_the_time_the_case_waited_and_a_question_stops_the_clock() {
        let now = at("2026-12-05 12:00");
        let mut waiting = facts(NeedsInfo, RequestType::Disclosure);
        waiting.paused_at = Some(at("2026-12-03 12:00"));
        let answered = plan(&waiting, &ask(InReview, Party::Requester, ""), None, now).unwrap();
        assert_eq!(answered.due_at, at("2026-12-12 12:00"), "two days credited");
        assert_eq!((answered.paused_at, answered.resume_state), (None, None));

        let asked = plan(
            &facts(InReview, RequestType::Disclosure),
            &ask(NeedsInfo, LEGAL, "Which account?"),
            None,
            now,
        )
        .unwrap();
        assert_eq!(asked.due_at, at("2026-12-10 12:00"));
        assert_eq!(
            (asked.paused_at, asked.resume_state),
            (Some(now), Some(InReview))
        );
        assert_eq!(asked.question_from, Some("Legal team"));
    }

    #[test]
    fn taking_a_case_assigns_it_and_returning_it_unassigns_it() {
        let now = at("2026-12-05 12:00");
        let taken = plan(
            &facts(LegalQueue, RequestType::Disclosure),
            &ask(InReview, LEGAL, ""),
            None,
            now,
        );
        assert_eq!(taken.unwrap().assigned_to.as_deref(), Some("reviewer-b"));
        let returned = plan(
            &facts(InReview, RequestType::Disclosure),
            &ask(LegalQueue, LEGAL, ""),
            None,
            now,
        );
        assert_eq!(returned.unwrap().assigned_to, None);
        let approved = plan(
            &facts(InReview, RequestType::Disclosure),
            &ask(Approved, LEGAL, ""),
            None,
            now,
        );
        assert_eq!(approved.unwrap().assigned_to.as_deref(), Some("reviewer-a"));
    }

    #[test]
    fn refusals_say_what_is_missing() {
        let now = at("2026-12-05 12:00");
        let case = facts(InReview, RequestType::Disclosure);
        assert!(matches!(
            plan(&case, &ask(Rejected, LEGAL, ""), None, now),
            Err(Refusal::Fields(errors)) if errors.get("reason").is_some()
        ));
        assert!(matches!(
            plan(
                &facts(Approved, RequestType::Freeze),
                &ask(Fulfilled, LEGAL, ""),
                None,
                now
            ),
            Err(Refusal::NotYet {
                code: "record_freeze",
                ..
            })
        ));
        let emergency = facts(InReview, RequestType::EmergencyDisclosure);
        assert!(needs_callback(&emergency, Approved));
        for (callback, code) in [
            (None, "callback_required"),
            (Some(Confirmation::Pending), "callback_required"),
            (Some(Confirmation::Failed), "callback_failed"),
        ] {
            assert!(matches!(
                plan(&emergency, &ask(Approved, LEGAL, ""), callback, now),
                Err(Refusal::NotYet { code: c, .. }) if c == code
            ));
        }
        let confirmed = plan(
            &emergency,
            &ask(Approved, LEGAL, ""),
            Some(Confirmation::Confirmed),
            now,
        );
        assert_eq!(confirmed.unwrap().approvals_needed, 2);
    }

    #[test]
    fn only_the_court_tracks_question_and_refusal_reach_the_requesters_mail() {
        let now = at("2026-12-05 12:00");
        let mut court = facts(Triage, RequestType::Disclosure);
        court.track = Track::Court;
        let asked = plan(&court, &ask(NeedsInfo, SUPPORT, "Which order?"), None, now).unwrap();
        assert!(asked.reason_in_mail);
        assert_eq!(asked.question_from, Some("Support"));
        let escalated = plan(&court, &ask(LegalQueue, SUPPORT, "Looks right"), None, now).unwrap();
        assert!(escalated.escalation_note && !escalated.reason_in_mail);
        let agency = facts(InReview, RequestType::Disclosure);
        assert!(
            !plan(&agency, &ask(Rejected, LEGAL, "No"), None, now)
                .unwrap()
                .reason_in_mail
        );
    }
}
