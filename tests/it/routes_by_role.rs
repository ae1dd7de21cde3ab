//! Walks every mounted route with every role — anonymous, agency officer, court-track
//! representative, support, legal, admin —
//! and checks who is let in. A route missing from the table below fails the test, so a new route
//! must say who may call it.

use crate::common;

use std::collections::BTreeMap;

use common::{
    csrf_of, freeze_order_request, multipart, subpoena_request, Part, StaffAccount, TestApp, PDF,
};
use rocket::http::{ContentType, Header, Method, Status};
use writ::domain::vocab::Role;

/// What a form refused for its anti-forgery token says.
const CSRF_REFUSAL: &str = "This form has expired or was sent from another site.";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Who {
    Anonymous,
    Officer,
    Representative,
    Support,
    Legal,
    Admin,
}

/// The least a caller must be. `Officer` and `Representative` routes are for the requesters of
/// one track, `Requester` for either; staff roles include the ones below them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Needs {
    Anyone,
    Officer,
    Representative,
    Requester,
    /// Anyone signed in: a requester of either track or staff.
    SignedIn,
    Staff(Who),
}

fn allowed(needs: Needs, who: Who) -> bool {
    match needs {
        Needs::Anyone => true,
        Needs::Officer => who == Who::Officer,
        Needs::Representative => who == Who::Representative,
        Needs::Requester => matches!(who, Who::Officer | Who::Representative),
        Needs::SignedIn => who != Who::Anonymous,
        Needs::Staff(least) => who >= least,
    }
}

