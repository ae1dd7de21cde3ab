//! The officer's security page: set up the second factor (an authenticator app, passkeys) after
//! the first e-mail sign-in, and prove it in a session that did not ask for it.

use crate::app::App;
use crate::pages::Template;
use rocket::form::FromForm;
use rocket::outcome::try_outcome;
use rocket::request::{FlashMessage, FromRequest, Outcome, Request};
use rocket::response::{Flash, Redirect};
use rocket::serde::json::Json;
use rocket::{get, post, routes, uri, Route};
use serde_json::{json, Value};

use crate::crypto::passkey::RelyingParty;
use crate::crypto::HashedToken;
use crate::db::models::passkey::StoredPasskey;
use crate::db::models::requester::Requester;
use crate::domain::clock::rfc3339;
use crate::domain::identity::Factor;
use crate::domain::policy::SecondFactorRule;
use crate::error::{AppError, AsJson};
use crate::guards::{AgencyOfficer, Csrf};
use crate::guards::{NoFields, Posted};
use crate::routes::requester::{with_error, Page};
use crate::services::passkeys::{self, Answer};
use crate::services::second_factor;

/// The signed-in officer on their security page, with what its handlers use: the state, the
/// form token, and the officer's passkeys (read once, to draw the page again on an error).
pub struct Security<'r> {
    officer: AgencyOfficer,
    csrf: Csrf,
    app: &'r App,
    rp: &'r RelyingParty,
    passkeys: Vec<StoredPasskey>,
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Security<'r> {
    type Error = AppError;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, AppError> {
        let officer = try_outcome!(req.guard::<AgencyOfficer>().await);
        let Outcome::Success(csrf) = req.guard::<Csrf>().await else {
            unreachable!("the form token guard always succeeds")
        };
        let rocket = req.rocket();
        let (Some(app), Some(rp)) = (rocket.state::<App>(), rocket.state::<RelyingParty>()) else {
            let error = AppError::internal("security page state is not managed");
            return Outcome::Error((error.status, error));
        };
        match passkeys::list(&app.db, &officer.0.row.id).await {
            Ok(passkeys) => Outcome::Success(Security {
                officer,
                csrf,
                app,
                rp,
                passkeys,
            }),
            Err(error) => Outcome::Error((error.status, error)),
        }
    }
}

impl Security<'_> {
    fn row(&self) -> &Requester {
        &self.officer.0.row
    }

    fn session(&self) -> HashedToken {
        self.officer.0.token.hash()
    }

    fn context(&self) -> Value {
        let row = self.row();
        let passkeys: Vec<Value> = self
            .passkeys
            .iter()
            .map(|p| {
                json!({
                    "name": p.name,
                    "created_at": rfc3339(p.created_at),
                    "last_used_at": p.last_used_at.map(rfc3339),
                })
            })
            .collect();
        json!({
            "csrf": self.csrf.token(),
            "email": row.email,
            "signed_in": true,
            "enrolled": row.enrolled(),
            "totp_enrolled_at": row.totp_enrolled_at.map(rfc3339),
            "passkeys": passkeys,
            "passkeys_available": self.rp.available(),
            "passkeys_unavailable": self.rp.webauthn().err(),
            "session_proven": self.officer.0.second_factor.is_some(),
            "session_factor": Factor::label(self.officer.0.second_factor),
            "everyone": self.app.policy.identity.second_factor == SecondFactorRule::Everyone,
            "standing": row.standing.label(),
        })
    }

    /// The page again, with what went wrong.
    fn error(&self, e: AppError) -> Page {
        with_error("agency/security", self.context(), e)
    }

    /// The form's fields once its token holds; the page with the refusal when it is not this
    /// browser's.
    fn checked<T>(&self, form: Posted<T>) -> Result<T, Page> {
        form.checked().map_err(|e| self.error(e))
    }

    fn done(message: impl Into<String>) -> Flash<Redirect> {
        Flash::success(Redirect::to(uri!("/agency", show)), message.into())
    }
}

#[get("/security")]
pub fn show(page: Security<'_>, flash: Option<FlashMessage<'_>>) -> Template {
    let mut context = page.context();
    context["flash"] = json!(flash.map(|f| f.message().to_owned()));
    Template::render("agency/security", context)
}

#[derive(FromForm)]
struct CodeForm {
    totp: String,
}

