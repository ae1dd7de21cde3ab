//! Text columns that hold JSON of a known shape.

use serde::de::DeserializeOwned;

/// A JSON text column read as `T`, through `#[diesel(deserialize_as = String)]`. Text that does
/// not parse is kept as the error, and reading the value returns it: the page or chore that
/// needs the value fails loudly, where `unwrap_or_default` used to show an empty list, and the
/// rows around it (the queue, the reminders) still load.
#[derive(Debug, Clone)]
pub struct JsonText<T>(Result<T, Corrupt>);

/// A JSON column that does not hold what it should.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Corrupt(pub String);

impl std::fmt::Display for Corrupt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl<T: DeserializeOwned> From<String> for JsonText<T> {
    fn from(text: String) -> JsonText<T> {
        JsonText(serde_json::from_str(&text).map_err(|e| {
            Corrupt(format!(
                "a JSON column does not hold {}: {e}",
                std::any::type_name::<T>()
            ))
        }))
    }
}

impl<T> JsonText<T> {
    /// The value, or why the stored text is not one.
    pub fn get(&self) -> Result<&T, Corrupt> {
        self.0.as_ref().map_err(Clone::clone)
    }

    /// The value itself, or why the stored text is not one.
    pub fn into_inner(self) -> Result<T, Corrupt> {
        self.0
    }
}

/// Reads JSON text of a column selected on its own (not through a model's field).
pub fn read<T: DeserializeOwned>(text: String) -> Result<T, Corrupt> {
    JsonText::from(text).into_inner()
}

/// Reads a nullable JSON text column: no text is `None`, text that does not parse an error.
pub fn read_optional<T: DeserializeOwned>(text: Option<&str>) -> Result<Option<T>, Corrupt> {
    text.map(|t| read(t.to_owned())).transpose()
}

#[cfg(test)]
mod tests {
    use super::JsonText;

    #[test]
    fn a_list_reads_and_corrupt_text_is_an_error_when_read() {
        let read = JsonText::<Vec<String>>::from(r#"["subscriber"]"#.to_owned());
        assert_eq!(read.get().unwrap().as_slice(), ["subscriber"]);
        let cut = JsonText::<Vec<String>>::from("[\"subscriber\"".to_owned());
        let error = cut.get().unwrap_err().0;
        assert!(
            error.contains("does not hold alloc::vec::Vec<alloc::string::String>"),
            "{error}"
        );
        assert!(JsonText::<Vec<String>>::from("{}".to_owned())
            .get()
            .is_err());
    }
}
