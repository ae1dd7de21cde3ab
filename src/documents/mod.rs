//! Intake documents: streamed from the request, sniffed by content, hashed, and encrypted at rest
//! as they arrive. Nothing is held in memory beyond one segment, and nothing plaintext touches disk.

pub mod download;
pub mod multipart;
pub mod remote;

use std::path::PathBuf;

use ring::digest;
use rocket::tokio::fs::File;
use rocket::tokio::io::AsyncWriteExt;

use crate::crypto::stream::{DocumentKey, Sealer};
use crate::db::ids::CaseId;
use crate::db::models::document::{Document, HeldDocument};
use crate::domain::vocab::DocumentRole;
use crate::error::AppError;

/// The kinds of file Writ accepts, told apart by their first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaType {
    Pdf,
    Png,
    Jpeg,
    /// A produced file: the legal team's own records, of any type.
    Binary,
}

impl MediaType {
    pub fn sniff(head: &[u8]) -> Option<MediaType> {
        if head.starts_with(b"%PDF-") {
            Some(MediaType::Pdf)
        } else if head.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
            Some(MediaType::Png)
        } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(MediaType::Jpeg)
        } else {
            None
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MediaType::Pdf => "application/pdf",
            MediaType::Binary => "application/octet-stream",
            MediaType::Png => "image/png",
            MediaType::Jpeg => "image/jpeg",
        }
    }
}

/// Where encrypted documents live: `DIR/<id>`, or the object `<id>` in a bucket
/// ([`remote`]); staged first, encrypted, under this machine's `DIR/incoming/` either way.
#[derive(Debug, Clone)]
pub struct DocumentStore {
    dir: PathBuf,
    remote: Option<remote::Remote>,
    key: DocumentKey,
    pub max_bytes: u64,
    /// Largest produced file (productions are the platform's own records, often large).
    pub max_production_bytes: u64,
    /// How long an upload may send nothing before it is dropped (408).
    pub body_idle: std::time::Duration,
}

impl DocumentStore {
    pub fn new(dir: PathBuf, key: DocumentKey, max_bytes: u64) -> Result<DocumentStore, AppError> {
        for sub in ["incoming", "held"] {
            std::fs::create_dir_all(dir.join(sub))
                .map_err(|e| AppError::config(format!("cannot create {}: {e}", dir.display())))?;
        }
        Ok(DocumentStore {
            dir,
            remote: None,
            key,
            max_bytes,
            max_production_bytes: max_bytes,
            body_idle: std::time::Duration::from_secs(30),
        })
    }

    /// Keeps stored files in `bucket` instead of the directory (which still stages them).
    pub fn in_bucket(mut self, bucket: remote::Remote) -> DocumentStore {
        self.remote = Some(bucket);
        self
    }

    /// The bucket stored files live in, if not the directory.
    pub fn bucket(&self) -> Option<&remote::Remote> {
        self.remote.as_ref()
    }

    pub fn path(&self, id: &str) -> PathBuf {
        self.dir.join(id)
    }

    pub fn key(&self) -> &DocumentKey {
        &self.key
    }

    /// Starts staging one uploaded intake document (PDF, PNG or JPEG).
    pub async fn stage(&self, filename: &str) -> Result<StagingFile, AppError> {
        self.stage_as(filename, false).await
    }

    /// Starts staging one produced file: any type, hashed with SHA-256 and SHA-512 and its
    /// CRC-32 taken as it arrives, for the bundle that will seal it.
    pub async fn stage_production(&self, filename: &str) -> Result<StagingFile, AppError> {
        self.stage_as(filename, true).await
    }

