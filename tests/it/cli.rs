//! The `writ` command line against the same database as a running app.

use crate::common;
use crate::common::tools::needs;

use std::process::Command;

use common::{output_text as text, subpoena_request, TestApp, PDF};
use writ::domain::registry::{classify, DomainStanding};

#[rocket::async_test]
async fn the_us_dotgov_registry_is_imported_and_recognises_the_fbi() {
    let app = TestApp::new().await;
    let csv = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/data/dotgov/current-full.csv"
    );
    let output = app.writ(&["registry", "import", "--format", "dotgov", csv]);
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
    let again = app.writ(&["registry", "import", "--format", "dotgov", csv]);
    assert!(again.status.success());
    assert_eq!(app.count("gov_domains"), 16539);
}

/// A wrong file does not replace a good registry: empty, mostly rejected or cut off, it is
/// refused (exit 1, nothing changed) unless `--force` says so.
#[rocket::async_test]
async fn a_registry_import_refuses_an_empty_rejected_or_cut_off_file() {
    let app = TestApp::new().await;
    let full = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/data/dotgov/current-full.csv"
    );
    let lines: Vec<String> = std::fs::read_to_string(full)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str, body: String| {
        let path = dir.path().join(name);
        std::fs::write(&path, body).unwrap();
        path.display().to_string()
    };
    let import = |path: &str, force: bool| {
        let mut args = vec!["registry", "import", "--format", "dotgov", path];
        if force {
            args.push("--force");
        }
        app.writ(&args)
    };
    // Into an empty registry, a small file is fine.
    let small = file("small.csv", lines[..101].join("\n"));
    let first = import(&small, false);
    assert!(first.status.success(), "{}", text(&first));
    assert_eq!(app.count("gov_domains"), 100);
    let whole = import(full, false);
    assert!(whole.status.success(), "{}", text(&whole));

    let header_only = file("empty.csv", format!("{}\n", lines[0]));
    let junk = file(
        "junk.csv",
        std::iter::once(lines[0].clone())
            .chain(lines[1..3].iter().cloned())
            .chain((0..5).map(|i| format!("not a domain {i},City,Nowhere,,,,")))
            .collect::<Vec<_>>()
            .join("\n"),
    );
    for (path, why) in [
        (&header_only, "the file holds no domain"),
        (&junk, "5 of 7 rows were rejected"),
        (
            &small,
            "the file holds 100 domains where the registry holds 16539",
        ),
    ] {
        let refused = import(path, false);
        assert_eq!(refused.status.code(), Some(1), "{}", text(&refused));
        assert!(text(&refused).contains(why), "{}", text(&refused));
        assert!(text(&refused).contains("Nothing changed; --force imports it anyway."));
        assert_eq!(app.count("gov_domains"), 16539, "nothing changed");
    }
    assert_eq!(
        app.count("audit_events WHERE action = 'registry.imported'"),
        2
    );
    let forced = import(&small, true);
    assert!(forced.status.success(), "{}", text(&forced));
    assert!(text(&forced).contains("importing anyway (--force)"));
    assert!(
        !text(&forced).contains("reading ["),
        "no progress bar where the output is not a terminal"
    );
    assert_eq!(app.count("gov_domains"), 100);
}

#[rocket::async_test]
async fn audit_verify_names_the_first_tampered_event() {
    let app = TestApp::new().await;
    let token = app.officer("j.doe@fbi.gov").await;
    let (status, _) = app
        .submit(&token, &subpoena_request(), &[("subpoena.pdf", PDF)])
        .await;
    assert_eq!(status, rocket::http::Status::Created);

    let intact = app.writ(&["audit", "verify"]);
    assert!(intact.status.success(), "{}", text(&intact));
    assert!(
        text(&intact).contains("audit chain intact: 6 events"),
        "{}",
        text(&intact)
    );

    app.sql(
        "UPDATE audit_events SET details = '{\"track\":\"court\",\"via\":\"api\"}' WHERE seq = 2",
    );
    let broken = app.writ(&["audit", "verify"]);
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
    let broken = app.writ(&["audit", "verify"]);
    assert_eq!(broken.status.code(), Some(1));
    assert!(
        text(&broken).contains("BROKEN at event 2: event 2 is missing"),
        "{}",
        text(&broken)
    );
}

