use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{post, routes, Route, State};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::crypto::Token;
use crate::db::Db;
use crate::domain::clock::rfc3339;
use crate::domain::email::EmailAddress;
use crate::domain::vocab::Track;
use crate::error::AppError;
use crate::guards::ClientIp;
use crate::mail::Mailer;
use crate::services::signin;
use crate::state::Keys;

#[derive(Deserialize)]
struct EmailRequest {
    email: String,
    track: String,
}

#[derive(Deserialize)]
struct VerifyRequest {
    challenge: String,
    code: String,
}

#[post("/auth/email", format = "json", data = "<body>")]
async fn email(
    body: Json<EmailRequest>,
    client: ClientIp,
    db: &State<Db>,
    mailer: &State<Mailer>,
    keys: &State<Keys>,
) -> Result<(Status, Json<Value>), AppError> {
    let track = Track::parse(body.track.trim())
        .ok_or_else(|| AppError::invalid("track", "The track must be “agency” or “court”."))?;
    if track == Track::Court {
        // The court-order track opens with its own issue; until then nobody can sign in to it.
        return Err(
            AppError::invalid("track", "The court-order track is not open yet.")
                .with_code("track_unavailable"),
        );
    }
    let email = EmailAddress::parse(&body.email).map_err(|m| AppError::invalid("email", m))?;
    let sent = signin::send_code(db, mailer, &keys.pepper, track, email, &client.0).await?;
    Ok((
        Status::Accepted,
        Json(
            json!({ "challenge": sent.challenge.expose(), "expires_at": rfc3339(sent.expires_at) }),
        ),
    ))
}

#[post("/auth/verify", format = "json", data = "<body>")]
async fn verify(
    body: Json<VerifyRequest>,
    client: ClientIp,
    db: &State<Db>,
    keys: &State<Keys>,
) -> Result<Json<Value>, AppError> {
    let challenge = Token::from_presented(body.challenge.trim());
    let signed_in =
        signin::verify_code(db, &keys.pepper, &challenge, &body.code, "api", &client.0).await?;
    Ok(Json(
        json!({ "token": signed_in.token.expose(), "expires_at": rfc3339(signed_in.expires_at) }),
    ))
}

pub fn routes() -> Vec<Route> {
    routes![email, verify]
}
