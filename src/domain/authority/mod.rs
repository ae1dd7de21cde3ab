//! Checks of the requester's authority (DESIGN §3): one pure function of the request, the
//! requester, the registries, the directory and the clock. A request is "authority established"
//! when no check fails. Findings are reported, never refused: the legal team decides.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::identifiers::{self, Verdict};
use super::policy::{Access, Policy};
use super::registry::DomainStanding;
use super::request::{Target, ValidRequest};
use super::vocab::{CourtPath, DataCategory, InstrumentKind, RequestType, Track};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Pass,
    Warn,
    Fail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Check {
    pub code: String,
    pub outcome: Outcome,
    pub message: String,
    /// Shown to staff only: it speaks of the platform's accounts or of other cases.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub internal: bool,
}

impl Check {
    fn new(code: &str, outcome: Outcome, message: impl Into<String>) -> Check {
        Check {
            code: code.to_owned(),
            outcome,
            message: message.into(),
            internal: false,
        }
    }
    fn internal(mut self) -> Check {
        self.internal = true;
        self
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

    /// What the requester may see: everything but the internal checks. `established` still
    /// speaks for all of them (internal checks never fail).
    pub fn for_requester(&self) -> Authority {
        Authority {
            established: self.established,
            checks: self
                .checks
                .iter()
                .filter(|c| !c.internal)
                .cloned()
                .collect(),
        }
    }

    /// Failures the requester can do something about before submitting.
    pub fn fixable_failures(&self) -> Vec<&Check> {
        self.checks
            .iter()
            .filter(|c| !c.internal && c.outcome == Outcome::Fail)
            .collect()
    }
}

/// Everything the checks look at.
pub struct Facts<'a> {
    pub policy: &'a Policy,
    pub home_country: &'a str,
    pub track: Track,
    pub request: &'a ValidRequest,
    pub email_verified: bool,
    pub domain: &'a str,
    pub standing: &'a DomainStanding,
    /// The requester's declared country (ISO 3166-1 alpha-2), if known.
    pub country: Option<&'a str>,
    /// Documents of legal process attached, and copies of the non-disclosure order.
    pub documents: usize,
    pub ndo_orders: usize,
    pub today: NaiveDate,
    /// Open cases with the same instrument reference from the same agency (agency track), or
    /// with the same court case number (court track).
    pub duplicates: &'a [String],
    /// Court track: how the representative signed in, and the account on the user path.
    pub representative: Option<Representative<'a>>,
    /// Per target: the directory's answer (`Some(uid)`, `None` not found), or no answer.
    pub directory: &'a [Option<Option<String>>],
}

/// Who files on the court-order track.
#[derive(Debug, Clone, Copy)]
pub struct Representative<'a> {
    pub path: CourtPath,
    pub account_uid: Option<&'a str>,
    pub bar_number: Option<&'a str>,
    pub bar_jurisdiction: Option<&'a str>,
}

pub fn evaluate(facts: &Facts<'_>) -> Authority {
    let request = facts.request;
    let mut checks = vec![email_verified(facts)];
    match facts.track {
        Track::Agency => {
            checks.push(domain_recognised(facts));
            checks.push(free_mail(facts));
        }
        Track::Court => checks.push(representative_identified(facts)),
    }
    checks.push(instrument_fits_track(facts));
    checks.push(instrument_scope(facts));
    checks.push(match facts.track {
        Track::Agency => jurisdiction(facts),
        Track::Court => court_jurisdiction(facts),
    });
    checks.push(legal_process(facts));
    checks.push(instrument_dates(facts));
    if request.request_type == RequestType::EmergencyDisclosure {
        checks.push(emergency_attestation(facts));
    }
    if request.request_type == RequestType::Freeze {
        checks.push(freeze_order(facts));
        checks.extend(freeze_terms(facts));
    }
    if let Some(check) = judicial_validation(facts) {
        checks.push(check);
    }
    if let Some(check) = ndo_duration(facts) {
        checks.push(check);
    }
    if let Some(check) = ndo_order(facts) {
        checks.push(check);
    }
    if let Some(check) = enforcing_notification(facts) {
        checks.push(check);
    }
    checks.push(targets_well_formed(facts));
    checks.push(targets_found(facts));
    checks.push(duplicate(facts));
    if let Some(check) = deadline_feasible(facts) {
        checks.push(check);
    }
    Authority::from_checks(checks)
}

