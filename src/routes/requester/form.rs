//! The new-request form: its fields map onto `RequestDraft`, and a view model re-renders it with
//! the values kept and each message beside its field.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::db::models::document::HeldDocument;
use crate::documents::multipart::{field, TARGETS_CSV, TARGETS_CSV_REFUSED};
use crate::domain::authority::Check;
use crate::domain::policy::Policy;
use crate::domain::profile::Country;
use crate::domain::request::{
    AssetDraft, CourtDraft, EmergencyDraft, FreezeDraft, NdoDraft, RequestDraft, TargetDraft,
    MAX_ASSETS, MAX_TARGETS,
};
use crate::domain::target_list;
use crate::domain::vocab::{
    Chain, DataCategory, InstrumentKind, RequestType, TargetKind, TargetRole, Track,
};
use crate::domain::FieldErrors;

/// Blank rows shown beyond those filled in.
const SPARE_TARGET_ROWS: usize = 1;
const MIN_TARGET_ROWS: usize = 3;

/// `targets[2].value` → `(2, "value")`
fn indexed<'a>(name: &'a str, list: &str) -> Option<(usize, &'a str)> {
    let rest = name.strip_prefix(list)?.strip_prefix('[')?;
    let (index, field) = rest.split_once("].")?;
    let index: usize = index.parse().ok()?;
    (index < MAX_TARGETS.max(MAX_ASSETS)).then_some((index, field))
}

fn truthy(value: &str) -> bool {
    matches!(value, "true" | "on" | "yes" | "1")
}

fn optional(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

/// Builds the draft from the submitted fields. Rows left blank are dropped.
pub fn draft_from_fields(fields: &[(String, String)]) -> RequestDraft {
    let mut draft = RequestDraft::default();
    let mut targets: BTreeMap<usize, TargetDraft> = BTreeMap::new();
    let mut assets: BTreeMap<usize, AssetDraft> = BTreeMap::new();
    let mut ndo = NdoDraft::default();
    let mut emergency = EmergencyDraft::default();
    let mut freeze_reason = String::new();
    let (mut freeze_respondent, mut freeze_max_sum, mut freeze_exceptions) =
        (String::new(), String::new(), String::new());
    let mut freeze_until = None;
    let mut court: Option<CourtDraft> = None;
    for (name, value) in fields {
        if let Some(field) = name.strip_prefix("court.") {
            let court = court.get_or_insert_with(CourtDraft::default);
            match field {
                "name" => court.name = value.clone(),
                "country" => court.country = value.clone(),
                "region" => court.region = value.clone(),
                "case_number" => court.case_number = value.clone(),
                "judge" => court.judge = value.clone(),
                "order_date" => court.order_date = optional(value),
                _ => {}
            }
            continue;
        }
        let v = value.clone();
        match name.as_str() {
            "type" => draft.request_type = v,
            "instrument.kind" => draft.instrument.kind = v,
            "instrument.reference" => draft.instrument.reference = v,
            "instrument.issuing_authority" => draft.instrument.issuing_authority = v,
            "instrument.issued_on" => draft.instrument.issued_on = optional(&v),
            "instrument.expires_on" => draft.instrument.expires_on = optional(&v),
            "instrument.validated_by" => draft.instrument.validated_by = v,
            "entity" => draft.entity = v,
            "instrument.enforcing_notified" => draft.instrument.enforcing_notified = truthy(&v),
            "data_categories" => draft.data_categories.push(v),
            "records_from" => draft.records_from = optional(&v),
            "records_to" => draft.records_to = optional(&v),
            "ndo.present" => ndo.present = truthy(&v),
            "ndo.until" => ndo.until = optional(&v),
            "deadline" => draft.deadline = optional(&v),
            "summary" => draft.summary = v,
            "emergency.nature" => emergency.nature = v,
            "emergency.persons_at_risk" => emergency.persons_at_risk = v,
            "emergency.why_needed" => emergency.why_needed = v,
            "emergency.attested" => emergency.attested = truthy(&v),
            "freeze.reason" => freeze_reason = v,
            "freeze.until" => freeze_until = optional(&v),
            "freeze.respondent" => freeze_respondent = v,
            "freeze.max_sum" => freeze_max_sum = v,
            "freeze.exceptions" => freeze_exceptions = v,
            other => {
                if let Some((i, field)) = indexed(other, "targets") {
                    let row = targets.entry(i).or_default();
                    match field {
                        "kind" => row.kind = v,
                        "value" => row.value = v,
                        "chain" => row.chain = optional(&v),
                        "role" => row.role = v,
                        _ => {}
                    }
                } else if let Some((i, field)) = indexed(other, "freeze.assets") {
                    let row = assets.entry(i).or_default();
                    match field {
                        "asset" => row.asset = v,
                        "amount" => row.amount = v,
                        _ => {}
                    }
                }
            }
        }
    }
    draft.targets = targets
        .into_values()
        .filter(|t| !t.value.trim().is_empty())
        .collect();
    let assets: Vec<AssetDraft> = assets
        .into_values()
        .filter(|a| !(a.asset.trim().is_empty() && a.amount.trim().is_empty()))
        .collect();
    draft.ndo = Some(ndo);
    draft.court = court;
    if draft.request_type == RequestType::EmergencyDisclosure.as_str() {
        draft.emergency = Some(emergency);
    } else if draft.request_type == RequestType::Freeze.as_str() {
        draft.freeze = Some(FreezeDraft {
            assets,
            reason: freeze_reason,
            until: freeze_until,
            respondent: freeze_respondent,
            max_sum: freeze_max_sum,
            exceptions: freeze_exceptions,
        });
    }
    draft
}

#[derive(Serialize)]
pub struct Choice {
    value: &'static str,
    label: &'static str,
}

/// A type of request on the form's first step: what it is for, and the instruments it takes.
#[derive(Serialize)]
struct TypeChoice {
    value: &'static str,
    label: &'static str,
    hint: &'static str,
    instruments: Vec<&'static str>,
}

fn type_hint(track: Track, kind: RequestType) -> &'static str {
    match (track, kind) {
        (Track::Agency, RequestType::Disclosure) => {
            "Records about accounts, under the legal process you attach."
        }
        (Track::Court, RequestType::Disclosure) => {
            "Records about accounts, under the court order you attach."
        }
        (_, RequestType::Preservation) => {
            "Records kept for 90 days (extendable) while you obtain the legal process to disclose them."
        }
        (_, RequestType::EmergencyDisclosure) => {
            "A danger of death or serious physical injury: disclosure now, the legal process later."
        }
        (Track::Agency, RequestType::Freeze) => {
            "Assets held in accounts frozen, under the warrant or order you attach."
        }
        (Track::Court, RequestType::Freeze) => {
            "Assets held in accounts frozen, under the court's order you attach."
        }
    }
}