fn table() -> BTreeMap<(&'static str, &'static str), Needs> {
    use Needs::*;
    use Who::{Admin as A, Legal as L, Support as S};
    BTreeMap::from([
        (("GET", "/"), Anyone),
        (("GET", "/health"), Anyone),
        (("GET", "/static/<path..>"), Anyone),
        (("GET", "/favicon.ico"), Anyone),
        (("GET", "/agency"), Anyone),
        (("POST", "/agency/sign-in"), Anyone),
        (("GET", "/agency/code"), Anyone),
        (("POST", "/agency/code"), Anyone),
        (("GET", "/agency/second-factor"), Anyone),
        (("POST", "/agency/second-factor"), Anyone),
        (("POST", "/agency/second-factor/passkey/options"), Anyone),
        (("POST", "/agency/second-factor/passkey"), Anyone),
        (("GET", "/agency/security"), Officer),
        (("POST", "/agency/security/totp"), Officer),
        (("POST", "/agency/security/totp/confirm"), Officer),
        (("POST", "/agency/security/passkey/options"), Officer),
        (("POST", "/agency/security/passkey"), Officer),
        (("POST", "/agency/security/passkey/verify/options"), Officer),
        (("POST", "/agency/security/passkey/verify"), Officer),
        (("POST", "/agency/security/verify"), Officer),
        (("POST", "/agency/requests/<reference>/colleagues"), Officer),
        (
            ("POST", "/court/requests/<reference>/colleagues"),
            Representative,
        ),
        (("POST", "/staff/cases/<reference>/callbacks"), Staff(L)),
        (
            ("POST", "/api/v1/staff/cases/<reference>/callbacks"),
            Staff(L),
        ),
        (("GET", "/staff/admin/officers?<q>"), Staff(A)),
        (("POST", "/staff/admin/officers/<id>/standing"), Staff(A)),
        (("POST", "/staff/admin/officers/<id>/permissions"), Staff(A)),
        (
            ("POST", "/staff/admin/officers/<id>/second-factor/remove"),
            Staff(A),
        ),
        (("POST", "/staff/admin/agencies/contacts"), Staff(A)),
        (("POST", "/api/v1/auth/second-factor/totp"), Officer),
        (("POST", "/api/v1/auth/second-factor/totp/confirm"), Officer),
        (("POST", "/api/v1/auth/second-factor/verify"), Officer),
        (("POST", "/api/v1/auth/second-factor/passkey"), Officer),
        (
            ("POST", "/api/v1/auth/second-factor/passkey/confirm"),
            Officer,
        ),
        (
            ("POST", "/api/v1/auth/second-factor/passkey/options"),
            Officer,
        ),
        (("POST", "/api/v1/auth/passkey/options"), Anyone),
        (("POST", "/api/v1/requests/<reference>/colleagues"), Officer),
        (("POST", "/agency/sign-out"), Officer),
        (("GET", "/agency/guide"), Anyone),
        (("GET", "/agency/profile"), Officer),
        (("POST", "/agency/profile"), Officer),
        (("GET", "/agency/requests?<page>"), Officer),
        (("GET", "/agency/requests/new?<query..>"), Officer),
        (("POST", "/agency/requests"), Officer),
        (("POST", "/agency/requests/draft/discard"), Officer),
        (("GET", "/agency/requests/<reference>"), Officer),
        (("POST", "/agency/requests/<reference>/messages"), Officer),
        (("POST", "/agency/requests/<reference>/withdraw"), Officer),
        (("GET", "/staff"), Anyone),
        (("POST", "/staff/sign-in"), Anyone),
        (("POST", "/staff/sign-out"), Staff(S)),
        (("GET", "/staff/password"), Staff(S)),
        (("POST", "/staff/password"), Staff(S)),
        (("GET", "/staff/account"), Staff(S)),
        (("POST", "/staff/account"), Staff(S)),
        (("GET", "/staff/admin/certificate"), Staff(A)),
        (("POST", "/staff/admin/certificate"), Staff(A)),
        (("PUT", "/api/v1/staff/me/custodian"), Staff(S)),
        (("GET", "/staff/queue?<query..>"), Staff(S)),
        (("GET", "/staff/queue.csv?<query..>"), Staff(S)),
        (("POST", "/staff/queue/assign"), Staff(L)),
        (("GET", "/staff/overview"), Staff(S)),
        (("GET", "/staff/ndo"), Staff(L)),
        (("GET", "/staff/cases/<reference>"), Staff(S)),
        (("POST", "/staff/cases/<reference>/transition"), Staff(S)),
        (("POST", "/staff/cases/<reference>/notes"), Staff(S)),
        (("POST", "/staff/cases/<reference>/checks"), Staff(S)),
        (("POST", "/staff/cases/<reference>/messages"), Staff(S)),
        (("POST", "/staff/cases/<reference>/assign"), Staff(L)),
        (("GET", "/staff/cases/<reference>/documents/<id>"), Staff(S)),
        (("POST", "/staff/cases/<reference>/preservation"), Staff(L)),
        (("POST", "/staff/cases/<reference>/freeze"), Staff(L)),
        (("POST", "/staff/cases/<reference>/user-notice"), Staff(L)),
        (
            ("POST", "/staff/cases/<reference>/enforcing-objection"),
            Staff(L),
        ),
        (
            (
                "POST",
                "/api/v1/staff/cases/<reference>/enforcing-objection",
            ),
            Staff(L),
        ),
        (
            ("POST", "/staff/cases/<reference>/freeze/release"),
            Staff(L),
        ),
        (
            ("POST", "/staff/cases/<reference>/seizure-transfers"),
            Staff(L),
        ),
        (
            ("POST", "/api/v1/staff/cases/<reference>/freeze/release"),
            Staff(L),
        ),
        (
            ("POST", "/api/v1/staff/cases/<reference>/seizure-transfers"),
            Staff(L),
        ),
        (
            ("POST", "/api/v1/staff/cases/<reference>/user-notice"),
            Staff(L),
        ),
        (("POST", "/staff/cases/<reference>/non-execution"), Staff(L)),
        (
            ("GET", "/staff/cases/<reference>/non-execution/<n>"),
            Staff(L),
        ),
        (
            ("POST", "/api/v1/staff/cases/<reference>/non-execution"),
            Staff(L),
        ),
        (
            ("GET", "/api/v1/staff/cases/<reference>/non-execution/<n>"),
            Staff(L),
        ),
        (("POST", "/agency/requests/<reference>/extension"), Officer),
        (("POST", "/api/v1/requests/<reference>/extension"), Officer),
        (
            ("POST", "/agency/requests/<reference>/production-request"),
            Officer,
        ),
        (
            ("POST", "/api/v1/requests/<reference>/production-request"),
            Officer,
        ),
        (
            ("POST", "/api/v1/staff/cases/<reference>/preservation"),
            Staff(L),
        ),
        (("POST", "/api/v1/staff/cases/<reference>/freeze"), Staff(L)),
        (("GET", "/staff/admin/agencies"), Staff(A)),
        (("POST", "/staff/admin/agencies/verify"), Staff(A)),
        (("POST", "/staff/admin/agencies/block"), Staff(A)),
        (("GET", "/staff/admin/audit?<query..>"), Staff(A)),
        (("GET", "/staff/admin/audit.csv?<query..>"), Staff(A)),
        (("GET", "/staff/admin/audit.jsonl?<query..>"), Staff(A)),
        (("GET", "/staff/admin/staff"), Staff(A)),
        (("POST", "/staff/admin/staff"), Staff(A)),
        (("POST", "/staff/admin/staff/<id>/active"), Staff(A)),
        (("GET", "/api/v1/openapi.json"), Anyone),
        (("POST", "/api/v1/auth/email"), Anyone),
        (("POST", "/api/v1/auth/verify"), Anyone),
        (("DELETE", "/api/v1/auth/token"), SignedIn),
        (("PUT", "/api/v1/profile"), Requester),
        (("POST", "/api/v1/requests"), Requester),
        (("GET", "/api/v1/requests?<page>"), Requester),
        (("GET", "/api/v1/requests/<reference>"), Requester),
        (("POST", "/api/v1/requests/<reference>/messages"), Requester),
        (("POST", "/api/v1/requests/<reference>/withdraw"), Requester),
        (("GET", "/verify"), Anyone),
        (("GET", "/staff/admin/audit/checkpoints/<seq>"), Staff(A)),
        (("POST", "/verify"), Anyone),
        (("GET", "/.well-known/writ/signing-keys.json"), Anyone),
        (("POST", "/staff/cases/<reference>/production"), Staff(L)),
        (("POST", "/staff/cases/<reference>/bundles"), Staff(L)),
        (("GET", "/staff/cases/<reference>/bundles/<n>"), Staff(L)),
        (
            ("POST", "/api/v1/staff/cases/<reference>/production"),
            Staff(L),
        ),
        (
            ("POST", "/api/v1/staff/cases/<reference>/bundles"),
            Staff(L),
        ),
        (
            ("GET", "/api/v1/staff/cases/<reference>/bundles/<n>"),
            Staff(L),
        ),
        (
            ("GET", "/api/v1/requests/<reference>/bundles/<n>"),
            Requester,
        ),
        (("GET", "/agency/requests/<reference>/bundles/<n>"), Officer),
        (
            ("GET", "/court/requests/<reference>/bundles/<n>"),
            Representative,
        ),
        (("GET", "/court"), Anyone),
        (("POST", "/court/sign-in"), Anyone),
        (("GET", "/court/code"), Anyone),
        (("POST", "/court/code"), Anyone),
        (("GET", "/court/second-factor"), Anyone),
        (("POST", "/court/second-factor"), Anyone),
        (("POST", "/court/second-factor/passkey/options"), Anyone),
        (("POST", "/court/second-factor/passkey"), Anyone),
        (("POST", "/court/sign-out"), Representative),
        (("GET", "/court/profile"), Representative),
        (("POST", "/court/profile"), Representative),
        (("GET", "/court/requests?<page>"), Representative),
        (("GET", "/court/requests/new?<query..>"), Representative),
        (("POST", "/court/requests"), Representative),
        (("POST", "/court/requests/draft/discard"), Representative),
        (("GET", "/court/requests/<reference>"), Representative),
        (
            ("POST", "/court/requests/<reference>/messages"),
            Representative,
        ),
        (
            ("POST", "/court/requests/<reference>/withdraw"),
            Representative,
        ),
        (("POST", "/api/v1/staff/login"), Anyone),
        (("GET", "/api/v1/staff/cases?<query..>"), Staff(S)),
        (("GET", "/api/v1/staff/cases/<reference>"), Staff(S)),
        (
            ("POST", "/api/v1/staff/cases/<reference>/transition"),
            Staff(S),
        ),
        (("POST", "/api/v1/staff/cases/<reference>/assign"), Staff(L)),
        (("POST", "/api/v1/staff/cases/<reference>/notes"), Staff(S)),
        (("POST", "/api/v1/staff/cases/<reference>/checks"), Staff(S)),
        (
            ("POST", "/api/v1/staff/cases/<reference>/messages"),
            Staff(S),
        ),
    ])
}

