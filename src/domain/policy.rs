//! The authority policy as data (`policy/default.toml`): what each instrument reaches, which
//! instruments fit which track and request type, who may issue what, and the deadline rules.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::vocab::{DataCategory, InstrumentKind, RequestType, Track};

pub const DEFAULT: &str = include_str!("../../policy/default.toml");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    Yes,
    No,
    Warn,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScopeRow {
    pub subscriber_info: Access,
    pub kyc_documents: Access,
    pub transactions: Access,
    /// Session times and durations, temporarily assigned network addresses (18 USC
    /// 2703(c)(2)(C), (E)); a policy file from before the split reads its `access_logs`.
    #[serde(default)]
    pub session_records: Option<Access>,
    pub access_logs: Access,
    pub balances_wallets: Access,
    pub communications_content: Access,
    pub support_tickets: Access,
    #[serde(default)]
    pub note: String,
    /// Why a category is "no" or "warn", naming the provision: what a reviewer reads.
    #[serde(default)]
    pub why: BTreeMap<DataCategory, String>,
}

impl ScopeRow {
    pub fn access(&self, category: DataCategory) -> Access {
        match category {
            DataCategory::SubscriberInfo => self.subscriber_info,
            DataCategory::KycDocuments => self.kyc_documents,
            DataCategory::Transactions => self.transactions,
            DataCategory::SessionRecords => self.session_records.unwrap_or(self.access_logs),
            DataCategory::AccessLogs => self.access_logs,
            DataCategory::BalancesWallets => self.balances_wallets,
            DataCategory::CommunicationsContent => self.communications_content,
            DataCategory::SupportTickets => self.support_tickets,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrackInstruments {
    #[serde(default)]
    pub disclosure: Vec<InstrumentKind>,
    #[serde(default)]
    pub preservation: Vec<InstrumentKind>,
    #[serde(default)]
    pub emergency_disclosure: Vec<InstrumentKind>,
    #[serde(default)]
    pub freeze: Vec<InstrumentKind>,
    /// Categories no instrument on this track reaches, with the provision that bars them.
    #[serde(default)]
    pub never: BTreeMap<DataCategory, String>,
}

impl TrackInstruments {
    pub fn for_type(&self, kind: RequestType) -> &[InstrumentKind] {
        match kind {
            RequestType::Disclosure => &self.disclosure,
            RequestType::Preservation => &self.preservation,
            RequestType::EmergencyDisclosure => &self.emergency_disclosure,
            RequestType::Freeze => &self.freeze,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tracks {
    pub agency: TrackInstruments,
    pub court: TrackInstruments,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Jurisdiction {
    pub eu_member_states: Vec<String>,
    pub eu_only: Vec<InstrumentKind>,
    /// Instruments of an executive agreement, with the countries that issue them.
    #[serde(default)]
    pub only_from: BTreeMap<InstrumentKind, Vec<String>>,
    pub domestic: Vec<InstrumentKind>,
    /// Instruments for a "governmental entity" of the home country only (18 USC 2711(4)).
    #[serde(default)]
    pub governmental_entity_only: Vec<InstrumentKind>,
}

/// How long preserved data is kept, how often the requester may renew it, and for how long.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreservationRule {
    pub days: u32,
    pub renewals: u32,
    /// Each renewal's length (default: `days` again).
    #[serde(default)]
    pub renewal_days: Option<u32>,
    pub rule: String,
    /// The requester may confirm a subsequent production request, after which the data is
    /// kept until produced (an EPOC-PR, Annex V); the rule that says so.
    #[serde(default)]
    pub until_production: Option<String>,
}

impl PreservationRule {
    pub fn period(&self) -> chrono::TimeDelta {
        chrono::TimeDelta::days(i64::from(self.days))
    }

    pub fn renewal(&self) -> chrono::TimeDelta {
        chrono::TimeDelta::days(i64::from(self.renewal_days.unwrap_or(self.days)))
    }
}

/// Preservation: the home rule (its fields at the top of `[preservation]`), and the rules of
/// instruments that set their own.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Preservation {
    pub days: u32,
    pub renewals: u32,
    #[serde(default)]
    pub renewal_days: Option<u32>,
    pub rule: String,
    #[serde(default)]
    pub by_instrument: BTreeMap<InstrumentKind, PreservationRule>,
}

impl Default for Preservation {
    fn default() -> Preservation {
        Preservation {
            days: 90,
            renewals: 1,
            renewal_days: None,
            rule: "18 USC 2703(f)(2)".into(),
            by_instrument: BTreeMap::new(),
        }
    }
}

impl Preservation {
    /// The rule for a preservation asked for with `instrument`.
    pub fn rule_for(&self, instrument: InstrumentKind) -> PreservationRule {
        self.by_instrument
            .get(&instrument)
            .cloned()
            .unwrap_or_else(|| PreservationRule {
                days: self.days,
                renewals: self.renewals,
                renewal_days: self.renewal_days,
                rule: self.rule.clone(),
                until_production: None,
            })
    }
}

/// One of the platform's legal entities: the company a request is addressed to, whose
/// custodian of records signs the certificate.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entity {
    pub id: String,
    pub name: String,
    /// Where it is established (ISO 3166-1), shown beside its name.
    #[serde(default)]
    pub country: Option<String>,
    /// The residencies (ISO 3166-1) of the users whose accounts it holds.
    #[serde(default)]
    pub serves: Vec<String>,
    /// Requests that name no entity and match no account it serves go to this one.
    #[serde(default)]
    pub default: bool,
}

/// Why a request went to its entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Routing {
    /// The requester addressed it.
    Named,
    /// A matched account's holder resides in this country, which the entity serves.
    Residency(String),
    /// Nothing named or matched: the default entity.
    Default,
}

impl Routing {
    pub fn describe(&self) -> String {
        match self {
            Routing::Named => "addressed by the requester".to_owned(),
            Routing::Residency(country) => {
                format!("the matched account's holder resides in {country}")
            }
            Routing::Default => {
                "the default entity: no entity named, no account matched".to_owned()
            }
        }
    }
}

fn platform_only() -> Vec<Entity> {
    vec![Entity {
        id: "platform".into(),
        name: "the platform".into(),
        country: None,
        serves: Vec::new(),
        default: true,
    }]
}

/// How long a non-disclosure order may run before it is a caution.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NdoRules {
    pub max_days: u32,
    pub rule: String,
}

impl Default for NdoRules {
    fn default() -> NdoRules {
        NdoRules {
            max_days: 365,
            rule: "18 USC 2705(b); DOJ policy of 19 October 2017".into(),
        }
    }
}

/// The categories for which an instrument must come from a judge or court, and the rule.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JudicialValidation {
    pub categories: Vec<DataCategory>,
    pub rule: String,
}

/// An instrument whose issuing authority notifies an enforcing authority, which may object
/// before the data is produced: the window, in ordinary cases and in emergencies.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Notification {
    /// Ordinary cases: the data is preserved at once and produced only when this ends.
    pub hold_hours: u32,
    /// Emergencies: produced within the deadline; the objection window still runs this long.
    pub emergency_objection_hours: u32,
    /// The categories for which the notification is required.
    pub categories: Vec<DataCategory>,
    pub rule: String,
}

