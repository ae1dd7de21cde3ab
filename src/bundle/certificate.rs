//! `data/certificate.txt`: the custodian's certificate of a bundle, from a template the legal
//! team may edit (FRE 902(11) with 803(6)(A)–(C), 902(13), 902(14); a declaration in the form of
//! 28 USC 1746).
//!
//! The template is Tera text. Two sentences are the law's, not the template's, and every
//! template must print them: `{{ declaration }}`, the 1746 wording for where the custodian
//! signs, and `{{ content_notice }}`, which keeps users' content out of what is certified as the
//! platform's business records.

use serde::Serialize;
use tera::{Context, Tera};

/// The text shipped with Writ, used until the legal team saves their own.
pub const DEFAULT_TEMPLATE: &str = include_str!("../../templates/certificate/default.txt.tera");

/// Largest template accepted: a certificate is a page or two.
pub const MAX_TEMPLATE: usize = 20_000;

/// 28 USC 1746(2): signed within the United States.
pub const DECLARATION_INSIDE_US: &str =
    "I declare under penalty of perjury that the foregoing is true and correct.";
/// 28 USC 1746(1): signed outside the United States.
pub const DECLARATION_OUTSIDE_US: &str = "I declare under penalty of perjury under the laws of the United States of America that the foregoing is true and correct.";

/// Files under data/content hold what users wrote or uploaded: the platform keeps them, but
/// did not make them, so they are not its records of a regularly conducted activity.
pub const CONTENT_NOTICE: &str = "The files under data/content, listed below, hold content that users of the Company's services created, sent or uploaded. The Company does not certify that content as its business records, or that it is true or accurate; it certifies only, under FRE 902(14), that these files are true copies of the data the Company stored, identified by the digests below.";

pub fn declaration(outside_us: bool) -> &'static str {
    if outside_us {
        DECLARATION_OUTSIDE_US
    } else {
        DECLARATION_INSIDE_US
    }
}

/// Who certifies.
#[derive(Debug, Clone, Serialize)]
pub struct Custodian {
    pub name: String,
    pub title: String,
}

/// One file of the bundle, as the certificate lists it.
#[derive(Debug, Clone, Serialize)]
pub struct CertifiedFile {
    pub category: String,
    pub name: String,
    pub size: i64,
    pub sha256: String,
}

/// Everything a template may print. Text from outside arrives with its control characters
/// escaped (a line break in a reference must not start a paragraph of a signed certificate).
#[derive(Debug, Clone, Serialize)]
pub struct Certificate {
    pub case: String,
    pub bundle: i32,
    pub request: String,
    pub instrument: String,
    pub instrument_reference: String,
    pub entity: String,
    pub custodian: Custodian,
    pub sealed_at: String,
    /// The date the declaration is executed, e.g. "2 December 2026".
    pub executed_on: String,
    pub declaration: &'static str,
    pub content_notice: &'static str,
    pub key_id: String,
    pub keys_url: String,
    pub root: String,
    pub files: Vec<CertifiedFile>,
    /// There are files under data/records, or data/content.
    pub records: bool,
    pub content: bool,
}

impl Certificate {
    /// A certificate with every part filled, to check and preview a template.
    pub fn sample(outside_us: bool) -> Certificate {
        let file = |category: &str, name: &str, digest: char| CertifiedFile {
            category: category.into(),
            name: name.into(),
            size: 48_213,
            sha256: digest.to_string().repeat(64),
        };
        Certificate {
            case: "LE-2026-000042".into(),
            bundle: 1,
            request: "Information request".into(),
            instrument: "Search warrant".into(),
            instrument_reference: "SW-26-0042".into(),
            entity: "Example Exchange US, Inc.".into(),
            custodian: Custodian {
                name: "Dana Reviewer".into(),
                title: "Custodian of Records".into(),
            },
            sealed_at: "2026-12-02T14:05:00Z".into(),
            executed_on: "2 December 2026".into(),
            declaration: declaration(outside_us),
            content_notice: CONTENT_NOTICE,
            key_id: "k-2026-1".into(),
            keys_url: "https://writ.example/.well-known/writ/signing-keys.json".into(),
            root: "LE-2026-000042-1".into(),
            files: vec![
                file("records", "subscriber.csv", 'a'),
                file("content", "messages.json", 'b'),
            ],
            records: true,
            content: true,
        }
    }

    pub fn render(&self, template: &str) -> Result<String, String> {
        let context = Context::from_serialize(self).map_err(|e| e.to_string())?;
        Tera::one_off(template, &context, false).map_err(|e| {
            let mut message = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(cause) = source {
                message = format!("{message}: {cause}");
                source = cause.source();
            }
            message
        })
    }
}

