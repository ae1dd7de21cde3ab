//! Who an officer is to the platform, beyond a mailbox: their standing (set by a legal admin),
//! what they may file, and when their second factor is asked for.

use chrono::{NaiveDateTime, TimeDelta};
use serde::Serialize;

use super::policy::{Identity, SecondFactorRule};
use super::vocab::RequestType;

/// An officer's standing with the platform's legal team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// Known only by their mailbox and what they declared.
    Unverified,
    /// A legal admin has confirmed them with their agency.
    Verified,
    /// May not sign in or file; their sessions and tokens ended when this was set.
    Suspended,
}

impl Standing {
    pub const ALL: [Standing; 3] = [
        Standing::Unverified,
        Standing::Verified,
        Standing::Suspended,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Standing::Unverified => "unverified",
            Standing::Verified => "verified",
            Standing::Suspended => "suspended",
        }
    }

    pub fn parse(text: &str) -> Option<Standing> {
        Standing::ALL.into_iter().find(|s| s.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            Standing::Unverified => "Unverified",
            Standing::Verified => "Verified",
            Standing::Suspended => "Suspended",
        }
    }
}

impl From<String> for Standing {
    /// Stored standings are written by `as_str`; anything else reads as the most guarded.
    fn from(text: String) -> Standing {
        Standing::parse(&text).unwrap_or(Standing::Suspended)
    }
}

/// The second factor a sign-in proved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Factor {
    Totp,
    Passkey,
}

impl Factor {
    pub fn as_str(self) -> &'static str {
        match self {
            Factor::Totp => "totp",
            Factor::Passkey => "passkey",
        }
    }

    pub fn parse(text: &str) -> Option<Factor> {
        [Factor::Totp, Factor::Passkey]
            .into_iter()
            .find(|f| f.as_str() == text)
    }

    /// How staff read the factor stored on a request (`None`: e-mail code only).
    pub fn label(factor: Option<Factor>) -> &'static str {
        match factor {
            Some(Factor::Totp) => "e-mail code and authenticator app (TOTP)",
            Some(Factor::Passkey) => "e-mail code and passkey (WebAuthn)",
            None => "e-mail code only",
        }
    }
}

/// What the filing rules need to know of an officer and of the sign-in they file from.
#[derive(Debug, Clone, Copy)]
pub struct Officer {
    pub standing: Standing,
    pub may_file_emergency: bool,
    pub may_file_freeze: bool,
    pub enrolled: bool,
    /// The factor the current session proved.
    pub session_factor: Option<Factor>,
}

/// Why an officer may not file a request of some type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotPermitted {
    Suspended,
    /// No second factor is set up, and this filing needs one.
    EnrolFirst,
    /// A factor is set up, but this session did not prove it.
    ProveFactor,
    /// A legal admin has withdrawn this officer's permission for the type.
    Withheld(RequestType),
}

impl NotPermitted {
    pub fn code(self) -> &'static str {
        match self {
            NotPermitted::Suspended => "officer_suspended",
            NotPermitted::EnrolFirst => "second_factor_enrolment_required",
            NotPermitted::ProveFactor => "second_factor_required",
            NotPermitted::Withheld(_) => "not_permitted",
        }
    }

    pub fn message(self) -> String {
        match self {
            NotPermitted::Suspended => "This account is suspended and cannot file requests. Contact the platform's legal team through your agency.".into(),
            NotPermitted::EnrolFirst => "Set up a second factor (an authenticator app or a passkey) on your security page before filing this request.".into(),
            NotPermitted::ProveFactor => "Confirm your second factor (authenticator code or passkey) on your security page before filing this request.".into(),
            NotPermitted::Withheld(kind) => format!(
                "Your account may not file {} requests. Contact the platform's legal team through your agency to have it allowed.",
                kind.label().to_lowercase()
            ),
        }
    }
}

