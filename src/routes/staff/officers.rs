//! Legal admins' page of agency officers: standing, permissions, second-factor recovery.

use crate::app::App;
use crate::pages::Template;
use rocket::form::FromForm;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, uri, Route, State};
use serde_json::{json, Value};

use crate::db::Db;
use crate::domain::identity::Standing;
use crate::domain::policy::Policy;
use crate::error::AppError;
use crate::guards::Posted;
use crate::guards::{Csrf, LegalAdmin};
use crate::routes::requester::Page;
use crate::services::{officers, second_factor};

async fn context(
    db: &Db,
    policy: &Policy,
    admin: &LegalAdmin,
    csrf: &Csrf,
    q: Option<String>,
) -> Result<Value, AppError> {
    let list = officers::list(db, &policy.identity, q.clone()).await?;
    Ok(json!({
        "csrf": csrf.token(), "staff": admin.0.row.name, "role": admin.0.row.role,
        "officers": list, "q": q, "reverify_days": policy.identity.reverify_days,
    }))
}

#[get("/admin/officers?<q>")]
async fn page(
    admin: LegalAdmin,
    csrf: Csrf,
    app: &State<App>,
    q: Option<String>,
    flash: Option<rocket::request::FlashMessage<'_>>,
) -> Result<Template, AppError> {
    let mut context = context(&app.db, &app.policy, &admin, &csrf, q).await?;
    context["flash"] = json!(flash.map(|f| f.message().to_owned()));
    Ok(Template::render("staff/officers", context))
}

async fn refused(
    app: &App,
    admin: &LegalAdmin,
    csrf: &Csrf,
    officer: &str,
    error: AppError,
) -> Page {
    let page = context(&app.db, &app.policy, admin, csrf, None).await;
    super::redrawn("staff/officers", page, csrf, error, |page| {
        page["failed"] = json!(officer)
    })
}

fn done(message: String) -> Flash<Redirect> {
    Flash::success(
        Redirect::to(uri!("/staff", page(q = None::<String>))),
        message,
    )
}

#[derive(FromForm)]
struct StandingForm {
    standing: String,
    reason: String,
}

#[post("/admin/officers/<id>/standing", data = "<form>")]
async fn standing(
    id: &str,
    form: Posted<StandingForm>,
    admin: LegalAdmin,
    csrf: Csrf,
    app: &State<App>,
) -> Result<Flash<Redirect>, Page> {
    let (form, token) = form.parts();
    let outcome = match (token, Standing::parse(form.standing.trim())) {
        (Err(e), _) => Err(e),
        (Ok(()), None) => Err(AppError::invalid(
            "standing",
            "Choose verified, unverified or suspended.",
        )),
        (Ok(()), Some(standing)) => {
            officers::set_standing(&app.db, &admin.0.row.id, id, standing, &form.reason)
                .await
                .map(|()| standing)
        }
    };
    match outcome {
        Ok(Standing::Suspended) => Ok(done("Officer suspended: their sessions and API tokens ended, and their open cases are flagged.".into())),
        Ok(standing) => Ok(done(format!("Officer is now {}.", standing.label().to_lowercase()))),
        Err(e) => Err(refused(app, &admin, &csrf, id, e).await),
    }
}

#[derive(FromForm)]
struct PermissionsForm {
    emergency: bool,
    freeze: bool,
}

#[post("/admin/officers/<id>/permissions", data = "<form>")]
async fn permissions(
    id: &str,
    form: Posted<PermissionsForm>,
    admin: LegalAdmin,
    csrf: Csrf,
    app: &State<App>,
) -> Result<Flash<Redirect>, Page> {
    let outcome = match form.checked() {
        Err(e) => Err(e),
        Ok(form) => {
            officers::set_permissions(&app.db, &admin.0.row.id, id, form.emergency, form.freeze)
                .await
        }
    };
    match outcome {
        Ok(()) => Ok(done("Permissions saved.".into())),
        Err(e) => Err(refused(app, &admin, &csrf, id, e).await),
    }
}

#[derive(FromForm)]
struct ReasonForm {
    reason: String,
}

/// Recovery of a lost second factor, after the admin has checked with the agency.
#[post("/admin/officers/<id>/second-factor/remove", data = "<form>")]
async fn remove_factor(
    id: &str,
    form: Posted<ReasonForm>,
    admin: LegalAdmin,
    csrf: Csrf,
    app: &State<App>,
) -> Result<Flash<Redirect>, Page> {
    let outcome = match form.checked() {
        Err(e) => Err(e),
        Ok(form) => second_factor::remove(&app.db, &admin.0.row.id, id, &form.reason).await,
    };
    match outcome {
        Ok(()) => Ok(done("Second factor removed and the officer signed out: their next e-mail sign-in sets up a new one.".into())),
        Err(e) => Err(refused(app, &admin, &csrf, id, e).await),
    }
}

pub fn routes() -> Vec<Route> {
    routes![page, standing, permissions, remove_factor]
}
