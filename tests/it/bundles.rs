//! Signed disclosure bundles: production, sealing, delivery, and verification by `writ verify`,
//! the reference BagIt validator (PyPI `bagit`) and OpenSSL — and the same after tampering.

use crate::common;
use crate::common::tools::needs;
#[path = "bundles/forgery.rs"]
mod forgery;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{multipart, output_text as text, subpoena_request, Part, TestApp, PDF};
use rocket::http::{ContentType, Header, Status};
use serde_json::{json, Value};
use writ::domain::vocab::Role;

const RECORDS: &[u8] = b"uid,email,created\nU100,alice@example.com,2024-03-01\n";
const CONTENT: &[u8] = b"ticket 8812: please move my funds to 0x5290...\n";

/// The reference BagIt validator: `WRIT_BAGIT`, or the one `.ci/run` installs.
fn bagit_py() -> PathBuf {
    common::ci_tool("WRIT_BAGIT", "bagit.py", "bagit")
}

fn run(command: &mut Command) -> Output {
    command.output().expect("the command runs")
}

fn writ_verify(bundle: &Path, key: Option<&Path>) -> Output {
    match key {
        Some(key) => writ_verify_with(bundle, &["--key", key.to_str().unwrap()]),
        None => writ_verify_with(bundle, &[]),
    }
}

fn writ_verify_with(bundle: &Path, args: &[&str]) -> Output {
    run(Command::new(env!("CARGO_BIN_EXE_writ"))
        .arg("verify")
        .arg(bundle)
        .args(args))
}

/// The platform's published key set, saved as a verifier would keep it.
async fn saved_keys(app: &TestApp, dir: &Path) -> PathBuf {
    let published = app
        .client
        .get("/.well-known/writ/signing-keys.json")
        .dispatch()
        .await
        .into_string()
        .await
        .unwrap();
    let path = dir.join("signing-keys.json");
    std::fs::write(&path, published).unwrap();
    path
}

/// Unpacks with Python's own `zipfile`, a reader that owes nothing to Writ; returns the
/// folder holding the bag `ROOT/`, `ROOT.sig` and `ROOT.pub.pem`.
fn unzip(bundle: &Path, into: &Path) -> PathBuf {
    let output = run(Command::new("/usr/bin/python3").args([
        "-c",
        "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])",
        bundle.to_str().unwrap(),
        into.to_str().unwrap(),
    ]));
    assert!(output.status.success(), "{}", text(&output));
    into.to_owned()
}

/// `openssl pkeyutl -verify` of the bag `root` unpacked in `dir`, as the certificate says.
fn openssl_verify(dir: &Path, root: &str) -> Output {
    run(Command::new("openssl").current_dir(dir).args([
        "pkeyutl",
        "-verify",
        "-pubin",
        "-inkey",
        &format!("{root}.pub.pem"),
        "-rawin",
        "-in",
        &format!("{root}/tagmanifest-sha256.txt"),
        "-sigfile",
        &format!("{root}.sig"),
    ]))
}

/// A copy of `bundle` with one byte of entry `suffix` flipped, written by Python's `zipfile`.
fn tampered(bundle: &Path, suffix: &str, out: &Path) {
    let script = r#"
import sys, zipfile
src, dst, suffix = sys.argv[1], sys.argv[2], sys.argv[3]
with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_STORED) as zout:
    hit = False
    for info in zin.infolist():
        data = bytearray(zin.read(info))
        if info.filename.endswith(suffix) and not hit:
            data[len(data) // 2] ^= 0x01
            hit = True
        zout.writestr(info, bytes(data))
    assert hit, suffix
"#;
    let output = run(Command::new("/usr/bin/python3").args([
        "-c",
        script,
        bundle.to_str().unwrap(),
        out.to_str().unwrap(),
        suffix,
    ]));
    assert!(output.status.success(), "{}", text(&output));
}

struct Answered {
    officer: String,
    legal: String,
    reference: String,
}

async fn transition(app: &TestApp, token: &str, reference: &str, to: &str) {
    let uri = format!("/api/v1/staff/cases/{reference}/transition");
    let response = app
        .post_json(
            &uri,
            json!({ "to": to, "reason": "Lawful and in scope." }),
            Some(token),
        )
        .await;
    assert_eq!(
        response.status(),
        Status::Ok,
        "{:?}",
        response.into_string().await
    );
}

async fn produce(
    app: &TestApp,
    token: &str,
    reference: &str,
    category: &str,
    files: &[(&str, &[u8])],
) -> (Status, Value) {
    let mut parts = vec![Part::text("category", category)];
    parts.extend(
        files
            .iter()
            .map(|(name, bytes)| Part::file("files", name, bytes)),
    );
    let (content_type, body) = multipart(&parts);
    let uri = format!("/api/v1/staff/cases/{reference}/production");
    app.post_body(&uri, content_type, token, body).await
}

