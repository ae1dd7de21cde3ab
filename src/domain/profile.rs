//! The officer profile an agency requester completes before their first request (DESIGN §2).

use isocountry::CountryCode;
use serde::{Deserialize, Serialize};

use super::vocab::{AgencyFunction, CourtPath};
use crate::domain::FieldErrors;

/// What the form or the API sent, as text.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct AgencyProfileDraft {
    pub name: String,
    pub title: String,
    pub badge_number: String,
    pub agency_name: String,
    pub agency_function: String,
    pub country: String,
    pub phone: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyProfile {
    pub name: String,
    pub title: String,
    pub badge_number: String,
    pub agency_name: String,
    pub agency_function: AgencyFunction,
    pub country: Country,
    pub phone: Phone,
}

/// An ISO 3166-1 alpha-2 country.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Country(CountryCode);

impl Country {
    pub fn parse(text: &str) -> Option<Country> {
        CountryCode::for_alpha2_caseless(text.trim())
            .ok()
            .map(Country)
    }
    pub fn code(self) -> &'static str {
        self.0.alpha2()
    }
    pub fn name(self) -> &'static str {
        self.0.name()
    }
    /// Every country, by name, for a select box.
    pub fn all() -> Vec<Country> {
        let mut all: Vec<Country> = CountryCode::iter().map(|c| Country(*c)).collect();
        all.sort_by_key(|c| c.name());
        all
    }
}

/// A phone number in E.164 form: `+` and 8 to 15 digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    /// Accepts common punctuation and a `00` international prefix.
    pub fn parse(text: &str) -> Option<Phone> {
        let compact: String = text.chars().filter(|c| !" -.()/".contains(*c)).collect();
        let digits = compact
            .strip_prefix('+')
            .or_else(|| compact.strip_prefix("00"))?;
        let valid = (8..=15).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0');
        valid.then(|| Phone(format!("+{digits}")))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn required(errors: &mut FieldErrors, field: &str, value: &str, what: &str, max: usize) -> String {
    let value = value.trim();
    if value.is_empty() {
        errors.add(field, format!("Enter your {what}."));
    } else if let Err(message) = super::text::check_line(value) {
        errors.add(field, message);
    } else if value.chars().count() > max {
        errors.add(
            field,
            format!("Your {what} must be at most {max} characters."),
        );
    }
    value.to_owned()
}

impl AgencyProfileDraft {
    pub fn validate(&self) -> Result<AgencyProfile, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = required(&mut errors, "name", &self.name, "full name", 200);
        let title = required(&mut errors, "title", &self.title, "title or rank", 200);
        let badge_number = required(
            &mut errors,
            "badge_number",
            &self.badge_number,
            "badge or ID number",
            100,
        );
        let agency_name = required(
            &mut errors,
            "agency_name",
            &self.agency_name,
            "agency's name",
            300,
        );
        let agency_function = AgencyFunction::parse(self.agency_function.trim());
        if agency_function.is_none() {
            errors.add("agency_function", "Choose what your agency does.");
        }
        let country = Country::parse(&self.country);
        if country.is_none() {
            errors.add(
                "country",
                "Choose your agency's country (ISO 3166-1 code such as US or FR).",
            );
        }
        let phone = Phone::parse(&self.phone);
        if phone.is_none() {
            errors.add(
                "phone",
                "Enter a phone number in international form, such as +1 202 555 0100.",
            );
        }
        match (agency_function, country, phone) {
            (Some(agency_function), Some(country), Some(phone)) if errors.is_empty() => {
                Ok(AgencyProfile {
                    name,
                    title,
                    badge_number,
                    agency_name,
                    agency_function,
                    country,
                    phone,
                })
            }
            _ => Err(errors),
        }
    }
}

/// The legal representative's declaration on the court-order track, as text.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct CourtProfileDraft {
    pub name: String,
    pub firm: String,
    pub bar_number: String,
    pub bar_jurisdiction: String,
    pub represents: String,
    pub phone: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CourtProfile {
    pub name: String,
    pub firm: Option<String>,
    pub bar_number: Option<String>,
    pub bar_jurisdiction: Option<String>,
    pub represents: String,
    pub phone: Option<Phone>,
}