    async fn stage_as(&self, filename: &str, production: bool) -> Result<StagingFile, AppError> {
        let id = crate::db::models::new_id();
        let path = self.dir.join("incoming").join(&id);
        let file = File::create(&path).await?;
        let staged = StagedDocument {
            id: id.clone(),
            filename: clean_filename(filename),
            media_type: MediaType::Pdf,
            size: 0,
            sha256: String::new(),
            sha512: None,
            crc32: None,
            role: DocumentRole::Process,
            place: Place::Incoming(path),
        };
        Ok(StagingFile {
            staged,
            file,
            sealer: None,
            head: Vec::new(),
            digest: digest::Context::new(&digest::SHA256),
            production: production.then(|| {
                (
                    digest::Context::new(&digest::SHA512),
                    crc32fast::Hasher::new(),
                )
            }),
            out: Vec::new(),
            max_bytes: if production {
                self.max_production_bytes
            } else {
                self.max_bytes
            },
            key: self.key.clone(),
        })
    }

    /// Moves staged files to their permanent place in the bucket, ahead of the transaction that
    /// records them (which then has nothing left to send): no transaction waits on an upload.
    /// On local storage this does nothing; `persist` renames in the transaction. If one fails,
    /// those already sent are removed again.
    pub async fn upload(&self, staged: &mut [StagedDocument]) -> Result<(), AppError> {
        let Some(bucket) = &self.remote else {
            return Ok(());
        };
        for index in 0..staged.len() {
            let document = &mut staged[index];
            let sent = match &document.place {
                Place::Incoming(path) => bucket.upload(path, &document.id).await,
                Place::Held => {
                    bucket
                        .rename(&format!("held/{}", document.id), &document.id)
                        .await
                }
                Place::Stored => Ok(()),
            };
            if let Err(e) = sent {
                let ids: Vec<String> = staged[..index]
                    .iter()
                    .filter(|d| matches!(d.place, Place::Stored))
                    .map(|d| d.id.clone())
                    .collect();
                self.discard_stored(&ids).await;
                return Err(AppError::internal(format!(
                    "storing a document in {}: {e}",
                    bucket.url()
                )));
            }
            document.settle();
        }
        Ok(())
    }

    /// Moves a staged file to its permanent place: a rename on the same file system, or in the
    /// bucket (where [`DocumentStore::upload`] has usually sent it already).
    pub fn persist(&self, staged: &StagedDocument) -> std::io::Result<()> {
        match (&staged.place, &self.remote) {
            (Place::Incoming(path), None) => std::fs::rename(path, self.path(&staged.id)),
            (Place::Incoming(path), Some(bucket)) => {
                bucket.upload_blocking(path, &staged.id)?;
                std::fs::remove_file(path)
            }
            (Place::Held, Some(bucket)) => {
                bucket.rename_blocking(&format!("held/{}", staged.id), &staged.id)
            }
            (Place::Held, None) => Err(std::io::Error::other("a held upload outside a bucket")),
            (Place::Stored, _) => Ok(()),
        }
    }

    /// Keeps a staged file for its requester while they confirm the request (it stays encrypted):
    /// under `held/`, in the directory or in the bucket, where any instance can take it back.
    pub async fn hold(
        &self,
        staged: StagedDocument,
        requester_id: &str,
        now: chrono::NaiveDateTime,
    ) -> std::io::Result<HeldDocument> {
        let Place::Incoming(path) = &staged.place else {
            return Err(std::io::Error::other("only a new upload can be held"));
        };
        match &self.remote {
            None => std::fs::rename(path, self.dir.join("held").join(&staged.id))?,
            Some(bucket) => bucket.upload(path, &format!("held/{}", staged.id)).await?,
        }
        Ok(HeldDocument {
            id: staged.id.clone(),
            requester_id: requester_id.to_owned(),
            filename: staged.filename.clone(),
            media_type: staged.media_type.as_str().to_owned(),
            size_bytes: staged.size as i64,
            sha256: staged.sha256.clone(),
            held_at: now,
            role: staged.role.as_str().to_owned(),
            kept_until: None,
        })
    }

