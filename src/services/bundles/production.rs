//! The produced files of an approved disclosure: streamed in, hashed and encrypted as they
//! arrive, and listed for the seal.

use diesel::prelude::*;
use serde_json::json;

use super::{answerable, ProductionView, CATEGORIES};
use crate::app::App;
use crate::audit::{self, Actor};
use crate::db::models::bundle::Production;
use crate::db::models::staff::Staff;
use crate::db::schema::productions;
use crate::documents::StagedDocument;
use crate::domain::clock;
use crate::domain::reference::CaseReference;
use crate::error::AppError;
use crate::services::staff_cases::visible_case;

/// Attaches produced files to an approved case, each file marked `records` or `content`.
pub async fn produce(
    app: &App,
    staff: &Staff,
    reference: &CaseReference,
    category: &str,
    files: Vec<StagedDocument>,
) -> Result<Vec<ProductionView>, AppError> {
    let category = category.trim().to_owned();
    if !CATEGORIES.contains(&category.as_str()) {
        return Err(AppError::invalid(
            "category",
            "Mark the files as “records” or “content”.",
        ));
    }
    if files.is_empty() {
        return Err(AppError::invalid("files", "Attach at least one file."));
    }
    let mut files = files;
    app.store.upload(&mut files).await?;
    let (staff, reference) = (staff.clone(), reference.to_owned());
    let ids: Vec<String> = files.iter().map(|f| f.id.clone()).collect();
    let result = app
        .write(move |conn, app| {
            let case = visible_case(conn, &reference, staff.role)?;
            answerable(&case)?;
            let now = clock::now();
            let mut rows = Vec::with_capacity(files.len());
            for file in &files {
                app.store.persist(file)?;
                let row = Production {
                    id: file.id.clone(),
                    case_id: case.id.clone(),
                    category: category.clone(),
                    filename: file.filename.clone(),
                    media_type: file.media_type.as_str().to_owned(),
                    size_bytes: file.size as i64,
                    sha256: file.sha256.clone(),
                    sha512: file.sha512.clone().unwrap_or_default(),
                    crc32: i64::from(file.crc32.unwrap_or_default()),
                    uploaded_by: format!("staff:{}", staff.id),
                    uploaded_at: now,
                    bundle_n: None,
                };
                diesel::insert_into(productions::table).values(&row).execute(conn)?;
                rows.push(row);
            }
            audit::record(
                conn,
                &Actor::Staff(staff.id.clone()),
                Some(&case.id),
                "production.added",
                json!({ "category": category, "files": rows.iter().map(|r| json!({ "id": r.id, "sha256": r.sha256, "size": r.size_bytes })).collect::<Vec<_>>() }),
            )?;
            Ok(rows.iter().map(ProductionView::from).collect())
        })
        .await;
    if result.is_err() {
        app.store.discard_stored(&ids).await;
    }
    result
}
