//! The addressee's answer when it cannot execute a European Production or Preservation Order,
//! or not in full or in time, in the terms of the form of Annex III of Regulation (EU) 2023/1543:
//! the reasons the Regulation gives (Arts. 10(5) to 10(8) for an EPOC, 11(4) to 11(6) for an
//! EPOC-PR, Art. 17 for a conflict with a third country's law), what is missing or why, and
//! whether part of the data is given.
//!
//! The answer is kept as data and printed as a document the legal team sends to the issuing
//! authority (and, where the order was notified, to the enforcing authority).

use serde::Serialize;

use super::text;
use super::vocab::InstrumentKind;
use crate::domain::FieldErrors;

/// Which order is answered: the Regulation gives each its own reasons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Order {
    /// A European Production Order certificate (EPOC), Art. 10.
    Production,
    /// A European Preservation Order certificate (EPOC-PR), Art. 11.
    Preservation,
}

impl Order {
    /// The order a case's instrument is, if it is one of the Regulation's.
    pub fn of(instrument: InstrumentKind) -> Option<Order> {
        match instrument {
            InstrumentKind::EuProductionOrder => Some(Order::Production),
            InstrumentKind::EuPreservationOrder => Some(Order::Preservation),
            _ => None,
        }
    }

    pub fn certificate(self) -> &'static str {
        match self {
            Order::Production => "EPOC",
            Order::Preservation => "EPOC-PR",
        }
    }
}

/// Why the order cannot be executed, or not in full or in time. These names are the
/// Regulation's, and each carries the provision that gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    Incomplete,
    ManifestErrors,
    InsufficientInformation,
    NotAUser,
    DataNotHeld,
    OtherImpossibility,
    ImmunitiesPrivileges,
    ThirdCountryConflict,
    Other,
}

impl Reason {
    pub const ALL: &'static [Reason] = &[
        Reason::Incomplete,
        Reason::ManifestErrors,
        Reason::InsufficientInformation,
        Reason::NotAUser,
        Reason::DataNotHeld,
        Reason::OtherImpossibility,
        Reason::ImmunitiesPrivileges,
        Reason::ThirdCountryConflict,
        Reason::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Incomplete => "incomplete",
            Reason::ManifestErrors => "manifest_errors",
            Reason::InsufficientInformation => "insufficient_information",
            Reason::NotAUser => "not_a_user",
            Reason::DataNotHeld => "data_not_held",
            Reason::OtherImpossibility => "other_impossibility",
            Reason::ImmunitiesPrivileges => "immunities_privileges",
            Reason::ThirdCountryConflict => "third_country_conflict",
            Reason::Other => "other",
        }
    }

    pub fn parse(text: &str) -> Option<Reason> {
        Reason::ALL.iter().copied().find(|r| r.as_str() == text)
    }

    /// The reason as the form states it.
    pub fn label(self) -> &'static str {
        match self {
            Reason::Incomplete => "the order is incomplete",
            Reason::ManifestErrors => "the order contains manifest errors",
            Reason::InsufficientInformation => {
                "the order does not contain sufficient information to execute it"
            }
            Reason::NotAUser => {
                "de facto impossibility: the person whose data are sought is not a user of the service, or cannot be identified as one"
            }
            Reason::DataNotHeld => {
                "de facto impossibility: the data sought are not stored by the provider, or were deleted before the order was received"
            }
            Reason::OtherImpossibility => {
                "de facto impossibility for another reason not attributable to the provider"
            }
            Reason::ImmunitiesPrivileges => {
                "execution could interfere with immunities or privileges, or with rules on the determination or limitation of criminal liability that relate to freedom of the press or freedom of expression in other media, in the enforcing State"
            }
            Reason::ThirdCountryConflict => {
                "compliance would conflict with an obligation under the applicable law of a third country"
            }
            Reason::Other => "another reason, stated below",
        }
    }

    /// The provision that gives the reason for the order, or `None` where the Regulation gives
    /// it only for the other order.
    pub fn provision(self, order: Order) -> Option<&'static str> {
        use Order::{Preservation, Production};
        use Reason::*;
        Some(match (self, order) {
            (Incomplete | ManifestErrors | InsufficientInformation, Production) => "Art. 10(6)",
            (Incomplete | ManifestErrors | InsufficientInformation, Preservation) => "Art. 11(4)",
            (NotAUser | DataNotHeld | OtherImpossibility, Production) => "Art. 10(7)",
            (NotAUser | DataNotHeld | OtherImpossibility, Preservation) => "Art. 11(5)",
            (ImmunitiesPrivileges, Production) => "Art. 10(5)",
            (ThirdCountryConflict, Production) => "Art. 17(1)",
            (Other, Production) => "Art. 10(8)",
            (Other, Preservation) => "Art. 11(6)",
            (ImmunitiesPrivileges | ThirdCountryConflict, Preservation) => return None,
        })
    }

    /// Reasons that ask the issuing authority to correct or complete its order.
    fn asks_clarification(self) -> bool {
        matches!(
            self,
            Reason::Incomplete | Reason::ManifestErrors | Reason::InsufficientInformation
        )
    }
}