async fn seal(app: &TestApp, token: &str, reference: &str) -> (Status, Value) {
    let response = app
        .client
        .post(format!("/api/v1/staff/cases/{reference}/bundles"))
        .header(Header::new("Authorization", format!("Bearer {token}")))
        .dispatch()
        .await;
    let status = response.status();
    (status, response.into_json().await.unwrap_or(Value::Null))
}

/// An officer's subpoena, taken and approved by a legal reviewer, with records and content attached.
async fn approved_with_production(app: &TestApp) -> Answered {
    let officer = app.officer("j.doe@fbi.gov").await;
    let (_, filed) = app
        .submit(&officer, &subpoena_request(), &[("subpoena.pdf", PDF)])
        .await;
    let reference = filed["reference"].as_str().unwrap().to_owned();
    let legal = app
        .staff_token(&app.staff("lee@writ.example", Role::Legal).await)
        .await;
    transition(app, &legal, &reference, "in_review").await;
    transition(app, &legal, &reference, "approved").await;
    let (status, attached) = produce(
        app,
        &legal,
        &reference,
        "records",
        &[("subscriber export.csv", RECORDS), ("ledger.pdf", PDF)],
    )
    .await;
    assert_eq!(status, Status::Created, "{attached}");
    let (status, _) = produce(
        app,
        &legal,
        &reference,
        "content",
        &[("tickets.txt", CONTENT)],
    )
    .await;
    assert_eq!(status, Status::Created);
    Answered {
        officer,
        legal,
        reference,
    }
}

async fn download(app: &TestApp, token: &str, uri: &str) -> (Status, Vec<u8>) {
    let response = app
        .client
        .get(uri.to_owned())
        .header(Header::new("Authorization", format!("Bearer {token}")))
        .dispatch()
        .await;
    let status = response.status();
    (status, response.into_bytes().await.unwrap_or_default())
}

fn sha256(bytes: &[u8]) -> String {
    writ::crypto::sha256_hex(bytes)
}

