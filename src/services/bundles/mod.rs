//! Answering an approved disclosure: the legal team attaches produced files, then seals them
//! into a signed bundle (DESIGN §7) that the requester downloads through a link that expires.
//! Sealing streams every file from storage through the ZIP, the digests and the cipher; the
//! bundle is listed only once its file is complete and synced.

mod delivery;
mod production;
mod seal;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::models::bundle::{Bundle, Production};
use crate::db::models::case::Case;
use crate::db::DbConn;
use crate::domain::clock::{self, rfc3339};
use crate::domain::vocab::{CaseState, RequestType};
use crate::error::AppError;

pub use delivery::{for_requester, for_staff, stream};
pub use production::produce;
pub use seal::seal;

pub const CATEGORIES: [&str; 2] = ["records", "content"];

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct ProductionView {
    pub id: String,
    pub category: String,
    pub name: String,
    pub size: i64,
    pub sha256: String,
    pub bundle: Option<i32>,
    pub uploaded_at: String,
}

impl From<&Production> for ProductionView {
    fn from(p: &Production) -> ProductionView {
        ProductionView {
            id: p.id.clone(),
            category: p.category.clone(),
            name: p.filename.clone(),
            size: p.size_bytes,
            sha256: p.sha256.clone(),
            bundle: p.bundle_n,
            uploaded_at: rfc3339(p.uploaded_at),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct BundleView {
    pub n: i32,
    pub sha256: String,
    pub size: i64,
    pub files: i32,
    pub key_id: String,
    pub sealed_at: String,
    pub expires_at: String,
    pub expired: bool,
    /// The requester's download through the API.
    pub download: String,
    pub filename: String,
}

impl BundleView {
    pub fn new(bundle: &Bundle, reference: &str, now: NaiveDateTime) -> BundleView {
        BundleView {
            n: bundle.n,
            sha256: bundle.sha256.clone(),
            size: bundle.size_bytes,
            files: bundle.files,
            key_id: bundle.key_id.clone(),
            sealed_at: rfc3339(bundle.sealed_at),
            expires_at: rfc3339(bundle.expires_at),
            expired: bundle.expires_at <= now,
            download: format!("/api/v1/requests/{reference}/bundles/{}", bundle.n),
            filename: bundle_filename(reference, bundle.n),
        }
    }
}

/// The bag's folder in the ZIP (DESIGN §7): `LE-2026-000123-1`.
pub fn bag_root(reference: &str, n: i32) -> String {
    format!("{reference}-{n}")
}

pub fn bundle_filename(reference: &str, n: i32) -> String {
    format!("{}.zip", bag_root(reference, n))
}

/// The bundles of a case, oldest first.
pub fn of_case(conn: &mut DbConn, case: &Case) -> QueryResult<Vec<BundleView>> {
    let now = clock::now();
    Ok(Bundle::for_case(conn, &case.id)?
        .iter()
        .map(|b| BundleView::new(b, &case.reference, now))
        .collect())
}

/// A case the legal team may answer with a bundle, or why not.
fn answerable(case: &Case) -> Result<(), AppError> {
    if !matches!(
        case.request_type,
        RequestType::Disclosure | RequestType::EmergencyDisclosure
    ) {
        return Err(AppError::conflict(format!(
            "A {} request is not answered with a disclosure bundle.",
            case.request_type.label().to_lowercase()
        ))
        .with_code("not_a_disclosure"));
    }
    if !matches!(
        case.state,
        CaseState::Approved | CaseState::PartiallyApproved | CaseState::Fulfilled
    ) {
        return Err(AppError::conflict(format!(
            "Records are produced only for an approved case; this one is “{}”.",
            case.state.label()
        ))
        .with_code("not_approved"));
    }

    Ok(())
}
