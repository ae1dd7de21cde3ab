//! Writ as operators run it: `writ serve` processes on real ports, sharing one database (a SQLite
//! file, or a fresh PostgreSQL database when `WRIT_TEST_DATABASE_URL` names a server) and one data
//! directory (or, [`Site::apart`], one S3 bucket and no directory), talked to over real HTTP. Used where the in-process client cannot reach: several
//! instances, `kill -9`, real sockets, a real browser.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::multipart::{Form, Part as FormPart};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tempfile::TempDir;

use super::{fresh_postgres, parse_eml, profile, Mail, PgDatabase, StaffAccount, PDF};

/// One database and one data directory that every instance of a test shares.
pub struct Site {
    pub url: String,
    pub dir: TempDir,
    _pg: Option<PgDatabase>,
    /// Instances as on separate machines: stored files in this bucket, each its own directory.
    pub bucket: Option<Bucket>,
}

/// A fresh bucket on the S3-compatible server `WRIT_TEST_S3_ENDPOINT` names (`bash .ci/run`
/// starts one, moto), looked at over plain HTTP as a bucket's owner would.
pub struct Bucket {
    pub endpoint: String,
    pub name: String,
}

/// Where every stored file of a site goes inside its bucket.
pub const BUCKET_PREFIX: &str = "writ";

impl Bucket {
    pub fn fresh() -> Bucket {
        let endpoint = std::env::var("WRIT_TEST_S3_ENDPOINT").expect(
            "WRIT_TEST_S3_ENDPOINT names an S3-compatible server: `bash .ci/run` starts one \
             (moto_server from PyPI) and sets it",
        );
        let name = format!("writ-test-{}", uuid_like());
        let (status, body) = s3_http(&endpoint, "PUT", &format!("/{name}"));
        assert!(status == 200, "creating bucket {name}: {status} {body}");
        Bucket {
            endpoint: endpoint.trim_end_matches('/').to_owned(),
            name,
        }
    }

    /// The keys of the complete objects in the bucket, as a listing shows them.
    pub fn keys(&self) -> Vec<String> {
        let (status, body) = s3_http(
            &self.endpoint,
            "GET",
            &format!("/{}?list-type=2", self.name),
        );
        assert_eq!(status, 200, "listing {}: {body}", self.name);
        xml_values(&body, "Key")
    }

    /// The keys of multipart uploads begun and neither completed nor aborted.
    pub fn uploads_in_progress(&self) -> Vec<String> {
        let (status, body) = s3_http(&self.endpoint, "GET", &format!("/{}?uploads", self.name));
        assert_eq!(status, 200, "listing uploads of {}: {body}", self.name);
        xml_values(&body, "Key")
    }

    /// One object's bytes.
    pub fn object(&self, key: &str) -> Vec<u8> {
        let (status, body) = s3_bytes(&self.endpoint, "GET", &format!("/{}/{key}", self.name));
        assert_eq!(status, 200, "reading {key}");
        body
    }
}

fn uuid_like() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "{}-{nanos}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// The values of every `<tag>` element of an XML answer.
fn xml_values(xml: &str, tag: &str) -> Vec<String> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    xml.split(&open)
        .skip(1)
        .filter_map(|rest| rest.split_once(&close).map(|(value, _)| value.to_owned()))
        .collect()
}

/// An HTTP/1.0 request to the test S3 server as the bucket's owner (moto takes a request with
/// any AWS signature as its owner's, without checking it): status and body as text.
fn s3_http(endpoint: &str, method: &str, path: &str) -> (u16, String) {
    let (status, body) = s3_bytes(endpoint, method, path);
    (status, String::from_utf8_lossy(&body).into_owned())
}

