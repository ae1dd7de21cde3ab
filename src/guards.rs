//! Request guards: a handler's signature says who may call it.
//! `Requester` (any signed-in requester) → `AgencyOfficer` (agency track) or
//! `CourtRepresentative` (court-order track); `StaffMember` → `LegalReviewer` → `LegalAdmin`.

use rocket::data::{self, Data, FromData};
use rocket::form::{self, Contextual, Form, FromForm};
use rocket::http::impl_from_uri_param_identity;
use rocket::http::uri::fmt::{Formatter, FromUriParam, Path, UriDisplay};
use rocket::http::{Cookie, CookieJar, SameSite};
use rocket::outcome::try_outcome;
use rocket::request::{FromParam, FromRequest, Outcome, Request};

use crate::app::App;
use crate::config::Config;
use crate::crypto::{sha256_hex, Token};
use crate::db::models::requester::Requester as RequesterRow;
use crate::db::models::session;
use crate::domain::clock;
use crate::domain::identity::Factor;
use crate::domain::reference::CaseReference;
use crate::domain::vocab::{CourtPath, Role, Track};
use crate::error::{is_api, AppError, GuardFailure};

pub const SESSION_COOKIE: &str = "writ_session";
pub const CSRF_COOKIE: &str = "writ_csrf";

/// A case's reference in a path (`/cases/<reference>`), parsed at the edge. A malformed one is a
/// case not found, as an unknown one is (404, never 422), so a handler takes
/// `Result<CaseReference, AppError>` and answers with its error.
impl<'a> FromParam<'a> for CaseReference {
    type Error = AppError;

    fn from_param(param: &'a str) -> Result<CaseReference, AppError> {
        CaseReference::parse(param).ok_or_else(AppError::not_found)
    }
}

/// In links (`uri!(show(reference = …))`): a parsed reference, or the text of a stored one.
impl UriDisplay<Path> for CaseReference {
    fn fmt(&self, f: &mut Formatter<'_, Path>) -> std::fmt::Result {
        f.write_value(self.as_str())
    }
}

impl_from_uri_param_identity!([Path] CaseReference);

impl<'a> FromUriParam<Path, &'a str> for CaseReference {
    type Target = &'a str;

    fn from_uri_param(reference: &'a str) -> &'a str {
        reference
    }
}

impl<'a> FromUriParam<Path, &'a String> for CaseReference {
    type Target = &'a str;

    fn from_uri_param(reference: &'a String) -> &'a str {
        reference
    }
}

/// The client's address: as the socket sees it, or, behind a proxy, from the header
/// `WRIT_IP_HEADER` names (off by default, so that no header can spoof it).
pub struct ClientIp(pub String);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for ClientIp {
    type Error = std::convert::Infallible;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        Outcome::Success(ClientIp(
            req.client_ip()
                .map(|ip| ip.to_string())
                .unwrap_or_else(|| "unknown".into()),
        ))
    }
}

/// A request whose body is declared JSON. API routes that read JSON take this guard instead of
/// Rocket's `format = "json"`, which answers any other body with 404 as if the route did not
/// exist; this answers 415 before the body is read.
pub struct JsonBody;

#[rocket::async_trait]
impl<'r> FromRequest<'r> for JsonBody {
    type Error = AppError;