/// Starts enrolment: shows the new secret, once, with the form for its first code.
#[post("/security/totp", data = "<form>")]
async fn start(form: Posted<NoFields>, page: Security<'_>) -> Result<Template, Page> {
    page.checked(form)?;
    let factor = page.officer.0.second_factor;
    let enrolment = second_factor::start(&page.app.db, &page.app.keys, page.row(), factor)
        .await
        .map_err(|e| page.error(e))?;
    let mut context = page.context();
    context["enrolment"] =
        json!({ "secret": enrolment.secret, "otpauth_uri": enrolment.otpauth_uri });
    Ok(Template::render("agency/security", context))
}

#[post("/security/totp/confirm", data = "<form>")]
async fn confirm(form: Posted<CodeForm>, page: Security<'_>) -> Result<Flash<Redirect>, Page> {
    let form = page.checked(form)?;
    second_factor::confirm(
        &page.app.db,
        &page.app.keys,
        page.row(),
        &page.session(),
        &form.totp,
    )
    .await
    .map_err(|e| {
        let mut context = page.context();
        context["confirming"] = json!(true);
        with_error("agency/security", context, e)
    })?;
    Ok(Security::done(
        "Authenticator app set up. Every later sign-in asks for its code.",
    ))
}

#[post("/security/verify", data = "<form>")]
async fn step_up(form: Posted<CodeForm>, page: Security<'_>) -> Result<Flash<Redirect>, Page> {
    let form = page.checked(form)?;
    second_factor::step_up(
        &page.app.db,
        &page.app.keys,
        page.row(),
        &page.session(),
        &form.totp,
    )
    .await
    .map_err(|e| page.error(e))?;
    Ok(Security::done(
        "Code confirmed: this session may now file every type of request.",
    ))
}

#[derive(FromForm)]
struct PasskeyForm {
    ceremony: String,
    credential: String,
    #[field(default = String::new())]
    name: String,
}

/// The options to create a passkey, for the page's script.
#[post("/security/passkey/options", data = "<form>")]
async fn passkey_options(
    form: Posted<NoFields>,
    page: Security<'_>,
) -> Result<Json<passkeys::Options>, AsJson> {
    form.checked()?;
    let factor = page.officer.0.second_factor;
    let options =
        passkeys::begin_registration(&page.app.db, page.rp, page.row(), &page.session(), factor)
            .await?;
    Ok(Json(options))
}

#[post("/security/passkey", data = "<form>")]
async fn add_passkey(
    form: Posted<PasskeyForm>,
    page: Security<'_>,
) -> Result<Flash<Redirect>, Page> {
    let form = page.checked(form)?;
    let answer = Answer::from_form(&form.ceremony, &form.credential).map_err(|e| page.error(e))?;
    let session = page.session();
    let added = passkeys::finish_registration(
        &page.app.db,
        page.rp,
        page.row(),
        &session,
        answer,
        &form.name,
    )
    .await
    .map_err(|e| page.error(e))?;
    Ok(Security::done(format!(
        "Passkey “{}” added. Every later sign-in asks for a second factor after the e-mailed code.",
        added.name
    )))
}

/// The options to prove the factor with a passkey in this session, for the page's script.
#[post("/security/passkey/verify/options", data = "<form>")]
async fn passkey_verify_options(
    form: Posted<NoFields>,
    page: Security<'_>,
) -> Result<Json<passkeys::Options>, AsJson> {
    form.checked()?;
    let options =
        passkeys::begin_step_up(&page.app.db, page.rp, page.row(), &page.session()).await?;
    Ok(Json(options))
}

#[post("/security/passkey/verify", data = "<form>")]
async fn passkey_step_up(
    form: Posted<PasskeyForm>,
    page: Security<'_>,
) -> Result<Flash<Redirect>, Page> {
    let form = page.checked(form)?;
    let answer = Answer::from_form(&form.ceremony, &form.credential).map_err(|e| page.error(e))?;
    passkeys::step_up(&page.app.db, page.rp, page.row(), &page.session(), answer)
        .await
        .map_err(|e| page.error(e))?;
    Ok(Security::done(
        "Passkey confirmed: this session may now file every type of request.",
    ))
}

pub fn routes() -> Vec<Route> {
    routes![
        show,
        start,
        confirm,
        step_up,
        passkey_options,
        add_passkey,
        passkey_verify_options,
        passkey_step_up
    ]
}
