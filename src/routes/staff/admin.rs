use crate::app::App;
use crate::pages::Template;
use rocket::form::FromForm;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, uri, Route, State};
use serde_json::{json, Value};

use crate::db::Db;
use crate::domain::profile::Country;
use crate::error::AppError;
use crate::guards::Posted;
use crate::guards::{Csrf, LegalAdmin};
use crate::routes::requester::Page;
use crate::services::agencies;

#[derive(FromForm)]
struct VerifyForm {
    domain: String,
    agency_name: String,
    country: String,
}

#[derive(FromForm)]
struct BlockForm {
    domain: String,
    reason: String,
}

async fn context(db: &Db, admin: &LegalAdmin, csrf: &Csrf) -> Result<Value, AppError> {
    let (approved, blocked) = agencies::list(db).await?;
    let contacts = db
        .run(|conn| Ok(crate::services::callbacks::all_contacts(conn)?))
        .await?;
    let countries: Vec<Value> = Country::all()
        .iter()
        .map(|c| json!({ "value": c.code(), "label": c.name() }))
        .collect();
    Ok(
        json!({ "csrf": csrf.token(), "staff": admin.0.row.name, "role": admin.0.row.role, "approved": approved, "blocked": blocked, "countries": countries, "contacts": contacts }),
    )
}

#[get("/admin/agencies")]
async fn agencies_page(
    admin: LegalAdmin,
    csrf: Csrf,
    app: &State<App>,
    flash: Option<rocket::request::FlashMessage<'_>>,
) -> Result<Template, AppError> {
    let mut context = context(&app.db, &admin, &csrf).await?;
    context["flash"] = json!(flash.map(|f| f.message().to_owned()));
    Ok(Template::render("staff/agencies", context))
}

async fn refused(db: &Db, admin: &LegalAdmin, csrf: &Csrf, values: Value, error: AppError) -> Page {
    let page = context(db, admin, csrf).await;
    super::redrawn("staff/agencies", page, csrf, error, |page| {
        page["values"] = values
    })
}

#[post("/admin/agencies/verify", data = "<form>")]
async fn verify(
    form: Posted<VerifyForm>,
    admin: LegalAdmin,
    csrf: Csrf,
    app: &State<App>,
) -> Result<Flash<Redirect>, Page> {
    let (form, token) = form.parts();
    let values =
        json!({ "domain": form.domain, "agency_name": form.agency_name, "country": form.country });
    if let Err(e) = token {
        return Err(refused(&app.db, &admin, &csrf, values, e).await);
    }
    match agencies::verify(
        &app.db,
        &app.policy,
        &app.config.home_country,
        &admin.0.row.id,
        &form.domain,
        &form.agency_name,
        &form.country,
    )
    .await
    {
        Ok(rechecked) => Ok(Flash::success(
            Redirect::to(uri!("/staff", agencies_page)),
            format!(
                "{} is verified; {rechecked} open case(s) were checked again.",
                form.domain.trim().to_lowercase()
            ),
        )),
        Err(e) => Err(refused(&app.db, &admin, &csrf, values, e).await),
    }
}

#[post("/admin/agencies/block", data = "<form>")]
async fn block(
    form: Posted<BlockForm>,
    admin: LegalAdmin,
    csrf: Csrf,
    app: &State<App>,
) -> Result<Flash<Redirect>, Page> {
    let (form, token) = form.parts();
    let values = json!({ "block_domain": form.domain, "reason": form.reason });
    if let Err(e) = token {
        return Err(refused(&app.db, &admin, &csrf, values, e).await);
    }
    match agencies::block(
        &app.db,
        &app.policy,
        &app.config.home_country,
        &admin.0.row.id,
        &form.domain,
        &form.reason,
    )
    .await
    {
        Ok(rechecked) => Ok(Flash::success(
            Redirect::to(uri!("/staff", agencies_page)),
            format!(
                "{} is blocked; its officers were signed out and {rechecked} open case(s) were checked again.",
                form.domain.trim().to_lowercase()
            ),
        )),
        Err(mut e) => {
            // The block form's domain field is its own, apart from the verify form's.
            e.fields.rename("domain", "block_domain");
            Err(refused(&app.db, &admin, &csrf, values, e).await)
        }
    }
}

#[derive(FromForm)]
struct ContactForm {
    domain: String,
    label: String,
    phone: String,
}

/// Records a known-good number of an agency, for call-backs (never taken from a request).
#[post("/admin/agencies/contacts", data = "<form>")]
async fn contact(
    form: Posted<ContactForm>,
    admin: LegalAdmin,
    csrf: Csrf,
    app: &State<App>,
) -> Result<Flash<Redirect>, Page> {
    let (form, token) = form.parts();
    let values = json!({ "contact_domain": form.domain, "label": form.label, "phone": form.phone });
    let outcome = match token {
        Ok(()) => {
            crate::services::callbacks::add_contact(
                &app.db,
                &admin.0.row.id,
                &form.domain,
                &form.label,
                &form.phone,
            )
            .await
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok(()) => Ok(Flash::success(
            Redirect::to(uri!("/staff", agencies_page)),
            format!("Number recorded for {}.", form.domain.trim().to_lowercase()),
        )),
        Err(mut e) => {
            // The contact form's domain field is its own.
            e.fields.rename("domain", "contact_domain");
            Err(refused(&app.db, &admin, &csrf, values, e).await)
        }
    }
}

pub fn routes() -> Vec<Route> {
    routes![agencies_page, verify, block, contact]
}
