//! Reads a `multipart/form-data` body as a stream: text fields are collected (bounded), parts
//! named `documents` are staged through `DocumentStore` as they arrive.

use std::pin::Pin;
use std::task::{Context, Poll};

use multer::Multipart;
use rocket::data::{Data, ToByteUnit};
use rocket::http::ContentType;
use rocket::tokio::io::{AsyncRead, ReadBuf};
use tokio_util::io::ReaderStream;

use super::{DocumentStore, StagedDocument};
use crate::domain::vocab::DocumentRole;
use crate::error::AppError;

const MAX_TEXT_FIELD: usize = 64 * 1024;
const MAX_TEXT_TOTAL: usize = 1024 * 1024;
const MAX_FIELDS: usize = 2_000;

/// The name of the file parts of a request or a message.
pub const DOCUMENTS: &str = "documents";
/// The part that carries the non-disclosure order itself (18 USC 2705(b)).
pub const NDO_ORDER: &str = "ndo_order";
/// A list of targets sent as a CSV file with the request form: read as text, at most
/// `MAX_TARGET_LIST` bytes. A file refused leaves the rest of the form intact: the refusal is
/// passed on as the field `TARGETS_CSV_REFUSED`, for the form to show beside its field.
pub const TARGETS_CSV: &str = "targets_csv";
pub const TARGETS_CSV_REFUSED: &str = "targets_csv_refused";
const MAX_TARGET_LIST: usize = 64 * 1024;
/// The name of the file parts of a production.
pub const FILES: &str = "files";

/// Bytes handed to the multipart parser before it must give way (see [`Paced`]).
const BURST: usize = 1024 * 1024;
/// The size of each read from the connection.
const READ_SIZE: usize = 64 * 1024;

/// The request body, read so that memory stays flat however fast the client sends: multer
/// (3.1, `StreamBuffer::poll_stream`) reads its input for as long as the input has bytes ready,
/// so a client sending faster than files are hashed, encrypted and written piled the upload up
/// in memory (270 MiB for a 1 GiB file). After each `BURST` this reader answers "not yet" once
/// and wakes its task at once, which ends multer's loop; multer hands out what it holds, and the
/// next read continues where this one stopped.
///
/// It also drops a body that sends nothing for `idle`: a slow client holds no connection open.
struct Paced<R> {
    inner: R,
    since_pause: usize,
    idle: std::time::Duration,
    deadline: Pin<Box<rocket::tokio::time::Sleep>>,
}

impl<R: AsyncRead + Unpin> AsyncRead for Paced<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        if self.since_pause >= BURST {
            self.since_pause = 0;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        let before = buf.filled().len();
        let poll = Pin::new(&mut self.inner).poll_read(cx, buf);
        match poll {
            Poll::Ready(Ok(())) => {
                self.since_pause += buf.filled().len() - before;
                let next = rocket::tokio::time::Instant::now() + self.idle;
                self.deadline.as_mut().reset(next);
            }
            Poll::Pending => {
                self.since_pause = 0;
                if std::future::Future::poll(self.deadline.as_mut(), cx).is_ready() {
                    return Poll::Ready(Err(std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        "the client sent nothing for too long",
                    )));
                }
            }
            Poll::Ready(Err(_)) => {}
        }
        poll
    }
}

/// The body of `data`, at most `limit` bytes, as the paced stream multer reads.
fn body_stream(
    data: Data<'_>,
    limit: u64,
    idle: std::time::Duration,
) -> ReaderStream<Paced<rocket::data::DataStream<'_>>> {
    let paced = Paced {
        inner: data.open(limit.bytes()),
        since_pause: 0,
        idle,
        deadline: Box::pin(rocket::tokio::time::sleep(idle)),
    };
    ReaderStream::with_capacity(paced, READ_SIZE)
}

/// Which file parts a body carries, and how they are staged.
#[derive(Clone, Copy)]
enum Parts {
    /// `documents`: PDF, PNG or JPEG, sniffed.
    Documents,
    /// `files`: a production, any type.
    Production,
}

#[derive(Debug, Default)]
pub struct Upload {
    pub fields: Vec<(String, String)>,
    pub files: Vec<StagedDocument>,
}

