//! Schemathesis (PyPI) generates requests for every operation of `/api/v1/openapi.json` from the
//! document itself — valid ones and broken ones — and checks each answer: no 5xx, every status
//! documented, every body and content type as the document says, no operation that works
//! without its credentials.
//!
//! Not run: `positive_data_acceptance` and `negative_data_rejection` (the rules behind a 422 —
//! a real e-mail domain, dates in order, a checksum on a wallet — say more than a schema can),
//! and `unsupported_method` (Rocket 0.5 answers a method no route declares with 404, not 405).

use crate::common;
use crate::common::tools::needs;

use std::path::PathBuf;
use std::process::Command;

use common::live::{officer, staff_token, submit, Server, Site};
use common::subpoena_request;

const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,\
                      response_headers_conformance,response_schema_conformance,ignored_auth,\
                      missing_required_header";

/// `WRIT_SCHEMATHESIS`, or the one `.ci/run` installs.
fn schemathesis() -> PathBuf {
    common::ci_tool("WRIT_SCHEMATHESIS", "schemathesis", "schemathesis")
}

/// Runs schemathesis over the operations `filter` selects, as the bearer of `token`.
fn run(site: &Site, server: &Server, token: &str, filter: &[&str]) -> String {
    let output = Command::new(schemathesis())
        // Its example cache (`.schemathesis/`) goes with the site, not into the checkout.
        .current_dir(site.dir.path())
        .arg("--config-file")
        .arg(site.dir.path().join("schemathesis.toml"))
        .arg("run")
        .arg(server.url("/api/v1/openapi.json"))
        .args(["--checks", CHECKS])
        .args(["--max-examples", "40", "--seed", "20261126", "--no-color"])
        .args(["--workers", "2"])
        .arg("-H")
        .arg(format!("Authorization: Bearer {token}"))
        .args(filter)
        .output()
        .expect("run schemathesis");
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "schemathesis found problems:\n{text}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    text
}

#[rocket::async_test]
async fn every_operation_answers_generated_requests_within_its_documented_contract() {
    needs!(Schemathesis);
    let site = Site::new();
    let server = Server::start(&site, &[]);
    let token = officer(&site, &server, "j.doe@fbi.gov").await;
    let (status, filed) = submit(
        &common::live::browser(),
        &server.base(),
        &token,
        &subpoena_request(),
    )
    .await
    .unwrap();
    assert_eq!(status, reqwest::StatusCode::CREATED);
    let reference = filed["reference"].as_str().unwrap();
    let legal = staff_token(&server, &site.staff("lee@writ.example", "legal")).await;
    // Real values for path parameters, so that operations reach past their 404.
    std::fs::write(
        site.dir.path().join("schemathesis.toml"),
        format!("[parameters]\n\"path.reference\" = \"{reference}\"\n\"path.n\" = 1\n"),
    )
    .unwrap();

    let requester = run(
        &site,
        &server,
        &token,
        &["--exclude-path-regex", "^/(staff|auth/token)"],
    );
    let staff = run(&site, &server, &legal, &["--include-path-regex", "^/staff"]);
    for (who, text) in [("requester", &requester), ("staff", &staff)] {
        let summary = text
            .lines()
            .skip_while(|l| !l.starts_with("Test cases:"))
            .nth(1)
            .unwrap_or_default()
            .trim()
            .to_owned();
        assert!(summary.contains("generated"), "{text}");
        println!("schemathesis, {who} operations: {summary}");
    }
    assert!(
        !server.log_text().contains("panicked"),
        "{}",
        server.log_text()
    );
}