#[rocket::async_test]
async fn a_sealed_bundle_verifies_with_writ_bagit_and_openssl() {
    needs!(Bagit, Openssl);
    let app = TestApp::new().await;
    let case = approved_with_production(&app).await;
    let (status, sealed) = seal(&app, &case.legal, &case.reference).await;
    assert_eq!(status, Status::Created, "{sealed}");
    assert_eq!(sealed["n"], 1);
    let link = format!("/api/v1/requests/{}/bundles/1", case.reference);
    assert_eq!(sealed["download"], link);

    // The requester sees it, with its SHA-256, and is told.
    let (_, seen) = app
        .get_json(
            &format!("/api/v1/requests/{}", case.reference),
            &case.officer,
        )
        .await;
    assert_eq!(seen["state"], "fulfilled");
    assert_eq!(seen["bundles"][0]["sha256"], sealed["sha256"]);
    let letter = app
        .mail_to("j.doe@fbi.gov")
        .await
        .into_iter()
        .find(|m| m.subject == format!("Request {}: disclosure bundle 1 is ready", case.reference))
        .expect("the requester is told");
    assert!(letter.body.contains(sealed["sha256"].as_str().unwrap()));

    let (status, bytes) = download(&app, &case.officer, &link).await;
    assert_eq!(status, Status::Ok);
    assert_eq!(
        sha256(&bytes),
        sealed["sha256"].as_str().unwrap(),
        "the bytes are the sealed bundle"
    );
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("bundle.zip");
    std::fs::write(&zip, &bytes).unwrap();

    let keys = saved_keys(&app, dir.path()).await;
    let verified = writ_verify_with(&zip, &["--keys", keys.to_str().unwrap()]);
    assert!(verified.status.success(), "{}", text(&verified));
    assert!(text(&verified).contains("VALID: "));
    assert!(text(&verified).contains("(a key the platform publishes)"));
    assert!(text(&verified).contains(&format!("bundle 1 of case {}", case.reference)));
    // Without the published keys the bundle is intact, but nothing says who signed it.
    let unanchored = writ_verify(&zip, None);
    assert_eq!(unanchored.status.code(), Some(3), "{}", text(&unanchored));
    assert!(text(&unanchored).contains("INTACT BUT NOT AUTHENTICATED"));
    assert!(text(&unanchored)
        .contains("the signing key came from the bundle itself and is not trusted"));

    // DESIGN §7: the bag `LE-…-1/`, with `LE-…-1.sig` and `LE-…-1.pub.pem` beside it.
    let root = format!("{}-1", case.reference);
    let unpacked = unzip(&zip, &dir.path().join("unpacked"));
    let bag = unpacked.join(&root);
    for beside in [format!("{root}.sig"), format!("{root}.pub.pem")] {
        assert!(
            unpacked.join(&beside).exists(),
            "{beside} is beside the bag"
        );
    }
    assert_eq!(
        std::fs::metadata(unpacked.join(format!("{root}.sig")))
            .unwrap()
            .len(),
        64
    );
    for file in [
        "bagit.txt",
        "bag-info.txt",
        "manifest-sha256.txt",
        "manifest-sha512.txt",
        "tagmanifest-sha256.txt",
        "data/certificate.txt",
        "data/custody.json",
        "data/records/subscriber export.csv",
        "data/records/ledger.pdf",
        "data/content/tickets.txt",
    ] {
        assert!(bag.join(file).exists(), "{file} is in the bag");
    }
    assert_eq!(
        std::fs::read(bag.join("data/records/subscriber export.csv")).unwrap(),
        RECORDS
    );
    let info = std::fs::read_to_string(bag.join("bag-info.txt")).unwrap();
    let payload = RECORDS.len()
        + PDF.len()
        + CONTENT.len()
        + std::fs::metadata(bag.join("data/certificate.txt"))
            .unwrap()
            .len() as usize
        + std::fs::metadata(bag.join("data/custody.json"))
            .unwrap()
            .len() as usize;
    assert!(
        info.contains(&format!("Payload-Oxum: {payload}.5")),
        "{info}"
    );
    for field in [
        format!("External-Identifier: {}", case.reference),
        "Writ-Instrument: Subpoena GJ-2026-114".to_owned(),
        "Writ-Requester: Jane Doe, Federal Bureau of Investigation <j.doe@fbi.gov>".to_owned(),
        "Writ-Records-From: 2025-01-01".to_owned(),
        "Writ-Records-To: 2026-10-31".to_owned(),
        format!("Writ-Key-Id: {}", sealed["key_id"].as_str().unwrap()),
    ] {
        assert!(info.contains(&field), "{field} in {info}");
    }
    let certificate = std::fs::read_to_string(bag.join("data/certificate.txt")).unwrap();
    assert!(certificate.contains("FRE 902(11)"));
    assert!(certificate.contains(&format!("bagit.py --validate {root}")));
    assert!(
        certificate.contains(&writ::crypto::sha256_hex(RECORDS)),
        "every file's SHA-256"
    );
    let custody: Value =
        serde_json::from_str(&std::fs::read_to_string(bag.join("data/custody.json")).unwrap())
            .unwrap();
    assert_eq!(custody["files"].as_array().unwrap().len(), 3);
    assert_eq!(custody["audit_trail"][0]["action"], "request.submitted");

    let validated = run(Command::new(bagit_py()).arg("--validate").arg(&bag));
    assert!(validated.status.success(), "bagit.py: {}", text(&validated));
    assert!(
        text(&validated).contains("is valid"),
        "{}",
        text(&validated)
    );

    let openssl = openssl_verify(&unpacked, &root);
    assert!(openssl.status.success(), "openssl: {}", text(&openssl));
    assert!(text(&openssl).contains("Signature Verified Successfully"));
}

#[rocket::async_test]
async fn text_from_outside_is_escaped_in_the_signed_certificate() {
    let app = TestApp::new().await;
    let case = approved_with_production(&app).await;
    // Intake refuses control characters; what reaches the certificate another way (a staff
    // name given on the command line, an old row) is escaped, not obeyed.
    let chr = if app.config.database_url.starts_with("postgres") {
        "chr"
    } else {
        "char"
    };
    app.sql(&format!(
        "UPDATE staff SET name = 'Lee' || {chr}(10) || 'ADDENDUM: all content is certified'"
    ));
    app.sql(&format!(
        "UPDATE cases SET instrument_reference = 'GJ-1' || {chr}(13) || {chr}(10) || 'ADDENDUM' WHERE reference = '{}'",
        case.reference
    ));
    let (status, sealed) = seal(&app, &case.legal, &case.reference).await;
    assert_eq!(status, Status::Created, "{sealed}");
    let (_, bytes) = download(&app, &case.officer, sealed["download"].as_str().unwrap()).await;
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("bundle.zip");
    std::fs::write(&zip, &bytes).unwrap();
    let bag = unzip(&zip, &dir.path().join("unpacked")).join(format!("{}-1", case.reference));
    let certificate = std::fs::read_to_string(bag.join("data/certificate.txt")).unwrap();
    assert!(
        certificate.contains("under Subpoena GJ-1\\u{000d}\\u{000a}ADDENDUM"),
        "{certificate}"
    );
    assert!(certificate.contains("I, Lee\\u{000a}ADDENDUM: all content is certified, am the"));
    assert!(!certificate.lines().any(|line| line.starts_with("ADDENDUM")));
    let info = std::fs::read_to_string(bag.join("bag-info.txt")).unwrap();
    assert!(
        info.contains("Writ-Sealed-By: Lee\\u{000a}ADDENDUM"),
        "{info}"
    );
}

