//! Stored files in S3-compatible object storage (`WRIT_STORAGE_URL=s3://bucket/prefix`), so that
//! instances on several machines share one bucket instead of a directory.
//!
//! Only ciphertext leaves: every file is staged and encrypted on this machine first (as on local
//! storage), then pushed to its permanent key before the transaction that records it. Files up to
//! one part go in one PUT; larger ones as a multipart upload of [`PART`]-sized parts, which the
//! bucket lists only once it is complete, so a process killed half-way leaves nothing listed
//! (a bucket lifecycle rule reclaims the abandoned parts). Reads are ranged GETs of one part
//! each, the next fetched while the last is decrypted. Memory stays flat: a few parts per file.
//!
//! The S3 client runs on a small runtime of its own, so that blocking callers (the seal and
//! download threads, the CLI) and async ones alike can drive it.

use std::io::{self, Read};
use std::ops::Range;
use std::path::Path as FsPath;
use std::sync::{mpsc, Arc, OnceLock};

use bytes::Bytes;
use futures_util::StreamExt;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload, WriteMultipart};
use rocket::tokio::io::AsyncReadExt;

use crate::error::AppError;

/// One part of a multipart upload, and one ranged read (S3 needs parts of at least 5 MiB).
pub const PART: usize = 8 * 1024 * 1024;
/// Parts of one file in flight at once.
const PARTS_IN_FLIGHT: usize = 2;

/// Where the bucket is and how to reach it: the storage settings.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// `s3://bucket` or `s3://bucket/prefix`.
    pub url: String,
    /// Empty: AWS itself (from the region); else the server's address, `http://…` allowed.
    pub endpoint: String,
    pub region: String,
    /// Empty: the usual AWS sources (`AWS_ACCESS_KEY_ID`, instance roles, …).
    pub access_key_id: String,
    pub secret_access_key: String,
}

#[derive(Clone)]
pub struct Remote {
    store: Arc<AmazonS3>,
    prefix: Path,
    url: String,
}

impl std::fmt::Debug for Remote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Remote").field("url", &self.url).finish()
    }
}

/// The runtime the S3 client runs on, for the life of the process.
fn runtime() -> &'static rocket::tokio::runtime::Runtime {
    static RUNTIME: OnceLock<rocket::tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        rocket::tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("writ-storage")
            .enable_all()
            .build()
            .expect("the storage runtime starts")
    })
}

/// Runs `work` on the storage runtime and waits for it from async code.
async fn on_runtime<T: Send + 'static>(
    work: impl std::future::Future<Output = T> + Send + 'static,
) -> T {
    runtime()
        .spawn(work)
        .await
        .expect("a storage task does not panic")
}

/// Runs `work` on the storage runtime and blocks this thread until it ends: for blocking
/// callers only (the blocking pool, the CLI), never on an async worker.
fn blocking<T: Send + 'static>(work: impl std::future::Future<Output = T> + Send + 'static) -> T {
    waiter(work).recv().expect("a storage task does not panic")
}

/// Starts `work` on the storage runtime; its result arrives on the returned channel.
fn waiter<T: Send + 'static>(
    work: impl std::future::Future<Output = T> + Send + 'static,
) -> mpsc::Receiver<T> {
    let (tx, rx) = mpsc::sync_channel(1);
    runtime().spawn(async move {
        let _ = tx.send(work.await);
    });
    rx
}

fn io_error(e: object_store::Error) -> io::Error {
    match e {
        object_store::Error::NotFound { .. } => io::Error::new(io::ErrorKind::NotFound, e),
        e => io::Error::other(e),
    }
}

