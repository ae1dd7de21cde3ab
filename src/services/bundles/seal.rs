//! Sealing: every produced file is streamed from storage through the ZIP, the digests and the
//! cipher into a signed BagIt bundle (DESIGN §7); the bundle is listed only once its file is
//! complete and synced, and the case is fulfilled.

use std::collections::BTreeSet;
use std::io::Write;

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use serde_json::{json, Value};

use super::{answerable, bag_root, BundleView};
use crate::app::App;
use crate::audit::{self};
use crate::bundle::bag::{self, PayloadFile};
use crate::bundle::certificate::{self, Certificate, CertifiedFile, Custodian};
use crate::bundle::zipout::ZipOut;
use crate::db::models::audit as audit_rows;
use crate::db::models::bundle::{Bundle, Production};
use crate::db::models::case::Case;
use crate::db::models::certificate::CertificateTemplate;
use crate::db::models::requester::Requester;
use crate::db::models::staff::Staff;
use crate::db::schema::{bundles, productions};
use crate::db::DbConn;
use crate::domain::clock::{self, rfc3339};
use crate::domain::reference::CaseReference;
use crate::domain::text::escape_controls;
use crate::domain::vocab::CaseState;
use crate::error::AppError;
use crate::links::Links;
use crate::mail::Letter;
use crate::services::staff_cases::visible_case;
use crate::services::workflow::{transition, Mover, Transition};

/// What a bundle needs, read in one go before the files are written.
struct Plan {
    case: Case,
    n: i32,
    pending: Vec<Production>,
    custody: Vec<Value>,
    requester: Requester,
    /// The certificate's text: the legal team's newest version, or Writ's.
    template: String,
}

/// Seals every produced file not yet in a bundle into bundle `n` (1, then corrections), moves
/// the case to `fulfilled` and tells the requester.
pub async fn seal(
    app: &App,
    staff: &Staff,
    reference: &CaseReference,
) -> Result<BundleView, AppError> {
    let plan = {
        let (staff, reference) = (staff.clone(), reference.to_owned());
        app.db
            .run(move |conn| plan(conn, &staff, &reference))
            .await?
    };
    let (key, signer) = app
        .run(|conn, app| crate::services::signing::active(conn, &app.keys.secrets))
        .await?;
    let sealed_at = clock::now();
    let expires_at = sealed_at + TimeDelta::days(app.config.bundle_link_days);
    let info = bag_info(&plan, staff, &key.id, sealed_at);
    let generated = generated_files(&plan, staff, &key.id, sealed_at, &app.links)?;
    let mut taken = BTreeSet::new();
    // The bag's payload files, and beside each the production it is read from.
    let (files, ids): (Vec<PayloadFile>, Vec<String>) = plan
        .pending
        .iter()
        .map(|p| {
            let file = PayloadFile {
                path: bag::payload_path(&p.category, &p.filename, &mut taken),
                size: p.size_bytes as u64,
                crc32: p.crc32 as u32,
                sha256: p.sha256.clone(),
                sha512: p.sha512.clone(),
            };
            (file, p.id.clone())
        })
        .unzip();
    let root = bag_root(&plan.case.reference, plan.n);
    let store = app.store.clone();
    let sealed = rocket::tokio::task::spawn_blocking(move || {
        let mut zip = ZipOut::new(store.create_sealed()?, sealed_at);
        bag::write(
            &mut zip,
            &root,
            &files,
            |index, out| store.read_into(&ids[index], WriteAll(out)).map(|_| ()),
            &generated,
            &info,
            &signer,
        )?;
        zip.finish()?.finish()
    })
    .await
    .map_err(AppError::internal)?
    .map_err(|e| AppError::internal(format!("sealing failed: {e}")))?;

    let record = record(app, staff, plan, &key.id, &sealed, sealed_at, expires_at).await;
    if record.is_err() {
        app.store
            .discard_stored(std::slice::from_ref(&sealed.id))
            .await;
    }
    record
}

