//! The master key: the one secret that lives outside the database. Every key Writ keeps in the
//! database (the document key, the secrets key that seals signing keys and TOTP secrets, the
//! code pepper, the cookie key) is stored sealed with it, so that a copy of the database and the
//! documents alone opens nothing.
//!
//! It comes from `WRIT_MASTER_KEY` (base64 of 32 bytes) or from a key file
//! (`WRIT_MASTER_KEY_FILE`, by default `master.key` in the data directory), which the first
//! start writes with mode 0600. Instances that share a database must share the key.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::stream::DocumentKey;
use super::{b64, open_small, random_bytes, seal_small, unb64};
use crate::config::Config;
use crate::error::AppError;

/// What a sealed value starts with; a value without it is from before sealing.
pub const SEALED: &str = "sealed:v1:";

#[derive(Clone)]
pub struct MasterKey(DocumentKey);

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterKey(<redacted>)")
    }
}

impl MasterKey {
    pub fn generate() -> MasterKey {
        MasterKey(DocumentKey::from_bytes(&random_bytes::<32>()).expect("32 bytes"))
    }

    pub fn from_base64(text: &str) -> Option<MasterKey> {
        unb64(text)
            .and_then(|b| DocumentKey::from_bytes(&b))
            .map(MasterKey)
    }

    /// The key as base64, to move it into `WRIT_MASTER_KEY` or a secret store.
    pub fn to_base64(&self) -> String {
        b64(self.0.bytes())
    }

    /// `value` sealed for the secret called `name` (the name is bound in: a sealed value
    /// copied under another name does not open).
    pub fn seal(&self, name: &str, value: &str) -> String {
        format!(
            "{SEALED}{}",
            seal_small(&self.0, name.as_bytes(), value.as_bytes())
        )
    }

    /// Opens what `seal` sealed; `None` if this key did not seal it.
    pub fn open(&self, name: &str, stored: &str) -> Option<String> {
        let sealed = stored.strip_prefix(SEALED)?;
        open_small(&self.0, name.as_bytes(), sealed).and_then(|b| String::from_utf8(b).ok())
    }
}

/// The key file of `config`.
pub fn key_file(config: &Config) -> PathBuf {
    if config.master_key_file.is_empty() {
        config.data_dir.join("master.key")
    } else {
        PathBuf::from(&config.master_key_file)
    }
}

/// Where a rotation writes the new key before the database is re-sealed with it.
pub fn pending_file(config: &Config) -> PathBuf {
    let mut name = key_file(config).into_os_string();
    name.push(".new");
    PathBuf::from(name)
}

/// The configured key: `WRIT_MASTER_KEY`, else the key file, made on first start.
pub fn load(config: &Config) -> Result<MasterKey, AppError> {
    if !config.master_key.is_empty() {
        return MasterKey::from_base64(&config.master_key)
            .ok_or_else(|| AppError::config("WRIT_MASTER_KEY must be base64 of 32 bytes"));
    }
    let path = key_file(config);
    match read_key_file(&path)? {
        Some(key) => Ok(key),
        None => {
            let key = MasterKey::generate();
            match write_key_file(&path, &key) {
                Ok(()) => Ok(key),
                // Another instance made it first: use theirs.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => read_key_file(&path)?
                    .ok_or_else(|| AppError::config(format!("{} is empty", path.display()))),
                Err(e) => Err(AppError::config(format!(
                    "cannot write the master key file {}: {e}",
                    path.display()
                ))),
            }
        }
    }
}

/// The key in `path`, or `None` if there is no such file.
pub fn read_key_file(path: &Path) -> Result<Option<MasterKey>, AppError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(AppError::config(format!(
                "cannot read the master key file {}: {e}",
                path.display()
            )))
        }
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path) {
            if meta.permissions().mode() & 0o077 != 0 {
                log::warn!(
                    "the master key file {} can be read by others: chmod 600 it",
                    path.display()
                );
            }
        }
    }
    MasterKey::from_base64(text.trim())
        .map(Some)
        .ok_or_else(|| {
            AppError::config(format!(
                "the master key file {} does not hold base64 of 32 bytes",
                path.display()
            ))
        })
}

/// Writes a new key file, readable by its owner only; fails if the file exists.
pub fn write_key_file(path: &Path, key: &MasterKey) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(format!("{}\n", key.to_base64()).as_bytes())?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_their_key_and_name() {
        let key = MasterKey::generate();
        let sealed = key.seal("document_key", "c2VjcmV0");
        assert!(sealed.starts_with(SEALED));
        assert!(!sealed.contains("c2VjcmV0"));
        assert_eq!(
            key.open("document_key", &sealed).as_deref(),
            Some("c2VjcmV0")
        );
        assert_eq!(key.open("code_pepper", &sealed), None);
        assert_eq!(MasterKey::generate().open("document_key", &sealed), None);
        assert_eq!(key.open("document_key", "c2VjcmV0"), None, "not sealed");
        let again = MasterKey::from_base64(&key.to_base64()).unwrap();
        assert_eq!(
            again.open("document_key", &sealed).as_deref(),
            Some("c2VjcmV0")
        );
        assert_eq!(format!("{key:?}"), "MasterKey(<redacted>)");
    }

    #[test]
    fn the_key_file_is_made_once_readable_by_its_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("var/master.key");
        let key = MasterKey::generate();
        write_key_file(&path, &key).unwrap();
        assert_eq!(
            write_key_file(&path, &MasterKey::generate())
                .unwrap_err()
                .kind(),
            std::io::ErrorKind::AlreadyExists
        );
        let read = read_key_file(&path).unwrap().unwrap();
        assert_eq!(read.to_base64(), key.to_base64());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(read_key_file(&dir.path().join("none")).unwrap().is_none());
    }
}