/// What a role presents: a bearer token for the API; cookies for pages are set by signing in.
async fn become_role(
    app: &TestApp,
    who: Who,
    officer_email: &str,
    representative_email: &str,
    staff: &BTreeMap<Who, StaffAccount>,
) -> Option<String> {
    let page = app
        .client
        .get("/agency")
        .dispatch()
        .await
        .into_string()
        .await
        .unwrap_or_default();
    match who {
        Who::Anonymous => None,
        Who::Officer => {
            let csrf = csrf_of(&page);
            let body = format!("email={}&csrf={csrf}", officer_email.replace('@', "%40"));
            app.client
                .post("/agency/sign-in")
                .header(ContentType::Form)
                .body(body)
                .dispatch()
                .await;
            let code = app.code_for(officer_email).await;
            app.client
                .post("/agency/code")
                .header(ContentType::Form)
                .body(format!("code={code}&csrf={csrf}"))
                .dispatch()
                .await;
            app.pass_second_factor(officer_email, &csrf).await;
            Some(app.api_sign_in(officer_email).await)
        }
        Who::Representative => {
            let csrf = csrf_of(&page);
            let body = format!(
                "path=visitor&email={}&csrf={csrf}",
                representative_email.replace('@', "%40")
            );
            app.client
                .post("/court/sign-in")
                .header(ContentType::Form)
                .body(body)
                .dispatch()
                .await;
            let code = app.code_for(representative_email).await;
            app.client
                .post("/court/code")
                .header(ContentType::Form)
                .body(format!("code={code}&csrf={csrf}"))
                .dispatch()
                .await;
            Some(app.court_sign_in(representative_email, "visitor").await)
        }
        role => {
            let account = &staff[&role];
            let page = app
                .client
                .get("/staff/password")
                .dispatch()
                .await
                .into_string()
                .await
                .unwrap_or_default();
            let csrf = if page.contains("csrf") {
                csrf_of(&page)
            } else {
                csrf_of(
                    &app.client
                        .get("/staff")
                        .dispatch()
                        .await
                        .into_string()
                        .await
                        .unwrap(),
                )
            };
            let body = format!(
                "email={}&password={}&code={}&csrf={csrf}",
                account.email.replace('@', "%40"),
                account.password,
                account.code(0)
            );
            let response = app
                .client
                .post("/staff/sign-in")
                .header(ContentType::Form)
                .body(body)
                .dispatch()
                .await;
            assert_eq!(response.status(), Status::SeeOther, "{role:?} signs in");
            let response = app.post_json("/api/v1/staff/login", serde_json::json!({ "email": account.email, "password": account.password, "totp": account.code(1) }), None).await;
            assert_eq!(response.status(), Status::Ok);
            let body: serde_json::Value = response.into_json().await.unwrap();
            Some(body["token"].as_str().unwrap().to_owned())
        }
    }
}