fn s3_bytes(endpoint: &str, method: &str, path: &str) -> (u16, Vec<u8>) {
    use std::io::{Read, Write};
    let host = endpoint
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let mut stream = std::net::TcpStream::connect(&host).expect("the S3 server answers");
    write!(
        stream,
        "{method} {path} HTTP/1.0\r\nHost: {host}\r\nContent-Length: 0\r\n\
         Authorization: AWS4-HMAC-SHA256 Credential=writ-test/20260101/us-east-1/s3/aws4_request, \
         SignedHeaders=host, Signature=0\r\n\r\n"
    )
    .unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    let split = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("an HTTP answer");
    let head = String::from_utf8_lossy(&answer[..split]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, answer[split + 4..].to_vec())
}

impl Site {
    /// On the test database server (`WRIT_TEST_DATABASE_URL`), else on a SQLite file.
    pub fn new() -> Site {
        Site::on(std::env::var("WRIT_TEST_DATABASE_URL").ok().as_deref())
    }

    /// On a fresh database of the PostgreSQL server `postgres` names, or on a SQLite file.
    pub fn on(postgres: Option<&str>) -> Site {
        let dir = tempfile::tempdir().expect("temp dir");
        let (url, pg) = match postgres {
            Some(base) => {
                let (url, database) = fresh_postgres(base);
                (url, Some(database))
            }
            None => (
                format!("sqlite://{}", dir.path().join("writ.db").display()),
                None,
            ),
        };
        Site {
            url,
            dir,
            _pg: pg,
            bucket: None,
        }
    }

    /// As [`Site::new`], with its instances as on machines of their own: they share the database
    /// and one S3 bucket, and no directory (each has its own data and mail directory; the
    /// master key is a setting).
    pub fn apart() -> Site {
        let mut site = Site::new();
        site.bucket = Some(Bucket::fresh());
        site
    }

    /// The bucket's keys of stored files (without the site's prefix).
    pub fn stored_keys(&self) -> Vec<String> {
        let bucket = self.bucket.as_ref().expect("a site apart");
        bucket
            .keys()
            .into_iter()
            .filter_map(|k| {
                k.strip_prefix(&format!("{BUCKET_PREFIX}/"))
                    .map(str::to_owned)
            })
            .collect()
    }

    pub fn is_postgres(&self) -> bool {
        self.url.starts_with("postgres")
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("var")
    }

    pub fn mail_dir(&self) -> PathBuf {
        self.dir.path().join("mail")
    }

    /// Where a local SMTP server (see [`SmtpServer`]) delivers this site's mail.
    pub fn maildir(&self) -> PathBuf {
        self.dir.path().join("maildir")
    }

    pub fn documents_dir(&self) -> PathBuf {
        self.data_dir().join("documents")
    }

    /// The environment every `writ` process of this site runs with.
    pub fn env(&self) -> Vec<(String, String)> {
        let mut env = self.bucket_env();
        env.extend([
            ("WRIT_DATABASE_URL".into(), self.url.clone()),
            (
                "WRIT_DATA_DIR".into(),
                self.data_dir().display().to_string(),
            ),
            (
                "WRIT_MAIL_DIR".into(),
                self.mail_dir().display().to_string(),
            ),
        ]);
        env
    }