    async fn from_request(req: &'r Request<'_>) -> Outcome<JsonBody, AppError> {
        match req.content_type() {
            Some(content_type) if content_type.is_json() => Outcome::Success(JsonBody),
            _ => refuse(
                req,
                AppError::unsupported_type("Send the body as application/json."),
            ),
        }
    }
}

/// A cookie as Writ sets them: private (encrypted), `HttpOnly`, `SameSite=Strict`,
/// `Secure` where TLS is in front.
pub fn cookie(config: &Config, name: &'static str, value: String) -> Cookie<'static> {
    Cookie::build((name, value))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(config.secure_cookies)
        .path("/")
        .build()
}

/// Fails the guard, leaving the reason for the catcher to show.
fn refuse<T>(req: &Request<'_>, error: AppError) -> Outcome<T, AppError> {
    req.local_cache(|| GuardFailure(Some((error.code, error.message.clone()))));
    Outcome::Error((error.status, error))
}

/// A signed-in requester of either track: by `Authorization: Bearer` on the API, by the
/// session cookie on pages.
#[derive(Clone)]
pub struct Requester {
    pub row: RequesterRow,
    pub token: Token,
    /// Court track, user path: the platform account whose e-mail of record this sign-in proved.
    pub account_uid: Option<String>,
    /// The second factor this session proved, beyond the e-mailed code.
    pub second_factor: Option<Factor>,
}

impl Requester {
    /// How this sign-in came on the court track (`None` on the agency track).
    pub fn court_path(&self) -> Option<CourtPath> {
        CourtPath::of(self.row.track, self.account_uid.as_deref())
    }

    pub fn ready_to_file(&self) -> bool {
        self.row.ready_to_file(self.court_path())
    }
}

/// The session token a request carries: `Authorization: Bearer` on the API, the private cookie
/// `cookie` on pages (never the other way round, so a page's cookie cannot drive the API).
fn presented_token(req: &Request<'_>, cookie: &str) -> Option<Token> {
    if is_api(req) {
        let header = req.headers().get_one("Authorization")?;
        let token = header
            .strip_prefix("Bearer ")
            .map(str::trim)
            .filter(|t| !t.is_empty())?;
        Some(Token::from_presented(token))
    } else {
        req.cookies()
            .get_private(cookie)
            .map(|c| Token::from_presented(c.value()))
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Requester {
    type Error = AppError;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let cached = req
            .local_cache_async(async {
                let token = presented_token(req, SESSION_COOKIE)?;
                let app = req.rocket().state::<App>()?;
                let now = clock::now();
                let idle_since = app.config.idle_since(now);
                let hashed = token.hash();
                match app
                    .db
                    .run(move |conn| Ok(session::requester(conn, &hashed, now, idle_since)?))
                    .await
                {
                    Ok(Some(live)) => Some(Requester {
                        row: live.requester,
                        token,
                        account_uid: live.account_uid,
                        second_factor: live.second_factor.as_deref().and_then(Factor::parse),
                    }),
                    Ok(None) => None,
                    Err(e) => {
                        log::error!("session lookup failed: {e}");
                        None
                    }
                }
            })
            .await;
        match cached {
            Some(requester) => Outcome::Success(requester.clone()),
            None => refuse(req, AppError::unauthorized("Sign in to continue.")),
        }
    }
}

/// A signed-in officer of a government agency.
pub struct AgencyOfficer(pub Requester);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for AgencyOfficer {
    type Error = AppError;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let requester = try_outcome!(req.guard::<Requester>().await);
        if requester.row.track != Track::Agency {
            return refuse(
                req,
                AppError::forbidden(
                    "This is for officers of government and law-enforcement agencies.",
                ),
            );
        }
        Outcome::Success(AgencyOfficer(requester))
    }
}

/// A signed-in legal representative on the court-order track, as a platform user or a visitor.
pub struct CourtRepresentative(pub Requester);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for CourtRepresentative {
    type Error = AppError;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let requester = try_outcome!(req.guard::<Requester>().await);
        if requester.row.track != Track::Court {
            return refuse(
                req,
                AppError::forbidden(
                    "This is for legal representatives with a court order; agency officers file at /agency.",
                ),
            );
        }
        Outcome::Success(CourtRepresentative(requester))
    }
}

/// The anti-forgery token of this browser, kept in a private cookie and echoed by every form.
pub struct Csrf(String);

impl Csrf {
    pub fn token(&self) -> &str {
        &self.0
    }

    /// Refuses a form whose hidden `csrf` field does not match the cookie.
    pub fn verify(&self, submitted: Option<&str>) -> Result<(), AppError> {
        // Comparing digests keeps the comparison's timing independent of the secret.
        let matches =
            submitted.is_some_and(|s| sha256_hex(s.as_bytes()) == sha256_hex(self.0.as_bytes()));
        if matches {
            Ok(())
        } else {
            Err(AppError::forbidden("This form has expired or was sent from another site. Reload the page and try again.").with_code("csrf"))
        }
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Csrf {
    type Error = std::convert::Infallible;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let jar: &CookieJar<'_> = req.cookies();
        if let Some(existing) = jar.get_private(CSRF_COOKIE) {
            return Outcome::Success(Csrf(existing.value().to_owned()));
        }
        let token = Token::generate().expose().to_owned();
        if let Some(app) = req.rocket().state::<App>() {
            jar.add_private(cookie(&app.config, CSRF_COOKIE, token.clone()));
        }
        Outcome::Success(Csrf(token))
    }
}

/// A posted form whose anti-forgery token is checked before its fields are used: a handler
/// reaches the fields through [`Posted::checked`], which is the refusal when the `csrf` field is
/// missing or is not this browser's token, or through [`Posted::parts`], which hands the fields
/// over with that verdict, for a handler that shows the form again with what was typed. A form
/// with the wrong token whose fields do not parse is refused for its token (403); one with the
/// right token is refused for its fields, as `Form<T>` refuses it.
pub struct Posted<T> {
    fields: T,
    token: Result<(), AppError>,
}

impl<T> Posted<T> {
    pub fn checked(self) -> Result<T, AppError> {
        self.token.map(|()| self.fields)
    }