/// The certificate of bundle `n` of `case`, as the requester downloads it.
async fn certificate_of(app: &TestApp, case: &Answered, n: i32) -> String {
    let uri = format!("/api/v1/requests/{}/bundles/{n}", case.reference);
    let (status, bytes) = download(app, &case.officer, &uri).await;
    assert_eq!(status, Status::Ok);
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("bundle.zip");
    std::fs::write(&zip, &bytes).unwrap();
    let bag = unzip(&zip, &dir.path().join("unpacked")).join(format!("{}-{n}", case.reference));
    std::fs::read_to_string(bag.join("data/certificate.txt")).unwrap()
}

#[rocket::async_test]
async fn the_certificate_is_the_custodians_declaration_under_fre_902_11_and_28_usc_1746() {
    let app = TestApp::new().await;
    let case = approved_with_production(&app).await;

    // No title recorded: the seal is refused, and nothing is sealed.
    app.sql("UPDATE staff SET title = NULL");
    let (status, refused) = seal(&app, &case.legal, &case.reference).await;
    assert_eq!(status, Status::UnprocessableEntity, "{refused}");
    assert_eq!(refused["error"]["code"], "custodian_title_required");
    assert!(refused["error"]["fields"]["title"]
        .as_str()
        .unwrap()
        .contains("/staff/account"));
    assert_eq!(app.count("bundles"), 0);

    // A title with a line break is refused; a good one is kept, with the place of signing.
    let uri = "/api/v1/staff/me/custodian";
    let response = app
        .client
        .put(uri)
        .header(ContentType::JSON)
        .header(Header::new(
            "Authorization",
            format!("Bearer {}", case.legal),
        ))
        .body(json!({ "title": "Counsel\nADDENDUM" }).to_string())
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let response = app
        .client
        .put(uri)
        .header(ContentType::JSON)
        .header(Header::new(
            "Authorization",
            format!("Bearer {}", case.legal),
        ))
        .body(json!({ "title": "Senior Legal Counsel", "signs_outside_us": true }).to_string())
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    let saved: Value = response.into_json().await.unwrap();
    assert_eq!(saved["title"], "Senior Legal Counsel");

    let (status, sealed) = seal(&app, &case.legal, &case.reference).await;
    assert_eq!(status, Status::Created, "{sealed}");
    let certificate = certificate_of(&app, &case, 1).await;
    let today = writ::bundle::certificate::long_date(chrono::Utc::now().date_naive());
    for needed in [
        "I, Test Staff, am the Senior Legal Counsel of Example Exchange US, Inc.",
        "(A) was made at or near the time of the acts, events or conditions it records, by, or from information transmitted",
        "(B) was kept in the course of the Company's regularly conducted business activity",
        "(C) was made as a regular practice of that activity",
        "(FRE 902(13))",
        "(FRE 902(14))",
        writ::bundle::certificate::CONTENT_NOTICE,
        "I declare under penalty of perjury under the laws of the United States of America that the foregoing is true and correct.",
        &format!("Executed on {today}."),
        "/s/ Test Staff\nSenior Legal Counsel, Example Exchange US, Inc.",
        &sha256(CONTENT),
    ] {
        assert!(certificate.contains(needed), "{needed} in:\n{certificate}");
    }
    // The records statement speaks of data/records only: users' content is not the platform's record.
    assert!(certificate.contains(
        "The files under data/records, listed below, are\ntrue copies of records of the Company"
    ));
    assert!(!certificate.contains("data/content are true copies of records"));

    // Signed inside the United States, the next bundle's declaration has the shorter form.
    app.sql("UPDATE staff SET signs_outside_us = FALSE");
    let (status, _) = produce(
        &app,
        &case.legal,
        &case.reference,
        "records",
        &[("correction.csv", RECORDS)],
    )
    .await;
    assert_eq!(status, Status::Created);
    let (status, _) = seal(&app, &case.legal, &case.reference).await;
    assert_eq!(status, Status::Created);
    let second = certificate_of(&app, &case, 2).await;
    assert!(second
        .contains("I declare under penalty of perjury that the foregoing is true and correct."));
    assert!(!second.contains("laws of the United States of America"));
    assert!(
        !second.contains(writ::bundle::certificate::CONTENT_NOTICE),
        "no content in bundle 2"
    );
}