    /// Stages a held file again, as if it had just been uploaded.
    pub fn resume(&self, held: &HeldDocument) -> std::io::Result<StagedDocument> {
        let place = match &self.remote {
            None => {
                let path = self.dir.join("incoming").join(&held.id);
                std::fs::rename(self.dir.join("held").join(&held.id), &path)?;
                Place::Incoming(path)
            }
            // It stays where it is until `upload` or `persist` moves it to its permanent key.
            Some(_) => Place::Held,
        };
        let media_type = match held.media_type.as_str() {
            "image/png" => MediaType::Png,
            "image/jpeg" => MediaType::Jpeg,
            _ => MediaType::Pdf,
        };
        Ok(StagedDocument {
            id: held.id.clone(),
            filename: held.filename.clone(),
            media_type,
            size: held.size_bytes as u64,
            sha256: held.sha256.clone(),
            sha512: None,
            crc32: None,
            role: DocumentRole::parse(&held.role).unwrap_or(DocumentRole::Process),
            place,
        })
    }

    /// Removes stored files whose rows a failed transaction never kept.
    pub async fn discard_stored(&self, ids: &[String]) {
        for id in ids {
            let removed = match &self.remote {
                None => std::fs::remove_file(self.path(id)),
                Some(bucket) => bucket.delete(id).await,
            };
            if let Err(e) = removed {
                if e.kind() != std::io::ErrorKind::NotFound {
                    log::warn!("could not remove document {id}: {e}");
                }
            }
        }
    }

    /// Removes a held file whose row has expired.
    pub async fn discard_held(&self, id: &str) {
        let removed = match &self.remote {
            None => std::fs::remove_file(self.dir.join("held").join(id)),
            Some(bucket) => bucket.delete(&format!("held/{id}")).await,
        };
        if let Err(e) = removed {
            if e.kind() != std::io::ErrorKind::NotFound {
                log::warn!("could not remove a held upload: {e}");
            }
        }
    }

    /// Removes staging files that a process left behind when it died mid-upload or mid-seal
    /// (`kill -9`, power loss): nothing refers to them. Only files last written before `before`
    /// go, because another instance may be writing a newer one right now. Returns how many went.
    pub fn sweep_incoming(&self, before: std::time::SystemTime) -> std::io::Result<usize> {
        let mut removed = 0;
        for entry in std::fs::read_dir(self.dir.join("incoming"))? {
            let entry = entry?;
            let stale = entry.metadata()?.modified()? < before;
            if stale && std::fs::remove_file(entry.path()).is_ok() {
                removed += 1;
            }
        }
        Ok(removed)
    }

    /// Decrypts a stored document into `output`, checking its integrity on the way. Blocking:
    /// call it from the blocking pool.
    pub fn read_into(&self, id: &str, output: impl std::io::Write) -> std::io::Result<u64> {
        let input: Box<dyn std::io::Read> = match &self.remote {
            None => Box::new(std::io::BufReader::new(std::fs::File::open(self.path(id))?)),
            Some(bucket) => Box::new(bucket.reader(id)?),
        };
        crate::crypto::stream::decrypt(&self.key, id.as_bytes(), input, output)
    }
}

/// Writes a new stored file, encrypted as it is written, while hashing the plaintext: the sealed
/// bundles. The file appears under its id only when `finish` has synced it.
pub struct SealedWriter {
    id: String,
    staging: PathBuf,
    final_path: PathBuf,
    remote: Option<remote::Remote>,
    file: std::io::BufWriter<std::fs::File>,
    sealer: Option<Sealer>,
    digest: digest::Context,
    size: u64,
    out: Vec<u8>,
}

