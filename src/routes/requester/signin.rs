//! Sign-in by e-mail and one-time code, for either track: each track asks for the address on
//! its own page (`start`, `send_code`); the code, and signing out, are the same for both.

use crate::app::App;
use crate::pages::Template;
use rocket::form::FromForm;
use rocket::http::CookieJar;
use rocket::request::{FromRequest, Outcome, Request};
use rocket::response::Redirect;
use rocket::serde::json::Json;
use rocket::{get, post, routes, Either, Route};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{in_area, with_error, Area, InArea, Page};
use crate::crypto::passkey::RelyingParty;
use crate::crypto::Token;
use crate::domain::email::EmailAddress;
use crate::domain::vocab::{CourtPath, Track};
use crate::error::{AppError, AsJson};
use crate::guards::{cookie, ClientIp, Csrf, Requester, SESSION_COOKIE};
use crate::guards::{NoFields, Posted};
use crate::services::passkeys::{self, Answer};
use crate::services::signin::{self, Entry, PasskeyProof, Proof};

const CHALLENGE_COOKIE: &str = "writ_challenge";

/// The challenge waiting for its code, kept in a private cookie between the two forms.
#[derive(Serialize, Deserialize)]
struct PendingChallenge {
    token: String,
    email: String,
    track: String,
    /// Court track: "user" or "visitor".
    path: Option<String>,
}

/// What the sign-in pages need from the app's managed state, and the area they are in.
pub struct SignIn<'r> {
    area: &'static Area,
    app: &'r App,
    rp: &'r RelyingParty,
    client: String,
    jar: &'r CookieJar<'r>,
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for SignIn<'r> {
    type Error = AppError;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, AppError> {
        let rocket = req.rocket();
        let client = req.guard::<ClientIp>().await.succeeded();
        match (
            Area::of(req),
            rocket.state::<App>(),
            rocket.state::<RelyingParty>(),
            client,
        ) {
            (Some(area), Some(app), Some(rp), Some(client)) => Outcome::Success(SignIn {
                area,
                app,
                rp,
                client: client.0,
                jar: req.cookies(),
            }),
            _ => {
                let error = AppError::internal("sign-in state is not managed");
                Outcome::Error((error.status, error))
            }
        }
    }
}