#[rocket::async_test]
async fn a_legal_admin_edits_the_certificate_and_the_next_bundle_carries_it() {
    let app = TestApp::new().await;
    let case = approved_with_production(&app).await;
    let admin = app.staff("admin@writ.example", Role::Admin).await;
    let csrf = app.staff_sign_in_page(&admin).await;
    let (status, editor) = app.page("/staff/admin/certificate").await;
    assert_eq!(status, Status::Ok);
    assert!(
        editor.contains("Writ&#x27;s own text is in use")
            || editor.contains("Writ's own text is in use"),
        "{editor}"
    );
    assert!(editor.contains("Preview, for a sample bundle"));
    let shipped = writ::bundle::certificate::DEFAULT_TEMPLATE;

    // A text without the 1746 declaration is refused beside the field, and nothing is kept.
    let without = shipped.replace("{{ declaration }}", "");
    let (status, refused) = app
        .post_form(
            "/staff/admin/certificate",
            &[("csrf", &csrf), ("action", "save"), ("body", &without)],
        )
        .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(refused.contains("28 USC 1746"), "{refused}");
    assert_eq!(app.count("certificate_templates"), 0);

    let edited = shipped.replace(
        "CERTIFICATE OF AUTHENTICITY OF BUSINESS RECORDS",
        "DECLARATION OF THE CUSTODIAN OF RECORDS",
    );
    let (status, _) = app
        .post_form(
            "/staff/admin/certificate",
            &[
                ("csrf", &csrf),
                ("action", "save"),
                ("body", &edited.replace('\n', "\r\n")),
            ],
        )
        .await;
    assert_eq!(status, Status::SeeOther);
    let (_, editor) = app.page("/staff/admin/certificate").await;
    assert!(
        editor.contains("Certificate version 1 saved"),
        "the confirmation is on this page"
    );
    assert!(editor.contains("Version 1, saved by Test Staff"));
    let audit = app.count("audit_events WHERE action = 'certificate.template_changed'");
    assert_eq!(audit, 1);

    let (status, _) = seal(&app, &case.legal, &case.reference).await;
    assert_eq!(status, Status::Created);
    let certificate = certificate_of(&app, &case, 1).await;
    assert!(
        certificate.starts_with("DECLARATION OF THE CUSTODIAN OF RECORDS\n"),
        "{certificate}"
    );
    assert!(!certificate.contains('\r'));

    // A legal reviewer may seal but not edit: the page and the save are an admin's.
    let reviewer = app.staff("rev@writ.example", Role::Legal).await;
    let csrf = app.staff_sign_in_page(&reviewer).await;
    let (status, _) = app.page("/staff/admin/certificate").await;
    assert_eq!(status, Status::Forbidden);
    let (status, _) = app
        .post_form(
            "/staff/admin/certificate",
            &[("csrf", &csrf), ("action", "restore"), ("body", "")],
        )
        .await;
    assert_eq!(status, Status::Forbidden);
    assert_eq!(app.count("certificate_templates"), 1);
}

#[rocket::async_test]
async fn tampering_is_detected_and_named() {
    needs!(Bagit);
    let app = TestApp::new().await;
    let case = approved_with_production(&app).await;
    let (_, sealed) = seal(&app, &case.legal, &case.reference).await;
    let (_, bytes) = download(&app, &case.officer, sealed["download"].as_str().unwrap()).await;
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("bundle.zip");
    std::fs::write(&zip, &bytes).unwrap();

    for (entry, named) in [
        ("data/records/subscriber export.csv", "FAIL data/records/subscriber export.csv: SHA-256 does not match manifest-sha256.txt; SHA-512 does not match manifest-sha512.txt"),
        ("/bag-info.txt", "FAIL bag-info.txt: SHA-256 does not match tagmanifest-sha256.txt"),
        ("/manifest-sha512.txt", "FAIL manifest-sha512.txt: SHA-256 does not match tagmanifest-sha256.txt"),
        (".sig", ".sig: does not verify tagmanifest-sha256.txt with key"),
    ] {
        let bad = dir.path().join(format!("bad-{}.zip", entry.replace('/', "_")));
        tampered(&zip, entry, &bad);
        let verdict = writ_verify(&bad, None);
        assert_eq!(verdict.status.code(), Some(1), "{entry}: {}", text(&verdict));
        assert!(text(&verdict).contains(named), "{entry}: {}", text(&verdict));
        assert!(text(&verdict).contains("NOT VALID"));

        // The stock tools see it too: bagit.py the payload and bag-info, OpenSSL the signature.
        let root = format!("{}-1", case.reference);
        let unpacked = unzip(&bad, &dir.path().join(format!("unpacked-{}", entry.replace('/', "_"))));
        let bag = unpacked.join(&root);
        if entry.ends_with(".sig") {
            let openssl = openssl_verify(&unpacked, &root);
            assert!(!openssl.status.success(), "openssl accepted a flipped signature");
        } else {
            let validated =
                run(Command::new(bagit_py()).arg("--validate").arg(&bag));
            assert!(!validated.status.success(), "bagit.py accepted {entry}: {}", text(&validated));
            assert!(text(&validated).contains("is invalid"), "bagit.py ran and found it: {}", text(&validated));
        }
    }
    // Nothing but ZIP: named, refused.
    let junk = dir.path().join("junk.zip");
    std::fs::write(&junk, b"not a zip at all").unwrap();
    let verdict = writ_verify(&junk, None);
    assert_eq!(verdict.status.code(), Some(1));
    assert!(text(&verdict).contains("FAIL bundle: not a readable ZIP archive"));
}

