//! The keys kept in the database are sealed with a master key that lives outside it: a copy of
//! the database and the documents alone opens nothing; the key can be moved and rotated.

use crate::common;

use common::{output_text as text, subpoena_request, writ_in, TestApp, PDF};
use diesel::prelude::*;

fn secrets(app: &TestApp) -> Vec<(String, String)> {
    use writ::db::schema::app_secrets::dsl::*;
    let mut conn = app.db().get().unwrap();
    app_secrets
        .order(name)
        .select((name, value))
        .load(&mut *conn)
        .unwrap()
}

#[rocket::async_test]
async fn a_copy_of_the_database_alone_opens_nothing() {
    let app = TestApp::new().await;
    let officer = app.officer("j.doe@fbi.gov").await;
    let (status, _) = app
        .submit(&officer, &subpoena_request(), &[("subpoena.pdf", PDF)])
        .await;
    assert_eq!(status, rocket::http::Status::Created);

    let stored = secrets(&app);
    let names: Vec<&str> = stored.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "code_pepper",
            "cookie_secret",
            "document_key",
            "secrets_key"
        ]
    );
    for (name, value) in &stored {
        assert!(value.starts_with("sealed:v1:"), "{name} is sealed");
    }
    let key_file = app.config.data_dir.join("master.key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o777,
            0o600,
            "the master key file is its owner's only"
        );
    }

    // The thief has the database (and the documents), not the key file: nothing opens.
    let url = app.config.database_url();
    let elsewhere = tempfile::tempdir().unwrap();
    let (thief_dir, thief_url) = if url.starts_with("sqlite:") {
        let copy = elsewhere.path().join("writ.db");
        for file in ["writ.db", "writ.db-wal", "writ.db-shm"] {
            let from = app.config.data_dir.join(file);
            if from.exists() {
                std::fs::copy(from, elsewhere.path().join(file)).unwrap();
            }
        }
        (
            elsewhere.path().to_owned(),
            format!("sqlite:{}", copy.display()),
        )
    } else {
        (elsewhere.path().to_owned(), url.clone())
    };
    let refused = writ_in(&thief_dir, &thief_url, &[], &["keys", "rotate"]);
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
    assert!(
        text(&refused).contains("the master key does not open the stored secret"),
        "{}",
        text(&refused)
    );

    // The key moves into the environment: exported, then given instead of the file.
    let exported = writ_in(
        &app.config.data_dir,
        &url,
        &[],
        &["keys", "master", "export"],
    );
    assert!(exported.status.success(), "{}", text(&exported));
    let key = String::from_utf8_lossy(&exported.stdout).trim().to_owned();
    assert_eq!(key, std::fs::read_to_string(&key_file).unwrap().trim());
    let with_env = writ_in(
        &thief_dir,
        &thief_url,
        &[("WRIT_MASTER_KEY", &key)],
        &["keys", "rotate"],
    );
    assert!(with_env.status.success(), "{}", text(&with_env));
}

#[rocket::async_test]
async fn the_master_key_rotates_and_secrets_from_before_sealing_are_sealed() {
    let app = TestApp::new().await;
    let url = app.config.database_url();
    let dir = &app.config.data_dir;
    let before = secrets(&app);
    let old_key = std::fs::read_to_string(dir.join("master.key")).unwrap();

    let rotated = writ_in(dir, &url, &[], &["keys", "master", "rotate"]);
    assert!(rotated.status.success(), "{}", text(&rotated));
    assert!(text(&rotated).contains("sealed 4 stored keys with a new master key"));
    let new_key = std::fs::read_to_string(dir.join("master.key")).unwrap();
    assert_ne!(old_key, new_key);
    assert!(!dir.join("master.key.new").exists());
    let after = secrets(&app);
    for ((name, old), (_, new)) in before.iter().zip(&after) {
        assert_ne!(old, new, "{name} is sealed anew");
    }
    // The stored keys themselves did not change: documents filed before still open.
    let staff = writ_in(
        dir,
        &url,
        &[],
        &[
            "staff",
            "add",
            "--email",
            "lee@writ.example",
            "--name",
            "Lee",
            "--role",
            "legal",
        ],
    );
    assert!(staff.status.success(), "{}", text(&staff));
    let old_only = writ_in(
        dir,
        &url,
        &[("WRIT_MASTER_KEY", old_key.trim())],
        &["keys", "rotate"],
    );
    assert_eq!(
        old_only.status.code(),
        Some(2),
        "the old key opens nothing now"
    );

    // A database from before sealing: its plaintext secrets are sealed as they are read.
    let plain_pepper = "cGxhaW4tcGVwcGVyLWZyb20tYmVmb3JlLXNlYWxpbmc=";
    app.sql(&format!(
        "UPDATE app_secrets SET value = '{plain_pepper}' WHERE name = 'code_pepper'"
    ));
    let upgraded = writ_in(dir, &url, &[], &["keys", "rotate"]);
    assert!(upgraded.status.success(), "{}", text(&upgraded));
    let pepper = secrets(&app)
        .into_iter()
        .find(|(n, _)| n == "code_pepper")
        .unwrap()
        .1;
    assert!(pepper.starts_with("sealed:v1:"), "{pepper}");
    assert!(!pepper.contains(plain_pepper));
}

#[rocket::async_test]
async fn neither_challenges_nor_sent_letters_keep_addresses_or_codes() {
    let app = TestApp::new().await;
    let token = app.api_sign_in("j.doe@fbi.gov").await;
    assert!(!token.is_empty());
    let code = app.code_for("j.doe@fbi.gov").await;
    app.deliver_mail().await;
    let rows: Vec<String> = {
        use writ::db::schema::login_challenges::dsl::*;
        let mut conn = app.db().get().unwrap();
        login_challenges.select(email).load(&mut *conn).unwrap()
    };
    assert_eq!(rows.len(), 1);
    assert!(
        !rows[0].contains("j.doe") && !rows[0].contains("fbi.gov"),
        "{rows:?}"
    );
    let sent: Vec<(String, String, String)> = {
        use writ::db::schema::outbox::dsl::*;
        let mut conn = app.db().get().unwrap();
        outbox
            .filter(sent_at.is_not_null())
            .select((subject, body_text, body_html))
            .load(&mut *conn)
            .unwrap()
    };
    assert!(!sent.is_empty());
    for (subject, text, html) in &sent {
        assert!(!subject.contains(&code) && !text.contains(&code) && !html.contains(&code));
        assert!(
            text.is_empty() && html.is_empty(),
            "a sent letter's body is pruned"
        );
    }
}
