//! What the binary carries: the page and mail templates and the static files, compiled in, so
//! that `writ serve` runs from any directory (the authority policy and the certificate's text
//! are compiled in where they are used). A deployment may give its own look: a file under
//! `WRIT_TEMPLATE_DIR` or `WRIT_STATIC_DIR` replaces the shipped one of the same path, and may
//! add new ones.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rust_embed::RustEmbed;

use crate::error::AppError;

#[derive(RustEmbed)]
#[folder = "templates/"]
struct Templates;

#[derive(RustEmbed)]
#[folder = "static/"]
struct Static;

/// Every template under `under` (such as `mail/`), as `(path, text)` with paths relative to the
/// template folder: the shipped ones, then those of `override_dir`, which win.
pub fn templates(
    under: &str,
    override_dir: Option<&Path>,
) -> Result<BTreeMap<String, String>, AppError> {
    let mut found = BTreeMap::new();
    for path in Templates::iter().filter(|p| p.starts_with(under)) {
        let file = Templates::get(&path)
            .ok_or_else(|| AppError::internal("an embedded template vanished"))?;
        let text = String::from_utf8(file.data.into_owned())
            .map_err(|_| AppError::internal(format!("embedded template {path} is not UTF-8")))?;
        found.insert(path.into_owned(), text);
    }
    if let Some(dir) = override_dir {
        if !dir.is_dir() {
            return Err(AppError::config(format!(
                "WRIT_TEMPLATE_DIR: {} is not a directory",
                dir.display()
            )));
        }
        for (path, file) in files_under(dir)? {
            if path.starts_with(under) && path.ends_with(".tera") {
                let text = std::fs::read_to_string(&file)
                    .map_err(|e| AppError::config(format!("template {}: {e}", file.display())))?;
                found.insert(path, text);
            }
        }
    }
    Ok(found)
}

/// A shipped static file (`writ.css`, `favicon.svg`, …), with its SHA-256 for an `ETag`.
pub fn static_file(path: &str) -> Option<(Vec<u8>, [u8; 32])> {
    Static::get(path).map(|file| (file.data.into_owned(), file.metadata.sha256_hash()))
}

/// Every file below `root`, as (path relative to `root` with `/` separators, full path).
fn files_under(root: &Path) -> Result<Vec<(String, PathBuf)>, AppError> {
    let mut out = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = std::fs::read_dir(&dir)
            .map_err(|e| AppError::config(format!("{}: {e}", dir.display())))?;
        for entry in entries {
            let entry = entry.map_err(|e| AppError::config(format!("{}: {e}", dir.display())))?;
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if let Ok(relative) = path.strip_prefix(root) {
                let name = relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                out.push((name, path));
            }
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_binary_carries_every_template_and_static_file() {
        let pages = templates("", None).unwrap();
        assert!(pages.contains_key("base.html.tera"));
        assert!(pages.contains_key("staff/case.html.tera"));
        assert!(pages.contains_key("mail/receipt/subject.tera"));
        assert!(static_file("writ.css").is_some());
        assert!(static_file("favicon.svg").is_some());
        assert!(static_file("../Cargo.toml").is_none());
    }

    #[test]
    fn a_deployment_file_replaces_the_shipped_one_of_the_same_path() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("mail/receipt")).unwrap();
        std::fs::write(
            dir.path().join("mail/receipt/subject.tera"),
            "Received: {{ reference }}",
        )
        .unwrap();
        std::fs::write(dir.path().join("notes.txt"), "not a template").unwrap();
        let mail = templates("mail/", Some(dir.path())).unwrap();
        assert_eq!(
            mail["mail/receipt/subject.tera"],
            "Received: {{ reference }}"
        );
        assert!(
            mail.contains_key("mail/code/subject.tera"),
            "the others are kept"
        );
        assert!(!mail.contains_key("notes.txt"));
        let missing = templates("", Some(&dir.path().join("nowhere"))).unwrap_err();
        assert!(missing.message.contains("is not a directory"));
    }
}
