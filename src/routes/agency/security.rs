//! The officer's security page: set up the second factor (an authenticator app) after the first
//! e-mail sign-in, and prove it in a session that did not ask for it.

use rocket::form::{Form, FromForm};
use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, uri, Route, State};
use rocket_dyn_templates::Template;
use serde_json::{json, Value};

use crate::db::Db;
use crate::domain::clock::rfc3339;
use crate::domain::identity::Factor;
use crate::domain::policy::{Policy, SecondFactorRule};
use crate::error::AppError;
use crate::guards::{AgencyOfficer, Csrf};
use crate::routes::requester::{with_error, Page};
use crate::services::second_factor;
use crate::state::Keys;

fn context(officer: &AgencyOfficer, csrf: &Csrf, policy: &Policy) -> Value {
    let row = &officer.0.row;
    json!({
        "csrf": csrf.token(),
        "email": row.email,
        "signed_in": true,
        "enrolled_at": row.totp_enrolled_at.map(rfc3339),
        "session_proven": officer.0.second_factor.is_some(),
        "session_factor": Factor::label(officer.0.second_factor),
        "everyone": policy.identity.second_factor == SecondFactorRule::Everyone,
        "standing": row.standing.label(),
    })
}

#[get("/security")]
pub fn show(
    officer: AgencyOfficer,
    csrf: Csrf,
    policy: &State<Policy>,
    flash: Option<FlashMessage<'_>>,
) -> Template {
    let mut context = context(&officer, &csrf, policy);
    context["flash"] = json!(flash.map(|f| f.message().to_owned()));
    Template::render("agency/security", context)
}

#[derive(FromForm)]
struct CsrfForm {
    csrf: String,
}

#[derive(FromForm)]
struct CodeForm {
    totp: String,
    csrf: String,
}

/// Starts enrolment: shows the new secret, once, with the form for its first code.
#[post("/security/totp", data = "<form>")]
async fn start(
    form: Form<CsrfForm>,
    officer: AgencyOfficer,
    csrf: Csrf,
    db: &State<Db>,
    keys: &State<Keys>,
    policy: &State<Policy>,
) -> Result<Template, Page> {
    let page = |e: AppError| with_error("agency/security", context(&officer, &csrf, policy), e);
    csrf.verify(Some(&form.csrf)).map_err(page)?;
    let enrolment = second_factor::start(db, keys, &officer.0.row)
        .await
        .map_err(page)?;
    let mut context = context(&officer, &csrf, policy);
    context["enrolment"] =
        json!({ "secret": enrolment.secret, "otpauth_uri": enrolment.otpauth_uri });
    Ok(Template::render("agency/security", context))
}

#[post("/security/totp/confirm", data = "<form>")]
async fn confirm(
    form: Form<CodeForm>,
    officer: AgencyOfficer,
    csrf: Csrf,
    db: &State<Db>,
    keys: &State<Keys>,
    policy: &State<Policy>,
) -> Result<Flash<Redirect>, Page> {
    let page = |e: AppError| {
        let mut context = context(&officer, &csrf, policy);
        context["confirming"] = json!(true);
        with_error("agency/security", context, e)
    };
    csrf.verify(Some(&form.csrf)).map_err(page)?;
    let requester = &officer.0;
    second_factor::confirm(
        db,
        keys,
        &requester.row,
        &requester.token.hash(),
        &form.totp,
    )
    .await
    .map_err(page)?;
    Ok(Flash::success(
        Redirect::to(uri!("/agency", show)),
        "Authenticator app set up. Every later sign-in asks for its code.",
    ))
}

#[post("/security/verify", data = "<form>")]
async fn step_up(
    form: Form<CodeForm>,
    officer: AgencyOfficer,
    csrf: Csrf,
    db: &State<Db>,
    keys: &State<Keys>,
    policy: &State<Policy>,
) -> Result<Flash<Redirect>, Page> {
    let page = |e: AppError| with_error("agency/security", context(&officer, &csrf, policy), e);
    csrf.verify(Some(&form.csrf)).map_err(page)?;
    let requester = &officer.0;
    second_factor::step_up(
        db,
        keys,
        &requester.row,
        &requester.token.hash(),
        &form.totp,
    )
    .await
    .map_err(page)?;
    Ok(Flash::success(
        Redirect::to(uri!("/agency", show)),
        "Code confirmed: this session may now file every type of request.",
    ))
}

pub fn routes() -> Vec<Route> {
    routes![show, start, confirm, step_up]
}