impl Upload {
    pub fn field(&self, name: &str) -> Option<&str> {
        field(&self.fields, name)
    }
}

/// The value of the first text field called `name`.
pub fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// A body refused part-way: the error, and the text fields read before it (to re-show them).
#[derive(Debug)]
pub struct Rejected {
    pub error: AppError,
    pub fields: Vec<(String, String)>,
}

/// The multipart boundary, or 415 for any other body.
fn boundary(content_type: Option<&ContentType>) -> Result<String, AppError> {
    content_type
        .filter(|ct| ct.is_form_data())
        .and_then(|ct| {
            ct.params()
                .find(|(key, _)| *key == "boundary")
                .map(|(_, value)| value.to_owned())
        })
        .ok_or_else(|| AppError::unsupported_type("Send the request as multipart/form-data."))
}

/// Receives the whole body. On any error every file staged so far is removed (dropped).
pub async fn receive(
    data: Data<'_>,
    content_type: Option<&ContentType>,
    store: &DocumentStore,
    max_files: usize,
) -> Result<Upload, Rejected> {
    receive_parts(data, content_type, store, max_files, Parts::Documents).await
}

/// Receives a production: parts `files` of any type, and text fields (`category`).
pub async fn receive_production(
    data: Data<'_>,
    content_type: Option<&ContentType>,
    store: &DocumentStore,
    max_files: usize,
) -> Result<Upload, Rejected> {
    receive_parts(data, content_type, store, max_files, Parts::Production).await
}

async fn receive_parts(
    data: Data<'_>,
    content_type: Option<&ContentType>,
    store: &DocumentStore,
    max_files: usize,
    parts: Parts,
) -> Result<Upload, Rejected> {
    let mut upload = Upload::default();
    match read_into(&mut upload, data, content_type, store, max_files, parts).await {
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
    parts: Parts,
) -> Result<(), AppError> {
    let boundary = boundary(content_type)?;
    let (file_part, per_file) = match parts {
        Parts::Documents => (DOCUMENTS, store.max_bytes),
        Parts::Production => (FILES, store.max_production_bytes),
    };
    let limit = per_file
        .saturating_mul(max_files as u64)
        .saturating_add(MAX_TEXT_TOTAL as u64 * 2);
    let mut multipart = Multipart::new(body_stream(data, limit, store.body_idle), boundary);
    let mut text_total = 0usize;

    while let Some(mut field) = multipart.next_field().await.map_err(malformed)? {
        let name = field.name().unwrap_or_default().to_owned();
        if upload.fields.len() + upload.files.len() >= MAX_FIELDS {
            return Err(AppError::too_large("The form has too many fields."));
        }
        // On a request, the non-disclosure order comes as a part of its own.
        let ndo_order = matches!(parts, Parts::Documents) && name == NDO_ORDER;
        if name == file_part || ndo_order {
            let filename = field.file_name().unwrap_or("document").to_owned();
            let mut staging = match parts {
                Parts::Documents => store.stage(&filename).await?,
                Parts::Production => store.stage_production(&filename).await?,
            };
            while let Some(chunk) = field.chunk().await.map_err(malformed)? {
                staging.write(&chunk).await?;
            }
            if let Some(mut staged) = staging.finish().await? {
                if ndo_order {
                    staged.role = DocumentRole::NdoOrder;
                }
                if upload.files.len() >= max_files {
                    return Err(AppError::too_large(format!(
                        "At most {max_files} files at once."
                    )));
                }
                upload.files.push(staged);
            }
            continue;
        }
        if matches!(parts, Parts::Documents) && name == TARGETS_CSV {
            let read = read_target_list(&mut field, &mut text_total).await?;
            upload.fields.push(match read {
                Ok(text) => (name, text),
                Err(refusal) => (TARGETS_CSV_REFUSED.to_owned(), refusal.to_owned()),
            });
            continue;
        }
        let value = read_text(&mut field, &name, &mut text_total).await?;
        upload.fields.push((name, value));
    }
    Ok(())
}

/// Reads an uploaded list of targets; one too large or not text is read to its end and refused.
async fn read_target_list(
    field: &mut multer::Field<'_>,
    total: &mut usize,
) -> Result<Result<String, &'static str>, AppError> {
    let mut value = Vec::new();
    let mut too_large = false;
    while let Some(chunk) = field.chunk().await.map_err(malformed)? {
        if too_large || value.len() + chunk.len() > MAX_TARGET_LIST {
            too_large = true;
            continue;
        }
        value.extend_from_slice(&chunk);
        *total += chunk.len();
    }
    if too_large {
        return Ok(Err(
            "The file is larger than the 64 KiB a list of targets may be: send at most 100 targets.",
        ));
    }
    if *total > MAX_TEXT_TOTAL {
        return Err(AppError::too_large("The form's text is too long."));
    }
    Ok(String::from_utf8(value)
        .map_err(|_| "The file is not text: save the list as CSV (UTF-8) and attach it again."))
}

