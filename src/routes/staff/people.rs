use crate::app::App;
use crate::pages::Template;
use rocket::form::FromForm;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, uri, Route, State};
use serde_json::{json, Value};

use crate::db::models::staff::Staff;
use crate::db::Db;
use crate::domain::clock::rfc3339;
use crate::domain::vocab::Role;
use crate::error::AppError;
use crate::guards::Posted;
use crate::guards::{Csrf, LegalAdmin};
use crate::services::staff_auth;

async fn context(db: &Db, admin: &LegalAdmin, csrf: &Csrf) -> Result<Value, AppError> {
    let people = db.run(|conn| Ok(Staff::all(conn)?)).await?;
    let rows: Vec<Value> = people
        .iter()
        .map(|s| {
            json!({
                "id": s.id, "name": s.name, "email": s.email, "role": s.role.label(), "title": s.title, "active": s.active,
                "locked_until": s.locked_until.map(rfc3339), "me": s.id == admin.0.row.id,
            })
        })
        .collect();
    let roles: Vec<Value> = Role::ALL
        .iter()
        .map(|r| json!({ "value": r.as_str(), "label": r.label() }))
        .collect();
    Ok(
        json!({ "csrf": csrf.token(), "staff": admin.0.row.name, "role": admin.0.row.role, "people": rows, "roles": roles }),
    )
}

#[get("/admin/staff")]
async fn people(
    admin: LegalAdmin,
    csrf: Csrf,
    app: &State<App>,
    flash: Option<rocket::request::FlashMessage<'_>>,
) -> Result<Template, AppError> {
    let mut context = context(&app.db, &admin, &csrf).await?;
    context["flash"] = json!(flash.map(|f| f.message().to_owned()));
    Ok(Template::render("staff/people", context))
}

#[derive(FromForm)]
struct AddForm {
    email: String,
    name: String,
    role: String,
    title: Option<String>,
}

/// Creates an account and shows its first password and TOTP secret, once.
#[post("/admin/staff", data = "<form>")]
async fn add(
    form: Posted<AddForm>,
    admin: LegalAdmin,
    csrf: Csrf,
    app: &State<App>,
) -> (Status, Template) {
    let (form, token) = form.parts();
    let values =
        json!({ "email": form.email, "name": form.name, "role": form.role, "title": form.title });
    let outcome = match (token, Role::parse(form.role.trim())) {
        (Err(e), _) => Err(e),
        (Ok(()), None) => Err(AppError::invalid("role", "Choose a role.")),
        (Ok(()), Some(role)) => {
            staff_auth::add(
                &app.db,
                &app.keys,
                &form.email,
                &form.name,
                role,
                form.title.as_deref(),
            )
            .await
        }
    };
    // The page is drawn after the account exists, so the list already shows it.
    let page = context(&app.db, &admin, &csrf).await;
    match outcome {
        Err(e) => super::redrawn("staff/people", page, &csrf, e, |page| {
            page["values"] = values
        }),
        Ok(account) => match page {
            Ok(mut page) => {
                page["created"] = json!({ "email": account.staff.email, "password": account.password, "otpauth": account.otpauth_uri });
                (Status::Created, Template::render("staff/people", page))
            }
            Err(e) => super::undrawable("staff/people", &csrf, e),
        },
    }
}

#[derive(FromForm)]
struct ActiveForm {
    active: bool,
}

#[post("/admin/staff/<id>/active", data = "<form>")]
async fn set_active(
    id: &str,
    form: Posted<ActiveForm>,
    admin: LegalAdmin,
    app: &State<App>,
) -> Result<Flash<Redirect>, AppError> {
    let form = form.checked()?;
    let changed = staff_auth::set_active(&app.db, &admin.0.row, id, form.active).await?;
    let what = if changed.active {
        "can sign in again"
    } else {
        "can no longer sign in"
    };
    Ok(Flash::success(
        Redirect::to(uri!("/staff", people)),
        format!("{} {what}.", changed.email),
    ))
}

pub fn routes() -> Vec<Route> {
    routes![people, add, set_active]
}
