use crate::pages::Template;
use rocket::form::FromForm;
use rocket::response::Redirect;
use rocket::{get, post, routes, Either, Route};
use serde_json::json;

use super::AREA;
use crate::domain::vocab::CourtPath;
use crate::error::AppError;
use crate::guards::Posted;
use crate::guards::{CourtRepresentative, Csrf};
use crate::routes::requester::signin::SignIn;
use crate::routes::requester::{in_area, with_error, Page};
use crate::services::signin::Entry;

#[derive(FromForm)]
struct EmailForm {
    /// "user" or "visitor": the first question of `/court`.
    #[field(default = String::new())]
    path: String,
    email: String,
}

/// Asks first: are you a platform user?
#[get("/")]
pub fn start(
    representative: Option<CourtRepresentative>,
    csrf: Csrf,
) -> Either<Redirect, Template> {
    match representative {
        Some(_) => Either::Left(Redirect::to((AREA.list)())),
        None => Either::Right(Template::render(
            "court/sign_in",
            in_area(&AREA, json!({ "csrf": csrf.token() })),
        )),
    }
}

#[post("/sign-in", data = "<form>")]
async fn send_code(
    form: Posted<EmailForm>,
    csrf: Csrf,
    sign_in: SignIn<'_>,
) -> Result<Redirect, Page> {
    let (form, token) = form.parts();
    let page = |error: AppError| {
        with_error(
            "court/sign_in",
            in_area(
                &AREA,
                json!({ "csrf": csrf.token(), "email": form.email, "path": form.path }),
            ),
            error,
        )
    };
    let Some(path) = CourtPath::parse(form.path.trim()) else {
        token.map_err(page)?;
        return Err(page(AppError::invalid(
            "path",
            "Say whether you are a platform user or a visitor.",
        )));
    };
    sign_in
        .send_code(Entry::Court(path), &form.email, token, page)
        .await
}

pub fn routes() -> Vec<Route> {
    routes![start, send_code]
}