impl SignIn<'_> {
    /// Sends a code to `email` and remembers the challenge; `page` draws the form again with
    /// what went wrong.
    pub async fn send_code(
        &self,
        entry: Entry,
        email: &str,
        token: Result<(), AppError>,
        page: impl Fn(AppError) -> Page,
    ) -> Result<Redirect, Page> {
        token.map_err(&page)?;
        let email = EmailAddress::parse(email).map_err(|m| page(AppError::invalid("email", m)))?;
        let area = self.area;
        let sent = signin::send_code(
            &self.app.db,
            &self.app.mailer,
            &self.app.keys.pepper,
            entry,
            email.clone(),
            &self.client,
        )
        .await
        .map_err(&page)?;
        let pending = serde_json::to_string(&PendingChallenge {
            token: sent.challenge.expose().to_owned(),
            email: email.to_string(),
            track: area.track.as_str().to_owned(),
            path: match entry {
                Entry::Court(path) => Some(path.as_str().to_owned()),
                Entry::Agency => None,
            },
        })
        .map_err(|e| page(AppError::internal(e)))?;
        self.jar
            .add_private(cookie(&self.app.config, CHALLENGE_COOKIE, pending));
        Ok(Redirect::to((area.code)()))
    }

    fn pending(&self) -> Option<PendingChallenge> {
        self.jar
            .get_private(CHALLENGE_COOKIE)
            .and_then(|c| serde_json::from_str::<PendingChallenge>(c.value()).ok())
            .filter(|p| p.track == self.area.track.as_str())
    }

    /// The code form's context, or `None` when no challenge waits on this track.
    fn code_context(&self, csrf: &Csrf) -> Option<Value> {
        let area = self.area;
        self.pending().map(|p| {
            in_area(
                area,
                json!({ "csrf": csrf.token(), "email": p.email, "path": p.path }),
            )
        })
    }

    /// Checks the code; on success the session cookie is set and the requester goes to their
    /// profile (first time) or their requests. An officer with a second factor goes on to the
    /// page that asks for it.
    async fn check_code(
        &self,
        code: &str,
        csrf: &Csrf,
        token: Result<(), AppError>,
    ) -> Result<Redirect, Page> {
        let proof = Proof {
            code: Some(code),
            ..Proof::default()
        };
        self.finish(proof, token).await.map_err(|e| {
            with_error(
                "requester/code",
                self.code_context(csrf).unwrap_or_default(),
                e,
            )
        })
    }

    /// Checks the authenticator's code, after the e-mailed code was found right.
    async fn check_second_factor(
        &self,
        totp: &str,
        csrf: &Csrf,
        token: Result<(), AppError>,
    ) -> Result<Redirect, Page> {
        let proof = Proof {
            totp: Some(totp),
            ..Proof::default()
        };
        let outcome = self.finish(proof, token).await;
        self.on_second_factor_page(outcome, csrf).await
    }

    /// Draws the second-factor page again, with the factors offered, when `outcome` failed.
    async fn on_second_factor_page(
        &self,
        outcome: Result<Redirect, AppError>,
        csrf: &Csrf,
    ) -> Result<Redirect, Page> {
        match outcome {
            Ok(redirect) => Ok(redirect),
            Err(e) => {
                let context = self.second_factor_context(csrf).await.unwrap_or_default();
                Err(with_error("requester/second_factor", context, e))
            }
        }
    }

    /// The second-factor page: which factors this officer has, to offer each.
    async fn second_factor_context(&self, csrf: &Csrf) -> Option<Value> {
        let mut context = self.code_context(csrf)?;
        let pending = self.pending()?;
        let email = EmailAddress::parse(&pending.email).ok()?;
        let officer = self
            .app
            .db
            .run(move |conn| {
                Ok(crate::db::models::requester::Requester::find_by_email(
                    conn,
                    Track::Agency,
                    &email,
                )?)
            })
            .await
            .ok()
            .flatten();
        let (totp, passkey) = officer.map_or((true, false), |o| {
            (
                o.totp_enrolled_at.is_some(),
                o.passkey_enrolled_at.is_some(),
            )
        });
        context["totp"] = json!(totp);
        context["passkey"] = json!(passkey && self.rp.available());
        Some(context)
    }

    /// Starts the passkey ceremony for the sign-in waiting on its second factor.
    async fn passkey_options(&self) -> Result<passkeys::Options, AppError> {
        let challenge = self.pending().ok_or_else(|| {
            AppError::unauthorized("This sign-in has ended. Start again.")
                .with_code("unknown_challenge")
        })?;
        let token = Token::from_presented(&challenge.token);
        let (challenge_id, officer) =
            signin::awaiting_second_factor(&self.app.db, &self.app.keys, &token).await?;
        passkeys::begin_sign_in(&self.app.db, self.rp, &officer, &challenge_id).await
    }

    /// Checks the passkey's answer, after the e-mailed code was found right.
    async fn check_passkey(
        &self,
        form: &PasskeyForm,
        csrf: &Csrf,
        token: Result<(), AppError>,
    ) -> Result<Redirect, Page> {
        let outcome = match Answer::from_form(&form.ceremony, &form.credential) {
            Ok(answer) => {
                let proof = Proof {
                    passkey: Some(PasskeyProof {
                        rp: self.rp,
                        answer: &answer,
                    }),
                    ..Proof::default()
                };
                self.finish(proof, token).await
            }
            Err(e) => Err(e),
        };
        self.on_second_factor_page(outcome, csrf).await
    }

    /// Checks what a sign-in presents and opens the session; `Err` is drawn again by the caller.
    async fn finish(
        &self,
        proof: Proof<'_>,
        token: Result<(), AppError>,
    ) -> Result<Redirect, AppError> {
        let area = self.area;
        let Some(challenge) = self.pending() else {
            return Ok(Redirect::to((area.start)()));
        };
        token?;
        let token = Token::from_presented(&challenge.token);
        let signed_in = signin::verify_code(
            &self.app.db,
            &self.app.keys,
            &self.app.policy.identity,
            &token,
            proof,
            "cookie",
            &self.client,
        )
        .await;
        let signed_in = match signed_in {
            Err(e) if e.code == "second_factor_required" => {
                return Ok(Redirect::to(format!("{}/second-factor", area.base)))
            }
            other => other?,
        };
        self.jar.remove_private(CHALLENGE_COOKIE);
        self.jar.add_private(cookie(
            &self.app.config,
            SESSION_COOKIE,
            signed_in.token.expose().to_owned(),
        ));
        let path = CourtPath::of(signed_in.requester.track, signed_in.account_uid.as_deref());
        Ok(if !signed_in.requester.ready_to_file(path) {
            Redirect::to((area.profile)())
        } else if area.track == Track::Agency && !signed_in.requester.enrolled() {
            Redirect::to(format!("{}/security", area.base))
        } else {
            Redirect::to((area.list)())
        })
    }

    async fn sign_out(
        &self,
        requester: &Requester,
        token: Result<(), AppError>,
    ) -> Result<Redirect, AppError> {
        token?;
        signin::sign_out(&self.app.db, &requester.token).await?;
        self.jar.remove_private(SESSION_COOKIE);
        Ok(Redirect::to((self.area.start)()))
    }
}