/// Checks a template the legal team wants to save: it renders, and what it renders still says
/// what the law needs said. The error is a message for the person editing it.
pub fn check(template: &str) -> Result<(), String> {
    if template.trim().is_empty() {
        return Err("The certificate cannot be empty.".into());
    }
    if template.len() > MAX_TEMPLATE {
        return Err(format!(
            "Keep the certificate under {} characters.",
            MAX_TEMPLATE
        ));
    }
    for outside_us in [false, true] {
        let sample = Certificate::sample(outside_us);
        let text = sample
            .render(template)
            .map_err(|e| format!("The template does not render: {e}"))?;
        let missing = [
            (
                sample.declaration,
                "{{ declaration }}: the declaration under penalty of perjury (28 USC 1746)",
            ),
            (
                sample.executed_on.as_str(),
                "{{ executed_on }}: the date the declaration is made",
            ),
            (
                sample.custodian.name.as_str(),
                "{{ custodian.name }}: who certifies (FRE 902(11))",
            ),
            (
                sample.custodian.title.as_str(),
                "{{ custodian.title }}: the custodian's title (FRE 902(11))",
            ),
            (
                sample.entity.as_str(),
                "{{ entity }}: the company whose records these are",
            ),
            (
                CONTENT_NOTICE,
                "{{ content_notice }} where there is content: users' content is not certified as business records",
            ),
        ]
        .into_iter()
        .find(|(needle, _)| !text.contains(needle));
        if let Some((_, what)) = missing {
            return Err(format!("The certificate must print {what}."));
        }
        if let Some(file) = sample.files.iter().find(|f| !text.contains(&f.sha256)) {
            return Err(format!(
                "The certificate must list every file with its SHA-256 ({{% for f in files %}} … {{{{ f.sha256 }}}}); {} is missing.",
                file.name
            ));
        }
    }
    Ok(())
}

/// "2 December 2026".
pub fn long_date(date: chrono::NaiveDate) -> String {
    date.format("%-d %B %Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered(outside_us: bool, records: bool, content: bool) -> String {
        let mut sample = Certificate::sample(outside_us);
        sample.records = records;
        sample.content = content;
        sample.files.retain(|f| {
            (f.category == "records" && records) || (f.category == "content" && content)
        });
        sample.render(DEFAULT_TEMPLATE).unwrap()
    }

    /// The shipped certificate as a records custodian signs it, inside and outside the United
    /// States, and for a bundle of records only: a change to its text is a reviewed diff.
    #[test]
    fn the_shipped_certificate_renders_as_its_snapshots() {
        insta::assert_snapshot!("certificate_inside_us", rendered(false, true, true));
        insta::assert_snapshot!("certificate_outside_us", rendered(true, true, true));
        insta::assert_snapshot!("certificate_records_only", rendered(false, true, false));
    }

    #[test]
    fn the_shipped_template_passes_its_own_check() {
        check(DEFAULT_TEMPLATE).unwrap();
    }

    #[test]
    fn title_28_usc_1746_wording_depends_on_where_the_custodian_signs() {
        let inside = rendered(false, true, false);
        assert!(inside.contains(
            "I declare under penalty of perjury that the foregoing is true and correct."
        ));
        assert!(!inside.contains("laws of the United States of America"));
        let outside = rendered(true, true, false);
        assert!(outside.contains("I declare under penalty of perjury under the laws of the United States of America that the foregoing is true and correct."));
        for text in [inside, outside] {
            assert!(text.contains("Executed on 2 December 2026."));
            assert!(
                text.contains("/s/ Dana Reviewer\nCustodian of Records, Example Exchange US, Inc.")
            );
        }
    }

    #[test]
    fn fre_902_11_and_803_6_a_to_c_for_the_platforms_records() {
        let text = rendered(false, true, false);
        assert!(text.contains("am the Custodian of Records of Example Exchange US, Inc."));
        assert!(text.contains("(A) was made at or near the time"));
        assert!(text.contains("a person with knowledge"));
        assert!(text.contains(
            "(B) was kept in the course of the Company's regularly conducted business activity"
        ));
        assert!(text.contains("(C) was made as a regular practice of that activity"));
        assert!(text.contains("(FRE 902(13))") && text.contains("(FRE 902(14))"));
        assert!(!text.contains(CONTENT_NOTICE), "no content, no notice");
    }

    #[test]
    fn users_content_is_not_certified_as_business_records() {
        let text = rendered(false, false, true);
        assert!(text.contains(CONTENT_NOTICE));
        assert!(
            !text.contains("(B) was kept in the course"),
            "with content only, nothing is certified under 803(6)"
        );
        assert!(
            text.contains(&"b".repeat(64)),
            "the content file is listed by digest"
        );
    }

    #[test]
    fn an_edited_template_must_keep_what_the_law_needs() {
        let without_declaration = DEFAULT_TEMPLATE.replace("{{ declaration }}", "");
        let error = check(&without_declaration).unwrap_err();
        assert!(error.contains("28 USC 1746"), "{error}");

        let without_notice =
            DEFAULT_TEMPLATE.replace("{{ content_notice }}", "All content is certified.");
        assert!(check(&without_notice)
            .unwrap_err()
            .contains("content_notice"));

        let without_files = DEFAULT_TEMPLATE.replace("{{ f.sha256 }}", "");
        assert!(check(&without_files).unwrap_err().contains("SHA-256"));

        let broken = format!("{DEFAULT_TEMPLATE}{{% if %}}");
        assert!(check(&broken)
            .unwrap_err()
            .starts_with("The template does not render"));

        // Wording may change around what must stay.
        let reworded =
            DEFAULT_TEMPLATE.replace("CERTIFICATE OF AUTHENTICITY", "DECLARATION OF AUTHENTICITY");
        check(&reworded).unwrap();
    }
}