/// An answer as entered.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct AnswerDraft {
    pub reasons: Vec<String>,
    pub details: String,
    /// Part of the data is given (Art. 10(8): not provided "exhaustively").
    pub partial: bool,
}

/// An answer, checked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Answer {
    pub order: Order,
    pub reasons: Vec<Reason>,
    pub details: String,
    pub partial: bool,
}

/// Longest explanation accepted: the form's free text is a few paragraphs.
pub const MAX_DETAILS: usize = 4_000;

impl AnswerDraft {
    /// Checks the answer for the order: at least one reason the Regulation gives for that
    /// order, and the explanation the form asks for.
    pub fn check(&self, order: Order) -> Result<Answer, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut reasons = Vec::new();
        for name in &self.reasons {
            match Reason::parse(name.trim()) {
                None => errors.add("reasons", format!("“{name}” is not a reason of Annex III.")),
                Some(reason) if reason.provision(order).is_none() => errors.add(
                    "reasons",
                    format!(
                        "The Regulation gives “{}” only for a European Production Order (Arts. 10(5) and 17), not for an {}.",
                        reason.label(),
                        order.certificate()
                    ),
                ),
                Some(reason) => reasons.push(reason),
            }
        }
        reasons.sort();
        reasons.dedup();
        if reasons.is_empty() && self.reasons.is_empty() {
            errors.add(
                "reasons",
                "Tick at least one reason the order cannot be executed.",
            );
        }
        let details = self.details.trim().to_owned();
        if details.is_empty() {
            let what = if reasons.iter().any(|r| r.asks_clarification()) {
                "Say what is missing or wrong, so that the issuing authority can correct the order."
            } else if reasons.contains(&Reason::ThirdCountryConflict) {
                "Name the third country's law and explain why it prohibits disclosure (Art. 17(2))."
            } else {
                "Explain the reasons: the form asks for them."
            };
            errors.add("details", what);
        } else if details.chars().count() > MAX_DETAILS {
            errors.add("details", "Keep the explanation to 4,000 characters.");
        } else if let Err(message) = text::check_text(&details) {
            errors.add("details", message);
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Answer {
            order,
            reasons,
            details,
            partial: self.partial,
        })
    }
}

/// What the document names besides the answer.
#[derive(Debug, Clone)]
pub struct Addressing<'a> {
    pub case: &'a str,
    pub number: i32,
    pub instrument_reference: &'a str,
    pub issuing_authority: &'a str,
    pub addressee: &'a str,
    pub received_at: &'a str,
    pub answered_at: &'a str,
    pub answered_by: &'a str,
    pub enforcing_notified: bool,
}

