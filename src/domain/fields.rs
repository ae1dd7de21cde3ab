//! Messages about a form's or a document's fields, kept beside the field they belong to.

use std::collections::BTreeMap;

use serde::Serialize;

/// Messages keyed by the form field (or JSON pointer-like path) they belong to.
#[derive(Debug, Default, Clone, Serialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct FieldErrors(BTreeMap<String, String>);

impl FieldErrors {
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.entry(field.into()).or_insert_with(|| message.into());
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }
    /// `(field, message)` in the fields' order by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    pub fn messages(&self) -> Vec<&str> {
        self.0.values().map(String::as_str).collect()
    }
    /// `Ok` when there is no message; the messages as the error otherwise.
    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }
}