#[rocket::async_test]
async fn a_rotated_key_still_verifies_old_bundles_and_corrections_are_new_bundles() {
    let app = TestApp::new().await;
    let case = approved_with_production(&app).await;
    let (_, first) = seal(&app, &case.legal, &case.reference).await;
    let keys = app.context().keys.secrets.clone();
    let new_id = writ::services::signing::rotate(app.db(), &keys)
        .await
        .unwrap();
    assert_ne!(new_id, first["key_id"].as_str().unwrap());

    // A correction: more records, bundle 2, signed by the new key; bundle 1 stays listed.
    let (status, _) = produce(
        &app,
        &case.legal,
        &case.reference,
        "records",
        &[("corrected.csv", RECORDS)],
    )
    .await;
    assert_eq!(
        status,
        Status::Created,
        "a fulfilled case takes corrections"
    );
    let (status, second) = seal(&app, &case.legal, &case.reference).await;
    assert_eq!(status, Status::Created, "{second}");
    assert_eq!(second["n"], 2);
    assert_eq!(second["key_id"], new_id.as_str());
    assert_eq!(second["files"], 1);
    let (_, seen) = app
        .get_json(
            &format!("/api/v1/requests/{}", case.reference),
            &case.officer,
        )
        .await;
    let listed: Vec<i64> = seen["bundles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["n"].as_i64().unwrap())
        .collect();
    assert_eq!(listed, [1, 2]);

    let published: Value = app
        .client
        .get("/.well-known/writ/signing-keys.json")
        .dispatch()
        .await
        .into_json()
        .await
        .unwrap();
    let keys = published["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0]["id"], new_id.as_str());
    assert_eq!(keys[0]["active"], true);
    assert_eq!(keys[1]["id"], first["key_id"]);
    assert_eq!(keys[1]["active"], false);

    let dir = tempfile::tempdir().unwrap();
    let old_pem = dir.path().join("old.pem");
    let new_pem = dir.path().join("new.pem");
    std::fs::write(&old_pem, keys[1]["public_key_pem"].as_str().unwrap()).unwrap();
    std::fs::write(&new_pem, keys[0]["public_key_pem"].as_str().unwrap()).unwrap();
    let (_, bytes) = download(&app, &case.officer, first["download"].as_str().unwrap()).await;
    let zip = dir.path().join("bundle-1.zip");
    std::fs::write(&zip, &bytes).unwrap();
    let with_old = writ_verify(&zip, Some(&old_pem));
    assert!(with_old.status.success(), "{}", text(&with_old));
    assert!(text(&with_old).contains("the key given"));
    let with_new = writ_verify(&zip, Some(&new_pem));
    assert_eq!(with_new.status.code(), Some(1), "{}", text(&with_new));
    assert!(text(&with_new).contains(&format!(
        "does not verify tagmanifest-sha256.txt with key {new_id}"
    )));
}

#[rocket::async_test]
async fn only_the_requester_downloads_and_only_until_the_link_expires() {
    let app = TestApp::new().await;
    let case = approved_with_production(&app).await;
    let (_, sealed) = seal(&app, &case.legal, &case.reference).await;
    let link = sealed["download"].as_str().unwrap();

    let other = app.officer("someone.else@fbi.gov").await;
    let (status, _) = download(&app, &other, link).await;
    assert_eq!(status, Status::Forbidden);
    let (status, bytes) = download(
        &app,
        &case.legal,
        &format!("/api/v1/staff/cases/{}/bundles/1", case.reference),
    )
    .await;
    assert_eq!(status, Status::Ok);
    assert_eq!(sha256(&bytes), sealed["sha256"].as_str().unwrap());

    // The officer's case page links the bundle; the page download needs their own session.
    let page = app
        .client
        .get("/agency")
        .dispatch()
        .await
        .into_string()
        .await
        .unwrap();
    let csrf = common::csrf_of(&page);
    app.client
        .post("/agency/sign-in")
        .header(ContentType::Form)
        .body(format!("email=j.doe%40fbi.gov&csrf={csrf}"))
        .dispatch()
        .await;
    let code = app.code_for("j.doe@fbi.gov").await;
    app.client
        .post("/agency/code")
        .header(ContentType::Form)
        .body(format!("code={code}&csrf={csrf}"))
        .dispatch()
        .await;
    app.pass_second_factor("j.doe@fbi.gov", &csrf).await;
    let case_page = app
        .client
        .get(format!("/agency/requests/{}", case.reference))
        .dispatch()
        .await
        .into_string()
        .await
        .unwrap();
    let href = format!("/agency/requests/{}/bundles/1", case.reference);
    // Tera escapes the `/` of the area's base: `&#x2F;agency/requests/…`.
    assert!(case_page.contains(&format!(
        "&#x2F;agency/requests/{}/bundles/1",
        case.reference
    )));
    assert!(
        case_page.contains(sealed["sha256"].as_str().unwrap()),
        "the SHA-256 beside the link"
    );
    let response = app.client.get(href).dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(response.content_type(), Some(ContentType::ZIP));
    let bytes = response.into_bytes().await.unwrap();
    assert_eq!(sha256(&bytes), sealed["sha256"].as_str().unwrap());

    app.sql("UPDATE bundles SET expires_at = '2020-01-01 00:00:00'");
    let response = app
        .client
        .get(link.to_owned())
        .header(Header::new(
            "Authorization",
            format!("Bearer {}", case.officer),
        ))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Gone);
    let error: Value = response.into_json().await.unwrap();
    assert_eq!(error["error"]["code"], "link_expired");
    assert_eq!(
        app.count("audit_events WHERE action = 'bundle.downloaded'"),
        2,
        "the staff and the page downloads are recorded; refusals are not downloads"
    );
}

#[rocket::async_test]
async fn production_needs_an_approved_disclosure_and_a_legal_reviewer() {
    let app = TestApp::new().await;
    let officer = app.officer("j.doe@fbi.gov").await;
    let (_, filed) = app
        .submit(&officer, &subpoena_request(), &[("subpoena.pdf", PDF)])
        .await;
    let reference = filed["reference"].as_str().unwrap();
    let legal = app
        .staff_token(&app.staff("lee@writ.example", Role::Legal).await)
        .await;
    let (status, refused) =
        produce(&app, &legal, reference, "records", &[("x.csv", RECORDS)]).await;
    assert_eq!(status, Status::Conflict);
    assert_eq!(refused["error"]["code"], "not_approved");
    transition(&app, &legal, reference, "in_review").await;
    transition(&app, &legal, reference, "approved").await;
    let (status, refused) =
        produce(&app, &legal, reference, "secrets", &[("x.csv", RECORDS)]).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert_eq!(
        refused["error"]["fields"]["category"],
        "Mark the files as “records” or “content”."
    );
    let (status, refused) = seal(&app, &legal, reference).await;
    assert_eq!(status, Status::Conflict);
    assert_eq!(refused["error"]["code"], "nothing_to_seal");
    let support = app
        .staff_token(&app.staff("sam@writ.example", Role::Support).await)
        .await;
    let (status, _) = produce(&app, &support, reference, "records", &[("x.csv", RECORDS)]).await;
    assert_eq!(status, Status::Forbidden);
    assert_eq!(app.count("productions"), 0, "nothing refused was kept");
    assert_eq!(app.count("bundles"), 0);
    assert_eq!(app.stored_files(), 1, "only the subpoena is stored");
}

#[rocket::async_test]
async fn the_verify_page_checks_an_uploaded_bundle_file_by_file() {
    let app = TestApp::new().await;
    let case = approved_with_production(&app).await;
    let (_, sealed) = seal(&app, &case.legal, &case.reference).await;
    let (_, bytes) = download(&app, &case.officer, sealed["download"].as_str().unwrap()).await;
    let page = app
        .client
        .get("/verify")
        .dispatch()
        .await
        .into_string()
        .await
        .unwrap();
    let csrf = common::csrf_of(&page);

    let check = |bundle: Vec<u8>| {
        let (content_type, body) = multipart(&[
            Part::text("csrf", &csrf),
            Part::file("bundle", "bundle.zip", &bundle),
        ]);
        app.client
            .post("/verify")
            .header(content_type)
            .body(body)
            .dispatch()
    };
    let response = check(bytes.clone()).await;
    assert_eq!(response.status(), Status::Ok);
    let page = response.into_string().await.unwrap();
    assert!(page.contains("Valid</span>: every check holds"), "{page}");
    assert!(page.contains("data&#x2F;records&#x2F;ledger.pdf"));

    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("bundle.zip");
    std::fs::write(&zip, &bytes).unwrap();
    let bad = dir.path().join("bad.zip");
    tampered(&zip, "data/content/tickets.txt", &bad);
    let page = check(std::fs::read(&bad).unwrap())
        .await
        .into_string()
        .await
        .unwrap();
    assert!(page.contains("Not valid"));
    assert!(
        page.contains("data&#x2F;content&#x2F;tickets.txt</code> SHA-256 does not match"),
        "{page}"
    );

    let response = app
        .client
        .post("/verify")
        .header(ContentType::Form)
        .body("csrf=x")
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::UnsupportedMediaType);
    assert_eq!(
        std::fs::read_dir(app.config.documents_dir().join("incoming"))
            .unwrap()
            .count(),
        0,
        "no uploaded bundle is kept"
    );

    // The page is public but not a free disk: 20 checks an hour from one network.
    let mut statuses = Vec::new();
    for _ in 0..20 {
        statuses.push(check(b"not a zip".to_vec()).await.status());
    }
    assert_eq!(
        statuses[16],
        Status::Ok,
        "the 20th check of the hour is answered"
    );
    assert_eq!(statuses[17], Status::TooManyRequests, "the 21st is refused");
    let page = check(bytes).await.into_string().await.unwrap();
    assert!(page.contains("Too many bundles were checked from your network"));
}

