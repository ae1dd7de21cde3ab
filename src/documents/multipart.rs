//! Reads a `multipart/form-data` body as a stream: text fields are collected (bounded), parts
//! named `documents` are staged through `DocumentStore` as they arrive.

use multer::Multipart;
use rocket::data::{Data, ToByteUnit};
use rocket::http::ContentType;
use tokio_util::io::ReaderStream;

use super::{DocumentStore, StagedDocument};
use crate::error::AppError;

const MAX_TEXT_FIELD: usize = 64 * 1024;
const MAX_TEXT_TOTAL: usize = 1024 * 1024;
const MAX_FIELDS: usize = 2_000;

/// The name of the file parts.
pub const DOCUMENTS: &str = "documents";

#[derive(Debug, Default)]
pub struct Upload {
    pub fields: Vec<(String, String)>,
    pub files: Vec<StagedDocument>,
}

impl Upload {
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A body refused part-way: the error, and the text fields read before it (to re-show them).
#[derive(Debug)]
pub struct Rejected {
    pub error: AppError,
    pub fields: Vec<(String, String)>,
}

/// Receives the whole body. On any error every file staged so far is removed (dropped).
pub async fn receive(
    data: Data<'_>,
    content_type: Option<&ContentType>,
    store: &DocumentStore,
    max_files: usize,
) -> Result<Upload, Rejected> {
    let mut upload = Upload::default();
    match read_into(&mut upload, data, content_type, store, max_files).await {
        Ok(()) => Ok(upload),
        Err(error) => Err(Rejected {
            error,
            fields: upload.fields,
        }),
    }
}

async fn read_into(
    upload: &mut Upload,
    data: Data<'_>,
    content_type: Option<&ContentType>,
    store: &DocumentStore,
    max_files: usize,
) -> Result<(), AppError> {
    let boundary = content_type
        .filter(|ct| ct.is_form_data())
        .and_then(|ct| {
            ct.params()
                .find(|(key, _)| *key == "boundary")
                .map(|(_, value)| value.to_owned())
        })
        .ok_or_else(|| AppError::unsupported_type("Send the request as multipart/form-data."))?;
    let limit = store
        .max_bytes
        .saturating_mul(max_files as u64)
        .saturating_add(MAX_TEXT_TOTAL as u64 * 2);
    let stream = ReaderStream::new(data.open(limit.bytes()));
    let mut multipart = Multipart::new(stream, boundary);
    let mut text_total = 0usize;
    let malformed =
        |e: multer::Error| AppError::bad_request(format!("The form data could not be read: {e}."));

    while let Some(mut field) = multipart.next_field().await.map_err(malformed)? {
        let name = field.name().unwrap_or_default().to_owned();
        if upload.fields.len() + upload.files.len() >= MAX_FIELDS {
            return Err(AppError::too_large("The form has too many fields."));
        }
        if name == DOCUMENTS {
            let filename = field.file_name().unwrap_or("document").to_owned();
            let mut staging = store.stage(&filename).await?;
            while let Some(chunk) = field.chunk().await.map_err(malformed)? {
                staging.write(&chunk).await?;
            }
            if let Some(staged) = staging.finish().await? {
                if upload.files.len() >= max_files {
                    return Err(AppError::too_large(format!(
                        "At most {max_files} documents per request."
                    )));
                }
                upload.files.push(staged);
            }
            continue;
        }
        let mut value = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(malformed)? {
            value.extend_from_slice(&chunk);
            text_total += chunk.len();
            if value.len() > MAX_TEXT_FIELD || text_total > MAX_TEXT_TOTAL {
                return Err(AppError::too_large(format!(
                    "The field “{name}” is too long."
                )));
            }
        }
        let value = String::from_utf8(value).map_err(|_| {
            AppError::bad_request(format!("The field “{name}” is not valid UTF-8 text."))
        })?;
        upload.fields.push((name, value));
    }
    Ok(())
}
