//! The test harness: the real app (`writ::rocket`) on its own database — a fresh SQLite file, or
//! a fresh PostgreSQL database when `WRIT_TEST_DATABASE_URL` names a server — with e-mail
//! written as files that the tests read like a mailbox.

#![allow(dead_code)] // the benchmarks use only part of the harness

use std::path::PathBuf;

use diesel::prelude::*;
use diesel::sql_types::BigInt;
use rocket::http::{ContentType, Header, Status};
use rocket::local::asynchronous::{Client, LocalResponse};
use serde_json::{json, Value};
use tempfile::TempDir;

use writ::config::Config;
use writ::db::models::registry::{replace_source, NewGovDomain};
use writ::db::Db;
use writ::mail::transport::Transport;

pub mod live;
pub mod passkey;
pub mod tools;

pub const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
pub const PNG: &[u8] = &[
    0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, b'I', b'H', b'D', b'R',
];

pub struct TestApp {
    pub client: Client,
    pg: Option<PgDatabase>,
    pub dir: TempDir,
    pub config: Config,
    /// Officers' authenticator apps, by address.
    factors: Factors,
}

/// A PostgreSQL database made for one test and dropped after it.
#[cfg(feature = "postgres")]
struct PgDatabase {
    admin_url: String,
    name: String,
}

#[cfg(feature = "postgres")]
impl Drop for PgDatabase {
    fn drop(&mut self) {
        if let Ok(mut conn) = diesel::PgConnection::establish(&self.admin_url) {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .execute(&mut conn);
        }
    }
}

#[cfg(not(feature = "postgres"))]
struct PgDatabase;

#[cfg(not(feature = "postgres"))]
fn fresh_postgres(_: &str) -> (String, PgDatabase) {
    panic!("WRIT_TEST_DATABASE_URL is set: run the tests with --features postgres");
}