impl DocumentStore {
    pub fn create_sealed(&self) -> std::io::Result<SealedWriter> {
        let id = crate::db::models::new_id();
        let staging = self.dir.join("incoming").join(&id);
        let mut file =
            std::io::BufWriter::with_capacity(256 * 1024, std::fs::File::create(&staging)?);
        let (sealer, header) = Sealer::new(&self.key, id.as_bytes());
        std::io::Write::write_all(&mut file, &header)?;
        Ok(SealedWriter {
            final_path: self.path(&id),
            remote: self.remote.clone(),
            id,
            staging,
            file,
            sealer: Some(sealer),
            digest: digest::Context::new(&digest::SHA256),
            size: 0,
            out: Vec::with_capacity(128 * 1024),
        })
    }
}

impl std::io::Write for SealedWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.digest.update(buf);
        self.size += buf.len() as u64;
        if let Some(sealer) = self.sealer.as_mut() {
            sealer.push(buf, &mut self.out)?;
        }
        if self.out.len() >= 64 * 1024 {
            self.file.write_all(&self.out)?;
            self.out.clear();
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A sealed file on disk under its id: its plaintext SHA-256 and size.
pub struct Sealed {
    pub id: String,
    pub sha256: String,
    pub size: u64,
}

impl SealedWriter {
    /// Seals the last segment, syncs the file and moves it into place (in the bucket: sends it
    /// there; blocking, as the writer is).
    pub fn finish(mut self) -> std::io::Result<Sealed> {
        use std::io::Write;
        if let Some(sealer) = self.sealer.take() {
            sealer.finish(&mut self.out)?;
        }
        self.file.write_all(&self.out)?;
        self.file.flush()?;
        self.file.get_ref().sync_all()?;
        match &self.remote {
            None => std::fs::rename(&self.staging, &self.final_path)?,
            Some(bucket) => {
                let sent = bucket.upload_blocking(&self.staging, &self.id);
                std::fs::remove_file(&self.staging)?;
                sent?;
            }
        }
        Ok(Sealed {
            id: self.id.clone(),
            sha256: hex::encode(self.digest.clone().finish()),
            size: self.size,
        })
    }
}

impl Drop for SealedWriter {
    fn drop(&mut self) {
        // Unfinished (an error on the way): nothing half-written stays behind.
        if self.sealer.is_some() {
            let _ = std::fs::remove_file(&self.staging);
        }
    }
}

/// A file fully received, encrypted and hashed, waiting for the transaction that records it.
/// Dropping it before `persist` removes the staged file, so a refused upload leaves nothing.
#[derive(Debug)]
pub struct StagedDocument {
    pub id: String,
    pub filename: String,
    pub media_type: MediaType,
    pub size: u64,
    pub sha256: String,
    /// Produced files only.
    pub sha512: Option<String>,
    pub crc32: Option<u32>,
    /// Requester documents: the legal process, or the non-disclosure order.
    pub role: DocumentRole,
    place: Place,
}

/// Where a staged file is until the transaction that records it.
#[derive(Debug)]
enum Place {
    /// Encrypted on this machine under `incoming/` (every upload starts here).
    Incoming(PathBuf),
    /// In the bucket under `held/<id>`, taken back from an earlier round of a form.
    Held,
    /// Already in the bucket under its permanent key.
    Stored,
}

impl StagedDocument {
    /// Sent to its permanent key: the local staging file goes.
    fn settle(&mut self) {
        if let Place::Incoming(path) = std::mem::replace(&mut self.place, Place::Stored) {
            if let Err(e) = std::fs::remove_file(&path) {
                log::warn!("could not remove a staged upload: {e}");
            }
        }
    }
}

impl StagedDocument {
    /// The row that records this file once it belongs to a case.
    pub fn row(&self, case_id: &CaseId, uploaded_by: &str, at: chrono::NaiveDateTime) -> Document {
        Document {
            id: self.id.clone(),
            case_id: case_id.to_owned(),
            filename: self.filename.clone(),
            media_type: self.media_type.as_str().to_owned(),
            size_bytes: self.size as i64,
            sha256: self.sha256.clone(),
            uploaded_by: uploaded_by.to_owned(),
            uploaded_at: at,
            role: self.role.as_str().to_owned(),
        }
    }
}

impl Drop for StagedDocument {
    fn drop(&mut self) {
        let Place::Incoming(path) = &self.place else {
            return;
        };
        match std::fs::remove_file(path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                log::warn!("could not remove a staged upload: {e}")
            }
            _ => {}
        }
    }
}