/// The answer as a document in the form's order: the order answered, the reasons with their
/// provisions, the explanation, and what happens to the data.
pub fn render(answer: &Answer, to: &Addressing<'_>) -> String {
    let mut out = String::new();
    let line = |out: &mut String, text: &str| {
        out.push_str(text);
        out.push('\n');
    };
    line(
        &mut out,
        "REGULATION (EU) 2023/1543, ANNEX III: INFORMATION ON THE INABILITY TO EXECUTE AN EPOC OR EPOC-PR",
    );
    line(&mut out, "");
    line(
        &mut out,
        &format!(
            "Answer {} to case {}, given {}.",
            to.number, to.case, to.answered_at
        ),
    );
    line(&mut out, "");
    line(&mut out, "A. The order");
    line(
        &mut out,
        &format!(
            "  Certificate: {} ({})",
            answer.order.certificate(),
            match answer.order {
                Order::Production => "European Production Order Certificate",
                Order::Preservation => "European Preservation Order Certificate",
            }
        ),
    );
    line(
        &mut out,
        &format!("  Its reference: {}", one_line(to.instrument_reference)),
    );
    if !to.issuing_authority.trim().is_empty() {
        line(
            &mut out,
            &format!("  Issuing authority: {}", one_line(to.issuing_authority)),
        );
    }
    line(&mut out, &format!("  Received: {}", to.received_at));
    line(
        &mut out,
        &format!("  Addressee: {}", one_line(to.addressee)),
    );
    line(
        &mut out,
        &format!(
            "  This information goes to the issuing authority{}.",
            if to.enforcing_notified {
                " and to the enforcing authority that was notified (Art. 8)"
            } else {
                ""
            }
        ),
    );
    line(&mut out, "");
    line(
        &mut out,
        &format!(
            "B. The order cannot be executed{}, for these reasons:",
            if answer.partial {
                " in full (part of the data is given)"
            } else {
                ", or not within its deadline"
            }
        ),
    );
    for reason in &answer.reasons {
        line(
            &mut out,
            &format!(
                "  [x] {} ({})",
                reason.label(),
                reason.provision(answer.order).unwrap_or("")
            ),
        );
    }
    line(&mut out, "");
    line(&mut out, "C. Explanation");
    for text in answer.details.lines() {
        line(&mut out, &format!("  {text}"));
    }
    line(&mut out, "");
    line(&mut out, "D. What follows");
    if answer.reasons.iter().any(|r| r.asks_clarification()) {
        line(
            &mut out,
            "  The addressee asks the issuing authority to correct or complete the order; the data requested is preserved meanwhile, where possible.",
        );
    }
    if answer.reasons.contains(&Reason::ThirdCountryConflict) {
        line(
            &mut out,
            "  This is a reasoned objection under Art. 17: the issuing authority reviews the order, and may refer it to its competent court.",
        );
    }
    if answer.reasons.contains(&Reason::ImmunitiesPrivileges) {
        line(
            &mut out,
            "  The enforcing authority is informed so that it may decide whether to raise a ground for refusal (Art. 12).",
        );
    }
    if !answer.reasons.iter().any(|r| {
        r.asks_clarification()
            || matches!(
                r,
                Reason::ThirdCountryConflict | Reason::ImmunitiesPrivileges
            )
    }) {
        line(
            &mut out,
            "  The addressee cannot give the data for the reasons above.",
        );
    }
    line(&mut out, "");
    line(&mut out, &format!("Given by: {}", one_line(to.answered_by)));
    out
}

