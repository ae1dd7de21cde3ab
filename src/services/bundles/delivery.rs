//! Delivery: the requester's download through a link that expires, the legal team's without,
//! each one an audit event.

use serde_json::json;

use super::bundle_filename;
use crate::app::App;
use crate::audit::{self, Actor};
use crate::db::models::bundle::Bundle;
use crate::db::models::case::Case;
use crate::db::models::requester::Requester;
use crate::db::models::staff::Staff;
use crate::db::DbConn;
use crate::documents::download::Download;
use crate::domain::clock::{self, rfc3339};
use crate::domain::reference::CaseReference;
use crate::error::AppError;
use crate::services::staff_cases::visible_case;

/// Streams a bundle found by `for_requester` or `for_staff`, decrypting it on the way.
pub fn stream(app: &App, (bundle, filename): (Bundle, String)) -> Download {
    Download::start(&app.store, &bundle.file_id, "application/zip", &filename)
}

/// The requester's download: their own case only (403 otherwise), before the link expires
/// (410 after). Every download is an audit event.
pub async fn for_requester(
    app: &App,
    requester: &Requester,
    reference: &CaseReference,
    n: i32,
) -> Result<(Bundle, String), AppError> {
    let (requester, reference) = (requester.clone(), reference.to_owned());
    app.db
        .write(move |conn| {
            let case = Case::find_by_reference(conn, &reference)?;
            if case.requester_id != requester.id {
                return Err(AppError::forbidden(
                    "This bundle was released to another requester.",
                ));
            }
            release(
                conn,
                &Actor::Requester(requester.id.clone()),
                &case,
                n,
                true,
            )
        })
        .await
}

/// A member of the legal team downloads a bundle (no expiry); recorded like any download.
pub async fn for_staff(
    app: &App,
    staff: &Staff,
    reference: &CaseReference,
    n: i32,
) -> Result<(Bundle, String), AppError> {
    let (staff, reference) = (staff.clone(), reference.to_owned());
    app.db
        .write(move |conn| {
            let case = visible_case(conn, &reference, staff.role)?;
            release(conn, &Actor::Staff(staff.id.clone()), &case, n, false)
        })
        .await
}

/// Finds bundle `n` of `case` for `actor` and records the download; a requester's link expires.
fn release(
    conn: &mut DbConn,
    actor: &Actor,
    case: &Case,
    n: i32,
    link_expires: bool,
) -> Result<(Bundle, String), AppError> {
    let bundle = Bundle::find(conn, &case.id, n)?;
    if link_expires && bundle.expires_at <= clock::now() {
        return Err(AppError::gone(format!(
            "This download link expired on {}. Write to the legal team on the case page for a new one.",
            rfc3339(bundle.expires_at)
        ))
        .with_code("link_expired"));
    }
    audit::record(
        conn,
        actor,
        Some(&case.id),
        "bundle.downloaded",
        json!({ "n": n, "sha256": bundle.sha256 }),
    )?;
    Ok((bundle, bundle_filename(&case.reference, n)))
}