#[rocket::async_test]
async fn the_account_directory_is_imported_idempotently_with_each_bad_row_named() {
    let app = TestApp::new().await;
    let csv = app.dir.path().join("accounts.csv");
    std::fs::write(
        &csv,
        "uid,email,phone,name,country,wallets,status\n\
         U-1001,Alice@Example.com,+1 202 555 0100,Alice,US,btc:bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq;eth:0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed,active\n\
         U-1002,bob@example.com,,Bob,FR,,frozen\n\
         U-1003,carol@example,,Carol,US,,active\n\
         U-1004,dave@example.com,,Dave,US,trx:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6T,active\n\
         U-1005,erin@example.com,,Erin,US,btc:bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq,active\n\
         U-1006,frank@example.com,,Frank,US,,closed\n",
    )
    .unwrap();
    let output = app.writ(&["accounts", "import", csv.to_str().unwrap()]);
    let printed = text(&output);
    assert!(output.status.success(), "{printed}");
    assert!(
        printed.contains("line 4: rejected: e-mail “carol@example” is not an address"),
        "{printed}"
    );
    assert!(printed.contains("line 5: rejected: wallet TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6T: this TRON address fails its base58check checksum"), "{printed}");
    assert!(printed.contains("line 6: rejected: wallet bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq already belongs to account U-1001"), "{printed}");
    assert!(
        printed.contains("line 7: rejected: status “closed” is neither active nor frozen"),
        "{printed}"
    );
    assert!(
        printed.contains("accounts: 2 added, 0 updated, 0 unchanged, 4 rejected"),
        "{printed}"
    );
    assert_eq!(app.count("accounts WHERE email = 'alice@example.com'"), 1);
    assert_eq!(
        app.count("account_wallets WHERE address = '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed'"),
        1,
        "stored checksummed"
    );

    let again = text(&app.writ(&["accounts", "import", csv.to_str().unwrap()]));
    assert!(
        again.contains("accounts: 0 added, 0 updated, 2 unchanged, 4 rejected"),
        "{again}"
    );

    let jsonl = app.dir.path().join("accounts.jsonl");
    std::fs::write(
        &jsonl,
        "{\"uid\": \"U-1002\", \"email\": \"bob@example.com\", \"name\": \"Bob\", \"country\": \"FR\", \"wallets\": [{\"chain\": \"trx\", \"address\": \"TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t\"}], \"status\": \"active\"}\n\
         {\"uid\": \"U-2001\", \"status\": \"active\"}\n\
         not json\n",
    )
    .unwrap();
    let printed = text(&app.writ(&["accounts", "import", jsonl.to_str().unwrap()]));
    assert!(
        printed.contains("accounts: 1 added, 1 updated, 0 unchanged, 1 rejected"),
        "{printed}"
    );
    assert!(
        printed.contains("line 3: rejected: not a JSON object of an account"),
        "{printed}"
    );
    assert_eq!(
        app.count("accounts WHERE uid = 'U-1002' AND status = 'active'"),
        1
    );
    assert_eq!(
        app.count("audit_events WHERE action = 'accounts.imported'"),
        3
    );
}

