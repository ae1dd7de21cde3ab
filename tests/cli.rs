//! The `writ` command line against the same database as a running app.

mod common;

use std::process::{Command, Output};

use common::{subpoena_request, TestApp, PDF};
use writ::domain::registry::{classify, DomainStanding};

fn writ(app: &TestApp, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_writ"))
        .args(args)
        .env("WRIT_DATA_DIR", &app.config.data_dir)
        .env("WRIT_DATABASE_URL", app.config.database_url())
        .output()
        .expect("run writ")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[rocket::async_test]
async fn the_us_dotgov_registry_is_imported_and_recognises_the_fbi() {
    let app = TestApp::new().await;
    let csv = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/data/dotgov/current-full.csv"
    );
    let output = writ(&app, &["registry", "import", "--format", "dotgov", csv]);
    assert!(output.status.success(), "{}", text(&output));
    assert!(
        text(&output).contains("imported 16539 .gov domains"),
        "{}",
        text(&output)
    );

    let facts = {
        let mut conn = app.db().get().unwrap();
        writ::db::models::registry::facts(&mut conn, "field.fbi.gov").unwrap()
    };
    let DomainStanding::Recognised { source, entry } = classify("field.fbi.gov", &facts) else {
        panic!("fbi.gov is not recognised: {facts:?}");
    };
    assert_eq!(source, "dotgov");
    assert!(
        entry.contains(
            "Federal - Executive, Department of Justice, Federal Bureau of Investigation"
        ),
        "{entry}"
    );

    // Importing again replaces the previous import rather than adding to it.
    let again = writ(&app, &["registry", "import", "--format", "dotgov", csv]);
    assert!(again.status.success());
    assert_eq!(app.count("gov_domains"), 16539);
}

#[rocket::async_test]
async fn audit_verify_names_the_first_tampered_event() {
    let app = TestApp::new().await;
    let token = app.officer("j.doe@fbi.gov").await;
    let (status, _) = app
        .submit(&token, &subpoena_request(), &[("subpoena.pdf", PDF)])
        .await;
    assert_eq!(status, rocket::http::Status::Created);

    let intact = writ(&app, &["audit", "verify"]);
    assert!(intact.status.success(), "{}", text(&intact));
    assert!(
        text(&intact).contains("audit chain intact: 4 events"),
        "{}",
        text(&intact)
    );

    app.sql(
        "UPDATE audit_events SET details = '{\"track\":\"court\",\"via\":\"api\"}' WHERE seq = 2",
    );
    let broken = writ(&app, &["audit", "verify"]);
    assert_eq!(broken.status.code(), Some(1), "{}", text(&broken));
    assert!(
        text(&broken).contains("BROKEN at event 2"),
        "{}",
        text(&broken)
    );
}

#[rocket::async_test]
async fn audit_verify_notices_a_removed_event() {
    let app = TestApp::new().await;
    app.officer("j.doe@fbi.gov").await;
    app.sql("DELETE FROM audit_events WHERE seq = 2");
    let broken = writ(&app, &["audit", "verify"]);
    assert_eq!(broken.status.code(), Some(1));
    assert!(
        text(&broken).contains("BROKEN at event 2: event 2 is missing"),
        "{}",
        text(&broken)
    );
}