    pub fn parts(self) -> (T, Result<(), AppError>) {
        (self.fields, self.token)
    }
}

#[rocket::async_trait]
impl<'r, T: FromForm<'r> + Send> FromData<'r> for Posted<T> {
    /// Why the form was refused.
    type Error = String;

    async fn from_data(req: &'r Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        let form = match Form::<Contextual<'r, T>>::from_data(req, data).await {
            data::Outcome::Success(form) => form.into_inner(),
            data::Outcome::Error((status, errors)) => {
                return data::Outcome::Error((status, errors.to_string()))
            }
            data::Outcome::Forward(forward) => return data::Outcome::Forward(forward),
        };
        let Outcome::Success(csrf) = req.guard::<Csrf>().await else {
            unreachable!("the token guard never fails");
        };
        let token = csrf.verify(form.context.field_value("csrf"));
        match (form.value, token) {
            (Some(fields), token) => data::Outcome::Success(Posted { fields, token }),
            (None, Err(refused)) => {
                req.local_cache(|| GuardFailure(Some((refused.code, refused.message.clone()))));
                data::Outcome::Error((refused.status, refused.message))
            }
            (None, Ok(())) => {
                let errors: Vec<String> = form.context.errors().map(|e| e.to_string()).collect();
                data::Outcome::Error((form.context.status(), errors.join("; ")))
            }
        }
    }
}

/// The fields of a form that carries nothing but its token.
pub struct NoFields;

#[rocket::async_trait]
impl<'v> FromForm<'v> for NoFields {
    type Context = ();

    fn init(_: form::Options) {}
    fn push_value(_: &mut (), _: form::ValueField<'v>) {}
    async fn push_data(_: &mut (), _: form::DataField<'v, '_>) {}
    fn finalize(_: ()) -> form::Result<'v, Self> {
        Ok(NoFields)
    }
}

pub const STAFF_COOKIE: &str = "writ_staff";

/// A signed-in member of staff (any role): bearer token on the API, cookie on pages.
#[derive(Clone)]
pub struct StaffMember {
    pub row: crate::db::models::staff::Staff,
    pub token: Token,
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for StaffMember {
    type Error = AppError;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let cached = req
            .local_cache_async(async {
                let token = presented_token(req, STAFF_COOKIE)?;
                let app = req.rocket().state::<App>()?;
                let now = clock::now();
                let idle_since = app.config.idle_since(now);
                let hashed = token.hash();
                match app
                    .db
                    .run(move |conn| {
                        Ok(crate::db::models::staff::session_staff(
                            conn, &hashed, now, idle_since,
                        )?)
                    })
                    .await
                {
                    Ok(Some(row)) => Some(StaffMember { row, token }),
                    Ok(None) => None,
                    Err(e) => {
                        log::error!("staff session lookup failed: {e}");
                        None
                    }
                }
            })
            .await;
        match cached {
            Some(staff) => Outcome::Success(staff.clone()),
            None => refuse(
                req,
                AppError::unauthorized("Sign in to the staff dashboard to continue.")
                    .with_code("staff_sign_in"),
            ),
        }
    }
}

/// A legal reviewer or legal admin.
pub struct LegalReviewer(pub StaffMember);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for LegalReviewer {
    type Error = AppError;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let staff = try_outcome!(req.guard::<StaffMember>().await);
        if staff.row.role < Role::Legal {
            return refuse(req, AppError::forbidden("Only the legal team may do this."));
        }
        Outcome::Success(LegalReviewer(staff))
    }
}

/// A legal admin.
pub struct LegalAdmin(pub StaffMember);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for LegalAdmin {
    type Error = AppError;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let reviewer = try_outcome!(req.guard::<LegalReviewer>().await);
        if reviewer.0.row.role < Role::Admin {
            return refuse(req, AppError::forbidden("Only a legal admin may do this."));
        }
        Outcome::Success(LegalAdmin(reviewer.0))
    }
}