#[rocket::async_test]
async fn keys_rotate_keeps_the_old_key_published() {
    let app = TestApp::new().await;
    let first: serde_json::Value = app
        .client
        .get("/.well-known/writ/signing-keys.json")
        .dispatch()
        .await
        .into_json()
        .await
        .unwrap();
    assert_eq!(
        first["keys"].as_array().unwrap().len(),
        1,
        "made on first start"
    );
    let old = first["keys"][0]["id"].as_str().unwrap().to_owned();

    let rotated = app.writ(&["keys", "rotate"]);
    assert!(rotated.status.success(), "{}", text(&rotated));
    let printed = text(&rotated);
    let new = printed
        .strip_prefix("new signing key ")
        .and_then(|rest| rest.split(';').next())
        .expect("the new key's id")
        .to_owned();
    assert_ne!(new, old);

    let now: serde_json::Value = app
        .client
        .get("/.well-known/writ/signing-keys.json")
        .dispatch()
        .await
        .into_json()
        .await
        .unwrap();
    let ids: Vec<(&str, bool)> = now["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| (k["id"].as_str().unwrap(), k["active"].as_bool().unwrap()))
        .collect();
    assert_eq!(ids, [(new.as_str(), true), (old.as_str(), false)]);
    assert_eq!(
        app.count("audit_events WHERE action = 'signing_key.rotated'"),
        1
    );
}

/// What an intruder with the database does after removing or editing events: recompute every
/// hash from the genesis on, and set the head to match, so that the chain holds again.
fn recompute_chain(app: &TestApp) {
    use diesel::prelude::*;
    use writ::db::schema::{audit_events, audit_head};
    let mut conn = app.db().get().unwrap();
    let events = writ::db::models::audit::page(&mut conn, 0, 100_000).unwrap();
    let mut prev = writ::audit::GENESIS.to_owned();
    for mut event in events {
        event.prev_hash = prev.clone();
        event.hash = writ::audit::chain_hash(&prev, &event);
        diesel::update(audit_events::table.find(event.seq))
            .set((
                audit_events::prev_hash.eq(&event.prev_hash),
                audit_events::hash.eq(&event.hash),
            ))
            .execute(&mut *conn)
            .unwrap();
        diesel::update(audit_head::table.find(1))
            .set((
                audit_head::seq.eq(event.seq),
                audit_head::hash.eq(&event.hash),
            ))
            .execute(&mut *conn)
            .unwrap();
        prev = event.hash;
    }
}

#[rocket::async_test]
async fn checkpoints_catch_a_chain_cut_short_or_recomputed() {
    needs!(Openssl);
    let app = TestApp::new().await;
    let token = app.officer("j.doe@fbi.gov").await;
    let (status, _) = app
        .submit(&token, &subpoena_request(), &[("subpoena.pdf", PDF)])
        .await;
    assert_eq!(status, rocket::http::Status::Created);
    let file = app.dir.path().join("checkpoint.json");
    let made = app.writ(&["audit", "checkpoint", "--out", file.to_str().unwrap()]);
    assert!(made.status.success(), "{}", text(&made));
    let exported: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let seq = exported["seq"].as_i64().unwrap();
    assert!(seq >= 5, "{exported}");
    let anchored = app.writ(&["audit", "verify", "--checkpoint", file.to_str().unwrap()]);
    assert!(anchored.status.success(), "{}", text(&anchored));
    assert!(
        text(&anchored).contains(&format!("(event {seq}, signed by")),
        "{}",
        text(&anchored)
    );
    assert!(text(&anchored).contains("1 stored checkpoints hold"));

    // The checkpoint's statement verifies with stock OpenSSL, too.
    let statement = app.dir.path().join("statement.txt");
    let signature = app.dir.path().join("statement.sig");
    let public = app.dir.path().join("key.pem");
    std::fs::write(&statement, exported["statement"].as_str().unwrap()).unwrap();
    use base64::Engine;
    std::fs::write(
        &signature,
        base64::engine::general_purpose::STANDARD
            .decode(exported["signature"].as_str().unwrap())
            .unwrap(),
    )
    .unwrap();
    std::fs::write(&public, exported["public_key_pem"].as_str().unwrap()).unwrap();
    let openssl = Command::new("openssl")
        .args(["pkeyutl", "-verify", "-pubin", "-inkey"])
        .arg(&public)
        .args(["-rawin", "-in"])
        .arg(&statement)
        .arg("-sigfile")
        .arg(&signature)
        .output()
        .unwrap();
    assert!(openssl.status.success(), "{}", text(&openssl));

    // Truncation: the tail deleted from the checkpointed event on, the head rewound.
    app.sql(&format!(
        "DELETE FROM audit_events WHERE seq >= {}",
        seq - 1
    ));
    recompute_chain(&app);
    let cut = app.writ(&["audit", "verify"]);
    assert_eq!(cut.status.code(), Some(1), "{}", text(&cut));
    assert!(
        text(&cut).contains("TRUNCATED: the checkpoint of")
            && text(&cut).contains(&format!(
                "records event {seq}, but the chain ends at event {}",
                seq - 2
            )),
        "{}",
        text(&cut)
    );
    // The intruder removes the stored checkpoints too: only the exported copy still knows.
    app.sql("DELETE FROM audit_checkpoints");
    let unanchored = app.writ(&["audit", "verify"]);
    assert!(
        unanchored.status.success(),
        "without a checkpoint the cut is invisible: {}",
        text(&unanchored)
    );
    let anchored = app.writ(&["audit", "verify", "--checkpoint", file.to_str().unwrap()]);
    assert_eq!(anchored.status.code(), Some(1), "{}", text(&anchored));
    assert!(text(&anchored).contains("TRUNCATED"), "{}", text(&anchored));
}

#[rocket::async_test]
async fn a_checkpoint_catches_an_edit_hidden_by_a_recomputed_chain_and_refuses_to_be_altered() {
    let app = TestApp::new().await;
    app.officer("j.doe@fbi.gov").await;
    let file = app.dir.path().join("checkpoint.json");
    let made = app.writ(&["audit", "checkpoint", "--out", file.to_str().unwrap()]);
    assert!(made.status.success(), "{}", text(&made));

    app.sql(
        "UPDATE audit_events SET details = '{\"track\":\"court\",\"via\":\"api\"}' WHERE seq = 2",
    );
    recompute_chain(&app);
    app.sql("DELETE FROM audit_checkpoints");
    let plain = app.writ(&["audit", "verify"]);
    assert!(plain.status.success(), "{}", text(&plain));
    let anchored = app.writ(&["audit", "verify", "--checkpoint", file.to_str().unwrap()]);
    assert_eq!(anchored.status.code(), Some(1), "{}", text(&anchored));
    assert!(
        text(&anchored).contains("REWRITTEN: event"),
        "{}",
        text(&anchored)
    );
    assert!(text(&anchored).contains("the chain was recomputed after an edit"));

    // A checkpoint file whose event number was moved is refused as altered.
    let mut exported: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    exported["seq"] = serde_json::json!(1);
    std::fs::write(&file, exported.to_string()).unwrap();
    let altered = app.writ(&["audit", "verify", "--checkpoint", file.to_str().unwrap()]);
    assert_eq!(altered.status.code(), Some(2));
    assert!(
        text(&altered).contains("the checkpoint's signature does not hold: it was altered"),
        "{}",
        text(&altered)
    );
}

/// `cargo install` then `writ serve` in an empty directory: the pages, static files and mail
/// templates come from the binary, the data from `var/` there.
#[rocket::async_test]
async fn writ_serve_runs_from_an_empty_directory_outside_the_checkout() {
    use common::live::free_port;
    let dir = tempfile::tempdir().unwrap();
    assert!(!dir.path().starts_with(env!("CARGO_MANIFEST_DIR")));
    let port = free_port();
    let log = dir.path().join("serve.log");
    let out = std::fs::File::create(&log).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_writ"))
        .current_dir(dir.path())
        .arg("serve")
        .env_remove("WRIT_DATA_DIR")
        .env_remove("WRIT_DATABASE_URL")
        .env_remove("WRIT_MAIL_DIR")
        .env("WRIT_PORT", port.to_string())
        // The default public URL, port 8000: not where it listens, which it says at start.
        .env_remove("WRIT_PUBLIC_URL")
        .stdout(out.try_clone().unwrap())
        .stderr(out)
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let client = common::live::browser();
    let mut up = false;
    for _ in 0..300 {
        if let Ok(r) = client.get(format!("{base}/health")).send().await {
            up = r.status().is_success();
            if up {
                break;
            }
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        rocket::tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let log_text = || std::fs::read_to_string(&log).unwrap_or_default();
    assert!(up, "writ serve did not come up: {}", log_text());

    let get = |path: &str| client.get(format!("{base}{path}")).send();
    let front = get("/").await.unwrap();
    assert_eq!(front.status(), 200);
    assert_eq!(
        front.headers()["content-type"].to_str().unwrap(),
        "text/html; charset=utf-8"
    );
    assert!(front.text().await.unwrap().contains("/static/favicon.svg"));
    let css = get("/static/writ.css").await.unwrap();
    assert_eq!(css.status(), 200);
    assert_eq!(
        css.headers()["content-type"].to_str().unwrap(),
        "text/css; charset=utf-8"
    );
    assert!(css.headers().contains_key("etag"));
    let icon = get("/favicon.ico").await.unwrap();
    assert_eq!(icon.status(), 308);
    assert_eq!(icon.headers()["location"], "/static/favicon.svg");
    let svg = get("/static/favicon.svg").await.unwrap();
    assert_eq!(svg.status(), 200);
    assert_eq!(svg.headers()["content-type"], "image/svg+xml");
    assert_eq!(get("/static/nothing.css").await.unwrap().status(), 404);
    let escape = get("/static/..%2FCargo.toml").await.unwrap().status();
    assert!(
        escape.is_client_error(),
        "no way out of the shipped files: {escape}"
    );
    assert_eq!(get("/agency").await.unwrap().status(), 200);

    // A sign-in code is mailed from the compiled-in template into var/mail here.
    let asked = client
        .post(format!("{base}/api/v1/auth/email"))
        .json(&serde_json::json!({ "email": "j.doe@fbi.gov", "track": "agency" }))
        .send()
        .await
        .unwrap();
    assert_eq!(asked.status(), 202);
    let mail_dir = dir.path().join("var/mail");
    let mut mailed = Vec::new();
    for _ in 0..100 {
        mailed = std::fs::read_dir(&mail_dir)
            .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        if !mailed.is_empty() {
            break;
        }
        rocket::tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let mail = std::fs::read_to_string(mailed.first().expect("a mail file")).unwrap();
    assert!(mail.contains("Your Writ sign-in code"), "{mail}");
    assert!(dir.path().join("var/writ.db").exists());
    let _ = child.kill();
    let _ = child.wait();
    assert!(!log_text().contains("panicked"), "{}", log_text());
    assert!(
        log_text().contains(&format!(
            "WRIT_PUBLIC_URL http://localhost:8000 names port 8000, but Writ listens on 127.0.0.1:{port}"
        )),
        "{}",
        log_text()
    );
}

/// A deployment's own look: its files replace the shipped ones of the same path, and the rest
/// still come from the binary.
#[rocket::async_test]
async fn a_deployment_overrides_templates_and_static_files_of_its_own() {
    let own = tempfile::tempdir().unwrap();
    let templates = own.path().join("templates");
    let statics = own.path().join("static");
    std::fs::create_dir_all(templates.join("public")).unwrap();
    std::fs::create_dir_all(&statics).unwrap();
    std::fs::write(
        templates.join("public/index.html.tera"),
        "{% extends \"base\" %}{% block content %}<p>Example Exchange legal requests</p>{% endblock content %}",
    )
    .unwrap();
    std::fs::write(statics.join("writ.css"), "body { color: teal; }").unwrap();
    let (t, s) = (templates.clone(), statics.clone());
    let app = TestApp::with(move |config| {
        config.template_dir = t.display().to_string();
        config.static_dir = s.display().to_string();
    })
    .await;
    let (status, front) = app.page("/").await;
    assert_eq!(status, rocket::http::Status::Ok);
    assert!(front.contains("Example Exchange legal requests"), "{front}");
    let (_, css) = app.page("/static/writ.css").await;
    assert_eq!(css, "body { color: teal; }");
    let (status, js) = app.page("/static/passkey.js").await;
    assert_eq!(
        status,
        rocket::http::Status::Ok,
        "the shipped file is still served"
    );
    assert!(!js.is_empty());
    let (status, _) = app.page("/agency").await;
    assert_eq!(
        status,
        rocket::http::Status::Ok,
        "other pages are the shipped ones"
    );
}

/// `writ doctor` prints what is in effect, secrets hidden, checks each part, and fails when
/// one does not work; settings come from `WRIT_CONFIG`'s file under the `WRIT_*` variables.
#[rocket::async_test]
async fn writ_doctor_checks_each_part_and_hides_secrets() {
    let app = TestApp::new().await;
    let (data, url) = (app.config.data_dir.clone(), app.config.database_url());
    let doctor = |env: &[(&str, &str)]| common::writ_in(&data, &url, env, &["doctor"]);

    let healthy = doctor(&[("WRIT_PUBLIC_URL", "http://localhost:8000")]);
    let printed = text(&healthy);
    assert!(healthy.status.success(), "{printed}");
    for part in [
        "database",
        "storage",
        "mail",
        "keys",
        "policy",
        "templates",
        "public address",
    ] {
        assert!(
            printed.contains(&format!("ok    {part}: ")),
            "{part}: {printed}"
        );
    }
    assert!(printed.contains("the master key opens the stored keys"));

    let secret =
        "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldC1zZWNyZXQ=";
    let warned = doctor(&[
        ("WRIT_PUBLIC_URL", "http://localhost:8000"),
        ("WRIT_PORT", "9000"),
        ("WRIT_SECRET_KEY", secret),
    ]);
    let printed = text(&warned);
    assert!(
        warned.status.success(),
        "a warning is not a failure: {printed}"
    );
    assert!(printed.contains("warn  public address: WRIT_PUBLIC_URL http://localhost:8000 names port 8000, but Writ listens on 127.0.0.1:9000"), "{printed}");
    assert!(printed.contains("secret_key = (set, hidden)"));
    assert!(!printed.contains(secret));

    // A mail server that does not answer, with its password in the URL: a failure, the password unprinted.
    let port = common::live::free_port();
    let failed = doctor(&[(
        "WRIT_SMTP_URL",
        &format!("smtp://writ:hunter2@127.0.0.1:{port}"),
    )]);
    let printed = text(&failed);
    assert_eq!(failed.status.code(), Some(1), "{printed}");
    assert!(
        printed.contains(&format!("FAIL  mail: smtp://writ:***@127.0.0.1:{port}")),
        "{printed}"
    );
    assert!(!printed.contains("hunter2"));

    // A settings file, under the variables.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("writ.toml");
    std::fs::write(
        &file,
        "public_url = \"https://legal.example.com\"\nport = 8100\n",
    )
    .unwrap();
    let file = file.display().to_string();
    let from_file = doctor(&[("WRIT_CONFIG", &file), ("WRIT_PORT", "8200")]);
    let printed = text(&from_file);
    assert!(
        printed.contains("public_url = https://legal.example.com"),
        "{printed}"
    );
    assert!(
        printed.contains("port = 8200"),
        "the variable wins: {printed}"
    );
    let missing = doctor(&[("WRIT_CONFIG", "/nowhere/writ.toml")]);
    assert_eq!(missing.status.code(), Some(2), "a configuration error");
    assert!(text(&missing).contains("WRIT_CONFIG: /nowhere/writ.toml is not a file"));
}

/// With a bucket, `writ doctor` writes, reads back and deletes a probe object there (leaving
/// nothing), hides the secret key, and fails naming a bucket that is not there.
#[rocket::async_test]
async fn writ_doctor_checks_the_bucket() {
    needs!(S3);
    let app = TestApp::new().await;
    let (data, url) = (app.config.data_dir.clone(), app.config.database_url());
    let bucket = common::live::Bucket::fresh();
    let storage = |name: &str| {
        vec![
            ("WRIT_STORAGE_URL", format!("s3://{name}/deployment")),
            ("WRIT_S3_ENDPOINT", bucket.endpoint.clone()),
            ("WRIT_S3_ACCESS_KEY_ID", "writ-test".to_owned()),
            (
                "WRIT_S3_SECRET_ACCESS_KEY",
                "s3-secret-never-printed".to_owned(),
            ),
        ]
    };
    let doctor = |env: Vec<(&str, String)>| {
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        common::writ_in(&data, &url, &env, &["doctor"])
    };

    let healthy = doctor(storage(&bucket.name));
    let printed = text(&healthy);
    assert!(healthy.status.success(), "{printed}");
    assert!(
        printed.contains(&format!(
            "ok    storage: s3://{}/deployment at {} can be written, read and deleted",
            bucket.name, bucket.endpoint
        )),
        "{printed}"
    );
    assert!(printed.contains("s3_secret_access_key = (set, hidden)"));
    assert!(!printed.contains("s3-secret-never-printed"));
    assert!(bucket.keys().is_empty(), "the probe is removed");

    let missing = doctor(storage("no-such-bucket-here"));
    let printed = text(&missing);
    assert_eq!(missing.status.code(), Some(1), "{printed}");
    assert!(
        printed.contains("FAIL  storage: s3://no-such-bucket-here/deployment at"),
        "{printed}"
    );
}