/// A file being received.
pub struct StagingFile {
    staged: StagedDocument,
    file: File,
    sealer: Option<Sealer>,
    head: Vec<u8>,
    digest: digest::Context,
    /// Produced files: SHA-512 and CRC-32 besides SHA-256.
    production: Option<(digest::Context, crc32fast::Hasher)>,
    out: Vec<u8>,
    max_bytes: u64,
    key: DocumentKey,
}

impl StagingFile {
    pub async fn write(&mut self, chunk: &[u8]) -> Result<(), AppError> {
        self.staged.size += chunk.len() as u64;
        if self.staged.size > self.max_bytes {
            return Err(AppError::too_large(format!(
                "“{}” is larger than the {} MiB limit for one document.",
                self.staged.filename,
                self.max_bytes / (1024 * 1024)
            ))
            .with_code("document_too_large"));
        }
        self.digest.update(chunk);
        if let Some((sha512, crc)) = self.production.as_mut() {
            sha512.update(chunk);
            crc.update(chunk);
        }
        if self.sealer.is_none() {
            // Hold back the first bytes until there are enough to tell the file's type.
            self.head.extend_from_slice(chunk);
            if self.head.len() < 8 {
                return Ok(());
            }
            self.start()?;
            let head = std::mem::take(&mut self.head);
            return self.seal(&head).await;
        }
        self.seal(chunk).await
    }

    fn start(&mut self) -> Result<(), AppError> {
        self.staged.media_type = if self.production.is_some() {
            MediaType::Binary
        } else {
            let sniffed = MediaType::sniff(&self.head).ok_or_else(|| {
            AppError::unsupported_type(format!(
                "“{}” is not a PDF, PNG or JPEG file (files are checked by their content, not their name).",
                self.staged.filename
            ))
            })?;
            // A polyglot (a PDF that is also HTML, say) keeps the name of what it was taken
            // for, so that nobody opens `order.html` from the case page.
            self.staged.filename = with_extension(&self.staged.filename, sniffed);
            sniffed
        };
        let (sealer, header) = Sealer::new(&self.key, self.staged.id.as_bytes());
        self.sealer = Some(sealer);
        self.out = header;
        Ok(())
    }

    async fn seal(&mut self, data: &[u8]) -> Result<(), AppError> {
        if let Some(sealer) = self.sealer.as_mut() {
            sealer.push(data, &mut self.out)?;
        }
        if self.out.len() >= 256 * 1024 {
            self.file.write_all(&self.out).await?;
            self.out.clear();
        }
        Ok(())
    }

    /// Completes the file; `None` for an empty part (a file input left blank).
    pub async fn finish(mut self) -> Result<Option<StagedDocument>, AppError> {
        if self.staged.size == 0 {
            return Ok(None);
        }
        if self.sealer.is_none() {
            self.start()?;
            let head = std::mem::take(&mut self.head);
            self.seal(&head).await?;
        }
        if let Some(sealer) = self.sealer.take() {
            sealer.finish(&mut self.out)?;
        }
        self.file.write_all(&self.out).await?;
        self.file.sync_all().await?;
        self.staged.sha256 = hex::encode(self.digest.clone().finish());
        if let Some((sha512, crc)) = self.production.take() {
            self.staged.sha512 = Some(hex::encode(sha512.finish()));
            self.staged.crc32 = Some(crc.finalize());
        }
        Ok(Some(self.staged))
    }
}

