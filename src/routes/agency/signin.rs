use rocket::form::{Form, FromForm};
use rocket::http::CookieJar;
use rocket::response::Redirect;
use rocket::{get, post, routes, uri, Either, Route, State};
use rocket_dyn_templates::Template;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{with_error, Page};
use crate::config::Config;
use crate::crypto::Token;
use crate::db::Db;
use crate::domain::email::EmailAddress;
use crate::domain::vocab::Track;
use crate::error::AppError;
use crate::guards::{cookie, AgencyOfficer, ClientIp, Csrf, SESSION_COOKIE};
use crate::mail::Mailer;
use crate::services::signin;
use crate::state::Keys;

const CHALLENGE_COOKIE: &str = "writ_challenge";

#[derive(Serialize, Deserialize)]
struct PendingChallenge {
    token: String,
    email: String,
}

#[derive(FromForm)]
struct EmailForm {
    email: String,
    csrf: String,
}

#[derive(FromForm)]
struct CodeForm {
    code: String,
    csrf: String,
}

#[get("/")]
fn start(officer: Option<AgencyOfficer>, csrf: Csrf) -> Either<Redirect, Template> {
    match officer {
        Some(_) => Either::Left(Redirect::to(uri!("/agency", super::requests::list(_)))),
        None => Either::Right(Template::render(
            "agency/sign_in",
            json!({ "csrf": csrf.token() }),
        )),
    }
}

#[post("/sign-in", data = "<form>")]
async fn send_code(
    form: Form<EmailForm>,
    csrf: Csrf,
    client: ClientIp,
    jar: &CookieJar<'_>,
    db: &State<Db>,
    mailer: &State<Mailer>,
    keys: &State<Keys>,
    config: &State<Config>,
) -> Result<Redirect, Page> {
    let page = |error: AppError| {
        with_error(
            "agency/sign_in",
            json!({ "csrf": csrf.token(), "email": form.email }),
            error,
        )
    };
    csrf.verify(Some(&form.csrf)).map_err(page)?;
    let email =
        EmailAddress::parse(&form.email).map_err(|m| page(AppError::invalid("email", m)))?;
    let sent = signin::send_code(
        db,
        mailer,
        &keys.pepper,
        Track::Agency,
        email.clone(),
        &client.0,
    )
    .await
    .map_err(page)?;
    let pending = serde_json::to_string(&PendingChallenge {
        token: sent.challenge.expose().to_owned(),
        email: email.to_string(),
    })
    .map_err(|e| page(AppError::internal(e)))?;
    jar.add_private(cookie(config, CHALLENGE_COOKIE, pending));
    Ok(Redirect::to(uri!("/agency", code_page)))
}

fn pending(jar: &CookieJar<'_>) -> Option<PendingChallenge> {
    jar.get_private(CHALLENGE_COOKIE)
        .and_then(|c| serde_json::from_str(c.value()).ok())
}

#[get("/code")]
fn code_page(jar: &CookieJar<'_>, csrf: Csrf) -> Either<Template, Redirect> {
    match pending(jar) {
        Some(p) => Either::Left(Template::render(
            "agency/code",
            json!({ "csrf": csrf.token(), "email": p.email }),
        )),
        None => Either::Right(Redirect::to(uri!("/agency", start))),
    }
}

#[post("/code", data = "<form>")]
async fn check_code(
    form: Form<CodeForm>,
    csrf: Csrf,
    client: ClientIp,
    jar: &CookieJar<'_>,
    db: &State<Db>,
    keys: &State<Keys>,
    config: &State<Config>,
) -> Result<Redirect, Page> {
    let Some(challenge) = pending(jar) else {
        return Ok(Redirect::to(uri!("/agency", start)));
    };
    let page = |error: AppError| {
        with_error(
            "agency/code",
            json!({ "csrf": csrf.token(), "email": challenge.email }),
            error,
        )
    };
    csrf.verify(Some(&form.csrf)).map_err(page)?;
    let token = Token::from_presented(&challenge.token);
    let signed_in = signin::verify_code(db, &keys.pepper, &token, &form.code, "cookie", &client.0)
        .await
        .map_err(page)?;
    jar.remove_private(CHALLENGE_COOKIE);
    jar.add_private(cookie(
        config,
        SESSION_COOKIE,
        signed_in.token.expose().to_owned(),
    ));
    Ok(if signed_in.requester.has_profile() {
        Redirect::to(uri!("/agency", super::requests::list(_)))
    } else {
        Redirect::to(uri!("/agency", super::profile::edit))
    })
}

#[derive(FromForm)]
struct SignOutForm {
    csrf: String,
}

#[post("/sign-out", data = "<form>")]
async fn sign_out(
    form: Form<SignOutForm>,
    officer: AgencyOfficer,
    csrf: Csrf,
    jar: &CookieJar<'_>,
    db: &State<Db>,
) -> Result<Redirect, AppError> {
    csrf.verify(Some(&form.csrf))?;
    signin::sign_out(db, &officer.0.token).await?;
    jar.remove_private(SESSION_COOKIE);
    Ok(Redirect::to(uri!("/agency", start)))
}

pub fn routes() -> Vec<Route> {
    routes![start, send_code, code_page, check_code, sign_out]
}