/// Which parts of the form the chosen type of request has.
#[derive(Serialize, Default)]
struct Sections {
    /// The legend of the data categories, which say what to disclose, preserve or also give.
    categories_legend: &'static str,
    categories_required: bool,
    emergency: bool,
    freeze: bool,
    /// The European Production Order's fields, where the type takes one.
    eu: bool,
    documents_required: bool,
}

impl Sections {
    fn of(track: Track, kind: RequestType, instruments: &[InstrumentKind]) -> Sections {
        Sections {
            categories_legend: match (track, kind) {
                (Track::Agency, RequestType::Disclosure) => "Data requested",
                (Track::Court, RequestType::Disclosure) => "Data to disclose",
                (_, RequestType::Preservation) => "Data to preserve",
                (_, RequestType::EmergencyDisclosure) => "Data needed",
                (_, RequestType::Freeze) => "Data also asked for (optional)",
            },
            categories_required: kind != RequestType::Freeze,
            emergency: kind == RequestType::EmergencyDisclosure,
            freeze: kind == RequestType::Freeze,
            eu: track == Track::Agency && instruments.contains(&InstrumentKind::EuProductionOrder),
            documents_required: matches!(kind, RequestType::Disclosure | RequestType::Freeze),
        }
    }
}

#[derive(Serialize)]
struct EntityChoice {
    value: String,
    label: String,
}

/// Every country, for the court's country.
fn countries() -> Vec<Choice> {
    Country::all()
        .into_iter()
        .map(|c| Choice {
            value: c.code(),
            label: c.name(),
        })
        .collect()
}

