use crate::app::App;
use crate::pages::Template;
use rocket::form::FromForm;
use rocket::http::CookieJar;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, uri, Either, Route, State};
use serde_json::json;

use super::QueueQuery;
use crate::error::AppError;
use crate::guards::{cookie, Csrf, NoFields, Posted, StaffMember, STAFF_COOKIE};
use crate::routes::requester::{with_error, Page};
use crate::services::staff_auth;

#[derive(FromForm)]
struct SignInForm {
    email: String,
    password: String,
    code: String,
}

#[get("/")]
fn start(staff: Option<StaffMember>, csrf: Csrf) -> Either<Redirect, Template> {
    match staff {
        Some(_) => Either::Left(Redirect::to(uri!("/staff", super::cases::queue(_)))),
        None => Either::Right(Template::render(
            "staff/sign_in",
            json!({ "csrf": csrf.token() }),
        )),
    }
}

#[post("/sign-in", data = "<form>")]
async fn sign_in(
    form: Posted<SignInForm>,
    csrf: Csrf,
    client: crate::guards::ClientIp,
    jar: &CookieJar<'_>,
    app: &State<App>,
) -> Result<Redirect, Page> {
    let (form, token) = form.parts();
    let page = |error: AppError| {
        with_error(
            "staff/sign_in",
            json!({ "csrf": csrf.token(), "email": form.email }),
            error,
        )
    };
    token.map_err(page)?;
    let signed_in = staff_auth::sign_in(
        &app.db,
        &app.keys,
        &form.email,
        &form.password,
        &form.code,
        "cookie",
        &client.0,
    )
    .await
    .map_err(page)?;
    jar.add_private(cookie(
        &app.config,
        STAFF_COOKIE,
        signed_in.token.expose().to_owned(),
    ));
    Ok(Redirect::to(uri!("/staff", super::cases::queue(_))))
}

#[post("/sign-out", data = "<form>")]
async fn sign_out(
    form: Posted<NoFields>,
    staff: StaffMember,
    jar: &CookieJar<'_>,
    app: &State<App>,
) -> Result<Redirect, AppError> {
    form.checked()?;
    staff_auth::sign_out(&app.db, &staff.token).await?;
    jar.remove_private(STAFF_COOKIE);
    Ok(Redirect::to(uri!("/staff", start)))
}

#[derive(FromForm)]
struct PasswordForm {
    current: String,
    new: String,
}

#[get("/password")]
fn password_page(staff: StaffMember, csrf: Csrf) -> Template {
    Template::render(
        "staff/password",
        json!({ "csrf": csrf.token(), "staff": staff.row.name, "role": staff.row.role }),
    )
}

#[post("/password", data = "<form>")]
async fn change_password(
    form: Posted<PasswordForm>,
    staff: StaffMember,
    csrf: Csrf,
    app: &State<App>,
) -> Result<Flash<Redirect>, Page> {
    let (form, token) = form.parts();
    let page = |error: AppError| {
        with_error(
            "staff/password",
            json!({ "csrf": csrf.token(), "staff": staff.row.name, "role": staff.row.role }),
            error,
        )
    };
    token.map_err(page)?;
    staff_auth::change_password(&app.db, &staff.row, &staff.token, &form.current, &form.new)
        .await
        .map_err(page)?;
    Ok(Flash::success(
        Redirect::to(uri!("/staff", super::cases::queue(_))),
        "Password changed.",
    ))
}

pub fn routes() -> Vec<Route> {
    routes![start, sign_in, sign_out, password_page, change_password]
}