async fn sign_out_everything(app: &TestApp) {
    for path in ["/agency/sign-out", "/court/sign-out", "/staff/sign-out"] {
        let csrf = app
            .client
            .cookies()
            .get_private("writ_csrf")
            .map(|c| c.value().to_owned())
            .unwrap_or_default();
        app.client
            .post(path)
            .header(ContentType::Form)
            .body(format!("csrf={csrf}"))
            .dispatch()
            .await;
    }
}

#[rocket::async_test]
async fn every_route_lets_in_exactly_the_roles_it_should() {
    let app = TestApp::new().await;
    let table = table();

    let mounted: Vec<(String, String)> = app
        .client
        .rocket()
        .routes()
        .map(|r| (r.method.as_str().to_owned(), r.uri.to_string()))
        .collect();
    for (method, uri) in &mounted {
        assert!(
            table.contains_key(&(method.as_str(), uri.as_str())),
            "route {method} {uri} is missing from the role table"
        );
    }
    assert_eq!(
        mounted.len(),
        table.len(),
        "the table names routes that no longer exist"
    );

    // A case with a document, filed by an officer who is not the one walking.
    let owner = app.officer("owner@fbi.gov").await;
    let (_, filed) = app
        .submit(&owner, &subpoena_request(), &[("subpoena.pdf", PDF)])
        .await;
    let other_reference = filed["reference"].as_str().unwrap().to_owned();
    // The walking officer's own case.
    let walker = app.officer("walker@fbi.gov").await;
    let (_, own) = app
        .submit(&walker, &subpoena_request(), &[("subpoena.pdf", PDF)])
        .await;
    let own_reference = own["reference"].as_str().unwrap().to_owned();
    let (_, case) = app
        .get_json(&format!("/api/v1/requests/{own_reference}"), &walker)
        .await;
    let document = case["documents"][0]["id"].as_str().unwrap().to_owned();
    // The walking representative's own court case, and another visitor's.
    let representative = app
        .representative("walker@lawfirm.example", "visitor")
        .await;
    let (_, court_case) = app
        .submit(
            &representative,
            &freeze_order_request(),
            &[("order.pdf", PDF)],
        )
        .await;
    let court_reference = court_case["reference"].as_str().unwrap().to_owned();
    let other_visitor = app.representative("other@lawfirm.example", "visitor").await;
    let (_, other_court) = app
        .submit(
            &other_visitor,
            &freeze_order_request(),
            &[("order.pdf", PDF)],
        )
        .await;
    let other_court_reference = other_court["reference"].as_str().unwrap().to_owned();

    let mut staff = BTreeMap::new();
    staff.insert(
        Who::Support,
        app.staff("support@writ.example", Role::Support).await,
    );
    staff.insert(
        Who::Legal,
        app.staff("legal@writ.example", Role::Legal).await,
    );
    staff.insert(
        Who::Admin,
        app.staff("admin@writ.example", Role::Admin).await,
    );

    for who in [
        Who::Anonymous,
        Who::Officer,
        Who::Representative,
        Who::Support,
        Who::Legal,
        Who::Admin,
    ] {
        sign_out_everything(&app).await;
        let token = become_role(
            &app,
            who,
            "walker@fbi.gov",
            "walker@lawfirm.example",
            &staff,
        )
        .await;
        // Each walks with a case of their own track: support works court-track cases only.
        let reference = match who {
            Who::Representative | Who::Support => &court_reference,
            _ => &own_reference,
        };
        // Revoking the token ends the walk: it comes last.
        let mut routes: Vec<_> = table.iter().collect();
        routes
            .sort_by_key(|((method, uri), _)| (*method, *uri) == ("DELETE", "/api/v1/auth/token"));
        for ((method, uri), needs) in routes {
            let path = uri
                .split('?')
                .next()
                .unwrap()
                .replace("<path..>", "writ.css")
                .replace("<reference>", reference)
                .replace("<n>", "1")
                .replace("<seq>", "1")
                .replace("<id>", &document);
            let method: Method = method.parse().unwrap();
            let mut request = app.client.req(method, path.clone());
            if path.starts_with("/api/") {
                request = request.header(ContentType::JSON).body("{}");
                if let Some(token) = &token {
                    request =
                        request.header(Header::new("Authorization", format!("Bearer {token}")));
                }
            } else if method == Method::Post {
                // Every form and upload, as a browser sends it, but without its token.
                let (content_type, body) = multipart(&[Part::text("note", "no token")]);
                request = request.header(content_type).body(body);
            } else {
                request = request.header(ContentType::Form).body("");
            }
            let response = request.dispatch().await;
            let status = response.status();
            let header = |name: &str| response.headers().get_one(name).map(str::to_owned);
            let security = [
                "Content-Security-Policy",
                "X-Content-Type-Options",
                "X-Frame-Options",
                "Referrer-Policy",
            ]
            .map(header);
            let body = response.into_string().await.unwrap_or_default();
            // Every answer, whatever its status, carries the security headers.
            assert_eq!(
                security,
                [
                    writ::security::CONTENT_SECURITY_POLICY,
                    "nosniff",
                    "DENY",
                    "no-referrer"
                ]
                .map(|v| Some(v.to_owned())),
                "{who:?} {method} {path}"
            );
            // A form posted without its token is refused for it, by whoever may post it: the
            // route let them in, and refused the form.
            let form_refused = status == Status::Forbidden && body.contains(CSRF_REFUSAL);
            let denied =
                matches!(status, Status::Unauthorized | Status::Forbidden) && !form_refused;
            assert!(status.code < 500, "{who:?} {method} {path}: {status}");
            if method == Method::Post && !path.starts_with("/api/") {
                assert!(
                    denied || form_refused,
                    "{who:?} {method} {path} without a token: {status} {body}"
                );
            }
            if allowed(*needs, who) {
                assert!(
                    !denied,
                    "{who:?} should reach {method} {path} but got {status}"
                );
            } else {
                assert!(
                    denied,
                    "{who:?} must not reach {method} {path} but got {status}"
                );
            }
        }
        // An officer never reaches another officer's case.
        if who == Who::Officer {
            let other = app
                .client
                .get(format!("/agency/requests/{other_reference}"))
                .dispatch()
                .await;
            assert_eq!(other.status(), Status::NotFound);
        }
        // Nor a representative another visitor's.
        if who == Who::Representative {
            let other = app
                .client
                .get(format!("/court/requests/{other_court_reference}"))
                .dispatch()
                .await;
            assert_eq!(other.status(), Status::NotFound);
        }
        // Support never sees an agency case.
        if who == Who::Support {
            let agency = app
                .client
                .get(format!("/staff/cases/{own_reference}"))
                .dispatch()
                .await;
            assert_eq!(agency.status(), Status::NotFound);
        }
    }
}
