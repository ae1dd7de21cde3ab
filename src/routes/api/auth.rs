use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{delete, post, routes, Route, State};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::app::App;
use crate::crypto::passkey::RelyingParty;
use crate::crypto::Token;
use crate::domain::clock::rfc3339;
use crate::domain::email::EmailAddress;
use crate::domain::vocab::{CourtPath, Track};
use crate::error::AppError;
use crate::guards::{AgencyOfficer, ClientIp, JsonBody, Requester, StaffMember};
use crate::services::passkeys::{self, Answer};
use crate::services::second_factor;
use crate::services::signin::{self, Entry, PasskeyProof, Proof};

#[derive(Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(super) struct EmailRequest {
    email: String,
    track: String,
    /// Court track: "user" (code to a platform account's e-mail of record) or "visitor".
    #[serde(default)]
    path: Option<String>,
}

#[derive(Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(super) struct VerifyRequest {
    challenge: String,
    /// The e-mailed code; left out when an earlier call found it right and only the second
    /// factor follows.
    #[serde(default)]
    code: Option<String>,
    /// The authenticator's code, for an officer with a second factor.
    #[serde(default)]
    totp: Option<String>,
    /// A passkey's answer to the ceremony from `POST /auth/passkey/options`.
    #[serde(default)]
    passkey: Option<Answer>,
}

#[derive(Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(super) struct TotpRequest {
    code: String,
}

#[derive(Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(super) struct ChallengeRequest {
    challenge: String,
}

#[derive(Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(super) struct PasskeyRequest {
    ceremony: String,
    credential: Value,
    #[serde(default)]
    name: Option<String>,
}

/// Proving the factor in a live session: the authenticator's `code`, or a `passkey` answer.
#[derive(Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(super) struct StepUpRequest {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    passkey: Option<Answer>,
}

#[post("/auth/email", data = "<body>")]
async fn email(
    _json: JsonBody,
    body: Json<EmailRequest>,
    client: ClientIp,
    app: &State<App>,
) -> Result<(Status, Json<Value>), AppError> {
    let track = Track::parse(body.track.trim())
        .ok_or_else(|| AppError::invalid("track", "The track must be “agency” or “court”."))?;
    let path = body
        .path
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty());
    let entry = match (track, path) {
        (Track::Agency, None) => Entry::Agency,
        (Track::Agency, Some(_)) => {
            return Err(AppError::invalid(
                "path",
                "Only the court track has paths; leave “path” out for the agency track.",
            ))
        }
        (Track::Court, path) => Entry::Court(path.and_then(CourtPath::parse).ok_or_else(|| {
            AppError::invalid(
                "path",
                "On the court track, “path” is “user” (platform account) or “visitor”.",
            )
        })?),
    };
    let email = EmailAddress::parse(&body.email).map_err(|m| AppError::invalid("email", m))?;
    let sent = signin::send_code(
        &app.db,
        &app.mailer,
        &app.keys.pepper,
        entry,
        email,
        &client.0,
    )
    .await?;
    Ok((
        Status::Accepted,
        Json(
            json!({ "challenge": sent.challenge.expose(), "expires_at": rfc3339(sent.expires_at) }),
        ),
    ))
}

#[post("/auth/verify", data = "<body>")]
async fn verify(
    _json: JsonBody,
    body: Json<VerifyRequest>,
    client: ClientIp,
    app: &State<App>,
    rp: &State<RelyingParty>,
) -> Result<Json<Value>, AppError> {
    let challenge = Token::from_presented(body.challenge.trim());
    let proof = Proof {
        code: body.code.as_deref(),
        totp: body.totp.as_deref(),
        passkey: body
            .passkey
            .as_ref()
            .map(|answer| PasskeyProof { rp, answer }),
    };
    let signed_in = signin::verify_code(
        &app.db,
        &app.keys,
        &app.policy.identity,
        &challenge,
        proof,
        "api",
        &client.0,
    )
    .await?;
    Ok(Json(
        json!({ "token": signed_in.token.expose(), "expires_at": rfc3339(signed_in.expires_at) }),
    ))
}

/// Starts enrolling an authenticator app: the secret and its `otpauth://` URI, shown once.
#[post("/auth/second-factor/totp")]
async fn totp_start(
    officer: AgencyOfficer,
    app: &State<App>,
) -> Result<(Status, Json<Value>), AppError> {
    let enrolment =
        second_factor::start(&app.db, &app.keys, &officer.0.row, officer.0.second_factor).await?;
    Ok((
        Status::Created,
        Json(json!({ "secret": enrolment.secret, "otpauth_uri": enrolment.otpauth_uri })),
    ))
}