#[derive(FromForm)]
struct CodeForm {
    code: String,
}

#[get("/code")]
pub fn code_page(sign_in: SignIn<'_>, csrf: Csrf) -> Either<Template, Redirect> {
    match sign_in.code_context(&csrf) {
        Some(context) => Either::Left(Template::render("requester/code", context)),
        None => Either::Right(Redirect::to((sign_in.area.start)())),
    }
}

#[post("/code", data = "<form>")]
async fn check_code(
    form: Posted<CodeForm>,
    csrf: Csrf,
    sign_in: SignIn<'_>,
) -> Result<Redirect, Page> {
    let (form, token) = form.parts();
    sign_in.check_code(&form.code, &csrf, token).await
}

#[derive(FromForm)]
struct SecondFactorForm {
    totp: String,
}

#[get("/second-factor")]
pub async fn second_factor_page(sign_in: SignIn<'_>, csrf: Csrf) -> Either<Template, Redirect> {
    match sign_in.second_factor_context(&csrf).await {
        Some(context) => Either::Left(Template::render("requester/second_factor", context)),
        None => Either::Right(Redirect::to((sign_in.area.start)())),
    }
}

#[post("/second-factor", data = "<form>")]
async fn check_second_factor(
    form: Posted<SecondFactorForm>,
    csrf: Csrf,
    sign_in: SignIn<'_>,
) -> Result<Redirect, Page> {
    let (form, token) = form.parts();
    sign_in.check_second_factor(&form.totp, &csrf, token).await
}

#[derive(FromForm)]
struct PasskeyForm {
    ceremony: String,
    credential: String,
}

/// The passkey ceremony's options, for the page's script.
#[post("/second-factor/passkey/options", data = "<form>")]
async fn passkey_options(
    form: Posted<NoFields>,
    sign_in: SignIn<'_>,
) -> Result<Json<passkeys::Options>, AsJson> {
    form.checked()?;
    Ok(Json(sign_in.passkey_options().await?))
}

#[post("/second-factor/passkey", data = "<form>")]
async fn check_passkey(
    form: Posted<PasskeyForm>,
    csrf: Csrf,
    sign_in: SignIn<'_>,
) -> Result<Redirect, Page> {
    let (form, token) = form.parts();
    sign_in.check_passkey(&form, &csrf, token).await
}

#[post("/sign-out", data = "<form>")]
async fn sign_out(
    form: Posted<NoFields>,
    who: InArea,
    sign_in: SignIn<'_>,
) -> Result<Redirect, AppError> {
    sign_in
        .sign_out(&who.requester, form.checked().map(drop))
        .await
}

pub fn routes() -> Vec<Route> {
    routes![
        code_page,
        check_code,
        second_factor_page,
        check_second_factor,
        passkey_options,
        check_passkey,
        sign_out
    ]
}