#[cfg(feature = "postgres")]
fn fresh_postgres(base: &str) -> (String, PgDatabase) {
    let name = format!("writ_test_{}", uuid::Uuid::new_v4().simple());
    let (server, _) = base
        .rsplit_once('/')
        .expect("WRIT_TEST_DATABASE_URL looks like postgres://user@host:port/db");
    let mut conn =
        diesel::PgConnection::establish(base).expect("cannot reach the PostgreSQL test server");
    diesel::sql_query(format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .expect("create test database");
    (
        format!("{server}/{name}"),
        PgDatabase {
            admin_url: base.to_owned(),
            name,
        },
    )
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(Debug, Clone)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

impl TestApp {
    pub async fn new() -> TestApp {
        TestApp::with(|_| {}).await
    }

    pub async fn with(adjust: impl FnOnce(&mut Config)) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = Config {
            data_dir: dir.path().join("var"),
            outbox_worker: false,
            public_url: "https://writ.test".into(),
            ..Config::default()
        };
        let mut pg = None;
        if let Ok(base) = std::env::var("WRIT_TEST_DATABASE_URL") {
            let (url, database) = fresh_postgres(&base);
            config.database_url = url;
            pg = Some(database);
        }
        adjust(&mut config);
        let client = Client::tracked(writ::rocket(config.clone()))
            .await
            .expect("the app starts");
        TestApp {
            client,
            pg,
            dir,
            config,
            factors: Default::default(),
        }
    }

    /// An app whose stored files live in a fresh bucket of the test S3 server.
    pub async fn in_bucket() -> (TestApp, live::Bucket) {
        let bucket = live::Bucket::fresh();
        let app = TestApp::with(|config| {
            config.storage_url = format!("s3://{}/{}", bucket.name, live::BUCKET_PREFIX);
            config.s3_endpoint = bucket.endpoint.clone();
            config.s3_access_key_id = "writ-test".into();
            config.s3_secret_access_key = "writ-test-secret".into();
        })
        .await;
        (app, bucket)
    }

    /// The application context the server runs on.
    pub fn context(&self) -> &writ::app::App {
        self.client
            .rocket()
            .state::<writ::app::App>()
            .expect("the app is managed")
    }

    pub fn db(&self) -> &Db {
        &self.context().db
    }

    pub fn count(&self, table: &str) -> i64 {
        let mut conn = self.db().get().expect("connection");
        diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}"))
            .get_result::<Count>(&mut *conn)
            .expect("count")
            .n
    }

    pub fn sql(&self, statement: &str) {
        let mut conn = self.db().get().expect("connection");
        diesel::sql_query(statement)
            .execute(&mut *conn)
            .expect(statement);
    }

    /// Files in the documents directory (staged or stored).
    pub fn stored_files(&self) -> usize {
        let dir = self.config.documents_dir();
        let count = |p: PathBuf| {
            std::fs::read_dir(p)
                .map(|d| {
                    d.filter(|e| e.as_ref().is_ok_and(|e| e.path().is_file()))
                        .count()
                })
                .unwrap_or(0)
        };
        count(dir.clone()) + count(dir.join("incoming"))
    }

    /// Records `domain` as the US .gov registry would.
    pub fn register_dotgov(&self, domain: &str, organization: &str, suborganization: &str) {
        let mut conn = self.db().get().expect("connection");
        let row = NewGovDomain {
            domain: domain.into(),
            source: "dotgov".into(),
            domain_type: "Federal - Executive".into(),
            organization: organization.into(),
            suborganization: suborganization.into(),
            city: "Washington".into(),
            region: "DC".into(),
            imported_at: writ::domain::clock::now(),
        };
        replace_source(&mut conn, "dotgov", &[row]).expect("register domain");
    }

    /// Sends what the outbox holds, as the worker would.
    pub async fn deliver_mail(&self) -> usize {
        let transport = self
            .client
            .rocket()
            .state::<Transport>()
            .expect("transport");
        let config = &self.context().config;
        writ::mail::outbox::drain_once(self.db(), transport, &config.mail_from)
            .await
            .expect("drain outbox")
    }

    /// Every message delivered so far, oldest first.
    pub async fn mailbox(&self) -> Vec<Mail> {
        self.deliver_mail().await;
        let mut files: Vec<(std::time::SystemTime, PathBuf)> =
            std::fs::read_dir(self.config.mail_dir())
                .map(|dir| {
                    dir.filter_map(Result::ok)
                        .map(|e| {
                            (
                                e.metadata()
                                    .and_then(|m| m.modified())
                                    .unwrap_or(std::time::UNIX_EPOCH),
                                e.path(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
        files.retain(|(_, p)| p.extension().is_some_and(|e| e == "eml"));
        files.sort();
        files
            .into_iter()
            .map(|(_, path)| parse_eml(&std::fs::read_to_string(path).expect("read eml")))
            .collect()
    }

    pub async fn mail_to(&self, email: &str) -> Vec<Mail> {
        self.mailbox()
            .await
            .into_iter()
            .filter(|m| m.to.contains(email))
            .collect()
    }

    /// The code from the newest sign-in e-mail to `email`.
    pub async fn code_for(&self, email: &str) -> String {
        let mail = self
            .mail_to(&email.to_lowercase())
            .await
            .into_iter()
            .rev()
            .find(|m| m.subject.starts_with("Your Writ sign-in code"))
            .expect("a sign-in e-mail");
        mail.subject
            .rsplit(' ')
            .next()
            .expect("code in subject")
            .to_owned()
    }

    pub async fn post_json<'a>(
        &'a self,
        uri: &'a str,
        body: Value,
        token: Option<&str>,
    ) -> LocalResponse<'a> {
        let mut request = self
            .client
            .post(uri)
            .header(ContentType::JSON)
            .body(body.to_string());
        if let Some(token) = token {
            request = request.header(Header::new("Authorization", format!("Bearer {token}")));
        }
        request.dispatch().await
    }

    pub async fn get_json(&self, uri: &str, token: &str) -> (Status, Value) {
        let response = self
            .client
            .get(uri)
            .header(Header::new("Authorization", format!("Bearer {token}")))
            .dispatch()
            .await;
        let status = response.status();
        (status, response.into_json().await.unwrap_or(Value::Null))
    }

    /// Signs in through the API with the code from the e-mail; returns the bearer token.
    pub async fn api_sign_in(&self, email: &str) -> String {
        self.sign_in_with(email, json!({ "email": email, "track": "agency" }))
            .await
    }

    /// Asks for a code with `request`, reads it from the mail to `email`, and verifies it.
    pub async fn sign_in_with(&self, email: &str, request: Value) -> String {
        let response = self.post_json("/api/v1/auth/email", request, None).await;
        assert_eq!(
            response.status(),
            Status::Accepted,
            "{:?}",
            response.into_string().await
        );
        let challenge: Value = response.into_json().await.expect("json");
        let code = self.code_for(email).await;
        let totp = self.totp_for(email).await;
        let response = self
            .post_json(
                "/api/v1/auth/verify",
                json!({ "challenge": challenge["challenge"], "code": code, "totp": totp }),
                None,
            )
            .await;
        assert_eq!(response.status(), Status::Ok);
        let body: Value = response.into_json().await.expect("json");
        body["token"].as_str().expect("token").to_owned()
    }

    /// A signed-in officer of the FBI with a complete profile.
    pub async fn officer(&self, email: &str) -> String {
        if self.count("gov_domains") == 0 {
            self.register_dotgov(
                "fbi.gov",
                "Department of Justice",
                "Federal Bureau of Investigation",
            );
        }
        let token = self.api_sign_in(email).await;
        assert_eq!(self.put_profile(&token).await, Status::Ok);
        self.enrol(email, &token).await;
        token
    }

    /// Sets up an authenticator app for the officer signed in with `token`, as the officer
    /// would through the API; later sign-ins of `email` by the harness give its codes.
    pub async fn enrol(&self, email: &str, token: &str) {
        let response = self
            .post_json("/api/v1/auth/second-factor/totp", json!({}), Some(token))
            .await;
        assert_eq!(response.status(), Status::Created);
        let started: Value = response.into_json().await.expect("json");
        let secret = started["secret"].as_str().expect("secret").to_owned();
        self.adopt_factor(email, &secret);
        let code = self.totp_for(email).await.expect("a factor");
        let response = self
            .post_json(
                "/api/v1/auth/second-factor/totp/confirm",
                json!({ "code": code }),
                Some(token),
            )
            .await;
        assert_eq!(response.status(), Status::Ok);
    }

    /// The ID of the agency officer signed in as `email`.
    pub fn requester_id(&self, address: &str) -> String {
        use writ::db::schema::requesters::dsl::*;
        let mut conn = self.db().get().expect("connection");
        requesters
            .filter(email.eq(address))
            .select(id)
            .first(&mut *conn)
            .expect("the requester")
    }

    /// Remembers `secret` as the authenticator app of `email`.
    pub fn adopt_factor(&self, email: &str, secret: &str) {
        self.factors
            .lock()
            .unwrap()
            .insert(email.to_lowercase(), (secret.to_owned(), 0));
    }

    /// The next code the authenticator of `email` shows (`None`: it has none): each step is
    /// good once, so a burst of sign-ins waits for the next 30-second step when it must.
    pub async fn totp_for(&self, email: &str) -> Option<String> {
        next_totp_code(&self.factors, &email.to_lowercase()).await
    }

    /// Files a request through the API.
    pub async fn submit(
        &self,
        token: &str,
        request: &Value,
        files: &[(&str, &[u8])],
    ) -> (Status, Value) {
        let mut parts = vec![Part::text("request", &request.to_string())];
        // A file named `ndo…` is sent as the non-disclosure order, the others as legal process.
        parts.extend(files.iter().map(|(name, bytes)| {
            let part = if name.starts_with("ndo") {
                "ndo_order"
            } else {
                "documents"
            };
            Part::file(part, name, bytes)
        }));
        let (content_type, body) = multipart(&parts);
        self.post_body("/api/v1/requests", content_type, token, body)
            .await
    }

    /// Posts `body` as `content_type` with a bearer token; the status and the JSON answer.
    pub async fn post_body(
        &self,
        uri: &str,
        content_type: ContentType,
        token: &str,
        body: Vec<u8>,
    ) -> (Status, Value) {
        let response = self
            .client
            .post(uri.to_owned())
            .header(content_type)
            .header(Header::new("Authorization", format!("Bearer {token}")))
            .body(body)
            .dispatch()
            .await;
        let status = response.status();
        (status, response.into_json().await.unwrap_or(Value::Null))
    }

    /// A page as the client's session sees it: its status and its text.
    pub async fn page(&self, uri: &str) -> (Status, String) {
        let response = self.client.get(uri.to_owned()).dispatch().await;
        (
            response.status(),
            response.into_string().await.unwrap_or_default(),
        )
    }

    /// Posts a page's form (`content_type`, `body`) with this browser's cookies; the page back.
    pub async fn post_page(
        &self,
        uri: &str,
        content_type: ContentType,
        body: Vec<u8>,
    ) -> (Status, String) {
        let response = self
            .client
            .post(uri.to_owned())
            .header(content_type)
            .body(body)
            .dispatch()
            .await;
        (
            response.status(),
            response.into_string().await.unwrap_or_default(),
        )
    }

    /// Posts an HTML form (`application/x-www-form-urlencoded`) with the browser's cookies.
    pub async fn post_form(&self, uri: &str, fields: &[(&str, &str)]) -> (Status, String) {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        self.post_page(uri, ContentType::Form, body.into_bytes())
            .await
    }

    /// Gives the authenticator's code of `email` on the agency second-factor page, as an
    /// enrolled officer does after the e-mailed code; the status and where it leads.
    pub async fn pass_second_factor(&self, email: &str, csrf: &str) -> (Status, Option<String>) {
        let totp = self.totp_for(email).await.expect("an authenticator");
        let response = self
            .client
            .post("/agency/second-factor")
            .header(ContentType::Form)
            .body(format!("totp={totp}&csrf={csrf}"))
            .dispatch()
            .await;
        let location = response.headers().get_one("Location").map(str::to_owned);
        (response.status(), location)
    }

    /// Sets up an authenticator app on the security page, as an officer signed in on pages
    /// would: start, read the key off the page, confirm with its code.
    pub async fn enrol_on_page(&self, email: &str) {
        let (_, page) = self.page("/agency/security").await;
        let csrf = csrf_of(&page);
        let form = |fields: &[(&str, &str)]| {
            fields
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("&")
                .into_bytes()
        };
        let (status, page) = self
            .post_page(
                "/agency/security/totp",
                ContentType::Form,
                form(&[("csrf", &csrf)]),
            )
            .await;
        assert_eq!(status, Status::Ok, "{page}");
        let secret = secret_on(&page);
        self.adopt_factor(email, &secret);
        let code = self.totp_for(email).await.unwrap();
        let (status, _) = self
            .post_page(
                "/agency/security/totp/confirm",
                ContentType::Form,
                form(&[("totp", &code), ("csrf", &csrf)]),
            )
            .await;
        assert_eq!(status, Status::SeeOther);
    }

    /// Records a known-good number for `domain` (as a legal admin would) and returns its id.
    pub async fn agency_contact(&self, domain: &str) -> String {
        writ::services::callbacks::add_contact(
            self.db(),
            "test-admin",
            domain,
            "Duty desk",
            "+1 202 324 3000",
        )
        .await
        .expect("a contact");
        let mut conn = self.db().get().unwrap();
        writ::services::callbacks::contacts_for(&mut conn, domain)
            .unwrap()
            .pop()
            .expect("the contact")
            .id
    }

    /// Records a call-back with `outcome` on `reference` through the staff API.
    pub async fn call_back(
        &self,
        staff_token: &str,
        reference: &str,
        contact: &str,
        outcome: &str,
    ) -> (Status, Value) {
        let uri = format!("/api/v1/staff/cases/{reference}/callbacks");
        let response = self
            .post_json(
                &uri,
                json!({ "contact": contact, "person_reached": "Duty officer Ray Miles", "outcome": outcome }),
                Some(staff_token),
            )
            .await;
        let status = response.status();
        (status, response.into_json().await.unwrap_or(Value::Null))
    }

    /// The `writ` command line on this app's data directory and database.
    pub fn writ(&self, args: &[&str]) -> std::process::Output {
        writ_in(
            &self.config.data_dir,
            &self.config.database_url(),
            &[],
            args,
        )
    }
}

/// The `writ` command line on `data_dir` and `database_url`, with `env` besides.
pub fn writ_in(
    data_dir: &std::path::Path,
    database_url: &str,
    env: &[(&str, &str)],
    args: &[&str],
) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_writ"))
        .args(args)
        .env("WRIT_DATA_DIR", data_dir)
        .env("WRIT_DATABASE_URL", database_url)
        .envs(env.iter().copied())
        .output()
        .expect("run writ")
}

/// What a command printed, standard output then standard error.
pub fn output_text(output: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

pub fn profile() -> Value {
    json!({
        "name": "Jane Doe", "title": "Special Agent", "badge_number": "FBI-4471",
        "agency_name": "Federal Bureau of Investigation", "agency_function": "law_enforcement",
        "country": "US", "phone": "+1 202 555 0100"
    })
}

/// The request of DESIGN §12.
pub fn subpoena_request() -> Value {
    json!({
        "type": "disclosure",
        "instrument": {"kind": "subpoena", "reference": "GJ-2026-114", "issuing_authority": "Grand Jury, District of Columbia",
                       "issued_on": "2026-11-01", "expires_on": null},
        "targets": [{"kind": "email", "value": "alice@example.com", "role": "suspect"},
                    {"kind": "wallet_address", "chain": "eth", "value": "0x52908400098527886E0F7030069857D2E4169EE7", "role": "subject"}],
        "data_categories": ["subscriber_info", "transactions"],
        "records_from": "2025-01-01", "records_to": "2026-10-31",
        "ndo": {"present": true, "until": "2027-05-01"},
        "deadline": null,
        "summary": "Investment fraud; the suspect received victims' funds at the wallet above.",
        "emergency": null, "freeze": null, "court": null
    })
}

#[derive(Clone)]
pub struct Part {
    name: String,
    filename: Option<String>,
    bytes: Vec<u8>,
}

impl Part {
    pub fn text(name: &str, value: &str) -> Part {
        Part {
            name: name.into(),
            filename: None,
            bytes: value.as_bytes().to_vec(),
        }
    }
    pub fn file(name: &str, filename: &str, bytes: &[u8]) -> Part {
        Part {
            name: name.into(),
            filename: Some(filename.into()),
            bytes: bytes.to_vec(),
        }
    }
}

/// A `multipart/form-data` body as a browser would send it.
pub fn multipart(parts: &[Part]) -> (ContentType, Vec<u8>) {
    let boundary = "----writ-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match &part.filename {
            Some(filename) => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{}\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n", part.name).as_bytes(),
            ),
            None => body.extend_from_slice(format!("Content-Disposition: form-data; name=\"{}\"\r\n\r\n", part.name).as_bytes()),
        }
        body.extend_from_slice(&part.bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (
        ContentType::new("multipart", "form-data").with_params(("boundary", boundary)),
        body,
    )
}

pub fn parse_eml(raw: &str) -> Mail {
    // Long headers are folded onto continuation lines that start with white space.
    let unfolded = raw
        .split("\r\n\r\n")
        .next()
        .unwrap_or_default()
        .replace("\r\n ", " ")
        .replace("\r\n\t", " ");
    let header = |name: &str| {
        unfolded
            .lines()
            .find_map(|line| line.strip_prefix(&format!("{name}: ")))
            .unwrap_or_default()
            .to_owned()
    };
    // Undo quoted-printable soft breaks so that links and codes read whole.
    let body = raw
        .replace("=\r\n", "")
        .replace("=\n", "")
        .replace("=3D", "=");
    Mail {
        to: header("To"),
        subject: header("Subject"),
        body,
    }
}

/// A member of staff made as `writ staff add` makes them.
pub struct StaffAccount {
    pub email: String,
    pub password: String,
    pub secret: String,
}

impl StaffAccount {
    /// The authenticator's code `steps_ahead` 30-second steps from now.
    pub fn code(&self, steps_ahead: i64) -> String {
        let at = chrono::Utc::now().timestamp() + steps_ahead * 30;
        writ::services::staff_auth::code_at(&self.secret, at as u64).unwrap()
    }
}

impl TestApp {
    pub async fn staff(&self, email: &str, role: writ::domain::vocab::Role) -> StaffAccount {
        let keys = &self.context().keys;
        let account = writ::services::staff_auth::add(
            self.db(),
            keys,
            email,
            "Test Staff",
            role,
            Some("Custodian of Records"),
        )
        .await
        .expect("add staff");
        StaffAccount {
            email: email.to_owned(),
            password: account.password,
            secret: account.totp_secret,
        }
    }

    /// Signs a member of staff in through the API; returns the bearer token.
    /// The id of the staff account with `address`.
    pub fn staff_id(&self, address: &str) -> String {
        use writ::db::schema::staff::dsl::*;
        let mut conn = self.db().get().unwrap();
        staff
            .filter(email.eq(address))
            .select(id)
            .first(&mut *conn)
            .unwrap()
    }

    /// The names of a case's documents as its requester sees them, sorted.
    pub async fn document_names(&self, token: &str, reference: &str) -> Vec<String> {
        let (_, case) = self
            .get_json(&format!("/api/v1/requests/{reference}"), token)
            .await;
        let mut names: Vec<String> = case["documents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["name"].as_str().unwrap().to_owned())
            .collect();
        names.sort();
        names
    }

    pub async fn staff_token(&self, account: &StaffAccount) -> String {
        let response = self.post_json("/api/v1/staff/login", json!({ "email": account.email, "password": account.password, "totp": account.code(0) }), None).await;
        assert_eq!(response.status(), Status::Ok);
        let body: Value = response.into_json().await.unwrap();
        body["token"].as_str().unwrap().to_owned()
    }
}

/// Where a Python tool from PyPI is: where `var` says, or the copy `.ci/run` installs in
/// target/ci-venv.
pub fn ci_tool_path(var: &str, program: &str) -> PathBuf {
    std::env::var(var).map(PathBuf::from).unwrap_or_else(|_| {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("target/ci-venv/bin")
            .join(program)
    })
}

/// A Python tool from PyPI (see `ci_tool_path`); it must be there.
pub fn ci_tool(var: &str, program: &str, package: &str) -> PathBuf {
    let path = ci_tool_path(var, program);
    assert!(
        path.exists(),
        "{program} not found at {}: `bash .ci/run` installs it (PyPI {package} in target/ci-venv)",
        path.display()
    );
    path
}

/// The CSRF token of the first form on a page.
/// Officers' authenticator apps in the tests: each one's TOTP secret and the last step it showed.
pub type Factors = std::sync::Mutex<std::collections::HashMap<String, (String, i64)>>;

/// The next code of the authenticator under `key` (`None`: there is none). Each step is good
/// once, so a burst of sign-ins waits for the next 30-second step when it must.
pub async fn next_totp_code(factors: &Factors, key: &str) -> Option<String> {
    loop {
        {
            let mut factors = factors.lock().unwrap();
            let (secret, last) = factors.get_mut(key)?;
            let current = chrono::Utc::now().timestamp() / 30;
            let step = (*last + 1).max(current);
            if step <= current + 1 {
                *last = step;
                return Some(writ::crypto::totp::code_at(secret, (step * 30) as u64).unwrap());
            }
        }
        rocket::tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
}

/// The TOTP key the security page shows once.
pub fn secret_on(page: &str) -> String {
    let marker = "id=\"totp-secret\">";
    let start = page.find(marker).expect("the key on the page") + marker.len();
    page[start..].split('<').next().unwrap().to_owned()
}

pub fn csrf_of(page: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = page.find(marker).expect("a CSRF field") + marker.len();
    page[start..].split('"').next().unwrap().to_owned()
}

impl TestApp {
    /// Completes the officer profile of a requester signed in with `token`.
    pub async fn put_profile(&self, token: &str) -> Status {
        self.put_profile_body(token, profile().to_string()).await.0
    }

    /// `PUT /api/v1/profile` with `body` as JSON; the status and the JSON answer.
    pub async fn put_profile_body(&self, token: &str, body: String) -> (Status, Value) {
        let response = self
            .client
            .put("/api/v1/profile")
            .header(ContentType::JSON)
            .header(Header::new("Authorization", format!("Bearer {token}")))
            .body(body)
            .dispatch()
            .await;
        let status = response.status();
        (status, response.into_json().await.unwrap_or(Value::Null))
    }
}

impl TestApp {
    /// Signs a member of staff in through the sign-in form; returns the browser's CSRF token.
    pub async fn staff_sign_in_page(&self, account: &StaffAccount) -> String {
        // Any form carries the browser's CSRF token; the staff sign-in page redirects once signed in.
        let page = self
            .client
            .get("/agency")
            .dispatch()
            .await
            .into_string()
            .await
            .unwrap();
        let csrf = csrf_of(&page);
        let body = format!(
            "email={}&password={}&code={}&csrf={csrf}",
            account.email.replace('@', "%40"),
            account.password,
            account.code(0)
        );
        let response = self
            .client
            .post("/staff/sign-in")
            .header(ContentType::Form)
            .body(body)
            .dispatch()
            .await;
        assert_eq!(
            response.status(),
            Status::SeeOther,
            "{} signs in",
            account.email
        );
        csrf
    }
}

/// A freeze under a freezing order of a US court, on the court-order track.
/// An officer's emergency disclosure request, attested, without documents.
pub fn emergency_request() -> Value {
    let mut request = subpoena_request();
    request["type"] = json!("emergency_disclosure");
    request["instrument"] = json!({ "kind": "emergency_attestation" });
    request["emergency"] = json!({"nature": "Kidnapping", "persons_at_risk": "A child", "why_needed": "Location", "attested": true});
    request
}

pub fn freeze_order_request() -> Value {
    json!({
        "type": "freeze",
        "instrument": {"kind": "freezing_order"},
        "targets": [{"kind": "wallet_address", "chain": "eth", "value": "0x52908400098527886E0F7030069857D2E4169EE7", "role": "subject"}],
        "data_categories": ["balances_wallets"],
        "summary": "Our client's funds were moved to this wallet; the court froze them pending trial.",
        "freeze": {"assets": [{"asset": "ETH", "amount": "all"}], "reason": "Proceeds of the fraud found by the court.",
                   "respondent": "John Smith", "max_sum": "USD 250,000", "until": "2027-03-01"},
        "court": {"name": "Superior Court of California, County of San Francisco", "country": "US", "region": "California",
                  "case_number": "CGC-26-612345", "judge": "Hon. R. Alvarez", "order_date": "2026-11-02"}
    })
}

/// A representative's declaration, complete for a visitor.
pub fn court_profile() -> Value {
    json!({
        "name": "Maria Lopez", "firm": "Lopez & Partners LLP", "bar_number": "CA-298811",
        "bar_jurisdiction": "California", "represents": "Acme Holdings Inc.", "phone": "+1 415 555 0199"
    })
}

impl TestApp {
    /// An account of the platform's directory.
    pub fn add_account(&self, uid: &str, email: &str) {
        self.sql(&format!(
            "INSERT INTO accounts (uid, email, phone, name, country, status, updated_at) \
             VALUES ('{uid}', '{email}', NULL, 'Account Holder', 'US', 'active', '2026-11-01 00:00:00')"
        ));
    }

    /// Signs in on the court-order track through the API (`path`: user or visitor).
    pub async fn court_sign_in(&self, email: &str, path: &str) -> String {
        self.sign_in_with(
            email,
            json!({ "email": email, "track": "court", "path": path }),
        )
        .await
    }

    /// A signed-in legal representative with a complete declaration.
    pub async fn representative(&self, email: &str, path: &str) -> String {
        let token = self.court_sign_in(email, path).await;
        let (status, _) = self
            .put_profile_body(&token, court_profile().to_string())
            .await;
        assert_eq!(status, Status::Ok);
        token
    }
}