async fn record(
    app: &App,
    staff: &Staff,
    plan: Plan,
    key_id: &str,
    sealed: &crate::documents::Sealed,
    sealed_at: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> Result<BundleView, AppError> {
    let bundle = Bundle {
        case_id: plan.case.id.clone(),
        n: plan.n,
        file_id: sealed.id.clone(),
        sha256: sealed.sha256.clone(),
        size_bytes: sealed.size as i64,
        files: plan.pending.len() as i32,
        key_id: key_id.to_owned(),
        sealed_by: staff.id.clone(),
        sealed_at,
        expires_at,
    };
    let mover = Mover::staff(staff);
    app.write(move |conn, app| {
        let ids: Vec<&str> = plan.pending.iter().map(|p| p.id.as_str()).collect();
        let claimed = diesel::update(
            productions::table
                .filter(productions::id.eq_any(&ids))
                .filter(productions::bundle_n.is_null()),
        )
        .set(productions::bundle_n.eq(bundle.n))
        .execute(conn)?;
        let taken: i64 = bundles::table
            .filter(bundles::case_id.eq(&bundle.case_id))
            .filter(bundles::n.eq(bundle.n))
            .count()
            .get_result(conn)?;
        if claimed != ids.len() || taken > 0 {
            return Err(AppError::conflict(
                "Another bundle was sealed for this case meanwhile; reload and try again.",
            )
            .with_code("stale"));
        }
        diesel::insert_into(bundles::table).values(&bundle).execute(conn)?;
        let case = Case::find(conn, &plan.case.id)?;
        if case.state != CaseState::Fulfilled {
            let request = Transition {
                fulfilment: true,
                silent: true,
                ..Transition::to(CaseState::Fulfilled)
            };
            transition(conn, &app.mailer, &app.links, &case, &mover, &request)?;
        }
        audit::record(
            conn,
            &mover.actor,
            Some(&case.id),
            "bundle.sealed",
            json!({ "n": bundle.n, "sha256": bundle.sha256, "size": bundle.size_bytes, "files": bundle.files, "key": bundle.key_id }),
        )?;
        app.mailer.queue(
            conn,
            Letter {
                template: "bundle_sealed",
                to: &plan.requester.email,
                context: &json!({
                    "reference": case.reference,
                    "n": bundle.n,
                    "sha256": bundle.sha256,
                    "expires_at": rfc3339(bundle.expires_at),
                    "link": app.links.case_url(&case.reference)?,
                    "verify": app.links.verify(),
                }),
            },
        )?;
        Ok(BundleView::new(&bundle, &case.reference, clock::now()))
    })
    .await
}

/// `read_into` takes a writer by value; this lends it the ZIP's.
struct WriteAll<'a>(&'a mut dyn Write);

impl Write for WriteAll<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// A notified EPOC's data leaves only once the enforcing authority's window has passed without
/// an objection (Regulation 2023/1543, Art. 10(2), 12); files may be attached meanwhile.
fn releasable(case: &Case) -> Result<(), AppError> {
    if let Some(grounds) = &case.enforcing_objection {
        return Err(AppError::conflict(format!(
            "Regulation (EU) 2023/1543, Art. 12: the enforcing authority raised grounds for refusal ({grounds}); the data is not produced."
        ))
        .with_code("enforcing_objection"));
    }
    if let Some(until) = case.held_until(clock::now()) {
        return Err(AppError::conflict(format!(
            "Regulation (EU) 2023/1543, Art. 10(2): the enforcing authority was notified and may raise grounds for refusal until {}; keep the data preserved and produce it then.",
            rfc3339(until)
        ))
        .with_code("art_8_hold"));
    }
    Ok(())
}

fn plan(conn: &mut DbConn, staff: &Staff, reference: &CaseReference) -> Result<Plan, AppError> {
    let case = visible_case(conn, reference, staff.role)?;
    answerable(&case)?;
    releasable(&case)?;
    if staff.title.as_deref().is_none_or(|t| t.trim().is_empty()) {
        return Err(AppError::invalid(
            "title",
            "Record your title on your account page (/staff/account) before sealing: the certificate names its custodian and their title (FRE 902(11)).",
        )
        .with_code("custodian_title_required"));
    }
    let pending: Vec<Production> = Production::for_case(conn, &case.id)?
        .into_iter()
        .filter(|p| p.bundle_n.is_none())
        .collect();
    if pending.is_empty() {
        return Err(AppError::conflict(
            "Attach the produced files first: every file attached since the last bundle goes into the next one.",
        )
        .with_code("nothing_to_seal"));
    }
    let last: Option<i32> = bundles::table
        .filter(bundles::case_id.eq(&case.id))
        .select(diesel::dsl::max(bundles::n))
        .first(conn)?;
    let custody = audit_rows::for_case(conn, &case.id)?
        .into_iter()
        .map(|e| json!({ "seq": e.seq, "at": rfc3339(e.at), "actor": e.actor, "action": e.action, "hash": e.hash }))
        .collect();
    let requester = Requester::find(conn, &case.requester_id)?;
    let template = CertificateTemplate::current(conn)?
        .map(|t| t.body)
        .unwrap_or_else(|| certificate::DEFAULT_TEMPLATE.to_owned());
    Ok(Plan {
        n: last.unwrap_or(0) + 1,
        case,
        pending,
        custody,
        requester,
        template,
    })
}