/// A single-line field keeps to its line: a reference with a line break must not start a
/// section of the document.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(reasons: &[&str], details: &str) -> AnswerDraft {
        AnswerDraft {
            reasons: reasons.iter().map(|r| (*r).to_owned()).collect(),
            details: details.to_owned(),
            partial: false,
        }
    }

    #[test]
    fn regulation_2023_1543_annex_iii_reasons_follow_the_order() {
        use Order::*;
        // (reason, order, provision or refused)
        let table: &[(&str, Order, Option<&str>)] = &[
            ("incomplete", Production, Some("Art. 10(6)")),
            ("manifest_errors", Production, Some("Art. 10(6)")),
            ("insufficient_information", Preservation, Some("Art. 11(4)")),
            ("not_a_user", Production, Some("Art. 10(7)")),
            ("data_not_held", Preservation, Some("Art. 11(5)")),
            ("other_impossibility", Production, Some("Art. 10(7)")),
            ("immunities_privileges", Production, Some("Art. 10(5)")),
            ("immunities_privileges", Preservation, None),
            ("third_country_conflict", Production, Some("Art. 17(1)")),
            ("third_country_conflict", Preservation, None),
            ("other", Production, Some("Art. 10(8)")),
            ("other", Preservation, Some("Art. 11(6)")),
        ];
        for (name, order, provision) in table {
            let reason = Reason::parse(name).unwrap();
            assert_eq!(reason.provision(*order), *provision, "{name} for {order:?}");
            let checked = draft(&[name], "Explained.").check(*order);
            match provision {
                Some(_) => assert_eq!(checked.unwrap().reasons, vec![reason], "{name}"),
                None => {
                    let errors = checked.unwrap_err();
                    assert!(
                        errors
                            .get("reasons")
                            .unwrap()
                            .contains("only for a European Production Order"),
                        "{name}"
                    );
                }
            }
        }
        // Every reason has a name that parses back.
        for reason in Reason::ALL {
            assert_eq!(Reason::parse(reason.as_str()), Some(*reason));
        }
    }

    #[test]
    fn regulation_2023_1543_annex_iii_needs_a_reason_and_an_explanation() {
        let none = draft(&[], "Something")
            .check(Order::Production)
            .unwrap_err();
        assert!(none.get("reasons").unwrap().contains("at least one reason"));
        let unknown = draft(&["busy"], "x").check(Order::Production).unwrap_err();
        assert!(unknown.get("reasons").unwrap().contains("“busy”"));
        // The explanation asked for follows the reason.
        let clarify = draft(&["incomplete"], "  ")
            .check(Order::Production)
            .unwrap_err();
        assert!(clarify
            .get("details")
            .unwrap()
            .contains("what is missing or wrong"));
        let conflict = draft(&["third_country_conflict"], "")
            .check(Order::Production)
            .unwrap_err();
        assert!(conflict.get("details").unwrap().contains("Art. 17(2)"));
        let long = draft(&["other"], &"a".repeat(MAX_DETAILS + 1))
            .check(Order::Production)
            .unwrap_err();
        assert!(long.get("details").unwrap().contains("4,000"));
        let control = draft(&["other"], "bell\u{7}")
            .check(Order::Production)
            .unwrap_err();
        assert!(control.get("details").is_some());
        // Duplicates collapse; the order of the form is kept.
        let answer = draft(&["other", "incomplete", "other"], "Missing the account.")
            .check(Order::Production)
            .unwrap();
        assert_eq!(answer.reasons, vec![Reason::Incomplete, Reason::Other]);
    }

    #[test]
    fn regulation_2023_1543_annex_iii_document_states_reasons_and_provisions() {
        let answer = AnswerDraft {
            reasons: vec!["not_a_user".into(), "third_country_conflict".into()],
            details: "No account holds the e-mail address.\nUS law: 18 USC 2702(a).".into(),
            partial: true,
        }
        .check(Order::Production)
        .unwrap();
        let text = render(
            &answer,
            &Addressing {
                case: "LE-2026-000007",
                number: 1,
                instrument_reference: "EPOC-DE\n-2026-1",
                issuing_authority: "Staatsanwaltschaft Berlin",
                addressee: "Example Exchange Europe B.V.",
                received_at: "2026-12-01T09:00:00Z",
                answered_at: "2026-12-02T10:00:00Z",
                answered_by: "Dana Reviewer, Custodian of Records",
                enforcing_notified: true,
            },
        );
        assert!(text.starts_with("REGULATION (EU) 2023/1543, ANNEX III"));
        assert!(text.contains("Its reference: EPOC-DE -2026-1\n"), "{text}");
        assert!(text.contains("[x] de facto impossibility: the person whose data are sought is not a user of the service, or cannot be identified as one (Art. 10(7))"));
        assert!(text.contains("(Art. 17(1))"));
        assert!(text.contains("in full (part of the data is given)"));
        assert!(
            text.contains("  No account holds the e-mail address.\n  US law: 18 USC 2702(a).\n")
        );
        assert!(text.contains("reasoned objection under Art. 17"));
        assert!(text.contains("enforcing authority that was notified (Art. 8)"));
        assert!(!text.contains("correct or complete the order"));
    }
}