/// Confirms the enrolment with the app's first code; this token counts as proven.
#[post("/auth/second-factor/totp/confirm", data = "<body>")]
async fn totp_confirm(
    _json: JsonBody,
    body: Json<TotpRequest>,
    officer: AgencyOfficer,
    app: &State<App>,
) -> Result<Json<Value>, AppError> {
    let officer = officer.0;
    let at = second_factor::confirm(
        &app.db,
        &app.keys,
        &officer.row,
        &officer.token.hash(),
        &body.code,
    )
    .await?;
    Ok(Json(
        json!({ "second_factor": "totp", "enrolled_at": rfc3339(at) }),
    ))
}

/// Proves the second factor for this token (where sign-in did not ask for it).
#[post("/auth/second-factor/verify", data = "<body>")]
async fn step_up(
    _json: JsonBody,
    body: Json<StepUpRequest>,
    officer: AgencyOfficer,
    app: &State<App>,
    rp: &State<RelyingParty>,
) -> Result<Json<Value>, AppError> {
    let officer = officer.0;
    let session = officer.token.hash();
    let body = body.into_inner();
    let factor =
        match (body.code, body.passkey) {
            (Some(code), None) => {
                second_factor::step_up(&app.db, &app.keys, &officer.row, &session, &code).await?;
                "totp"
            }
            (None, Some(answer)) => {
                passkeys::step_up(&app.db, rp, &officer.row, &session, answer).await?;
                "passkey"
            }
            _ => return Err(AppError::invalid(
                "code",
                "Send either “code” (the authenticator's code) or “passkey” (a passkey's answer).",
            )),
        };
    Ok(Json(json!({ "second_factor": factor })))
}

/// Starts the passkey step of a sign-in whose e-mailed code was found right (the answer goes
/// to `POST /auth/verify` as `passkey`).
#[post("/auth/passkey/options", data = "<body>")]
async fn passkey_sign_in_options(
    _json: JsonBody,
    body: Json<ChallengeRequest>,
    app: &State<App>,
    rp: &State<RelyingParty>,
) -> Result<Json<passkeys::Options>, AppError> {
    let challenge = Token::from_presented(body.challenge.trim());
    let (challenge_id, officer) =
        signin::awaiting_second_factor(&app.db, &app.keys, &challenge).await?;
    Ok(Json(
        passkeys::begin_sign_in(&app.db, rp, &officer, &challenge_id).await?,
    ))
}

/// Starts adding a passkey to this officer's account.
#[post("/auth/second-factor/passkey")]
async fn passkey_start(
    officer: AgencyOfficer,
    app: &State<App>,
    rp: &State<RelyingParty>,
) -> Result<(Status, Json<passkeys::Options>), AppError> {
    let officer = officer.0;
    let options = passkeys::begin_registration(
        &app.db,
        rp,
        &officer.row,
        &officer.token.hash(),
        officer.second_factor,
    )
    .await?;
    Ok((Status::Created, Json(options)))
}

/// Finishes adding the passkey; this token counts as proven.
#[post("/auth/second-factor/passkey/confirm", data = "<body>")]
async fn passkey_confirm(
    _json: JsonBody,
    body: Json<PasskeyRequest>,
    officer: AgencyOfficer,
    app: &State<App>,
    rp: &State<RelyingParty>,
) -> Result<(Status, Json<Value>), AppError> {
    let officer = officer.0;
    let body = body.into_inner();
    let answer = Answer {
        ceremony: body.ceremony,
        credential: body.credential,
    };
    let added = passkeys::finish_registration(
        &app.db,
        rp,
        &officer.row,
        &officer.token.hash(),
        answer,
        body.name.as_deref().unwrap_or_default(),
    )
    .await?;
    Ok((
        Status::Created,
        Json(json!({
            "second_factor": "passkey",
            "passkey": { "id": added.id, "name": added.name, "created_at": rfc3339(added.created_at) },
        })),
    ))
}

/// Starts proving the factor with a passkey for this token.
#[post("/auth/second-factor/passkey/options")]
async fn passkey_step_up_options(
    officer: AgencyOfficer,
    app: &State<App>,
    rp: &State<RelyingParty>,
) -> Result<Json<passkeys::Options>, AppError> {
    let officer = officer.0;
    Ok(Json(
        passkeys::begin_step_up(&app.db, rp, &officer.row, &officer.token.hash()).await?,
    ))
}

/// Revokes the bearer token presented, a requester's or a staff member's.
#[delete("/auth/token")]
async fn revoke(
    requester: Option<Requester>,
    staff: Option<StaffMember>,
    app: &State<App>,
) -> Result<Status, AppError> {
    match (requester, staff) {
        (Some(requester), _) => signin::sign_out(&app.db, &requester.token).await?,
        (None, Some(staff)) => crate::services::staff_auth::sign_out(&app.db, &staff.token).await?,
        (None, None) => return Err(AppError::unauthorized("Sign in to continue.")),
    }
    Ok(Status::NoContent)
}

pub fn routes() -> Vec<Route> {
    routes![
        email,
        verify,
        totp_start,
        totp_confirm,
        step_up,
        passkey_sign_in_options,
        passkey_start,
        passkey_confirm,
        passkey_step_up_options,
        revoke
    ]
}