/// Whether a second factor is needed to file a request of type `kind`.
pub fn factor_needed_to_file(rule: SecondFactorRule, kind: RequestType) -> bool {
    match rule {
        SecondFactorRule::Everyone => true,
        SecondFactorRule::EmergencyAndFreeze => {
            matches!(kind, RequestType::EmergencyDisclosure | RequestType::Freeze)
        }
    }
}

/// Whether a sign-in asks for the second factor after the e-mailed code.
pub fn factor_at_sign_in(rule: SecondFactorRule, enrolled: bool) -> bool {
    enrolled && rule == SecondFactorRule::Everyone
}

/// May `officer` file a request of type `kind` now?
pub fn may_file(
    officer: &Officer,
    kind: RequestType,
    identity: &Identity,
) -> Result<(), NotPermitted> {
    if officer.standing == Standing::Suspended {
        return Err(NotPermitted::Suspended);
    }
    if factor_needed_to_file(identity.second_factor, kind) {
        if !officer.enrolled {
            return Err(NotPermitted::EnrolFirst);
        }
        if officer.session_factor.is_none() {
            return Err(NotPermitted::ProveFactor);
        }
    }
    let withheld = match kind {
        RequestType::EmergencyDisclosure => !officer.may_file_emergency,
        RequestType::Freeze => !officer.may_file_freeze,
        _ => false,
    };
    if withheld {
        return Err(NotPermitted::Withheld(kind));
    }
    Ok(())
}

/// When a verification made at `verified_at` lapses.
pub fn reverify_at(verified_at: NaiveDateTime, identity: &Identity) -> NaiveDateTime {
    verified_at + TimeDelta::days(i64::from(identity.reverify_days))
}

/// What a call-back to the agency found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CallOutcome {
    /// The agency confirmed the officer and the request.
    Confirmed,
    /// The agency denied the officer or the request: a forgery until shown otherwise.
    Failed,
    /// Nobody reached; the check stays pending.
    NoAnswer,
}

impl CallOutcome {
    pub const ALL: [CallOutcome; 3] = [
        CallOutcome::Confirmed,
        CallOutcome::Failed,
        CallOutcome::NoAnswer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CallOutcome::Confirmed => "confirmed",
            CallOutcome::Failed => "failed",
            CallOutcome::NoAnswer => "no_answer",
        }
    }

    pub fn parse(text: &str) -> Option<CallOutcome> {
        CallOutcome::ALL.into_iter().find(|o| o.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            CallOutcome::Confirmed => "Confirmed the officer and the request",
            CallOutcome::Failed => "Denied: the agency does not know the officer or the request",
            CallOutcome::NoAnswer => "No answer",
        }
    }
}

/// The `requester_confirmed` check of a case: what its call-backs found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Confirmation {
    Pending,
    Confirmed,
    Failed,
}

/// A failed call-back outweighs any other: the officer was denied once and stays so for
/// this case. Otherwise one confirmation confirms; no answer leaves it pending.
pub fn confirmation(outcomes: impl IntoIterator<Item = CallOutcome>) -> Confirmation {
    let mut confirmation = Confirmation::Pending;
    for outcome in outcomes {
        match outcome {
            CallOutcome::Failed => return Confirmation::Failed,
            CallOutcome::Confirmed => confirmation = Confirmation::Confirmed,
            CallOutcome::NoAnswer => {}
        }
    }
    confirmation
}

