//! A request as submitted (`RequestDraft`, text as it came from the form or the API) and as
//! accepted (`ValidRequest`, typed and normalised). Malformed requests never get past `validate`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::email::EmailAddress;
use super::identifiers::{self, Verdict};
use super::profile::{Country, Phone};
use super::text;
use super::vocab::{
    Chain, DataCategory, InstrumentKind, RequestType, TargetKind, TargetRole, Track,
};
use crate::domain::FieldErrors;

pub const MAX_TARGETS: usize = 100;
pub const MAX_ASSETS: usize = 50;
const MAX_SUMMARY: usize = 20_000;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct RequestDraft {
    #[serde(rename = "type")]
    pub request_type: String,
    pub instrument: InstrumentDraft,
    pub targets: Vec<TargetDraft>,
    pub data_categories: Vec<String>,
    pub records_from: Option<String>,
    pub records_to: Option<String>,
    pub ndo: Option<NdoDraft>,
    pub deadline: Option<String>,
    pub summary: String,
    pub emergency: Option<EmergencyDraft>,
    pub freeze: Option<FreezeDraft>,
    pub court: Option<CourtDraft>,
    /// Optional: when given, it must be the track the requester signed in to.
    pub track: Option<String>,
    /// Optional: the id of the platform's legal entity the request is addressed to.
    pub entity: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct CourtDraft {
    pub name: String,
    pub country: String,
    pub region: String,
    pub case_number: String,
    pub judge: String,
    pub order_date: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct InstrumentDraft {
    pub kind: String,
    pub reference: String,
    pub issuing_authority: String,
    pub issued_on: Option<String>,
    pub expires_on: Option<String>,
    /// The judge, court or investigating judge who issued or validated it (an EPOC for traffic
    /// or content data, Regulation 2023/1543 Art. 4(2)).
    pub validated_by: String,
    /// An EPOC: the issuing authority notified the enforcing authority (Regulation 2023/1543,
    /// Art. 8), which may raise grounds for refusal before the data is produced.
    pub enforcing_notified: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct TargetDraft {
    pub kind: String,
    pub value: String,
    pub chain: Option<String>,
    pub role: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct NdoDraft {
    pub present: bool,
    pub until: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct EmergencyDraft {
    pub nature: String,
    pub persons_at_risk: String,
    pub why_needed: String,
    pub attested: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct FreezeDraft {
    pub assets: Vec<AssetDraft>,
    pub reason: String,
    /// The day the order runs until (often its return date).
    pub until: Option<String>,
    /// A court freezing order: the respondent it names, the maximum sum it freezes, and what it
    /// still allows (living expenses, legal costs, ordinary business).
    pub respondent: String,
    pub max_sum: String,
    pub exceptions: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct AssetDraft {
    pub asset: String,
    pub amount: String,
}

/// An accepted request: every field typed, every identifier normalised.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidRequest {
    pub request_type: RequestType,
    pub instrument: Instrument,
    pub targets: Vec<Target>,
    pub data_categories: Vec<DataCategory>,
    pub records_from: Option<NaiveDate>,
    pub records_to: Option<NaiveDate>,
    pub ndo: Ndo,
    pub deadline: Option<NaiveDate>,
    pub summary: String,
    pub emergency: Option<Emergency>,
    pub freeze: Option<Freeze>,
    pub court: Option<Court>,
    /// The legal entity the requester addressed (checked against the policy at intake).
    pub entity: Option<String>,
}

/// The court that made the order (court-order track).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Court {
    pub name: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub region: String,
    pub case_number: String,
    pub judge: String,
    pub order_date: NaiveDate,
}

impl Court {
    /// The key under which the same case is recognised again: the country and the case number
    /// without spaces, in capitals (`FR:RG24/01234`).
    pub fn case_key(&self) -> String {
        let number: String = self
            .case_number
            .chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_uppercase)
            .collect();
        format!("{}:{number}", self.country)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Instrument {
    pub kind: InstrumentKind,
    pub reference: String,
    pub issuing_authority: String,
    pub issued_on: Option<NaiveDate>,
    pub expires_on: Option<NaiveDate>,
    pub validated_by: Option<String>,
    pub enforcing_notified: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Target {
    pub kind: TargetKind,
    pub value: String,
    pub chain: Option<Chain>,
    pub role: TargetRole,
}

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Ndo {
    pub present: bool,
    pub until: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Emergency {
    pub nature: String,
    pub persons_at_risk: String,
    pub why_needed: String,
    pub attested: bool,
}

#[derive(Default, Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Freeze {
    pub assets: Vec<Asset>,
    pub reason: String,
    /// Stored requests from before these fields read as absent.
    #[serde(default)]
    pub until: Option<NaiveDate>,
    #[serde(default)]
    pub respondent: Option<String>,
    #[serde(default)]
    pub max_sum: Option<String>,
    #[serde(default)]
    pub exceptions: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Asset {
    pub asset: String,
    /// A positive decimal, or `all`.
    pub amount: String,
}

/// Collects field errors while parsing, so one pass reports everything that is wrong.
struct Checker {
    errors: FieldErrors,
}

/// Fields allowed this many characters or more are prose (line breaks allowed); shorter ones
/// are single lines (names, references, numbers).
const PROSE: usize = 2_000;

impl Checker {
    fn text(&mut self, field: &str, value: &str, missing: &str, max: usize) -> String {
        let value = value.trim();
        if value.is_empty() {
            self.errors.add(field, missing);
        } else {
            self.plain(field, value, max);
        }
        value.to_owned()
    }

    fn optional_text(&mut self, field: &str, value: &str, max: usize) -> String {
        let value = value.trim();
        self.plain(field, value, max);
        value.to_owned()
    }

    /// At most `max` characters of plain text: one line, or prose for long fields.
    fn plain(&mut self, field: &str, value: &str, max: usize) {
        let checked = if max >= PROSE {
            text::check_text(value)
        } else {
            text::check_line(value)
        };
        if let Err(message) = checked {
            self.errors.add(field, message);
        } else if value.chars().count() > max {
            self.errors.add(field, format!("At most {max} characters."));
        }
    }

    fn date(&mut self, field: &str, value: &Option<String>) -> Option<NaiveDate> {
        let value = value.as_deref().map(str::trim).filter(|v| !v.is_empty())?;
        let parsed = NaiveDate::parse_from_str(value, "%Y-%m-%d").ok();
        if parsed.is_none() {
            self.errors.add(field, "Enter a date as YYYY-MM-DD.");
        }
        parsed
    }

    fn choice<T>(
        &mut self,
        field: &str,
        value: &str,
        parse: fn(&str) -> Option<T>,
        missing: &str,
    ) -> Option<T> {
        let value = value.trim();
        let parsed = parse(value);
        if parsed.is_none() {
            self.errors.add(
                field,
                if value.is_empty() {
                    missing.to_owned()
                } else {
                    format!("“{value}” is not one of the choices.")
                },
            );
        }
        parsed
    }
}

impl RequestDraft {
    /// Checks and normalises the request for `track` as of `today`. Only what makes the request
    /// meaningless or malformed is refused here; questions of authority are the checks' job.
    pub fn validate(&self, track: Track, today: NaiveDate) -> Result<ValidRequest, FieldErrors> {
        let mut c = Checker {
            errors: FieldErrors::default(),
        };
        let request_type = c.choice(
            "type",
            &self.request_type,
            RequestType::parse,
            "Choose the type of request.",
        );
        if let Some(kind) = request_type.filter(|kind| !kind.allowed_on(track)) {
            c.errors.add(
                "type",
                format!(
                    "{} request cannot be filed on the {} track.",
                    kind.with_article(),
                    track.as_str()
                ),
            );
        }
        if let Some(claimed) = self.track.as_deref().map(str::trim) {
            if claimed != track.as_str() {
                c.errors.add(
                    "track",
                    format!(
                        "You are signed in to the {} track; a request for the “{claimed}” track needs a sign-in on that track.",
                        track.as_str()
                    ),
                );
            }
        }
        let emergency_type = request_type == Some(RequestType::EmergencyDisclosure);

        let court = self.court(&mut c, track);
        // On the court track the order's case number, court and date stand for the instrument's.
        let mut instrument = self.instrument(&mut c, emergency_type || track == Track::Court);
        if let (Some(instrument), Some(court)) = (instrument.as_mut(), court.as_ref()) {
            if instrument.reference.is_empty() {
                instrument.reference = court.case_number.clone();
            }
            if instrument.issuing_authority.is_empty() {
                instrument.issuing_authority = court.name.clone();
            }
            instrument.issued_on = instrument.issued_on.or(Some(court.order_date));
        }
        let targets = self.targets(&mut c);
        let data_categories = self.categories(&mut c, request_type);

        let records_from = c.date("records_from", &self.records_from);
        let records_to = c.date("records_to", &self.records_to);
        if let (Some(from), Some(to)) = (records_from, records_to) {
            if to < from {
                c.errors
                    .add("records_to", "The end date is before the start date.");
            }
        }

        let ndo = self.ndo(&mut c, today);
        let deadline = c.date("deadline", &self.deadline);
        if deadline.is_some_and(|d| d < today) {
            c.errors
                .add("deadline", "The requested deadline is in the past.");
        }
        let summary = c.text(
            "summary",
            &self.summary,
            "Describe the case: what happened and why these records matter.",
            MAX_SUMMARY,
        );

        let entity = c.optional_text("entity", &self.entity, 64);

        let emergency = if emergency_type {
            self.emergency(&mut c)
        } else {
            None
        };
        let freeze = if request_type == Some(RequestType::Freeze) {
            self.freeze(&mut c, instrument.as_ref().map(|i| i.kind), today)
        } else {
            None
        };

        match (request_type, instrument) {
            (Some(request_type), Some(instrument)) if c.errors.is_empty() => Ok(ValidRequest {
                request_type,
                instrument,
                targets,
                data_categories,
                records_from,
                records_to,
                ndo,
                deadline,
                summary,
                emergency,
                freeze,
                court,
                entity: (!entity.is_empty()).then_some(entity),
            }),
            _ => Err(c.errors),
        }
    }

    fn court(&self, c: &mut Checker, track: Track) -> Option<Court> {
        let blank = self.court.as_ref().is_none_or(|court| {
            [
                &court.name,
                &court.country,
                &court.region,
                &court.case_number,
                &court.judge,
            ]
            .iter()
            .all(|f| f.trim().is_empty())
                && court
                    .order_date
                    .as_deref()
                    .is_none_or(|d| d.trim().is_empty())
        });
        if track == Track::Agency {
            if !blank {
                c.errors.add(
                    "court",
                    "Court details belong to the court-order track; describe your legal process under “instrument”.",
                );
            }
            return None;
        }
        let draft = self.court.clone().unwrap_or_default();
        let name = c.text(
            "court.name",
            &draft.name,
            "Enter the name of the court.",
            300,
        );
        let country = c.choice(
            "court.country",
            &draft.country,
            |text| Country::parse(text).map(|country| country.code().to_owned()),
            "Choose the court's country.",
        );
        let region = c.optional_text("court.region", &draft.region, 200);
        let case_number = c.text(
            "court.case_number",
            &draft.case_number,
            "Enter the court's case number.",
            200,
        );
        let judge = c.text(
            "court.judge",
            &draft.judge,
            "Enter the judge who made the order.",
            200,
        );
        let order_date = c.date("court.order_date", &draft.order_date);
        if order_date.is_none() && c.errors.get("court.order_date").is_none() {
            c.errors
                .add("court.order_date", "Enter the date of the order.");
        }
        Some(Court {
            name,
            country: country?,
            region,
            case_number,
            judge,
            order_date: order_date?,
        })
    }

    fn instrument(&self, c: &mut Checker, emergency: bool) -> Option<Instrument> {
        let draft = &self.instrument;
        let kind = c.choice(
            "instrument.kind",
            &draft.kind,
            InstrumentKind::parse,
            "Choose the legal instrument.",
        );
        // An emergency attestation has no court reference or issuer other than the officer.
        let (reference, issuing_authority) = if emergency {
            (
                c.optional_text("instrument.reference", &draft.reference, 200),
                c.optional_text(
                    "instrument.issuing_authority",
                    &draft.issuing_authority,
                    300,
                ),
            )
        } else {
            (
                c.text(
                    "instrument.reference",
                    &draft.reference,
                    "Enter the instrument's reference number.",
                    200,
                ),
                c.text(
                    "instrument.issuing_authority",
                    &draft.issuing_authority,
                    "Enter the court or authority that issued it.",
                    300,
                ),
            )
        };
        let issued_on = c.date("instrument.issued_on", &draft.issued_on);
        let expires_on = c.date("instrument.expires_on", &draft.expires_on);
        if let (Some(issued), Some(expires)) = (issued_on, expires_on) {
            if expires < issued {
                c.errors.add(
                    "instrument.expires_on",
                    "The instrument cannot expire before it was issued.",
                );
            }
        }
        let validated_by = c.optional_text("instrument.validated_by", &draft.validated_by, 300);
        Some(Instrument {
            kind: kind?,
            reference,
            issuing_authority,
            issued_on,
            expires_on,
            validated_by: (!validated_by.is_empty()).then_some(validated_by),
            enforcing_notified: draft.enforcing_notified,
        })
    }

    fn targets(&self, c: &mut Checker) -> Vec<Target> {
        if self.targets.is_empty() {
            c.errors.add("targets", "Add at least one target: a user ID, e-mail, phone, wallet address or transaction hash.");
        }
        if self.targets.len() > MAX_TARGETS {
            c.errors.add(
                "targets",
                format!("At most {MAX_TARGETS} targets per request."),
            );
        }
        self.targets
            .iter()
            .enumerate()
            .filter_map(|(i, t)| parse_target(c, i, t))
            .collect()
    }

    fn categories(&self, c: &mut Checker, request_type: Option<RequestType>) -> Vec<DataCategory> {
        let mut categories = Vec::new();
        for name in &self.data_categories {
            match DataCategory::parse(name.trim()) {
                Some(category) if !categories.contains(&category) => categories.push(category),
                Some(_) => {}
                None => c.errors.add(
                    "data_categories",
                    format!("“{}” is not a data category.", name.trim()),
                ),
            }
        }
        let wants_data = matches!(
            request_type,
            Some(
                RequestType::Disclosure
                    | RequestType::EmergencyDisclosure
                    | RequestType::Preservation
            )
        );
        if wants_data && categories.is_empty() {
            c.errors
                .add("data_categories", "Choose at least one category of data.");
        }
        categories.sort();
        categories
    }

    fn ndo(&self, c: &mut Checker, today: NaiveDate) -> Ndo {
        let Some(draft) = &self.ndo else {
            return Ndo::default();
        };
        let until = c.date("ndo.until", &draft.until);
        if !draft.present {
            return Ndo::default();
        }
        if until.is_some_and(|u| u < today) {
            c.errors
                .add("ndo.until", "The non-disclosure order has already ended.");
        }
        Ndo {
            present: true,
            until,
        }
    }

    fn emergency(&self, c: &mut Checker) -> Option<Emergency> {
        let draft = self.emergency.clone().unwrap_or_default();
        let nature = c.text(
            "emergency.nature",
            &draft.nature,
            "Describe the nature of the emergency.",
            5_000,
        );
        let persons_at_risk = c.text(
            "emergency.persons_at_risk",
            &draft.persons_at_risk,
            "Say who is at risk.",
            2_000,
        );
        let why_needed = c.text(
            "emergency.why_needed",
            &draft.why_needed,
            "Explain how the data will prevent death or serious physical injury.",
            5_000,
        );
        Some(Emergency {
            nature,
            persons_at_risk,
            why_needed,
            attested: draft.attested,
        })
    }

    fn freeze(
        &self,
        c: &mut Checker,
        instrument: Option<InstrumentKind>,
        today: NaiveDate,
    ) -> Option<Freeze> {
        let draft = self.freeze.clone().unwrap_or_default();
        if draft.assets.is_empty() {
            c.errors.add(
                "freeze.assets",
                "Name at least one asset to freeze, such as BTC with amount “all”.",
            );
        }
        if draft.assets.len() > MAX_ASSETS {
            c.errors.add(
                "freeze.assets",
                format!("At most {MAX_ASSETS} assets per request."),
            );
        }
        let assets = draft
            .assets
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let asset = c
                    .text(
                        &format!("freeze.assets[{i}].asset"),
                        &a.asset,
                        "Name the asset (ticker such as BTC, or “all”).",
                        20,
                    )
                    .to_uppercase();
                let amount = a.amount.trim().to_lowercase();
                if !is_amount(&amount) {
                    c.errors.add(
                        format!("freeze.assets[{i}].amount"),
                        "Enter a positive amount such as 0.5, or “all”.",
                    );
                }
                Asset { asset, amount }
            })
            .collect();
        let reason = c.text(
            "freeze.reason",
            &draft.reason,
            "Explain why the assets must be frozen.",
            5_000,
        );
        let until = c.date("freeze.until", &draft.until);
        if until.is_some_and(|d| d < today) {
            c.errors.add(
                "freeze.until",
                "The order's end date has passed: a lapsed order freezes nothing.",
            );
        }
        let respondent = if instrument == Some(InstrumentKind::FreezingOrder) {
            c.text(
                "freeze.respondent",
                &draft.respondent,
                "Name the respondent as the freezing order names them: it binds only them.",
                300,
            )
        } else {
            c.optional_text("freeze.respondent", &draft.respondent, 300)
        };
        let max_sum = c.optional_text("freeze.max_sum", &draft.max_sum, 100);
        let exceptions = c.optional_text("freeze.exceptions", &draft.exceptions, 5_000);
        let some = |text: String| (!text.is_empty()).then_some(text);
        Some(Freeze {
            assets,
            reason,
            until,
            respondent: some(respondent),
            max_sum: some(max_sum),
            exceptions: some(exceptions),
        })
    }
}

/// A positive decimal of at most 20 whole and 18 fractional digits, or `all`.
pub fn is_amount(amount: &str) -> bool {
    if amount == "all" {
        return true;
    }
    let (whole, fraction) = amount.split_once('.').unwrap_or((amount, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    !whole.is_empty()
        && whole.len() <= 20
        && fraction.len() <= 18
        && digits(whole)
        && digits(fraction)
        && !(amount.split_once('.').is_some() && fraction.is_empty())
        && amount.bytes().any(|b| (b'1'..=b'9').contains(&b))
}

fn parse_target(c: &mut Checker, i: usize, draft: &TargetDraft) -> Option<Target> {
    let field = |name: &str| format!("targets[{i}].{name}");
    let kind = c.choice(
        &field("kind"),
        &draft.kind,
        TargetKind::parse,
        "Choose what kind of identifier this is.",
    );
    let role = c.choice(
        &field("role"),
        &draft.role,
        TargetRole::parse,
        "Choose the target's role.",
    );
    let raw = draft.value.trim();
    if raw.is_empty() {
        c.errors.add(field("value"), "Enter the identifier.");
        return None;
    }
    if raw.len() > 256 {
        c.errors.add(field("value"), "At most 256 characters.");
        return None;
    }
    if let Err(message) = text::check_line(raw) {
        c.errors.add(field("value"), message);
        return None;
    }
    let kind = kind?;
    let chain_text = draft.chain.as_deref().map(str::trim).unwrap_or_default();
    let chain = if kind.needs_chain() {
        c.choice(
            &field("chain"),
            chain_text,
            Chain::parse,
            "Choose the chain of this address or transaction.",
        )
    } else {
        None
    };
    let value = match kind {
        TargetKind::Email => match EmailAddress::parse(raw) {
            Ok(email) => email.as_str().to_owned(),
            Err(message) => {
                c.errors.add(field("value"), message);
                return None;
            }
        },
        TargetKind::Phone => match Phone::parse(raw) {
            Some(phone) => phone.as_str().to_owned(),
            None => {
                c.errors.add(
                    field("value"),
                    "Enter the phone number in international form, such as +44 20 7946 0000.",
                );
                return None;
            }
        },
        TargetKind::UserId | TargetKind::WalletAddress | TargetKind::TxHash => {
            if raw.chars().any(char::is_whitespace) {
                c.errors.add(field("value"), "An identifier has no spaces.");
                return None;
            }
            // A checksum that fails is reported by the authority checks, not refused here:
            // the requester may still submit and let the legal team look.
            match identifiers::check(kind, chain, raw) {
                Verdict::Valid(canonical) => canonical,
                Verdict::Invalid(_) | Verdict::Unchecked(_) => raw.to_owned(),
            }
        }
    };
    Some(Target {
        kind,
        value,
        chain,
        role: role?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
    }

    fn subpoena() -> RequestDraft {
        serde_json::from_value(serde_json::json!({
            "type": "disclosure",
            "instrument": {"kind": "subpoena", "reference": "GJ-2026-114", "issuing_authority": "Grand jury, D.D.C.", "issued_on": "2026-11-01"},
            "targets": [{"kind": "email", "value": " Alice@Example.com ", "role": "suspect"},
                        {"kind": "phone", "value": "+1 (202) 555-0100", "role": "victim"}],
            "data_categories": ["transactions", "subscriber_info", "transactions"],
            "records_from": "2025-01-01", "records_to": "2026-10-31",
            "ndo": {"present": true, "until": "2027-05-01"},
            "summary": "Fraud investigation."
        }))
        .unwrap()
    }

    #[test]
    fn accepts_and_normalises() {
        let request = subpoena().validate(Track::Agency, today()).unwrap();
        assert_eq!(request.targets[0].value, "alice@example.com");
        assert_eq!(request.targets[1].value, "+12025550100");
        assert_eq!(
            request.data_categories,
            [DataCategory::SubscriberInfo, DataCategory::Transactions]
        );
        assert!(request.ndo.present);
    }

    #[test]
    fn reversed_dates_and_no_targets_are_form_errors() {
        let mut draft = subpoena();
        draft.records_from = Some("2026-10-31".into());
        draft.records_to = Some("2025-01-01".into());
        draft.targets.clear();
        let errors = draft.validate(Track::Agency, today()).unwrap_err();
        assert_eq!(
            errors.get("records_to"),
            Some("The end date is before the start date.")
        );
        assert!(errors.get("targets").is_some());
    }

    #[test]
    fn emergency_needs_its_narrative() {
        let mut draft = subpoena();
        draft.request_type = "emergency_disclosure".into();
        draft.instrument.kind = "emergency_attestation".into();
        let errors = draft.validate(Track::Agency, today()).unwrap_err();
        assert!(errors.get("emergency.nature").is_some());
        assert!(errors.get("emergency.why_needed").is_some());
    }

    #[test]
    fn freeze_needs_assets_with_amounts() {
        let mut draft = subpoena();
        draft.request_type = "freeze".into();
        draft.freeze = Some(FreezeDraft {
            assets: vec![AssetDraft {
                asset: "btc".into(),
                amount: "-1".into(),
            }],
            reason: "proceeds".into(),
            ..Default::default()
        });
        let errors = draft.validate(Track::Agency, today()).unwrap_err();
        assert!(errors.get("freeze.assets[0].amount").is_some());
        assert!(is_amount("all") && is_amount("0.5") && is_amount("12"));
        assert!(!is_amount("0") && !is_amount("1.") && !is_amount(".5") && !is_amount("1e3"));
    }

    #[test]
    fn wallet_targets_need_a_chain_and_types_belong_to_tracks() {
        let mut draft = subpoena();
        draft.targets = vec![TargetDraft {
            kind: "wallet_address".into(),
            value: "0xabc".into(),
            chain: None,
            role: "subject".into(),
        }];
        draft.request_type = "preservation".into();
        let errors = draft.validate(Track::Court, today()).unwrap_err();
        assert!(errors.get("targets[0].chain").is_some());
        assert!(errors.get("type").unwrap().contains("court track"));
    }

    fn court_freeze() -> RequestDraft {
        serde_json::from_value(serde_json::json!({
            "type": "freeze",
            "instrument": {"kind": "freezing_order"},
            "targets": [{"kind": "user_id", "value": "U100", "role": "subject"}],
            "freeze": {"assets": [{"asset": "btc", "amount": "all"}], "reason": "Proceeds.", "respondent": "M. Dupont"},
            "summary": "Freeze pending trial.",
            "court": {"name": "Tribunal judiciaire de Paris", "country": "fr", "region": "",
                      "case_number": "RG 24/01234", "judge": "Mme A. Martin", "order_date": "2026-11-02"}
        }))
        .unwrap()
    }

    #[test]
    fn the_court_stands_for_the_instrument_on_the_court_track() {
        let request = court_freeze().validate(Track::Court, today()).unwrap();
        let court = request.court.as_ref().unwrap();
        assert_eq!(court.country, "FR");
        assert_eq!(court.case_key(), "FR:RG24/01234");
        assert_eq!(request.instrument.reference, "RG 24/01234");
        assert_eq!(
            request.instrument.issuing_authority,
            "Tribunal judiciaire de Paris"
        );
        assert_eq!(
            request.instrument.issued_on,
            NaiveDate::from_ymd_opt(2026, 11, 2)
        );
    }

    #[test]
    fn court_details_are_required_on_the_court_track_and_refused_on_the_other() {
        let mut draft = court_freeze();
        draft.court = None;
        let errors = draft.validate(Track::Court, today()).unwrap_err();
        for field in [
            "court.name",
            "court.country",
            "court.case_number",
            "court.judge",
            "court.order_date",
        ] {
            assert!(errors.get(field).is_some(), "no error for {field}");
        }
        assert!(
            errors.get("court.region").is_none(),
            "the region is optional"
        );

        let mut agency = subpoena();
        agency.court = court_freeze().court;
        let errors = agency.validate(Track::Agency, today()).unwrap_err();
        assert!(errors.get("court").unwrap().contains("court-order track"));
        agency.court = Some(CourtDraft::default());
        assert!(
            agency.validate(Track::Agency, today()).is_ok(),
            "an empty court is no court"
        );

        let mut claimed = court_freeze();
        claimed.track = Some("agency".into());
        let errors = claimed.validate(Track::Court, today()).unwrap_err();
        assert!(errors
            .get("track")
            .unwrap()
            .contains("signed in to the court track"));
    }
}