/// Reads a text field: at most `MAX_TEXT_FIELD` bytes, `MAX_TEXT_TOTAL` for all the fields of
/// the body (counted in `total`), valid UTF-8.
async fn read_text(
    field: &mut multer::Field<'_>,
    name: &str,
    total: &mut usize,
) -> Result<String, AppError> {
    let mut value = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(malformed)? {
        value.extend_from_slice(&chunk);
        *total += chunk.len();
        if value.len() > MAX_TEXT_FIELD || *total > MAX_TEXT_TOTAL {
            return Err(AppError::too_large(format!(
                "The field “{name}” is too long."
            )));
        }
    }
    String::from_utf8(value)
        .map_err(|_| AppError::bad_request(format!("The field “{name}” is not valid UTF-8 text.")))
}

fn malformed(e: multer::Error) -> AppError {
    use std::error::Error;
    let timed_out = e
        .source()
        .and_then(|s| s.downcast_ref::<std::io::Error>())
        .is_some_and(|io| io.kind() == std::io::ErrorKind::TimedOut);
    if timed_out {
        return AppError::timeout("The upload stopped: nothing arrived for too long. Try again.");
    }
    AppError::bad_request(format!("The form data could not be read: {e}."))
}

/// Receives a body with one file part `part`, written as it arrives to `dest` (at most `max`
/// bytes), and small text fields. For the public verification page: the file is the visitor's
/// own bundle, checked and removed at once. `before_file` sees the text fields sent ahead of the
/// file and may refuse the body before a byte of the file is written (the CSRF token).
pub async fn receive_file_to(
    data: Data<'_>,
    content_type: Option<&ContentType>,
    part: &str,
    dest: &std::path::Path,
    max: u64,
    idle: std::time::Duration,
    before_file: impl Fn(&[(String, String)]) -> Result<(), AppError>,
) -> Result<(Vec<(String, String)>, u64), AppError> {
    use rocket::tokio::io::AsyncWriteExt;
    let boundary = boundary(content_type)?;
    let limit = max.saturating_add(MAX_TEXT_TOTAL as u64);
    let mut multipart = Multipart::new(body_stream(data, limit, idle), boundary);
    let mut fields = Vec::new();
    let mut text_total = 0usize;
    let mut size = 0u64;
    let mut received = false;
    while let Some(mut field) = multipart.next_field().await.map_err(malformed)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == part {
            if received {
                return Err(AppError::bad_request(format!("Send one file as “{part}”.")));
            }
            received = true;
            before_file(&fields)?;
            let mut file = rocket::tokio::fs::File::create(dest).await?;
            while let Some(chunk) = field.chunk().await.map_err(malformed)? {
                size += chunk.len() as u64;
                if size > max {
                    return Err(AppError::too_large(format!(
                        "The file is larger than the {} MiB this page accepts.",
                        max / (1024 * 1024)
                    )));
                }
                file.write_all(&chunk).await?;
            }
            file.flush().await?;
            continue;
        }
        let value = read_text(&mut field, &name, &mut text_total).await?;
        fields.push((name, value));
        if fields.len() > 20 {
            return Err(AppError::too_large("The form has too many fields."));
        }
    }
    if !received {
        before_file(&fields)?;
    }
    Ok((fields, size))
}
