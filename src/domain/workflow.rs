//! The case state machine of DESIGN §4, in one place: every transition, who may make it, and
//! what it needs. Anything not listed here is refused.

use super::vocab::{CaseState, RequestType, Role};

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
}