fn choices<T: Copy>(
    all: &[T],
    value: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<Choice> {
    all.iter()
        .map(|&item| Choice {
            value: value(item),
            label: label(item),
        })
        .collect()
}

#[derive(Serialize)]
struct Row<T: Serialize> {
    index: usize,
    values: T,
    errors: BTreeMap<String, String>,
}

/// Everything the template needs to draw the form.
#[derive(Serialize)]
pub struct RequestFormView {
    values: RequestDraft,
    errors: FieldErrors,
    targets: Vec<Row<TargetDraft>>,
    assets: Vec<Row<AssetDraft>>,
    track: Track,
    /// The chosen type, once it is one this track takes: the form's second step. Until then
    /// the form shows only the choice of type.
    kind: Option<&'static str>,
    kind_label: &'static str,
    sections: Sections,
    request_types: Vec<TypeChoice>,
    /// The instruments the chosen type takes on this track.
    instruments: Vec<Choice>,
    /// The platform's legal entities, offered when there is more than one.
    entities: Vec<EntityChoice>,
    /// Court track only: the court's country.
    countries: Vec<Choice>,
    categories: Vec<Choice>,
    target_kinds: Vec<Choice>,
    roles: Vec<Choice>,
    chains: Vec<Choice>,
    extra_targets: usize,
    extra_assets: usize,
    alert: Option<String>,
    /// Files already uploaded and kept for this form.
    held: Vec<HeldFile>,
    /// Failing checks the requester is asked to confirm or fix.
    findings: Vec<Check>,
    /// The errors again at the top, each a link to its field, in the form's order.
    summary: Vec<ErrorLink>,
    /// Pasted target lines not yet read into rows (those that could not be read).
    paste: String,
    /// When the requester's draft was last saved, if one is kept.
    draft_saved: Option<chrono::NaiveDateTime>,
}

#[derive(Serialize)]
struct ErrorLink {
    anchor: String,
    message: String,
}

/// The sections of the form, top to bottom: the summary lists errors in this order.
const FORM_ORDER: &[&str] = &[
    "type",
    "court",
    "instrument",
    "entity",
    "targets",
    "data_categories",
    "records",
    "deadline",
    "ndo",
    "emergency",
    "freeze",
    "summary",
    "documents",
];

fn error_summary(errors: &FieldErrors) -> Vec<ErrorLink> {
    let place = |field: &str| {
        FORM_ORDER
            .iter()
            .position(|section| field.starts_with(section))
            .unwrap_or(FORM_ORDER.len())
    };
    let mut found: Vec<(&str, &str)> = errors.iter().collect();
    found.sort_by_key(|(field, _)| place(field));
    found
        .into_iter()
        .map(|(field, message)| ErrorLink {
            anchor: anchor(field),
            message: message.to_owned(),
        })
        .collect()
}

/// The id of the input that `field` names (as the template spells it).
fn anchor(field: &str) -> String {
    // `targets[2].value` -> `t2-value`, `freeze.assets[0].amount` -> `a0-amount`.
    for (prefix, short) in [("targets[", "t"), ("freeze.assets[", "a")] {
        if let Some(rest) = field.strip_prefix(prefix) {
            if let Some((index, part)) = rest.split_once("].") {
                return format!("{short}{index}-{part}");
            }
            if let Some(index) = rest.strip_suffix(']') {
                return format!("{short}{index}-value");
            }
        }
    }
    match field {
        "type" => "f-type".into(),
        "targets" => "f-targets".into(),
        "data_categories" => "f-data_categories".into(),
        "instrument.issuing_authority" => "instrument-authority".into(),
        "instrument.issued_on" => "instrument-issued".into(),
        "instrument.expires_on" => "instrument-expires".into(),
        "instrument.validated_by" => "instrument-validated-by".into(),
        "freeze.max_sum" => "freeze-max-sum".into(),
        other => other
            .replace(['.', '_'], "-")
            .replace("persons-at-risk", "persons_at_risk")
            .replace("why-needed", "why_needed")
            .replace("case-number", "case_number")
            .replace("order-date", "order_date"),
    }
}

#[derive(Serialize)]
struct HeldFile {
    id: String,
    name: String,
    size: i64,
    sha256: String,
    role: String,
}

fn rows<T: Serialize + Clone + Default>(
    filled: &[T],
    minimum: usize,
    extra: usize,
    list: &str,
    errors: &FieldErrors,
    fields: &[&str],
) -> Vec<Row<T>> {
    // The extra rows come on top of the minimum: "Add another" adds a row at its first click.
    let count = (filled.len() + SPARE_TARGET_ROWS).max(minimum) + extra;
    (0..count)
        .map(|index| Row {
            index,
            values: filled.get(index).cloned().unwrap_or_default(),
            errors: fields
                .iter()
                .filter_map(|f| {
                    errors
                        .get(&format!("{list}[{index}].{f}"))
                        .map(|m| ((*f).to_owned(), m.to_owned()))
                })
                .collect(),
        })
        .collect()
}

impl RequestFormView {
    /// The form for `track`, offering the request types and instruments `policy` allows on it.
    pub fn new(
        track: Track,
        policy: &Policy,
        values: RequestDraft,
        errors: FieldErrors,
    ) -> RequestFormView {
        let (extra_targets, extra_assets) = (0, 0);
        let targets = rows(
            &values.targets,
            MIN_TARGET_ROWS,
            extra_targets,
            "targets",
            &errors,
            &["kind", "value", "chain", "role"],
        );
        let filled_assets = values
            .freeze
            .as_ref()
            .map(|f| f.assets.clone())
            .unwrap_or_default();
        let assets = rows(
            &filled_assets,
            2,
            extra_assets,
            "freeze.assets",
            &errors,
            &["asset", "amount"],
        );
        let types: Vec<RequestType> = RequestType::ALL
            .iter()
            .copied()
            .filter(|t| t.allowed_on(track))
            .collect();
        let kind = RequestType::parse(values.request_type.trim()).filter(|t| types.contains(t));
        // The instruments of the chosen type, in the vocabulary's order.
        let instruments: Vec<InstrumentKind> = InstrumentKind::ALL
            .iter()
            .copied()
            .filter(|i| kind.is_some_and(|t| policy.instruments(track, t).contains(i)))
            .collect();
        let request_types = types
            .iter()
            .map(|&t| TypeChoice {
                value: t.as_str(),
                label: t.label(),
                hint: type_hint(track, t),
                instruments: InstrumentKind::ALL
                    .iter()
                    .filter(|i| policy.instruments(track, t).contains(i))
                    .map(|i| i.label())
                    .collect(),
            })
            .collect();
        RequestFormView {
            kind: kind.map(RequestType::as_str),
            kind_label: kind.map(RequestType::label).unwrap_or_default(),
            sections: kind
                .map(|k| Sections::of(track, k, &instruments))
                .unwrap_or_default(),
            paste: String::new(),
            draft_saved: None,
            summary: error_summary(&errors),
            values,
            errors,
            targets,
            assets,
            track,
            request_types,
            instruments: choices(&instruments, InstrumentKind::as_str, InstrumentKind::label),
            entities: policy
                .entities
                .iter()
                .map(|e| EntityChoice {
                    value: e.id.clone(),
                    label: match &e.country {
                        Some(country) => format!("{} ({country})", e.name),
                        None => e.name.clone(),
                    },
                })
                .collect(),
            countries: if track == Track::Court {
                countries()
            } else {
                Vec::new()
            },
            // A category the track may never receive is not offered (the checks still refuse
            // one sent anyway).
            categories: choices(
                &DataCategory::ALL
                    .iter()
                    .copied()
                    .filter(|c| policy.barred(track, *c).is_none())
                    .collect::<Vec<_>>(),
                DataCategory::as_str,
                DataCategory::label,
            ),
            target_kinds: choices(TargetKind::ALL, TargetKind::as_str, TargetKind::label),
            roles: choices(TargetRole::ALL, TargetRole::as_str, TargetRole::label),
            chains: choices(Chain::ALL, Chain::as_str, Chain::label),
            extra_targets,
            extra_assets,
            alert: None,
            held: Vec::new(),
            findings: Vec::new(),
        }
    }
}

impl RequestFormView {
    /// Draws `targets` and `assets` more blank rows than the values need.
    pub fn with_extra_rows(mut self, targets: usize, assets: usize) -> RequestFormView {
        let filled_assets = self
            .values
            .freeze
            .as_ref()
            .map(|f| f.assets.clone())
            .unwrap_or_default();
        self.targets = rows(
            &self.values.targets,
            MIN_TARGET_ROWS,
            targets,
            "targets",
            &self.errors,
            &["kind", "value", "chain", "role"],
        );
        self.assets = rows(
            &filled_assets,
            2,
            assets,
            "freeze.assets",
            &self.errors,
            &["asset", "amount"],
        );
        self.extra_targets = targets;
        self.extra_assets = assets;
        self
    }

    pub fn with_alert(mut self, alert: Option<String>) -> RequestFormView {
        self.alert = alert;
        self
    }

    pub fn with_held(mut self, held: &[HeldDocument]) -> RequestFormView {
        self.held = held
            .iter()
            .map(|h| HeldFile {
                id: h.id.clone(),
                name: h.filename.clone(),
                size: h.size_bytes,
                sha256: h.sha256.clone(),
                role: h.role.clone(),
            })
            .collect();
        self
    }

    pub fn with_findings(mut self, findings: Vec<Check>) -> RequestFormView {
        self.findings = findings;
        self
    }

    /// Shows the lines of a pasted list that could not be read, to correct them.
    pub fn with_paste(mut self, paste: String) -> RequestFormView {
        self.paste = paste;
        self
    }

    pub fn with_draft_saved(mut self, saved: Option<chrono::NaiveDateTime>) -> RequestFormView {
        self.draft_saved = saved;
        self
    }

    /// Shows the form's first step again, the current type chosen, to change it.
    pub fn choosing_type(mut self) -> RequestFormView {
        self.kind = None;
        self
    }
}

/// Reads the pasted list, then the uploaded CSV file, into `draft`'s targets. The lines that
/// could not be read come back, to correct in the pasted list, with one message for them all
/// (and for a refused file), to show beside it.
pub fn import_targets(
    draft: &mut RequestDraft,
    fields: &[(String, String)],
) -> (String, Option<String>) {
    let pasted = target_list::parse(field(fields, "targets_paste").unwrap_or(""));
    let file = target_list::parse(field(fields, TARGETS_CSV).unwrap_or(""));
    draft.targets.extend(pasted.targets);
    draft.targets.extend(file.targets);
    let mut problems: Vec<String> = pasted
        .problems
        .into_iter()
        .map(|(line, problem)| format!("Line {line}: {problem}"))
        .collect();
    problems.extend(
        file.problems
            .into_iter()
            .map(|(line, problem)| format!("The file's line {line}: {problem}")),
    );
    let more = problems.len().saturating_sub(MAX_LISTED_PROBLEMS);
    problems.truncate(MAX_LISTED_PROBLEMS);
    if more > 0 {
        problems.push(format!("And {more} more lines."));
    }
    if let Some(refusal) = field(fields, TARGETS_CSV_REFUSED) {
        problems.insert(0, refusal.to_owned());
    }
    let left: Vec<&str> = [pasted.left.as_str(), file.left.as_str()]
        .into_iter()
        .filter(|l| !l.is_empty())
        .collect();
    let message = (!problems.is_empty()).then(|| problems.join(" "));
    (left.join("\n"), message)
}

/// How many unreadable lines the message beside the pasted list names.
const MAX_LISTED_PROBLEMS: usize = 5;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_become_a_draft() {
        let fields: Vec<(String, String)> = [
            ("type", "freeze"),
            ("targets[0].kind", "email"),
            ("targets[0].value", "a@b.com"),
            ("targets[0].role", "suspect"),
            ("targets[1].kind", "email"),
            ("targets[1].value", ""),
            ("targets[7].kind", "wallet_address"),
            ("targets[7].value", "bc1q"),
            ("targets[7].chain", "btc"),
            ("data_categories", "balances_wallets"),
            ("freeze.assets[0].asset", "BTC"),
            ("freeze.assets[0].amount", "all"),
            ("freeze.reason", "proceeds of fraud"),
            ("ndo.present", "true"),
            ("targets[100000000000000000000].value", "overflow"),
        ]
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect();
        let draft = draft_from_fields(&fields);
        assert_eq!(draft.targets.len(), 2);
        assert_eq!(draft.targets[1].chain.as_deref(), Some("btc"));
        assert_eq!(draft.freeze.unwrap().assets[0].amount, "all");
        assert!(draft.ndo.unwrap().present);
    }
}

#[cfg(test)]
mod summary_tests {
    use super::*;

    #[test]
    fn errors_link_to_their_fields_in_the_form_s_order() {
        let mut errors = FieldErrors::default();
        errors.add("summary", "Say what the case is about.");
        errors.add("targets[1].value", "Enter the identifier.");
        errors.add("instrument.issued_on", "Enter a date.");
        errors.add("type", "Choose the type.");
        errors.add("emergency.persons_at_risk", "Name them.");
        errors.add("records_from", "Enter a date.");
        let anchors: Vec<String> = error_summary(&errors)
            .into_iter()
            .map(|l| l.anchor)
            .collect();
        assert_eq!(
            anchors,
            [
                "f-type",
                "instrument-issued",
                "t1-value",
                "records-from",
                "emergency-persons_at_risk",
                "summary"
            ]
        );
    }
}
