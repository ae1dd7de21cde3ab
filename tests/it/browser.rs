//! The whole path in a real browser (Debian's headless Chromium, driven through chromedriver):
//! an officer signs in with the code from the mail, files a subpoena with its PDF, a legal
//! reviewer takes, approves, attaches the production and seals the bundle, the officer downloads
//! it, and `writ verify` accepts it. Every page is kept as a PNG in `target/e2e/`.

use crate::common;
use crate::common::tools::needs;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::live::{free_port, site_mail, wait_for, Server, Site};
use common::PDF;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

/// chromedriver on a free port, killed when dropped.
struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    fn start() -> Driver {
        let port = free_port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver is installed (bash .ci/run installs chromium-driver)");
        wait_for(Duration::from_secs(20), "chromedriver", || {
            std::net::TcpStream::connect(("127.0.0.1", port)).ok()
        });
        Driver { child, port }
    }

    async fn browser(&self) -> Client {
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": "/usr/bin/chromium",
                "args": ["--headless", "--no-sandbox", "--disable-gpu",
                         "--disable-background-networking", "--disable-dev-shm-usage",
                         "--window-size=1280,1400"]
            }),
        );
        ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .expect("a Chromium session")
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Where the screenshots go: `target/e2e/`, kept by CI as artifacts.
fn shots() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/e2e");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn shot(browser: &Client, name: &str) {
    let png = browser.screenshot().await.unwrap();
    std::fs::write(shots().join(format!("{name}.png")), png).unwrap();
}

/// The page at a phone's width (390 px): a screenshot, and no sideways scrolling.
async fn narrow_shot(browser: &Client, name: &str) {
    browser.set_window_size(390, 900).await.unwrap();
    shot(browser, name).await;
    let fits = browser
        .execute(
            "return document.documentElement.scrollWidth <= window.innerWidth;",
            vec![],
        )
        .await
        .unwrap();
    let wide = browser
        .execute(
            "return [...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).join(' | ');",
            vec![],
        )
        .await
        .unwrap();
    browser.set_window_size(1280, 1400).await.unwrap();
    assert_eq!(
        fits,
        serde_json::Value::Bool(true),
        "{name} scrolls sideways at 390 px: {wide}"
    );
}