fn bag_info(
    plan: &Plan,
    staff: &Staff,
    key_id: &str,
    sealed_at: NaiveDateTime,
) -> Vec<(String, String)> {
    let case = &plan.case;
    let root = bag_root(&case.reference, plan.n);
    let mut fields = vec![
        ("Source-Organization", "Writ legal requests".to_owned()),
        ("External-Identifier", case.reference.clone()),
        ("Bagging-Date", sealed_at.date().to_string()),
        (
            "Writ-Instrument",
            format!(
                "{} {} ({})",
                case.instrument_kind.label(),
                case.instrument_reference,
                case.issuing_authority
            ),
        ),
        ("Writ-Request-Type", case.request_type.label().to_owned()),
        ("Writ-Requester", requester_line(&plan.requester)),
    ];
    if let Some(from) = case.records_from {
        fields.push(("Writ-Records-From", from.to_string()));
    }
    if let Some(to) = case.records_to {
        fields.push(("Writ-Records-To", to.to_string()));
    }
    fields.extend([
        ("Writ-Bundle-Number", plan.n.to_string()),
        ("Writ-Sealed-At", rfc3339(sealed_at)),
        ("Writ-Sealed-By", staff.name.clone()),
        ("Writ-Key-Id", key_id.to_owned()),
        (
            "Writ-Signature",
            format!(
                "{} (Ed25519, raw 64 bytes, over {root}/tagmanifest-sha256.txt)",
                crate::bundle::signature_file(&root)
            ),
        ),
    ]);
    fields
        .into_iter()
        .map(|(label, value)| (label.to_owned(), escape_controls(&value)))
        .collect()
}

/// Who asked: name, organisation and address.
fn requester_line(requester: &Requester) -> String {
    let name = requester.name.clone().unwrap_or_default();
    let organisation = requester
        .agency_name
        .clone()
        .or_else(|| requester.firm.clone())
        .unwrap_or_default();
    let on_behalf = requester
        .represents
        .as_deref()
        .map(|client| format!(", for {client}"))
        .unwrap_or_default();
    format!("{name}, {organisation}{on_behalf} <{}>", requester.email)
}

/// `data/certificate.txt` and `data/custody.json`: what the bundle is, who made it, and the
/// case's audit trail up to the seal.
fn generated_files(
    plan: &Plan,
    staff: &Staff,
    key_id: &str,
    sealed_at: NaiveDateTime,
    links: &Links,
) -> Result<Vec<(String, Vec<u8>)>, AppError> {
    let case = &plan.case;
    let escape = |text: &str| escape_controls(text);
    let certificate = Certificate {
        case: case.reference.clone(),
        bundle: plan.n,
        request: case.request_type.label().to_owned(),
        instrument: case.instrument_kind.label().to_owned(),
        instrument_reference: escape(&case.instrument_reference),
        entity: escape(case.legal_entity_name.as_deref().unwrap_or("the platform")),
        custodian: Custodian {
            name: escape(&staff.name),
            title: escape(staff.title.as_deref().unwrap_or_default()),
        },
        sealed_at: rfc3339(sealed_at),
        executed_on: certificate::long_date(sealed_at.date()),
        declaration: certificate::declaration(staff.signs_outside_us),
        content_notice: certificate::CONTENT_NOTICE,
        key_id: key_id.to_owned(),
        keys_url: links.signing_keys(),
        root: bag_root(&case.reference, plan.n),
        files: plan
            .pending
            .iter()
            .map(|p| CertifiedFile {
                category: p.category.clone(),
                name: escape(&p.filename),
                size: p.size_bytes,
                sha256: p.sha256.clone(),
            })
            .collect(),
        records: plan.pending.iter().any(|p| p.category == "records"),
        content: plan.pending.iter().any(|p| p.category == "content"),
    };
    // The template was checked when it was saved; one that fails now is a fault, not a seal.
    let certificate = certificate
        .render(&plan.template)
        .map_err(|e| AppError::internal(format!("certificate template: {e}")))?;
    let custody = json!({
        "case": case.reference,
        "bundle": plan.n,
        "sealed_at": rfc3339(sealed_at),
        "sealed_by": staff.name,
        "signing_key": key_id,
        "files": plan.pending.iter().map(|p| json!({
            "category": p.category, "name": p.filename, "size": p.size_bytes,
            "sha256": p.sha256, "sha512": p.sha512, "attached_by": p.uploaded_by, "attached_at": rfc3339(p.uploaded_at),
        })).collect::<Vec<_>>(),
        "audit_trail": plan.custody,
    });
    Ok(vec![
        ("data/certificate.txt".to_owned(), certificate.into_bytes()),
        (
            "data/custody.json".to_owned(),
            serde_json::to_vec_pretty(&custody).unwrap_or_default(),
        ),
    ])
}