/// Whether approving a request needs a confirmed call-back: agency emergency and freeze requests.
pub fn needs_callback(track: super::vocab::Track, kind: RequestType) -> bool {
    track == super::vocab::Track::Agency
        && matches!(kind, RequestType::EmergencyDisclosure | RequestType::Freeze)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_call_back_outweighs_a_confirmation_and_no_answer_stays_pending() {
        use CallOutcome::*;
        assert_eq!(confirmation([]), Confirmation::Pending);
        assert_eq!(confirmation([NoAnswer, NoAnswer]), Confirmation::Pending);
        assert_eq!(confirmation([NoAnswer, Confirmed]), Confirmation::Confirmed);
        assert_eq!(confirmation([Confirmed, Failed]), Confirmation::Failed);
        assert_eq!(confirmation([Failed, Confirmed]), Confirmation::Failed);
        use super::super::vocab::Track;
        assert!(needs_callback(
            Track::Agency,
            RequestType::EmergencyDisclosure
        ));
        assert!(needs_callback(Track::Agency, RequestType::Freeze));
        assert!(!needs_callback(Track::Agency, RequestType::Disclosure));
        assert!(!needs_callback(Track::Court, RequestType::Freeze));
    }

    fn officer() -> Officer {
        Officer {
            standing: Standing::Unverified,
            may_file_emergency: true,
            may_file_freeze: true,
            enrolled: true,
            session_factor: Some(Factor::Totp),
        }
    }

    fn rule(second_factor: SecondFactorRule) -> Identity {
        Identity {
            second_factor,
            ..Identity::default()
        }
    }

    #[test]
    fn everyone_needs_an_enrolled_and_proven_factor_for_every_type() {
        let everyone = rule(SecondFactorRule::Everyone);
        assert_eq!(
            may_file(&officer(), RequestType::Disclosure, &everyone),
            Ok(())
        );
        let unenrolled = Officer {
            enrolled: false,
            session_factor: None,
            ..officer()
        };
        assert_eq!(
            may_file(&unenrolled, RequestType::Preservation, &everyone),
            Err(NotPermitted::EnrolFirst)
        );
        let unproven = Officer {
            session_factor: None,
            ..officer()
        };
        assert_eq!(
            may_file(&unproven, RequestType::Disclosure, &everyone),
            Err(NotPermitted::ProveFactor)
        );
        assert!(factor_at_sign_in(SecondFactorRule::Everyone, true));
        assert!(!factor_at_sign_in(SecondFactorRule::Everyone, false));
    }

    #[test]
    fn emergency_and_freeze_rule_leaves_other_types_to_the_email_code() {
        let narrow = rule(SecondFactorRule::EmergencyAndFreeze);
        let plain = Officer {
            enrolled: false,
            session_factor: None,
            ..officer()
        };
        assert_eq!(may_file(&plain, RequestType::Disclosure, &narrow), Ok(()));
        assert_eq!(may_file(&plain, RequestType::Preservation, &narrow), Ok(()));
        assert_eq!(
            may_file(&plain, RequestType::EmergencyDisclosure, &narrow),
            Err(NotPermitted::EnrolFirst)
        );
        assert_eq!(
            may_file(&plain, RequestType::Freeze, &narrow),
            Err(NotPermitted::EnrolFirst)
        );
        assert!(!factor_at_sign_in(
            SecondFactorRule::EmergencyAndFreeze,
            true
        ));
    }

    #[test]
    fn suspension_and_withheld_permissions_refuse_with_the_type_named() {
        let everyone = Identity::default();
        let suspended = Officer {
            standing: Standing::Suspended,
            ..officer()
        };
        assert_eq!(
            may_file(&suspended, RequestType::Disclosure, &everyone),
            Err(NotPermitted::Suspended)
        );
        let no_emergency = Officer {
            may_file_emergency: false,
            ..officer()
        };
        let refused = may_file(&no_emergency, RequestType::EmergencyDisclosure, &everyone);
        assert_eq!(
            refused,
            Err(NotPermitted::Withheld(RequestType::EmergencyDisclosure))
        );
        assert!(refused.unwrap_err().message().contains("emergency"));
        assert_eq!(
            may_file(&no_emergency, RequestType::Freeze, &everyone),
            Ok(())
        );
        let no_freeze = Officer {
            may_file_freeze: false,
            ..officer()
        };
        assert_eq!(
            may_file(&no_freeze, RequestType::Freeze, &everyone),
            Err(NotPermitted::Withheld(RequestType::Freeze))
        );
    }

    #[test]
    fn an_unknown_stored_standing_reads_as_suspended() {
        assert_eq!(Standing::from("verified".to_owned()), Standing::Verified);
        assert_eq!(Standing::from("trusted".to_owned()), Standing::Suspended);
    }
}