impl Remote {
    /// Opens the bucket the settings name (nothing is sent until the first request).
    pub fn open(settings: &Settings) -> Result<Remote, AppError> {
        let bad = |why: String| AppError::config(format!("WRIT_STORAGE_URL: {why}"));
        let rest = settings
            .url
            .strip_prefix("s3://")
            .ok_or_else(|| bad(format!("“{}” is not an s3:// address", settings.url)))?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(bad("it names no bucket (s3://bucket/prefix)".into()));
        }
        // The TLS stack of the S3 client takes ring, the crypto Writ uses everywhere else.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = AmazonS3Builder::from_env().with_bucket_name(bucket);
        if !settings.region.is_empty() {
            builder = builder.with_region(&settings.region);
        }
        if !settings.endpoint.is_empty() {
            builder = builder
                .with_endpoint(settings.endpoint.trim_end_matches('/'))
                .with_allow_http(settings.endpoint.starts_with("http://"))
                .with_virtual_hosted_style_request(false);
        }
        if !settings.access_key_id.is_empty() {
            builder = builder.with_access_key_id(&settings.access_key_id);
        }
        if !settings.secret_access_key.is_empty() {
            builder = builder.with_secret_access_key(&settings.secret_access_key);
        }
        let store = builder
            .build()
            .map_err(|e| AppError::config(format!("the object storage settings: {e}")))?;
        Ok(Remote {
            store: Arc::new(store),
            prefix: Path::from(prefix.trim_matches('/')),
            url: settings.url.clone(),
        })
    }

    /// `s3://bucket/prefix`, for logs and `writ doctor`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The object that holds stored file `name` (`held/<id>` or `<id>`).
    fn key(&self, name: &str) -> Path {
        name.split('/')
            .fold(self.prefix.clone(), |path, part| path.clone().join(part))
    }

    /// Pushes the local file `local` to `name`: one PUT, or a multipart upload that only appears
    /// once every part is in (an error or a dropped connection aborts it).
    pub async fn upload(&self, local: &FsPath, name: &str) -> io::Result<()> {
        let (store, key) = (self.store.clone(), self.key(name));
        let mut file = rocket::tokio::fs::File::open(local).await?;
        on_runtime(async move {
            let size = file.metadata().await?.len();
            if size <= PART as u64 {
                let mut whole = Vec::with_capacity(size as usize);
                file.read_to_end(&mut whole).await?;
                store
                    .put(&key, PutPayload::from(whole))
                    .await
                    .map_err(io_error)?;
                return Ok(());
            }
            let upload = store.put_multipart(&key).await.map_err(io_error)?;
            let mut parts = WriteMultipart::new_with_chunk_size(upload, PART);
            let mut chunk = vec![0u8; 1024 * 1024];
            loop {
                let n = match file.read(&mut chunk).await {
                    Ok(0) => break,
                    Ok(n) => n,
                    Err(e) => {
                        let _ = parts.abort().await;
                        return Err(e);
                    }
                };
                if let Err(e) = parts.wait_for_capacity(PARTS_IN_FLIGHT).await {
                    let _ = parts.abort().await;
                    return Err(io_error(e));
                }
                parts.write(&chunk[..n]);
            }
            parts.finish().await.map_err(io_error)?;
            Ok(())
        })
        .await
    }

    /// As [`Remote::upload`], from a blocking thread.
    pub fn upload_blocking(&self, local: &FsPath, name: &str) -> io::Result<()> {
        let (remote, local, name) = (self.clone(), local.to_owned(), name.to_owned());
        blocking(async move { remote.upload(&local, &name).await })
    }

    /// Moves `from` to `to` inside the bucket (a server-side copy, then a delete).
    pub async fn rename(&self, from: &str, to: &str) -> io::Result<()> {
        let (store, from, to) = (self.store.clone(), self.key(from), self.key(to));
        on_runtime(async move { store.rename(&from, &to).await.map_err(io_error) }).await
    }

    /// As [`Remote::rename`], from a blocking thread.
    pub fn rename_blocking(&self, from: &str, to: &str) -> io::Result<()> {
        let (remote, from, to) = (self.clone(), from.to_owned(), to.to_owned());
        blocking(async move { remote.rename(&from, &to).await })
    }

    /// Removes `name`; one that is not there is not an error.
    pub async fn delete(&self, name: &str) -> io::Result<()> {
        let (store, key) = (self.store.clone(), self.key(name));
        on_runtime(async move {
            match store.delete(&key).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
                Err(e) => Err(io_error(e)),
            }
        })
        .await
    }

    /// Reads `name` from the start, one ranged GET per part.
    pub fn reader(&self, name: &str) -> io::Result<RangedReader> {
        let (store, key) = (self.store.clone(), self.key(name));
        let size = {
            let (store, key) = (store.clone(), key.clone());
            blocking(async move { store.head(&key).await.map_err(io_error) })?.size
        };
        let mut reader = RangedReader {
            store,
            key,
            size,
            next_start: 0,
            current: Bytes::new(),
            next: None,
        };
        reader.prefetch();
        Ok(reader)
    }

    /// The names of the stored files under `under` (`""`: all), for tests and `writ doctor`.
    pub async fn list(&self, under: &str) -> io::Result<Vec<String>> {
        let (store, prefix) = (self.store.clone(), self.prefix.clone());
        let at = if under.is_empty() {
            prefix.clone()
        } else {
            self.key(under)
        };
        on_runtime(async move {
            let mut names = Vec::new();
            let mut listing = store.list(Some(&at));
            while let Some(meta) = listing.next().await {
                let meta = meta.map_err(io_error)?;
                let name = meta
                    .location
                    .prefix_match(&prefix)
                    .map(|parts| parts.map(|p| p.as_ref().to_owned()).collect::<Vec<_>>())
                    .unwrap_or_default()
                    .join("/");
                names.push(name);
            }
            Ok(names)
        })
        .await
    }

    /// Writes, reads back and removes a small object: what `writ doctor` checks.
    pub fn probe(&self) -> Result<(), String> {
        let (store, key) = (
            self.store.clone(),
            self.key(&format!("doctor-{}", crate::db::models::new_id())),
        );
        blocking(async move {
            store
                .put(&key, PutPayload::from_static(b"writ doctor"))
                .await
                .map_err(|e| format!("cannot write: {e}"))?;
            let back = store
                .get(&key)
                .await
                .map_err(|e| format!("cannot read: {e}"))?
                .bytes()
                .await
                .map_err(|e| format!("cannot read: {e}"))?;
            store
                .delete(&key)
                .await
                .map_err(|e| format!("cannot delete: {e}"))?;
            if back.as_ref() == b"writ doctor" {
                Ok(())
            } else {
                Err("read back something else than was written".into())
            }
        })
    }
}

/// A stored object read in order, one part-sized ranged GET at a time, the next one already on
/// its way while the current one is consumed.
pub struct RangedReader {
    store: Arc<AmazonS3>,
    key: Path,
    size: u64,
    next_start: u64,
    current: Bytes,
    next: Option<mpsc::Receiver<io::Result<Bytes>>>,
}

impl RangedReader {
    fn prefetch(&mut self) {
        if self.next_start >= self.size {
            return;
        }
        let range: Range<u64> = self.next_start..(self.next_start + PART as u64).min(self.size);
        self.next_start = range.end;
        let (store, key) = (self.store.clone(), self.key.clone());
        self.next = Some(waiter(async move {
            store.get_range(&key, range).await.map_err(io_error)
        }));
    }
}

impl Read for RangedReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.current.is_empty() {
            let Some(next) = self.next.take() else {
                return Ok(0);
            };
            self.current = next
                .recv()
                .map_err(|_| io::Error::other("a storage read was dropped"))??;
            self.prefetch();
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current.split_to(n));
        Ok(n)
    }
}