/// `name` ending in the extension of `media`: a right one is kept (`.jpg` or `.jpeg` alike),
/// any other last extension is replaced.
pub fn with_extension(name: &str, media: MediaType) -> String {
    let (wanted, also): (&str, &[&str]) = match media {
        MediaType::Pdf => ("pdf", &[]),
        MediaType::Png => ("png", &[]),
        MediaType::Jpeg => ("jpg", &["jpeg"]),
        MediaType::Binary => return name.to_owned(),
    };
    let (stem, extension) = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem, ext.to_ascii_lowercase()),
        _ => (name, String::new()),
    };
    if extension == wanted || also.contains(&extension.as_str()) {
        name.to_owned()
    } else {
        format!("{stem}.{wanted}")
    }
}

/// A file name safe to show and to put in a ZIP: the last path component, no control
/// characters or text-direction overrides, at most 200 characters.
pub fn clean_filename(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !crate::domain::text::is_forbidden_in_line(*c))
        .take(200)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_owned();
    if cleaned.is_empty() {
        "document".to_owned()
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_stale_staging_files_are_swept() {
        let dir = tempfile::tempdir().unwrap();
        let key = DocumentKey::from_bytes(&[7; 32]).unwrap();
        let store = DocumentStore::new(dir.path().to_owned(), key, 1024).unwrap();
        let incoming = dir.path().join("incoming");
        let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        std::fs::write(incoming.join("left-by-a-crash"), b"x").unwrap();
        std::fs::File::options()
            .write(true)
            .open(incoming.join("left-by-a-crash"))
            .unwrap()
            .set_modified(an_hour_ago - std::time::Duration::from_secs(60))
            .unwrap();
        std::fs::write(incoming.join("being-written"), b"y").unwrap();
        std::fs::write(dir.path().join("stored"), b"z").unwrap();

        assert_eq!(store.sweep_incoming(an_hour_ago).unwrap(), 1);
        assert!(!incoming.join("left-by-a-crash").exists());
        assert!(incoming.join("being-written").exists());
        assert!(dir.path().join("stored").exists());
    }

    #[test]
    fn sniffs_by_content() {
        assert_eq!(MediaType::sniff(b"%PDF-1.7\n"), Some(MediaType::Pdf));
        assert_eq!(
            MediaType::sniff(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]),
            Some(MediaType::Png)
        );
        assert_eq!(
            MediaType::sniff(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x00]),
            None
        );
        assert_eq!(
            MediaType::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Some(MediaType::Jpeg)
        );
        assert_eq!(MediaType::sniff(b"MZ\x90\x00"), None);
        assert_eq!(MediaType::sniff(b" %PDF-"), None);
    }

    #[test]
    fn filenames_lose_their_paths() {
        assert_eq!(clean_filename("../../etc/passwd"), "passwd");
        assert_eq!(clean_filename("C:\\Users\\x\\order.pdf"), "order.pdf");
        assert_eq!(clean_filename("..."), "document");
        assert_eq!(clean_filename("a\u{0}b.pdf"), "ab.pdf");
        assert_eq!(clean_filename("invoice\u{202E}fdp.exe"), "invoicefdp.exe");
    }

    #[test]
    fn stored_names_carry_the_extension_of_what_was_sniffed() {
        assert_eq!(with_extension("order.pdf", MediaType::Pdf), "order.pdf");
        assert_eq!(with_extension("order.PDF", MediaType::Pdf), "order.PDF");
        assert_eq!(with_extension("page.html", MediaType::Pdf), "page.pdf");
        assert_eq!(with_extension("setup.exe", MediaType::Png), "setup.png");
        assert_eq!(with_extension("photo.jpeg", MediaType::Jpeg), "photo.jpeg");
        assert_eq!(with_extension("photo", MediaType::Jpeg), "photo.jpg");
        assert_eq!(with_extension("a.tar.svg", MediaType::Png), "a.tar.png");
        assert_eq!(
            with_extension("export.csv", MediaType::Binary),
            "export.csv"
        );
    }
}