fn article(instrument: InstrumentKind) -> String {
    let label = instrument.label();
    // Acronyms and proper names keep their capitals, and so does a citation inside the label
    // ("court order (18 U.S.C. 2703(d))"): only a common noun's first letter goes lower case.
    let name = if ["MLAT", "European", "UK"]
        .iter()
        .any(|a| label.starts_with(a))
    {
        label.to_owned()
    } else {
        let mut chars = label.chars();
        chars
            .next()
            .map(|c| c.to_lowercase().chain(chars).collect())
            .unwrap_or_default()
    };
    // "an MLAT request" (em-lat), "a European Production Order" (yoo-).
    let an = name.starts_with("MLAT")
        || matches!(name.chars().next(), Some('a' | 'e' | 'i' | 'o' | 'u'));
    format!("{} {name}", if an { "an" } else { "a" })
}

fn list(instruments: &[InstrumentKind]) -> String {
    let names: Vec<String> = instruments.iter().map(|k| article(*k)).collect();
    match names.as_slice() {
        [] => String::from("no instrument"),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
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

fn representative_identified(facts: &Facts<'_>) -> Check {
    const CODE: &str = "representative_identified";
    match facts.representative {
        Some(Representative {
            path: CourtPath::User,
            account_uid: Some(uid),
            ..
        }) => Check::new(
            CODE,
            Outcome::Pass,
            format!("The representative signed in with the e-mail of record of platform account {uid}."),
        ),
        Some(Representative {
            path: CourtPath::Visitor,
            bar_number: Some(number),
            bar_jurisdiction: Some(jurisdiction),
            ..
        }) => Check::new(
            CODE,
            Outcome::Warn,
            format!("A visitor declared bar number {number} ({jurisdiction}); the declaration is not verified: check it with the bar before acting on the order."),
        ),
        _ => Check::new(
            CODE,
            Outcome::Fail,
            "The representative is neither signed in as a platform user nor has declared a bar number and jurisdiction.",
        ),
    }
}

fn court_jurisdiction(facts: &Facts<'_>) -> Check {
    const CODE: &str = "jurisdiction_fits_instrument";
    let Some(court) = &facts.request.court else {
        return Check::new(
            CODE,
            Outcome::Fail,
            "The court that made the order is not named.",
        );
    };
    if court.country.eq_ignore_ascii_case(facts.home_country) {
        Check::new(
            CODE,
            Outcome::Pass,
            format!(
                "The order comes from a court in {}, the platform's home jurisdiction.",
                court.country
            ),
        )
    } else {
        Check::new(
            CODE,
            Outcome::Warn,
            format!(
                "The order comes from a court in {}; the platform, in {}, may need it recognised by a court of {} (or served through an MLAT) before acting on it.",
                court.country, facts.home_country, facts.home_country
            ),
        )
    }
}

fn instrument_fits_track(facts: &Facts<'_>) -> Check {
    let (kind, instrument) = (facts.request.request_type, facts.request.instrument.kind);
    let fitting = facts.policy.instruments(facts.track, kind);
    let label = kind.label().to_lowercase();
    let an = if label.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    let what = format!("{an} {label} request on the {} track", facts.track.as_str());
    if fitting.contains(&instrument) {
        Check::new(
            "instrument_fits_track",
            Outcome::Pass,
            format!("{} fits {what}.", capitalise(&article(instrument))),
        )
    } else {
        Check::new(
            "instrument_fits_track",
            Outcome::Fail,
            format!(
                "{} is not an instrument for {what}: attach {}.",
                capitalise(&article(instrument)),
                list(fitting)
            ),
        )
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn instrument_scope(facts: &Facts<'_>) -> Check {
    let request = facts.request;
    let instrument = request.instrument.kind;
    if request.request_type == RequestType::Preservation {
        return Check::new(
            "instrument_scope",
            Outcome::Pass,
            "A preservation request names what to preserve; disclosing any of it will need its own instrument.",
        );
    }
    if request.data_categories.is_empty() {
        return Check::new(
            "instrument_scope",
            Outcome::Pass,
            "No data category is asked for.",
        );
    }
    let row = facts.policy.scope(instrument);
    let because = |category: &DataCategory| {
        row.why
            .get(category)
            .map(|why| format!(" ({why})"))
            .unwrap_or_default()
    };
    let mut refused = Vec::new();
    let mut cautions = Vec::new();
    for category in &request.data_categories {
        let label = category.label().to_lowercase();
        if let Some(why) = facts.policy.barred(facts.track, *category) {
            refused.push(format!(
                "{} cannot be disclosed on the {} track, whatever the instrument: {why}; remove it",
                category.label(),
                facts.track.as_str()
            ));
            continue;
        }
        match row.access(*category) {
            Access::Yes => {}
            Access::Warn => cautions.push(format!("{label}{}", because(category))),
            Access::No => {
                let reaching: Vec<InstrumentKind> = facts
                    .policy
                    .reaching(*category)
                    .into_iter()
                    .filter(|k| {
                        *k != instrument
                            && facts
                                .policy
                                .instruments(facts.track, request.request_type)
                                .contains(k)
                    })
                    .collect();
                let instead = if reaching.is_empty() {
                    String::from("remove it")
                } else {
                    format!("remove it or attach {}", list(&reaching))
                };
                refused.push(format!(
                    "{} does not reach {label}{}: {instead}",
                    capitalise(&article(instrument)),
                    because(category),
                ));
            }
        }
    }
    let note = if row.note.is_empty() {
        String::new()
    } else {
        format!(" ({})", row.note)
    };
    if !refused.is_empty() {
        Check::new(
            "instrument_scope",
            Outcome::Fail,
            format!("{}.", refused.join("; ")),
        )
    } else if !cautions.is_empty() {
        Check::new(
            "instrument_scope",
            Outcome::Warn,
            format!(
                "{} reaches {} only with caution: {}{note}.",
                capitalise(&article(instrument)),
                if cautions.len() == 1 {
                    "this category"
                } else {
                    "these categories"
                },
                cautions.join("; ")
            ),
        )
    } else {
        Check::new(
            "instrument_scope",
            Outcome::Pass,
            format!(
                "{} reaches every category asked for{note}.",
                capitalise(&article(instrument))
            ),
        )
    }
}

fn jurisdiction(facts: &Facts<'_>) -> Check {
    const CODE: &str = "jurisdiction_fits_instrument";
    let instrument = facts.request.instrument.kind;
    let rules = &facts.policy.jurisdiction;
    let named = capitalise(&article(instrument));
    let Some(country) = facts.country else {
        return Check::new(CODE, Outcome::Warn, "The requester's country is not known.");
    };
    let home = facts.home_country;
    let abroad = !country.eq_ignore_ascii_case(home);
    if rules.eu_only.contains(&instrument) && !facts.policy.is_eu(country) {
        return Check::new(
            CODE,
            Outcome::Fail,
            format!("{named} can only come from an authority of an EU member state bound by Regulation 2023/1543 (not Denmark); the agency is in {country}."),
        );
    }
    if let Some(issuers) = rules.only_from.get(&instrument) {
        if !issuers.iter().any(|c| c.eq_ignore_ascii_case(country)) {
            return Check::new(
                CODE,
                Outcome::Fail,
                format!("{named} can only come from an authority of {} under its agreement with {home} (18 USC 2523); the agency is in {country}.", issuers.join(", ")),
            );
        }
        return Check::new(
            CODE,
            Outcome::Pass,
            format!("{named} comes from an agency in {country} under its agreement with {home} (18 USC 2523; 2702(b)(9), (c)(7)): no MLAT is needed."),
        );
    }
    if rules.governmental_entity_only.contains(&instrument) && abroad {
        let agreements: Vec<InstrumentKind> = facts
            .policy
            .instruments(facts.track, facts.request.request_type)
            .iter()
            .copied()
            .filter(|k| {
                *k != instrument && (rules.only_from.contains_key(k) || rules.eu_only.contains(k))
            })
            .collect();
        return Check::new(
            CODE,
            Outcome::Fail,
            format!(
                "{named} allows disclosure to a governmental entity (18 USC 2702(b)(8), (c)(4)), which 2711(4) limits to {home} federal, state and local government; an agency in {country} needs an agreement instrument: {}.",
                list(&agreements)
            ),
        );
    }
    if rules.domestic.contains(&instrument) && abroad {
        return Check::new(
            CODE,
            Outcome::Warn,
            format!(
                "{named} is an instrument of {home}; from an agency in {country} it must be a {home} order obtained under 18 USC 3512 on an MLAT request (attach the MLAT request as a supporting document){}.",
                if facts.policy.is_eu(country) { ", or a European Production Order" } else { "" }
            ),
        );
    }
    Check::new(
        CODE,
        Outcome::Pass,
        format!("{named} may come from an agency in {country}."),
    )
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
            "The instrument's issue date is in the future: check the date.",
        );
    }
    if let Some(expired) = instrument.expires_on.filter(|d| *d < facts.today) {
        return Check::new(
            "instrument_dates",
            Outcome::Fail,
            format!("The instrument expired on {expired}: attach a current one."),
        );
    }
    let execution = facts.policy.execute_within.get(&instrument.kind);
    if let (Some(rule), Some(issued)) = (execution, instrument.issued_on) {
        let age = (facts.today - issued).num_days();
        if age > i64::from(rule.days) {
            return Check::new(
                "instrument_dates",
                Outcome::Warn,
                format!(
                    "{}: {} must be executed within {} days of issue; this one was issued on {issued}, {age} days ago. Confirm with the agency that it was served in time, or ask for a new one.",
                    rule.rule,
                    article(instrument.kind),
                    rule.days
                ),
            );
        }
    }
    Check::new(
        "instrument_dates",
        Outcome::Pass,
        "The instrument is in force.",
    )
}

/// An instrument that asks for what only a judge or court may order names who validated it.
fn judicial_validation(facts: &Facts<'_>) -> Option<Check> {
    const CODE: &str = "judicial_validation";
    let instrument = &facts.request.instrument;
    let rule = facts.policy.judicial_validation.get(&instrument.kind)?;
    let needing: Vec<String> = facts
        .request
        .data_categories
        .iter()
        .filter(|c| rule.categories.contains(c))
        .map(|c| c.label().to_lowercase())
        .collect();
    if needing.is_empty() {
        return None;
    }
    Some(match &instrument.validated_by {
        Some(judge) => Check::new(
            CODE,
            Outcome::Pass,
            format!("{} for {} was issued or validated by {judge}.", capitalise(&article(instrument.kind)), needing.join(", ")),
        ),
        None => Check::new(
            CODE,
            Outcome::Fail,
            format!(
                "{}: {} for {} must be issued or validated by a judge, a court or an investigating judge; name who validated it, or ask only for subscriber information and session records.",
                rule.rule,
                article(instrument.kind),
                needing.join(", ")
            ),
        ),
    })
}

/// An EPOC for traffic or content data about a person who does not reside in the issuing state
/// is notified to the enforcing authority, which may object before the data is produced.
fn enforcing_notification(facts: &Facts<'_>) -> Option<Check> {
    const CODE: &str = "enforcing_notification";
    let request = facts.request;
    let rule = facts.policy.notification.get(&request.instrument.kind)?;
    let asked = request
        .data_categories
        .iter()
        .any(|c| rule.categories.contains(c));
    if !asked && !request.instrument.enforcing_notified {
        return None;
    }
    let emergency = request.request_type == RequestType::EmergencyDisclosure;
    Some(match (request.instrument.enforcing_notified, emergency) {
        (true, false) => Check::new(
            CODE,
            Outcome::Warn,
            format!(
                "{}: the enforcing authority was notified. Preserve the data at once; produce it only when its {} hours to raise grounds for refusal have passed without an objection.",
                rule.rule, rule.hold_hours
            ),
        ),
        (true, true) => Check::new(
            CODE,
            Outcome::Warn,
            format!(
                "{}: the enforcing authority was notified. Produce within the emergency deadline; it may still raise grounds for refusal for {} hours, and the data must then be deleted or restricted.",
                rule.rule, rule.emergency_objection_hours
            ),
        ),
        (false, _) => Check::new(
            CODE,
            Outcome::Warn,
            format!(
                "{}: an order for traffic or content data about a person who does not reside in the issuing state must be notified to the enforcing authority. Ask the issuing authority whether it was; if so, the data is held until the enforcing authority's window ends.",
                rule.rule
            ),
        ),
    })
}

/// A declared non-disclosure order must be attached: the platform stays silent toward its user
/// on the court's order, not on the requester's word.
fn ndo_order(facts: &Facts<'_>) -> Option<Check> {
    const CODE: &str = "ndo_order";
    if !facts.request.ndo.present {
        return None;
    }
    let rule = &facts.policy.ndo.rule;
    Some(if facts.ndo_orders == 0 {
        Check::new(
            CODE,
            Outcome::Fail,
            format!(
                "{rule}: a non-disclosure order is declared but not attached. Attach the order itself (“Non-disclosure order” on the form, part `ndo_order` in the API); a statement that one exists does not bind the platform to silence."
            ),
        )
    } else {
        Check::new(
            CODE,
            Outcome::Pass,
            "The non-disclosure order is attached; check that it names this account and its term.",
        )
    })
}

/// A non-disclosure order's term: none, or longer than the policy's year, is a caution.
fn ndo_duration(facts: &Facts<'_>) -> Option<Check> {
    const CODE: &str = "ndo_duration";
    let ndo = &facts.request.ndo;
    if !ndo.present {
        return None;
    }
    let rules = &facts.policy.ndo;
    Some(match ndo.until {
        None => Check::new(
            CODE,
            Outcome::Warn,
            format!(
                "{}: the non-disclosure order names no end date; such orders should last {} days at most and be renewed if needed. Ask the agency for the order's end date; until then the user is not told.",
                rules.rule, rules.max_days
            ),
        ),
        Some(until) if (until - facts.today).num_days() > i64::from(rules.max_days) => Check::new(
            CODE,
            Outcome::Warn,
            format!(
                "{}: the non-disclosure order runs until {until}, longer than {} days; check that the court ordered so long a term.",
                rules.rule, rules.max_days
            ),
        ),
        Some(until) => Check::new(
            CODE,
            Outcome::Pass,
            format!("The non-disclosure order ends on {until}; the user may be told from then."),
        ),
    })
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

fn freeze_order(facts: &Facts<'_>) -> Check {
    let orders = &facts.policy.freeze.orders;
    if !orders.contains(&facts.request.instrument.kind) {
        return Check::new(
            "freeze_has_order",
            Outcome::Fail,
            format!("A freeze needs {}.", list(orders)),
        );
    }
    if facts.documents == 0 {
        return Check::new(
            "freeze_has_order",
            Outcome::Fail,
            format!(
                "Attach the {} itself.",
                facts.request.instrument.kind.label().to_lowercase()
            ),
        );
    }
    Check::new(
        "freeze_has_order",
        Outcome::Pass,
        format!(
            "{} is attached.",
            capitalise(&article(facts.request.instrument.kind))
        ),
    )
}

/// What a freezing order says the freeze may reach: until when, up to what sum, and what it
/// still allows. The reviewer and operations must set the freeze to those terms.
fn freeze_terms(facts: &Facts<'_>) -> Vec<Check> {
    let Some(freeze) = &facts.request.freeze else {
        return Vec::new();
    };
    let mut checks = Vec::new();
    if let Some(until) = freeze.until {
        checks.push(Check::new(
            "freeze_until",
            Outcome::Pass,
            format!("The order runs until {until}: release the freeze then unless the order is continued."),
        ));
    }
    if facts.request.instrument.kind != InstrumentKind::FreezingOrder {
        return checks;
    }
    if let Some(respondent) = &freeze.respondent {
        checks.push(Check::new(
            "freeze_respondent",
            Outcome::Pass,
            format!("The order binds the respondent {respondent}: freeze only accounts they hold or control, and check the account holder's name."),
        ));
    }
    let all: Vec<&str> = freeze
        .assets
        .iter()
        .filter(|a| a.amount == "all")
        .map(|a| a.asset.as_str())
        .collect();
    checks.push(match (&freeze.max_sum, all.is_empty()) {
        (Some(max), false) => Check::new(
            "freeze_max_sum",
            Outcome::Warn,
            format!(
                "The freezing order is limited to {max}, but all of {} is asked for: freeze assets up to the value of {max} only, and release the rest.",
                all.join(", ")
            ),
        ),
        (Some(max), true) => Check::new(
            "freeze_max_sum",
            Outcome::Pass,
            format!("The freezing order is limited to {max}; the amounts asked for must not exceed it together."),
        ),
        (None, _) => Check::new(
            "freeze_max_sum",
            Outcome::Warn,
            "No maximum sum is given: freezing injunctions usually freeze assets up to a stated value (\"up to the value of …\"); read the order for it before freezing everything.",
        ),
    });
    if let Some(exceptions) = &freeze.exceptions {
        checks.push(Check::new(
            "freeze_exceptions",
            Outcome::Warn,
            format!(
                "The order allows: {exceptions}. The freeze must leave these possible (for example by a weekly withdrawal limit); tell operations."
            ),
        ));
    }
    checks
}

fn describe(i: usize, target: &Target) -> String {
    let chain = target
        .chain
        .map(|c| format!(", {}", c.label()))
        .unwrap_or_default();
    format!(
        "target {} ({}{chain})",
        i + 1,
        target.kind.label().to_lowercase()
    )
}

fn targets_well_formed(facts: &Facts<'_>) -> Check {
    let mut invalid = Vec::new();
    let mut unchecked = Vec::new();
    for (i, target) in facts.request.targets.iter().enumerate() {
        match identifiers::check(target.kind, target.chain, &target.value) {
            Verdict::Valid(_) => {}
            Verdict::Invalid(reason) => invalid.push(format!(
                "{} {}: {reason}",
                describe(i, target),
                target.value
            )),
            Verdict::Unchecked(_) => unchecked.push(describe(i, target)),
        }
    }
    if !invalid.is_empty() {
        Check::new(
            "targets_well_formed",
            Outcome::Fail,
            capitalise(&format!("{}.", invalid.join("; "))),
        )
    } else if !unchecked.is_empty() {
        Check::new(
            "targets_well_formed",
            Outcome::Warn,
            capitalise(&format!(
                "{} could not be checked (no rule for that chain).",
                unchecked.join(", ")
            )),
        )
    } else {
        Check::new(
            "targets_well_formed",
            Outcome::Pass,
            "Every target is well formed, with valid checksums where the chain defines one.",
        )
    }
}

fn targets_found(facts: &Facts<'_>) -> Check {
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for (i, target) in facts.request.targets.iter().enumerate() {
        match facts.directory.get(i) {
            Some(Some(Some(uid))) => {
                found.push(format!("{} is account {uid}", describe(i, target)))
            }
            Some(Some(None)) => missing.push(describe(i, target)),
            _ => {}
        }
    }
    let check = if missing.is_empty() && found.is_empty() {
        Check::new(
            "targets_found",
            Outcome::Warn,
            "No target can be looked up in the account directory.",
        )
    } else if missing.is_empty() {
        Check::new(
            "targets_found",
            Outcome::Pass,
            capitalise(&format!("{}.", found.join("; "))),
        )
    } else {
        let mut message = format!("No account matches {}.", missing.join(", "));
        if !found.is_empty() {
            message.push_str(&capitalise(&format!(" {}.", found.join("; "))));
        }
        Check::new("targets_found", Outcome::Warn, message)
    };
    check.internal()
}

fn duplicate(facts: &Facts<'_>) -> Check {
    let court = facts.request.court.as_ref();
    let check = match (facts.duplicates, court) {
        ([], None) => Check::new(
            "duplicate_request",
            Outcome::Pass,
            "No open case carries the same instrument reference from this agency.",
        ),
        ([], Some(_)) => Check::new(
            "duplicate_request",
            Outcome::Pass,
            "No open case carries the same court case number.",
        ),
        (open, None) => Check::new(
            "duplicate_request",
            Outcome::Warn,
            format!(
                "The same instrument reference {} is already open as {}.",
                facts.request.instrument.reference,
                open.join(", ")
            ),
        ),
        (open, Some(court)) => Check::new(
            "duplicate_request",
            Outcome::Warn,
            format!(
                "Court case {} ({}) is already open as {}.",
                court.case_number,
                court.country,
                open.join(", ")
            ),
        ),
    };
    check.internal()
}

fn deadline_feasible(facts: &Facts<'_>) -> Option<Check> {
    let deadline = facts.request.deadline?;
    let minimum = i64::from(facts.policy.deadline_feasible.minimum_days);
    Some(if (deadline - facts.today).num_days() < minimum {
        Check::new(
            "deadline_feasible",
            Outcome::Warn,
            format!("The requested deadline {deadline} is less than {minimum} days away. A return date binds: the case is due then, sooner than the policy allows for review; the legal team will try but cannot promise it."),
        )
    } else {
        Check::new(
            "deadline_feasible",
            Outcome::Pass,
            format!("The requested deadline {deadline} leaves time to review the request."),
        )
    })
}

#[cfg(test)]
mod tests;
