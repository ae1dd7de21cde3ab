use crate::pages::Template;
use rocket::form::FromForm;
use rocket::response::Redirect;
use rocket::{get, post, routes, Either, Route};
use serde_json::json;

use super::AREA;
use crate::error::AppError;
use crate::guards::Posted;
use crate::guards::{AgencyOfficer, Csrf};
use crate::routes::requester::signin::SignIn;
use crate::routes::requester::{with_error, Page};
use crate::services::signin::Entry;

#[derive(FromForm)]
struct EmailForm {
    email: String,
}

#[get("/")]
pub fn start(officer: Option<AgencyOfficer>, csrf: Csrf) -> Either<Redirect, Template> {
    match officer {
        Some(_) => Either::Left(Redirect::to((AREA.list)())),
        None => Either::Right(Template::render(
            "agency/sign_in",
            json!({ "csrf": csrf.token() }),
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
            "agency/sign_in",
            json!({ "csrf": csrf.token(), "email": form.email }),
            error,
        )
    };
    sign_in
        .send_code(Entry::Agency, &form.email, token, page)
        .await
}

pub fn routes() -> Vec<Route> {
    routes![start, send_code]
}
