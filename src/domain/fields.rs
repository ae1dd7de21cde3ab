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

    /// Tells `from`'s message beside `to` instead: a page with two forms whose fields share a
    /// name in the service.
    pub fn rename(&mut self, from: &str, to: &str) {
        if let Some(message) = self.0.remove(from) {
            self.0.insert(to.to_owned(), message);
        }
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

#[cfg(test)]
mod tests {
    use super::FieldErrors;

    #[test]
    fn a_renamed_field_keeps_its_message_and_the_others_stay() {
        let mut errors = FieldErrors::default();
        errors.add("domain", "Enter a domain name.");
        errors.add("phone", "Enter the number in international form.");
        errors.rename("domain", "contact_domain");
        errors.rename("label", "contact_label");
        let fields: Vec<(&str, &str)> = errors.iter().collect();
        assert_eq!(
            fields,
            [
                ("contact_domain", "Enter a domain name."),
                ("phone", "Enter the number in international form.")
            ]
        );
    }
}