async fn fill(browser: &Client, css: &str, text: &str) {
    let field = browser.find(Locator::Css(css)).await.expect(css);
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

/// Gives a file input the file at `path`, as choosing it in the file dialog would.
async fn attach(browser: &Client, css: &str, path: &Path) {
    browser
        .find(Locator::Css(css))
        .await
        .expect(css)
        .send_keys(path.to_str().unwrap())
        .await
        .unwrap();
}

async fn choose(browser: &Client, css: &str, value: &str) {
    browser
        .find(Locator::Css(css))
        .await
        .expect(css)
        .select_by_value(value)
        .await
        .unwrap();
}

async fn click(browser: &Client, css: &str) {
    browser
        .find(Locator::Css(css))
        .await
        .expect(css)
        .click()
        .await
        .unwrap();
}

/// Clicks a button that sends a form, and waits until the next page has loaded.
async fn send(browser: &Client, css: &str) {
    let old = browser.find(Locator::Css("html")).await.unwrap();
    click(browser, css).await;
    for _ in 0..300 {
        if old.tag_name().await.is_err() {
            let ready = browser
                .execute("return document.readyState;", vec![])
                .await
                .unwrap();
            if ready == "complete" {
                return;
            }
        }
        rocket::tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{css}: no new page after 15 s");
}

/// Sets a date field's value (typing into Chromium's date widget depends on the locale).
async fn date(browser: &Client, id: &str, value: &str) {
    browser
        .execute(
            "document.getElementById(arguments[0]).value = arguments[1];",
            vec![json!(id), json!(value)],
        )
        .await
        .unwrap();
}

/// A site whose registry is the real .gov list (so `fbi.gov` is known).
fn site_with_registry() -> Site {
    let site = Site::new();
    let registry =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/dotgov/current-full.csv");
    let (ok, out) = site.writ(&[
        "registry",
        "import",
        "--format",
        "dotgov",
        registry.to_str().unwrap(),
    ]);
    assert!(ok, "{out}");
    site
}

/// An FBI agent's profile, as the officer types it on first sign-in.
async fn fill_profile(officer: &Client) {
    fill(officer, "#name", "Jane Doe").await;
    fill(officer, "#title", "Special Agent").await;
    fill(officer, "#badge_number", "FBI-4471").await;
    fill(officer, "#agency_name", "Federal Bureau of Investigation").await;
    choose(officer, "#agency_function", "law_enforcement").await;
    choose(officer, "#country", "US").await;
    fill(officer, "#phone", "+1 202 555 0100").await;
}

/// Signs in on the agency pages with the newest code mailed to `email`; the path it leads to.
/// The sign-in code mailed to `email` after the first `before` messages of the site.
fn mailed_code(site: &Site, before: usize, email: &str) -> String {
    let dir = site.dir.path().to_owned();
    wait_for(Duration::from_secs(30), "the code e-mail", || {
        site_mail(&dir)
            .into_iter()
            .skip(before)
            .find(|m| m.to.contains(email) && m.subject.starts_with("Your Writ sign-in code"))
            .map(|m| m.subject.rsplit(' ').next().unwrap().to_owned())
    })
}

async fn sign_in_with_mailed_code(
    browser: &Client,
    site: &Site,
    server: &Server,
    email: &str,
) -> String {
    let before = site_mail(site.dir.path()).len();
    browser.goto(&server.url("/agency")).await.unwrap();
    fill(browser, "#email", email).await;
    send(browser, "form button[type=submit]").await;
    let code = mailed_code(site, before, email);
    fill(browser, "#code", &code).await;
    send(browser, "form button[type=submit]").await;
    path(browser).await
}

/// WebDriver's `Add Virtual Authenticator` (Web Authentication, §11.3): a platform passkey
/// authenticator that verifies the user and consents without a prompt.
#[derive(Debug)]
struct AddVirtualAuthenticator;

impl fantoccini::wd::WebDriverCompatibleCommand for AddVirtualAuthenticator {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/webauthn/authenticator",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (reqwest::Method, Option<String>) {
        let options = json!({
            "protocol": "ctap2",
            "transport": "internal",
            "hasResidentKey": true,
            "hasUserVerification": true,
            "isUserConsenting": true,
            "isUserVerified": true,
        });
        (reqwest::Method::POST, Some(options.to_string()))
    }
}

async fn text(browser: &Client) -> String {
    browser
        .find(Locator::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn path(browser: &Client) -> String {
    browser.current_url().await.unwrap().path().to_owned()
}

#[rocket::async_test]
async fn an_officer_files_legal_seals_and_the_officer_verifies_the_bundle_in_a_browser() {
    needs!(Chromium);
    let site = site_with_registry();
    let reviewer = site.staff("lee@writ.example", "legal");
    let server = Server::start(&site, &[]);
    let driver = Driver::start();
    let work = tempfile::tempdir().unwrap();
    let subpoena = work.path().join("subpoena.pdf");
    std::fs::write(&subpoena, PDF).unwrap();

    // The officer signs in with the code from the mail.
    let officer = driver.browser().await;
    officer.goto(&server.url("/agency/guide")).await.unwrap();
    assert!(text(&officer)
        .await
        .contains("Which instrument reaches what"));
    shot(&officer, "00-agency-guide").await;
    narrow_shot(&officer, "00-agency-guide-390").await;
    officer.goto(&server.url("/agency")).await.unwrap();
    shot(&officer, "01-agency-sign-in").await;
    fill(&officer, "#email", "j.doe@fbi.gov").await;
    send(&officer, "form button[type=submit]").await;
    assert_eq!(path(&officer).await, "/agency/code");
    shot(&officer, "02-agency-code").await;
    let code = mailed_code(&site, 0, "j.doe@fbi.gov");
    fill(&officer, "#code", &code).await;
    send(&officer, "form button[type=submit]").await;

    // First visit: the profile.
    assert_eq!(path(&officer).await, "/agency/profile");
    fill_profile(&officer).await;
    shot(&officer, "03-agency-profile").await;
    send(&officer, "form .actions button[type=submit]").await;

    // Next, the second factor: the key the page shows goes into an authenticator app.
    assert_eq!(path(&officer).await, "/agency/security");
    shot(&officer, "03a-agency-security").await;
    send(&officer, "main form button[type=submit]").await;
    let secret = officer
        .find(Locator::Css("#totp-secret"))
        .await
        .expect("the key")
        .text()
        .await
        .unwrap();
    shot(&officer, "03b-agency-totp-key").await;
    narrow_shot(&officer, "03b-agency-totp-key-390").await;
    let now = chrono::Utc::now().timestamp() as u64;
    fill(
        &officer,
        "#totp",
        &writ::crypto::totp::code_at(&secret, now).unwrap(),
    )
    .await;
    send(
        &officer,
        "form[action='/agency/security/totp/confirm'] button[type=submit]",
    )
    .await;
    assert!(
        text(&officer).await.contains("Second factor set up"),
        "{}",
        text(&officer).await
    );
    shot(&officer, "03c-agency-security-done").await;

    // The request, with its PDF.
    officer
        .goto(&server.url("/agency/requests/new"))
        .await
        .unwrap();
    // Issue 19, item 9: the type first; the form then has only that type's parts.
    shot(&officer, "04-0-agency-request-type").await;
    narrow_shot(&officer, "04-0-agency-request-type-390").await;
    click(&officer, "input[name=type][value=disclosure]").await;
    send(&officer, "form[method=get] .actions button").await;
    assert!(
        text(&officer)
            .await
            .contains("Type of request: Disclosure of records"),
        "{}",
        text(&officer).await
    );
    assert!(officer
        .find(Locator::Css("#emergency-nature"))
        .await
        .is_err());
    choose(&officer, "#instrument-kind", "subpoena").await;
    fill(&officer, "#instrument-reference", "GJ-2026-114").await;
    fill(
        &officer,
        "#instrument-authority",
        "US District Court, S.D.N.Y., Grand Jury",
    )
    .await;
    date(&officer, "instrument-issued", "2026-11-01").await;
    choose(&officer, "#t0-kind", "email").await;
    fill(&officer, "#t0-value", "alice@example.com").await;
    choose(&officer, "#t0-role", "suspect").await;
    click(
        &officer,
        "input[name=data_categories][value=subscriber_info]",
    )
    .await;
    date(&officer, "records-from", "2025-01-01").await;
    date(&officer, "records-to", "2026-10-31").await;
    fill(
        &officer,
        "#summary",
        "Investment fraud; the suspect received victims' funds.",
    )
    .await;
    // A pasted list with a line it cannot read: the line stays, with its message; the rest of
    // the form comes back as typed (it was saved as a draft).
    click(&officer, "details.paste summary").await;
    fill(
        &officer,
        "#targets-paste",
        "bank_account,GB29NWBK60161331926819",
    )
    .await;
    send(&officer, "details.paste button[value=import_targets]").await;
    let beside = officer
        .find(Locator::Css("#targets_paste-error"))
        .await
        .expect("the message beside the list")
        .text()
        .await
        .unwrap();
    assert!(
        beside.starts_with("Line 1: “bank_account” is not a kind of target"),
        "{beside}"
    );
    assert!(text(&officer).await.contains("Your draft was saved"));
    let kept = officer
        .find(Locator::Css("#t0-value"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(kept.as_deref(), Some("alice@example.com"));
    shot(&officer, "04-1-agency-target-list-refused").await;
    narrow_shot(&officer, "04-1-agency-target-list-refused-390").await;
    fill(&officer, "#targets-paste", "").await;
    // A file over the portal's limit (50 MiB) is refused beside its field before it is sent.
    let big = work.path().join("scan.pdf");
    let mut bytes = PDF.to_vec();
    bytes.resize(51 * 1024 * 1024, b' ');
    std::fs::write(&big, bytes).unwrap();
    attach(&officer, "#documents", &big).await;
    let refused = officer
        .find(Locator::Css("#documents-size"))
        .await
        .expect("the refusal beside the field")
        .text()
        .await
        .unwrap();
    assert_eq!(
        refused,
        "“scan.pdf” is 51 MiB: the portal accepts files up to 50 MiB. Nothing was sent."
    );
    shot(&officer, "04a-agency-file-too-large").await;
    // The page was drawn by the list's round, so its address is the form's action; a script
    // that stops the submission leaves the same page in place (the size notice stays).
    click(&officer, ".actions button[value=submit]").await;
    assert_eq!(path(&officer).await, "/agency/requests", "nothing is sent");
    assert!(
        officer.find(Locator::Css("#documents-size")).await.is_ok(),
        "still the page with the refusal"
    );
    officer
        .execute(
            "const f = document.querySelector('#documents'); f.value = ''; f.dispatchEvent(new Event('change'));",
            vec![],
        )
        .await
        .unwrap();
    assert!(officer.find(Locator::Css("#documents-size")).await.is_err());
    attach(&officer, "#documents", &subpoena).await;
    shot(&officer, "04-agency-new-request").await;
    narrow_shot(&officer, "04-agency-new-request-390").await;
    send(&officer, ".actions button[value=submit]").await;
    if officer
        .find(Locator::Css("input[name=confirm]"))
        .await
        .is_ok()
    {
        // The checks found something to show first; the officer has read it and files anyway.
        shot(&officer, "05-agency-findings").await;
        click(&officer, "input[name=confirm]").await;
        send(&officer, ".actions button[value=submit]").await;
    }
    let case_path = path(&officer).await;
    assert!(case_path.starts_with("/agency/requests/LE-"), "{case_path}");
    let reference = case_path.rsplit('/').next().unwrap().to_owned();
    let page = text(&officer).await;
    assert!(
        page.contains(&reference) && page.contains("subpoena.pdf"),
        "{page}"
    );
    shot(&officer, "06-agency-case-filed").await;

    // The legal reviewer signs in, takes the case, approves it, attaches and seals.
    let legal = driver.browser().await;
    legal.goto(&server.url("/staff")).await.unwrap();
    fill(&legal, "#email", &reviewer.email).await;
    fill(&legal, "#password", &reviewer.password).await;
    fill(&legal, "#code", &reviewer.code(0)).await;
    shot(&legal, "07-staff-sign-in").await;
    send(&legal, "form button[type=submit]").await;
    legal.goto(&server.url("/staff/queue")).await.unwrap();
    assert!(text(&legal).await.contains(&reference));
    shot(&legal, "08-staff-queue").await;
    narrow_shot(&legal, "08-staff-queue-390").await;
    // The cases themselves, at that width: one block of labelled lines each.
    legal.set_window_size(390, 900).await.unwrap();
    legal
        .execute(
            "document.querySelector('table.queue').scrollIntoView()",
            vec![],
        )
        .await
        .unwrap();
    shot(&legal, "08-staff-queue-390-cases").await;
    legal.set_window_size(1280, 1400).await.unwrap();
    // The search takes the reference as typed, in lower case.
    fill(&legal, "#q", &reference.to_lowercase()).await;
    send(&legal, "form.filters button[type=submit]").await;
    assert!(text(&legal).await.contains(&reference));
    shot(&legal, "08b-staff-queue-search").await;
    legal
        .goto(&server.url(&format!("/staff/cases/{reference}")))
        .await
        .unwrap();
    shot(&legal, "09-staff-case").await;
    narrow_shot(&legal, "09-staff-case-390").await;
    send(
        &legal,
        "form.action input[name=to][value=in_review] ~ button",
    )
    .await;
    if legal.find(Locator::Css("#reason-approved")).await.is_ok() {
        fill(
            &legal,
            "#reason-approved",
            "Valid grand-jury subpoena, in scope.",
        )
        .await;
    }
    send(
        &legal,
        "form.action input[name=to][value=approved] ~ button",
    )
    .await;
    // The decision asks once more, on a page of its own.
    assert!(text(&legal)
        .await
        .contains(&format!("Approve {reference}?")));
    shot(&legal, "09b-staff-confirm-approval").await;
    narrow_shot(&legal, "09b-staff-confirm-approval-390").await;
    send(&legal, ".confirm-actions button").await;
    let approved = text(&legal).await;
    assert!(
        approved.contains("The case is now “Approved”"),
        "{approved}"
    );
    let records = work.path().join("subscriber export.csv");
    std::fs::write(&records, "uid,email\n1001,alice@example.com\n").unwrap();
    choose(&legal, "#production-category", "records").await;
    attach(&legal, "#production-files", &records).await;
    send(&legal, "form[action$='/production'] button").await;
    assert!(text(&legal).await.contains("subscriber export.csv"));
    shot(&legal, "10-staff-production").await;
    send(&legal, "form[action$='/bundles'] button").await;
    let confirm = text(&legal).await;
    assert!(
        confirm.contains("Seal bundle 1?") && confirm.contains("subscriber export.csv"),
        "{confirm}"
    );
    shot(&legal, "10b-staff-confirm-seal").await;
    send(&legal, ".confirm-actions button").await;
    let sealed = text(&legal).await;
    assert!(sealed.contains(&format!("{reference}-1")), "{sealed}");
    shot(&legal, "11-staff-sealed").await;
    narrow_shot(&legal, "11-staff-sealed-390").await;
    legal.goto(&server.url("/staff/account")).await.unwrap();
    let account = text(&legal).await;
    assert!(account.contains("Custodian of records"), "{account}");
    shot(&legal, "11b-staff-account").await;
    narrow_shot(&legal, "11b-staff-account-390").await;
    for (page, name) in [
        ("/staff/overview", "11c-staff-overview"),
        ("/staff/ndo", "11d-staff-ndo"),
    ] {
        legal.goto(&server.url(page)).await.unwrap();
        shot(&legal, name).await;
        narrow_shot(&legal, &format!("{name}-390")).await;
    }

    // An admin reads the audit log: cases linked, people named, filters and exports.
    let admin = site.staff("ada@writ.example", "admin");
    let audit = driver.browser().await;
    audit.goto(&server.url("/staff")).await.unwrap();
    fill(&audit, "#email", &admin.email).await;
    fill(&audit, "#password", &admin.password).await;
    fill(&audit, "#code", &admin.code(0)).await;
    send(&audit, "form button[type=submit]").await;
    audit.goto(&server.url("/staff/admin/audit")).await.unwrap();
    let log = text(&audit).await;
    assert!(
        log.contains("j.doe@fbi.gov (officer)") && log.contains(&reference),
        "{log}"
    );
    shot(&audit, "13-staff-audit-log").await;
    narrow_shot(&audit, "13-staff-audit-log-390").await;
    fill(&audit, "#f-case", &reference).await;
    send(&audit, "form.filters button[type=submit]").await;
    shot(&audit, "13b-staff-audit-log-case").await;
    for (page, name) in [
        ("/staff/admin/agencies", "13c-staff-agencies"),
        ("/staff/admin/officers", "13d-staff-officers"),
        ("/staff/admin/staff", "13e-staff-people"),
        ("/verify", "13f-public-verify"),
    ] {
        audit.goto(&server.url(page)).await.unwrap();
        shot(&audit, name).await;
        narrow_shot(&audit, &format!("{name}-390")).await;
    }
    audit.close().await.unwrap();

    // The officer sees the bundle on the case page and downloads it with their own session.
    officer.refresh().await.unwrap();
    let link = officer
        .find(Locator::Css("a[href*='/bundles/1']"))
        .await
        .expect("the bundle link")
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    shot(&officer, "12-agency-bundle").await;
    narrow_shot(&officer, "12-agency-bundle-390").await;
    let cookies = officer
        .get_all_cookies()
        .await
        .unwrap()
        .iter()
        .map(|c| format!("{}={}", c.name(), c.value()))
        .collect::<Vec<_>>()
        .join("; ");
    let response = reqwest::Client::new()
        .get(server.url(&link))
        .header("Cookie", cookies)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    let bundle = work.path().join("bundle.zip");
    std::fs::write(&bundle, response.bytes().await.unwrap()).unwrap();
    // Checked against the keys the running platform publishes, fetched by URL.
    let keys = server.url("/.well-known/writ/signing-keys.json");
    let (ok, out) = site.writ(&["verify", bundle.to_str().unwrap(), "--keys", &keys]);
    assert!(ok && out.contains("VALID: "), "writ verify: {out}");
    assert!(out.contains("a key the platform publishes"), "{out}");

    court_walk_on_a_phone(&driver, &site, &server, work.path()).await;

    officer.close().await.unwrap();
    legal.close().await.unwrap();
    println!(
        "browser: 12 pages in target/e2e/, bundle {reference}-1 verified: {}",
        out.lines().last().unwrap_or_default()
    );
}

/// Issue 19, item 12: the court track's pages at 390 px, walked by a visitor filing a freeze:
/// the sign-in, the code, the declaration, both steps of the form, the findings, the case.
async fn court_walk_on_a_phone(driver: &Driver, site: &Site, server: &Server, work: &Path) {
    let order = work.join("ordonnance.pdf");
    std::fs::write(&order, PDF).unwrap();
    let visitor = driver.browser().await;
    visitor.goto(&server.url("/court")).await.unwrap();
    narrow_shot(&visitor, "20-court-sign-in-390").await;
    click(&visitor, "input[name=path][value=visitor]").await;
    fill(&visitor, "#email", "maria@lopez.example").await;
    let before = site_mail(site.dir.path()).len();
    send(&visitor, "form button[type=submit]").await;
    assert_eq!(path(&visitor).await, "/court/code");
    narrow_shot(&visitor, "21-court-code-390").await;
    let code = mailed_code(site, before, "maria@lopez.example");
    fill(&visitor, "#code", &code).await;
    send(&visitor, "form button[type=submit]").await;
    assert_eq!(path(&visitor).await, "/court/profile");
    narrow_shot(&visitor, "22-court-declaration-390").await;
    for (id, value) in [
        ("#name", "Maria Lopez"),
        ("#represents", "Acme Holdings SAS"),
        ("#firm", "Lopez LLP"),
        ("#bar_number", "CA-298811"),
        ("#bar_jurisdiction", "California"),
    ] {
        fill(&visitor, id, value).await;
    }
    send(&visitor, "main form .actions button[type=submit]").await;
    assert_eq!(path(&visitor).await, "/court/requests/new");
    narrow_shot(&visitor, "23-court-request-type-390").await;
    click(&visitor, "input[name=type][value=freeze]").await;
    send(&visitor, "form[method=get] .actions button").await;
    narrow_shot(&visitor, "24-court-freeze-form-390").await;
    fill(&visitor, "#court-name", "Tribunal judiciaire de Paris").await;
    choose(&visitor, "#court-country", "FR").await;
    fill(&visitor, "#court-case_number", "RG 24/01234").await;
    fill(&visitor, "#court-judge", "Mme A. Martin").await;
    date(&visitor, "court-order_date", "2026-11-02").await;
    choose(&visitor, "#instrument-kind", "freezing_order").await;
    fill(&visitor, "#t0-value", "debtor@example.com").await;
    fill(&visitor, "#a0-asset", "BTC").await;
    fill(&visitor, "#a0-amount", "all").await;
    fill(
        &visitor,
        "#freeze-reason",
        "Saisie conservatoire ordered by the court.",
    )
    .await;
    fill(&visitor, "#freeze-respondent", "M. Jean Dupont").await;
    fill(
        &visitor,
        "#summary",
        "Conservatory seizure of the debtor's assets.",
    )
    .await;
    attach(&visitor, "#documents", &order).await;
    send(&visitor, ".actions button[value=submit]").await;
    if text(&visitor).await.contains("Before you submit") {
        narrow_shot(&visitor, "25-court-findings-390").await;
        click(&visitor, "input[name=confirm]").await;
        send(&visitor, ".actions button[value=submit]").await;
    }
    let case = path(&visitor).await;
    assert!(
        case.starts_with("/court/requests/CO-"),
        "{case}: {}",
        text(&visitor).await
    );
    narrow_shot(&visitor, "26-court-case-390").await;
    visitor.goto(&server.url("/court/requests")).await.unwrap();
    narrow_shot(&visitor, "27-court-requests-390").await;
    visitor.close().await.unwrap();
}

#[rocket::async_test]
async fn an_officer_enrols_a_passkey_with_chromium_s_virtual_authenticator_and_signs_in_with_it() {
    needs!(Chromium);
    let site = site_with_registry();
    // Passkeys are bound to a domain name: this instance is reached at localhost.
    let server = Server::start_on_localhost(&site, &[]);
    let driver = Driver::start();
    let officer = driver.browser().await;
    officer
        .issue_cmd(AddVirtualAuthenticator)
        .await
        .expect("chromedriver adds a virtual authenticator");

    // First sign-in by e-mail, the profile, then the security page: add a passkey.
    let first = sign_in_with_mailed_code(&officer, &site, &server, "j.doe@fbi.gov").await;
    assert_eq!(first, "/agency/profile");
    fill_profile(&officer).await;
    send(&officer, "form .actions button[type=submit]").await;
    assert_eq!(path(&officer).await, "/agency/security");
    shot(&officer, "p1-agency-security-passkey").await;
    fill(&officer, "#passkey-name", "Work laptop").await;
    send(&officer, "#passkey-add button[type=submit]").await;
    let page = text(&officer).await;
    assert!(
        page.contains("Passkey “Work laptop” added") && page.contains("Second factor set up"),
        "{page}"
    );
    assert!(
        page.contains("This session: e-mail code and passkey (WebAuthn)"),
        "{page}"
    );
    shot(&officer, "p2-agency-passkey-added").await;
    narrow_shot(&officer, "p2-agency-passkey-added-390").await;

    // A new sign-in: the e-mailed code leads to the passkey, which signs in.
    officer.delete_all_cookies().await.unwrap();
    let second = sign_in_with_mailed_code(&officer, &site, &server, "j.doe@fbi.gov").await;
    assert_eq!(second, "/agency/second-factor");
    let page = text(&officer).await;
    assert!(page.contains("use your passkey"), "{page}");
    assert!(
        !page.contains("Authenticator code"),
        "no app is set up, so none is asked for: {page}"
    );
    shot(&officer, "p3-agency-second-factor-passkey").await;
    send(&officer, "#passkey-sign-in button[type=submit]").await;
    assert_eq!(path(&officer).await, "/agency/requests");
    officer.goto(&server.url("/agency/security")).await.unwrap();
    let page = text(&officer).await;
    assert!(
        page.contains("This session: e-mail code and passkey (WebAuthn)"),
        "{page}"
    );
    assert!(
        !page.contains("never"),
        "the passkey's last use is shown: {page}"
    );
    officer.close().await.unwrap();
}