fn optional(errors: &mut FieldErrors, field: &str, value: &str, max: usize) -> Option<String> {
    let value = value.trim();
    if let Err(message) = super::text::check_line(value) {
        errors.add(field, message);
    } else if value.chars().count() > max {
        errors.add(field, format!("At most {max} characters."));
    }
    (!value.is_empty()).then(|| value.to_owned())
}

impl CourtProfileDraft {
    /// A visitor declares firm, bar number and bar jurisdiction; a platform user, proven by the
    /// account's e-mail of record, may leave them out (they may represent themselves).
    pub fn validate(&self, path: CourtPath) -> Result<CourtProfile, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = required(&mut errors, "name", &self.name, "full name", 200);
        let represents = required(
            &mut errors,
            "represents",
            &self.represents,
            "client (whom you represent)",
            300,
        );
        let (firm, bar_number, bar_jurisdiction) = match path {
            CourtPath::Visitor => (
                Some(required(&mut errors, "firm", &self.firm, "firm", 300)),
                Some(required(
                    &mut errors,
                    "bar_number",
                    &self.bar_number,
                    "bar number",
                    100,
                )),
                Some(required(
                    &mut errors,
                    "bar_jurisdiction",
                    &self.bar_jurisdiction,
                    "bar jurisdiction",
                    200,
                )),
            ),
            CourtPath::User => (
                optional(&mut errors, "firm", &self.firm, 300),
                optional(&mut errors, "bar_number", &self.bar_number, 100),
                optional(&mut errors, "bar_jurisdiction", &self.bar_jurisdiction, 200),
            ),
        };
        let phone = match self.phone.trim() {
            "" => None,
            text => {
                let phone = Phone::parse(text);
                if phone.is_none() {
                    errors.add(
                        "phone",
                        "Enter a phone number in international form, such as +33 1 23 45 67 89, or leave it empty.",
                    );
                }
                phone
            }
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(CourtProfile {
            name,
            firm,
            bar_number,
            bar_jurisdiction,
            represents,
            phone,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_become_e164() {
        assert_eq!(
            Phone::parse("+1 (202) 555-0100").unwrap().as_str(),
            "+12025550100"
        );
        assert_eq!(
            Phone::parse("0033 1 23 45 67 89").unwrap().as_str(),
            "+33123456789"
        );
        for bad in [
            "",
            "202 555 0100",
            "+0123456789",
            "+12",
            "+1202555010012345",
            "+1 202 555 01OO",
        ] {
            assert_eq!(Phone::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn profile_reports_every_missing_field() {
        let errors = AgencyProfileDraft::default().validate().unwrap_err();
        for field in [
            "name",
            "title",
            "badge_number",
            "agency_name",
            "agency_function",
            "country",
            "phone",
        ] {
            assert!(errors.get(field).is_some(), "no error for {field}");
        }
    }

    #[test]
    fn visitors_declare_their_bar_and_users_may_not() {
        let errors = CourtProfileDraft::default()
            .validate(CourtPath::Visitor)
            .unwrap_err();
        for field in [
            "name",
            "firm",
            "bar_number",
            "bar_jurisdiction",
            "represents",
        ] {
            assert!(errors.get(field).is_some(), "no error for {field}");
        }
        assert!(errors.get("phone").is_none(), "the phone is optional");
        let user = CourtProfileDraft {
            name: "Ana Ruiz".into(),
            represents: "Myself".into(),
            phone: "+34 600 000 000".into(),
            ..Default::default()
        };
        let profile = user.validate(CourtPath::User).unwrap();
        assert_eq!(profile.bar_number, None);
        assert_eq!(profile.phone.unwrap().as_str(), "+34600000000");
        assert!(user.validate(CourtPath::Visitor).is_err());
    }

    #[test]
    fn countries_are_iso_codes() {
        assert_eq!(Country::parse("fr").unwrap().code(), "FR");
        assert!(Country::parse("XX").is_none());
        assert!(Country::all().len() > 240);
    }
}