/// Regulation (EU) 2023/1543, Arts. 8, 10(2) and 12: a notified EPOC is preserved at once and
/// produced only when the enforcing authority's ten days have passed without an objection.
#[rocket::async_test]
async fn a_notified_epoc_is_held_for_the_enforcing_authority_then_produced_unless_it_objects() {
    let app = TestApp::new().await;
    let officer = app.officer("j.doe@fbi.gov").await;
    let mut profile = common::profile();
    profile["country"] = json!("FR");
    assert_eq!(
        app.put_profile_body(&officer, profile.to_string()).await.0,
        Status::Ok
    );
    let epoc = |reference: &str| {
        let mut epoc = subpoena_request();
        epoc["instrument"] = json!({ "kind": "eu_production_order", "reference": reference,
            "issuing_authority": "Parquet de Paris", "validated_by": "Juge d'instruction, Paris",
            "enforcing_notified": true });
        epoc["data_categories"] = json!(["access_logs"]);
        epoc["ndo"] = json!({"present": false});
        epoc
    };
    let (status, filed) = app
        .submit(&officer, &epoc("EPOC-FR-9"), &[("epoc.pdf", PDF)])
        .await;
    assert_eq!(status, Status::Created, "{filed}");
    let notice = filed["authority"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "enforcing_notification")
        .expect("the notification is a caution")
        .clone();
    assert!(
        notice["message"].as_str().unwrap().contains("240 hours"),
        "{notice}"
    );
    let reference = filed["reference"].as_str().unwrap().to_owned();
    let (_, case) = app
        .get_json(&format!("/api/v1/requests/{reference}"), &officer)
        .await;
    assert_eq!(case["enforcing"]["held"], true, "{case}");
    let until =
        chrono::DateTime::parse_from_rfc3339(case["enforcing"]["until"].as_str().unwrap()).unwrap();
    let hours = (until.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_hours();
    assert!((239..=240).contains(&hours), "held {hours} hours");

    let legal = app
        .staff_token(&app.staff("lee@writ.example", Role::Legal).await)
        .await;
    transition(&app, &legal, &reference, "in_review").await;
    transition(&app, &legal, &reference, "approved").await;
    let (status, _) = produce(
        &app,
        &legal,
        &reference,
        "records",
        &[("logs.csv", RECORDS)],
    )
    .await;
    assert_eq!(status, Status::Created);
    let (status, held) = seal(&app, &legal, &reference).await;
    assert_eq!(status, Status::Conflict, "{held}");
    assert_eq!(held["error"]["code"], "art_8_hold");
    assert_eq!(app.count("bundles"), 0);

    // The window has passed without an objection: the data is produced.
    app.sql(&format!(
        "UPDATE cases SET objection_until = '2026-01-01 00:00:00' WHERE reference = '{reference}'"
    ));
    let (status, sealed) = seal(&app, &legal, &reference).await;
    assert_eq!(status, Status::Created, "{sealed}");

    // Another order, to which the enforcing authority objects: it is never produced.
    let (_, second) = app
        .submit(&officer, &epoc("EPOC-FR-10"), &[("epoc.pdf", PDF)])
        .await;
    let second = second["reference"].as_str().unwrap().to_owned();
    transition(&app, &legal, &second, "in_review").await;
    transition(&app, &legal, &second, "approved").await;
    let (status, _) = produce(&app, &legal, &second, "records", &[("logs.csv", RECORDS)]).await;
    assert_eq!(status, Status::Created);
    let uri = format!("/api/v1/staff/cases/{second}/enforcing-objection");
    let response = app
        .post_json(
            &uri,
            json!({"grounds": "Art. 12(1)(a): immunities under the law of the enforcing State."}),
            Some(&legal),
        )
        .await;
    assert_eq!(response.status(), Status::Ok);
    app.sql(&format!(
        "UPDATE cases SET objection_until = '2026-01-01 00:00:00' WHERE reference = '{second}'"
    ));
    let (status, refused) = seal(&app, &legal, &second).await;
    assert_eq!(status, Status::Conflict, "{refused}");
    assert_eq!(refused["error"]["code"], "enforcing_objection");
    assert!(refused["error"]["message"]
        .as_str()
        .unwrap()
        .contains("immunities"));
    assert_eq!(
        app.count("audit_events WHERE action = 'enforcing.objected'"),
        1
    );
    let again = app
        .post_json(&uri, json!({"grounds": "again"}), Some(&legal))
        .await;
    assert_eq!(again.status(), Status::Conflict);
}