/// How long after issue an instrument may be executed, and the rule that says so.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Execution {
    pub days: u32,
    pub rule: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FreezeRules {
    pub orders: Vec<InstrumentKind>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeadlineRule {
    #[serde(rename = "type")]
    pub request_type: Option<RequestType>,
    pub instrument: Option<InstrumentKind>,
    pub hours: u32,
    /// Whether a later deadline asked for by the requester replaces the policy's.
    #[serde(default)]
    pub requester_may_extend: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Feasibility {
    pub minimum_days: u32,
}

/// When an officer's second factor is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SecondFactorRule {
    /// At every sign-in once enrolled, and before filing anything.
    Everyone,
    /// Only to file emergency and freeze requests.
    EmergencyAndFreeze,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Identity {
    pub second_factor: SecondFactorRule,
    pub reverify_days: u32,
}

impl Default for Identity {
    fn default() -> Identity {
        Identity {
            second_factor: SecondFactorRule::Everyone,
            reverify_days: 365,
        }
    }
}

/// The thresholds of the fraud signals (`domain::signals`).
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signals {
    pub new_officer_days: u32,
    pub same_targets_agencies: u32,
    pub same_targets_hours: u32,
    pub signin_networks: u32,
    pub signin_networks_days: u32,
    pub volume_days: u32,
    pub volume_factor: f64,
    pub volume_minimum: u32,
}

impl Default for Signals {
    fn default() -> Signals {
        Signals {
            new_officer_days: 14,
            same_targets_agencies: 3,
            same_targets_hours: 72,
            signin_networks: 4,
            signin_networks_days: 7,
            volume_days: 30,
            volume_factor: 3.0,
            volume_minimum: 10,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    pub scope: BTreeMap<InstrumentKind, ScopeRow>,
    pub tracks: Tracks,
    pub jurisdiction: Jurisdiction,
    #[serde(default)]
    pub execute_within: BTreeMap<InstrumentKind, Execution>,
    #[serde(default)]
    pub judicial_validation: BTreeMap<InstrumentKind, JudicialValidation>,
    #[serde(default)]
    pub notification: BTreeMap<InstrumentKind, Notification>,
    /// Missing from a deployment's older policy file: 90 days, renewed once (2703(f)(2)).
    #[serde(default)]
    pub preservation: Preservation,
    #[serde(default)]
    pub ndo: NdoRules,
    pub freeze: FreezeRules,
    pub deadline: Vec<DeadlineRule>,
    pub deadline_feasible: Feasibility,
    /// Missing from a deployment's older policy file: the shipped defaults.
    #[serde(default)]
    pub identity: Identity,
    #[serde(default)]
    pub signals: Signals,
    /// `[[entity]]`: missing from an older policy file, one entity called “the platform”.
    #[serde(default = "platform_only", rename = "entity")]
    pub entities: Vec<Entity>,
}

impl Policy {
    /// Parses and checks a policy file. The error names the line and the reason.
    pub fn parse(text: &str) -> Result<Policy, String> {
        let policy: Policy = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|span| text[..span.start.min(text.len())].lines().count().max(1));
            match line {
                Some(line) => format!("line {line}: {}", e.message()),
                None => e.message().to_owned(),
            }
        })?;
        if let Some(missing) = InstrumentKind::ALL
            .iter()
            .find(|k| !policy.scope.contains_key(k))
        {
            return Err(format!(
                "[scope.{missing}] is missing: every instrument needs a scope row"
            ));
        }
        if !policy
            .deadline
            .iter()
            .any(|r| r.request_type.is_none() && r.instrument.is_none())
        {
            return Err("[[deadline]] needs a last rule with neither `type` nor `instrument`, for everything else".into());
        }
        if let Some(code) = policy
            .jurisdiction
            .eu_member_states
            .iter()
            .find(|c| super::profile::Country::parse(c).is_none())
        {
            return Err(format!(
                "[jurisdiction] eu_member_states: “{code}” is not an ISO 3166-1 country code"
            ));
        }
        check_entities(&policy.entities)?;
        Ok(policy)
    }

    pub fn default_policy() -> Policy {
        Policy::parse(DEFAULT).expect("the shipped policy parses")
    }

    pub fn scope(&self, instrument: InstrumentKind) -> &ScopeRow {
        // `parse` guarantees a row for every instrument.
        &self.scope[&instrument]
    }

    pub fn instruments(&self, track: Track, kind: RequestType) -> &[InstrumentKind] {
        match track {
            Track::Agency => self.tracks.agency.for_type(kind),
            Track::Court => self.tracks.court.for_type(kind),
        }
    }

    /// Why `track` may never receive `category`, if it may not.
    pub fn barred(&self, track: Track, category: DataCategory) -> Option<&str> {
        let rules = match track {
            Track::Agency => &self.tracks.agency,
            Track::Court => &self.tracks.court,
        };
        rules.never.get(&category).map(String::as_str)
    }

    pub fn is_eu(&self, country: &str) -> bool {
        self.jurisdiction
            .eu_member_states
            .iter()
            .any(|c| c.eq_ignore_ascii_case(country))
    }

    pub fn entity(&self, id: &str) -> Option<&Entity> {
        self.entities.iter().find(|e| e.id == id)
    }

    /// The entity marked `default`, or the first (`parse` guarantees one).
    pub fn default_entity(&self) -> &Entity {
        self.entities
            .iter()
            .find(|e| e.default)
            .unwrap_or(&self.entities[0])
    }

    /// The entity a request goes to: the one it names, else the one serving the residency of
    /// the first matched account that one serves, else the default.
    pub fn route(&self, named: Option<&str>, residencies: &[String]) -> (&Entity, Routing) {
        if let Some(entity) = named.and_then(|id| self.entity(id)) {
            return (entity, Routing::Named);
        }
        for country in residencies {
            if let Some(entity) = self
                .entities
                .iter()
                .find(|e| e.serves.iter().any(|c| c.eq_ignore_ascii_case(country)))
            {
                return (entity, Routing::Residency(country.to_ascii_uppercase()));
            }
        }
        (self.default_entity(), Routing::Default)
    }

    /// The instruments that reach `category`, for a message naming what would.
    pub fn reaching(&self, category: DataCategory) -> Vec<InstrumentKind> {
        self.scope
            .iter()
            .filter(|(_, row)| row.access(category) == Access::Yes)
            .map(|(kind, _)| *kind)
            .collect()
    }
}

fn check_entities(entities: &[Entity]) -> Result<(), String> {
    if entities.is_empty() {
        return Err("[[entity]]: name at least one of the platform's legal entities".into());
    }
    for (i, entity) in entities.iter().enumerate() {
        if entity.id.trim().is_empty() || entity.name.trim().is_empty() {
            return Err(format!(
                "[[entity]] number {}: `id` and `name` must not be empty",
                i + 1
            ));
        }
        if entities[..i].iter().any(|e| e.id == entity.id) {
            return Err(format!("[[entity]] “{}” is named twice", entity.id));
        }
        if let Some(code) = entity
            .serves
            .iter()
            .chain(&entity.country)
            .find(|c| super::profile::Country::parse(c).is_none())
        {
            return Err(format!(
                "[[entity]] “{}”: “{code}” is not an ISO 3166-1 country code",
                entity.id
            ));
        }
    }
    if entities.iter().filter(|e| e.default).count() > 1 {
        return Err("[[entity]]: only one entity may be the `default`".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_policy_parses() {
        let policy = Policy::default_policy();
        assert_eq!(
            policy
                .scope(InstrumentKind::Subpoena)
                .access(DataCategory::CommunicationsContent),
            Access::No
        );
        assert!(policy
            .instruments(Track::Court, RequestType::Freeze)
            .contains(&InstrumentKind::FreezingOrder));
        assert!(policy.is_eu("fr") && !policy.is_eu("US"));
        // Not bound by Regulation 2023/1543.
        assert!(!policy.is_eu("DK"));
        let home = policy
            .preservation
            .rule_for(InstrumentKind::PreservationLetter);
        assert_eq!(
            (home.days, home.renewals, home.renewal().num_days()),
            (90, 1, 90)
        );
        let epoc_pr = policy
            .preservation
            .rule_for(InstrumentKind::EuPreservationOrder);
        assert_eq!((epoc_pr.days, epoc_pr.renewal().num_days()), (60, 30));
    }

    #[test]
    fn a_request_goes_to_the_entity_it_names_else_the_account_holders_else_the_default() {
        let policy = Policy::default_policy();
        let default = policy.default_entity().id.clone();
        let europe = policy
            .entities
            .iter()
            .find(|e| e.serves.iter().any(|c| c == "DE"))
            .expect("the shipped policy has an entity serving Germany");
        assert_ne!(europe.id, default);

        let (entity, why) = policy.route(Some(&europe.id), &["US".into()]);
        assert_eq!(
            (entity.id.as_str(), why),
            (europe.id.as_str(), Routing::Named)
        );
        let (entity, why) = policy.route(None, &["de".into()]);
        assert_eq!(
            (entity.id.as_str(), why),
            (europe.id.as_str(), Routing::Residency("DE".into()))
        );
        // A residency no entity serves falls through to the next account, then the default.
        let (entity, why) = policy.route(None, &["ZZ".into(), "FR".into()]);
        assert_eq!(
            (entity.id.as_str(), why),
            (europe.id.as_str(), Routing::Residency("FR".into()))
        );
        let (entity, why) = policy.route(Some("nowhere"), &[]);
        assert_eq!((entity.id.clone(), why), (default, Routing::Default));
    }

    #[test]
    fn entities_are_checked_at_start() {
        let without = DEFAULT.split("[[entity]]").next().unwrap().to_owned();
        let policy = Policy::parse(&without).unwrap();
        assert_eq!(policy.default_entity().name, "the platform");

        let twice = format!(
            "{without}[[entity]]\nid = \"a\"\nname = \"A\"\n[[entity]]\nid = \"a\"\nname = \"B\"\n"
        );
        assert!(Policy::parse(&twice).unwrap_err().contains("named twice"));
        let bad = format!("{without}[[entity]]\nid = \"a\"\nname = \"A\"\nserves = [\"XX\"]\n");
        assert!(Policy::parse(&bad).unwrap_err().contains("ISO 3166-1"));
        let two_defaults = format!("{without}[[entity]]\nid = \"a\"\nname = \"A\"\ndefault = true\n[[entity]]\nid = \"b\"\nname = \"B\"\ndefault = true\n");
        assert!(Policy::parse(&two_defaults)
            .unwrap_err()
            .contains("only one"));
    }

    #[test]
    fn a_broken_policy_names_the_line() {
        let broken = DEFAULT.replacen(
            "communications_content = \"no\"",
            "communications_content = \"maybe\"",
            1,
        );
        let error = Policy::parse(&broken).unwrap_err();
        let line = DEFAULT
            .lines()
            .position(|l| l.contains("communications_content = \"no\""))
            .unwrap()
            + 1;
        assert!(error.starts_with(&format!("line {line}:")), "{error}");
        assert!(error.contains("maybe"), "{error}");

        let unknown = DEFAULT.replacen("[scope.other]", "[scope.writ_of_mandamus]", 1);
        let error = Policy::parse(&unknown).unwrap_err();
        assert!(error.contains("writ_of_mandamus"), "{error}");

        let missing = DEFAULT.replacen("[scope.other]", "[scope.other_x]", 1);
        assert!(Policy::parse(&missing).is_err());
    }
}