    /// The storage settings of a site apart (none otherwise).
    fn bucket_env(&self) -> Vec<(String, String)> {
        let Some(bucket) = &self.bucket else {
            return Vec::new();
        };
        [
            (
                "WRIT_STORAGE_URL",
                format!("s3://{}/{BUCKET_PREFIX}", bucket.name),
            ),
            ("WRIT_S3_ENDPOINT", bucket.endpoint.clone()),
            ("WRIT_S3_REGION", "us-east-1".into()),
            ("WRIT_S3_ACCESS_KEY_ID", "writ-test".into()),
            ("WRIT_S3_SECRET_ACCESS_KEY", "writ-test-secret".into()),
            // No shared key file: every instance is given the key.
            (
                "WRIT_MASTER_KEY",
                "d3JpdC10ZXN0LW1hc3Rlci1rZXktMzItYnl0ZXMhISE=".into(),
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    }

    /// The directories of an instance apart on `port` (see [`Site::apart`]).
    fn instance_env(&self, port: u16) -> Vec<(String, String)> {
        if self.bucket.is_none() {
            return Vec::new();
        }
        let own = self.dir.path().join("instances").join(port.to_string());
        vec![
            (
                "WRIT_DATA_DIR".into(),
                own.join("var").display().to_string(),
            ),
            (
                "WRIT_MAIL_DIR".into(),
                own.join("mail").display().to_string(),
            ),
        ]
    }

    /// Runs `writ ARGS` to completion against this site; returns (success, stdout + stderr).
    pub fn writ(&self, args: &[&str]) -> (bool, String) {
        // From the site's own directory, outside the checkout: the binary carries what it needs.
        let output = Command::new(env!("CARGO_BIN_EXE_writ"))
            .current_dir(self.dir.path())
            .args(args)
            .envs(self.env())
            .output()
            .expect("run writ");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        (output.status.success(), text)
    }

    /// A member of staff made with `writ staff add`, as an operator would.
    pub fn staff(&self, email: &str, role: &str) -> StaffAccount {
        let (ok, out) = self.writ(&[
            "staff",
            "add",
            "--email",
            email,
            "--name",
            "Test Staff",
            "--role",
            role,
            "--title",
            "Custodian of Records",
        ]);
        assert!(ok, "writ staff add: {out}");
        let password = out
            .lines()
            .find_map(|l| l.strip_prefix("initial password: "))
            .expect("a password")
            .trim()
            .to_owned();
        let secret = out
            .split("secret=")
            .nth(1)
            .expect("an otpauth URI")
            .split(['&', '\n'])
            .next()
            .unwrap()
            .to_owned();
        StaffAccount {
            email: email.into(),
            password,
            secret,
        }
    }

    /// `SELECT COUNT(*) FROM {from}`, asked of the site's database directly.
    pub fn count(&self, from: &str) -> i64 {
        count_in(&self.url, from)
    }

    /// Runs one SQL statement on the site's database.
    pub fn sql(&self, statement: &str) {
        use diesel::prelude::*;
        with_conn(&self.url, |conn| {
            diesel::sql_query(statement).execute(conn).expect(statement)
        });
    }

    /// `SELECT id FROM {from}` (text ids), asked of the site's database directly.
    pub fn ids(&self, from: &str) -> Vec<String> {
        use diesel::prelude::*;
        #[derive(QueryableByName)]
        struct Id {
            #[diesel(sql_type = diesel::sql_types::Text)]
            id: String,
        }
        with_conn(&self.url, |conn| {
            diesel::sql_query(format!("SELECT id FROM {from}"))
                .load::<Id>(conn)
                .expect(from)
        })
        .into_iter()
        .map(|row| row.id)
        .collect()
    }

    /// Every message sent so far, oldest first: files of the mail directory, then whatever the
    /// local SMTP server delivered.
    pub fn mailbox(&self) -> Vec<Mail> {
        site_mail(self.dir.path())
    }

    /// Waits (up to a minute) until `wanted` holds of the mailbox; returns the mailbox.
    pub fn wait_for_mail(&self, wanted: impl Fn(&[Mail]) -> bool) -> Vec<Mail> {
        wait_for(Duration::from_secs(60), "the expected mail", || {
            let mail = self.mailbox();
            wanted(&mail).then_some(mail)
        })
    }
}

/// `SELECT COUNT(*) FROM {from}` in the database at `url`.
pub fn count_in(url: &str, from: &str) -> i64 {
    use diesel::prelude::*;
    with_conn(url, |conn| {
        diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {from}"))
            .get_result::<super::Count>(conn)
            .expect(from)
            .n
    })
}

/// Runs `work` on a connection of its own to the database at `url` (the servers hold theirs).
fn with_conn<T>(url: &str, work: impl FnOnce(&mut writ::db::DbConn) -> T) -> T {
    let db = writ::db::Db::connect(url, 1).expect("connect");
    let mut conn = db.get().expect("connection");
    work(&mut conn)
}

/// The mail of the site whose directory is `dir` (see [`Site::mailbox`]): its own mail
/// directory and its instances' (a site apart), oldest first, then the SMTP server's.
pub fn site_mail(dir: &Path) -> Vec<Mail> {
    let mut dirs = vec![dir.join("mail")];
    if let Ok(instances) = std::fs::read_dir(dir.join("instances")) {
        dirs.extend(
            instances
                .filter_map(Result::ok)
                .map(|e| e.path().join("mail")),
        );
    }
    let mut mail = read_mail_dirs(&dirs, "eml");
    mail.extend(read_mail_dir(&dir.join("maildir").join("new"), ""));
    mail
}

/// How many receipts ("Request LE-… received") each reference got.
pub fn receipts(mail: &[Mail]) -> std::collections::HashMap<String, usize> {
    let mut seen = std::collections::HashMap::new();
    for mail in mail.iter().filter(|m| m.subject.ends_with("received")) {
        if let Some(reference) = mail.subject.split_whitespace().nth(1) {
            *seen.entry(reference.to_owned()).or_insert(0) += 1;
        }
    }
    seen
}

fn sign_in_codes(mail: &[Mail], email: &str) -> Vec<String> {
    mail.iter()
        .filter(|m| m.to.contains(email) && m.subject.starts_with("Your Writ sign-in code"))
        .map(|m| m.subject.rsplit(' ').next().unwrap().to_owned())
        .collect()
}

/// Messages in `dir` (or its Maildir `new/`) whose names end with `ext`, oldest first.
pub fn read_mail_dir(dir: &Path, ext: &str) -> Vec<Mail> {
    read_mail_dirs(&[dir.to_owned()], ext)
}

/// As [`read_mail_dir`], over several directories, oldest first across all.
pub fn read_mail_dirs(dirs: &[PathBuf], ext: &str) -> Vec<Mail> {
    let mut files: Vec<(std::time::SystemTime, PathBuf)> = dirs
        .iter()
        .filter_map(|dir| std::fs::read_dir(dir).ok())
        .flat_map(|d| {
            d.filter_map(Result::ok)
                .filter(|e| ext.is_empty() || e.path().extension().is_some_and(|x| x == ext))
                .map(|e| {
                    let at = e.metadata().and_then(|m| m.modified());
                    (at.unwrap_or(std::time::UNIX_EPOCH), e.path())
                })
        })
        .collect();
    files.sort();
    files
        .into_iter()
        .filter_map(|(_, p)| std::fs::read_to_string(p).ok())
        .map(|raw| parse_eml(&raw))
        .collect()
}

/// Polls `probe` every 100 ms until it gives a value; panics naming `what` after `limit`.
pub fn wait_for<T>(limit: Duration, what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(value) = probe() {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A real SMTP server (Debian's python3-aiosmtpd) delivering into a Maildir.
pub struct SmtpServer {
    child: Child,
}

impl SmtpServer {
    pub fn start(port: u16, maildir: &Path) -> SmtpServer {
        let child = Command::new("/usr/bin/python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3-aiosmtpd is installed (bash .ci/run installs it)");
        wait_for(
            Duration::from_secs(15),
            "the SMTP server (is python3-aiosmtpd installed?)",
            || std::net::TcpStream::connect(("127.0.0.1", port)).ok(),
        );
        SmtpServer { child }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One `writ serve` process. Killed (SIGKILL) when dropped; its output is kept in `log`.
pub struct Server {
    child: Child,
    pub port: u16,
    pub log: PathBuf,
    /// The host its public URL names.
    host: &'static str,
}

impl Server {
    /// Starts an instance on a free port and waits until `/health` answers.
    pub fn start(site: &Site, extra: &[(&str, &str)]) -> Server {
        Server::start_as(site, "127.0.0.1", extra)
    }

    /// As `start`, with the public URL at `localhost`: a domain name, which passkeys need.
    pub fn start_on_localhost(site: &Site, extra: &[(&str, &str)]) -> Server {
        Server::start_as(site, "localhost", extra)
    }

    fn start_as(site: &Site, host: &'static str, extra: &[(&str, &str)]) -> Server {
        let port = free_port();
        let log = site.dir.path().join(format!("serve-{port}.log"));
        let out = std::fs::File::create(&log).expect("log file");
        let child = Command::new(env!("CARGO_BIN_EXE_writ"))
            .current_dir(site.dir.path())
            .arg("serve")
            .envs(site.env())
            .envs(site.instance_env(port))
            .env("WRIT_PORT", port.to_string())
            .env("WRIT_PUBLIC_URL", format!("http://{host}:{port}"))
            .envs(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())))
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .stdin(Stdio::null())
            .spawn()
            .expect("start writ serve");
        let mut server = Server {
            child,
            port,
            log,
            host,
        };
        server.wait_until_up();
        server
    }

    fn wait_until_up(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("writ serve exited ({status}): {}", self.log_text());
            }
            if health_ok(self.port) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "writ serve did not come up: {}",
                self.log_text()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    pub fn base(&self) -> String {
        format!("http://{}:{}", self.host, self.port)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base())
    }

    /// `kill -9`: no shutdown, no flushing, no goodbye.
    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// Whether `/health` on `port` answers 200, asked over a plain socket (the tests' HTTP client is
/// async, and this runs between blocking waits).
fn health_ok(port: u16) -> bool {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let mut answer = String::new();
    stream
        .write_all(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .is_ok()
        && stream.read_to_string(&mut answer).is_ok()
        && answer.starts_with("HTTP/1.1 200")
}

/// An HTTP client for one person; keeps their cookies across every instance of the site.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(120))
        .build()
        .unwrap()
}

pub async fn post_json(
    client: &reqwest::Client,
    url: &str,
    body: Value,
    token: Option<&str>,
) -> (StatusCode, Value) {
    let mut request = client.post(url).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

pub async fn get_json(client: &reqwest::Client, url: &str, token: &str) -> (StatusCode, Value) {
    let response = client
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .expect("the server answers");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Signs an officer in through the API of `server` (code from the shared mailbox), completes the
/// profile, and returns the bearer token.
pub async fn officer(site: &Site, server: &Server, email: &str) -> String {
    let client = browser();
    let codes_before = sign_in_codes(&site.mailbox(), email).len();
    let (status, challenge) = post_json(
        &client,
        &server.url("/api/v1/auth/email"),
        json!({ "email": email, "track": "agency" }),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{challenge}");
    let code = next_code(site, email, codes_before).await;
    let totp = next_totp(site, email).await;
    let (status, body) = post_json(
        &client,
        &server.url("/api/v1/auth/verify"),
        json!({ "challenge": challenge["challenge"], "code": code, "totp": totp }),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let token = body["token"].as_str().unwrap().to_owned();
    let response = client
        .put(server.url("/api/v1/profile"))
        .bearer_auth(&token)
        .json(&profile())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    if totp.is_none() {
        enrol(site, server, email, &token).await;
    }
    token
}

/// Officers' authenticator apps in these tests: each address's secret and last step shown.
static FACTORS: std::sync::LazyLock<super::Factors> = std::sync::LazyLock::new(Default::default);

/// Sets up an authenticator app for the officer of `token` through the API of `server`.
pub async fn enrol(site: &Site, server: &Server, email: &str, token: &str) {
    let client = browser();
    let (status, started) = post_json(
        &client,
        &server.url("/api/v1/auth/second-factor/totp"),
        json!({}),
        Some(token),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{started}");
    FACTORS.lock().unwrap().insert(
        factor_key(site, email),
        (started["secret"].as_str().unwrap().to_owned(), 0),
    );
    let code = next_totp(site, email).await.unwrap();
    let (status, body) = post_json(
        &client,
        &server.url("/api/v1/auth/second-factor/totp/confirm"),
        json!({ "code": code }),
        Some(token),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// Sites share a test binary: an address's authenticator belongs to one site.
fn factor_key(site: &Site, email: &str) -> String {
    format!("{}|{email}", site.dir.path().display())
}

/// The next code of the authenticator of `email` on `site` (each step is good once).
pub async fn next_totp(site: &Site, email: &str) -> Option<String> {
    super::next_totp_code(&FACTORS, &factor_key(site, email)).await
}

/// The CSRF token of the first form on `page`.
pub async fn csrf_from(client: &reqwest::Client, url: &str) -> String {
    let page = client.get(url).send().await.unwrap().text().await.unwrap();
    super::csrf_of(&page)
}

/// The sign-in code after the first `codes_before` sent to `email`, once the outbox has sent it
/// (waited for off the runtime's threads).
async fn next_code(site: &Site, email: &str, codes_before: usize) -> String {
    let (dir, email) = (site.dir.path().to_owned(), email.to_owned());
    rocket::tokio::task::spawn_blocking(move || {
        wait_for(Duration::from_secs(60), "the sign-in code", || {
            sign_in_codes(&site_mail(&dir), &email)
                .get(codes_before)
                .cloned()
        })
    })
    .await
    .unwrap()
}

/// Signs `client` in on the agency pages of `server` with the code from the mail; returns the
/// browser's CSRF token.
pub async fn page_sign_in(
    site: &Site,
    server: &Server,
    client: &reqwest::Client,
    email: &str,
) -> String {
    page_sign_in_across(site, server, server, client, email).await
}

/// The same, with the code asked for on `ask` and entered on `enter` (two instances of a site
/// behind a load balancer).
pub async fn page_sign_in_across(
    site: &Site,
    ask: &Server,
    enter: &Server,
    client: &reqwest::Client,
    email: &str,
) -> String {
    let codes_before = sign_in_codes(&site.mailbox(), email).len();
    let csrf = csrf_from(client, &ask.url("/agency")).await;
    let response = client
        .post(ask.url("/agency/sign-in"))
        .form(&[("email", email), ("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let code = next_code(site, email, codes_before).await;
    let response = client
        .post(enter.url("/agency/code"))
        .form(&[("code", code.as_str()), ("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "the code signs in"
    );
    let next = response
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned());
    if next.as_deref() == Some("/agency/second-factor") {
        let totp = next_totp(site, email).await.expect("an authenticator");
        let response = client
            .post(enter.url("/agency/second-factor"))
            .form(&[("totp", totp.as_str()), ("csrf", &csrf)])
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "the second factor signs in"
        );
    }
    csrf
}

/// Moves case `reference` to `to` through the staff API, as the bearer of `token`.
pub async fn transition(server: &Server, token: &str, reference: &str, to: &str) {
    let url = server.url(&format!("/api/v1/staff/cases/{reference}/transition"));
    let body = json!({ "to": to, "reason": "In scope." });
    let (status, answer) = post_json(&browser(), &url, body, Some(token)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
}

/// Files `request` with one PDF through the API; returns the status and the answer.
pub async fn submit(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    request: &Value,
) -> Result<(StatusCode, Value), reqwest::Error> {
    let form = Form::new().text("request", request.to_string()).part(
        "documents",
        FormPart::bytes(PDF)
            .file_name("subpoena.pdf")
            .mime_str("application/pdf")?,
    );
    let response = client
        .post(format!("{base}/api/v1/requests"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await?;
    let status = response.status();
    Ok((status, response.json().await.unwrap_or(Value::Null)))
}

/// Signs staff in through the API of `server`; returns the bearer token.
pub async fn staff_token(server: &Server, account: &StaffAccount) -> String {
    let (status, body) = post_json(
        &browser(),
        &server.url("/api/v1/staff/login"),
        json!({ "email": account.email, "password": account.password, "totp": account.code(0) }),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["token"].as_str().unwrap().to_owned()
}
