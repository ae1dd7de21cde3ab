//! A member of staff's own details (`/staff/account`): the title and place of signing the
//! certificates they seal carry; and, for legal admins, the certificate's text.

use crate::app::App;
use crate::pages::Template;
use rocket::form::FromForm;
use rocket::http::Status;
use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, uri, Route, State};
use serde_json::{json, Value};

use crate::db::models::staff::Staff;
use crate::error::AppError;
use crate::guards::{Csrf, LegalAdmin, Posted, StaffMember};
use crate::routes::requester::{with_error, Page};
use crate::services::certificates::{self, TemplateView};
use crate::services::staff_auth;

fn account_context(staff: &Staff, csrf: &Csrf) -> Value {
    json!({
        "csrf": csrf.token(), "staff": staff.name, "role": staff.role,
        "values": { "title": staff.title, "signs_from": if staff.signs_outside_us { "outside_us" } else { "inside_us" } },
        "recorded": staff.title.is_some(),
    })
}

#[get("/account")]
fn account(staff: StaffMember, csrf: Csrf, flash: Option<FlashMessage<'_>>) -> Template {
    let mut context = account_context(&staff.row, &csrf);
    context["flash"] = json!(flash.map(|f| f.message().to_owned()));
    Template::render("staff/account", context)
}

#[derive(FromForm)]
struct CustodianForm {
    title: String,
    signs_from: String,
}

#[post("/account", data = "<form>")]
async fn record_custodian(
    form: Posted<CustodianForm>,
    staff: StaffMember,
    csrf: Csrf,
    app: &State<App>,
) -> Result<Flash<Redirect>, Page> {
    let (form, token) = form.parts();
    let page = |error: AppError| {
        let mut context = account_context(&staff.row, &csrf);
        context["values"] = json!({ "title": form.title, "signs_from": form.signs_from });
        with_error("staff/account", context, error)
    };
    token.map_err(page)?;
    let outside_us = match form.signs_from.as_str() {
        "inside_us" => false,
        "outside_us" => true,
        _ => {
            return Err(page(AppError::invalid(
                "signs_from",
                "Say whether you sign inside or outside the United States.",
            )))
        }
    };
    staff_auth::record_custodian(&app.db, &staff.row, &form.title, outside_us)
        .await
        .map_err(page)?;
    Ok(Flash::success(
        Redirect::to(uri!("/staff", account)),
        "Your custodian details are saved: the certificates you seal will carry them.",
    ))
}

fn certificate_context(admin: &Staff, csrf: &Csrf, view: &TemplateView) -> Value {
    json!({ "csrf": csrf.token(), "staff": admin.name, "role": admin.role, "template": view })
}

#[get("/admin/certificate")]
async fn certificate_page(
    admin: LegalAdmin,
    csrf: Csrf,
    app: &State<App>,
    flash: Option<FlashMessage<'_>>,
) -> Result<Template, AppError> {
    let view = certificates::current(&app.db).await?;
    let mut context = certificate_context(&admin.0.row, &csrf, &view);
    context["flash"] = json!(flash.map(|f| f.message().to_owned()));
    Ok(Template::render("staff/certificate", context))
}

#[derive(FromForm)]
struct TemplateForm {
    body: String,
    /// `save`, or `restore` for Writ's own text.
    action: String,
}

#[post("/admin/certificate", data = "<form>")]
async fn save_certificate(
    form: Posted<TemplateForm>,
    admin: LegalAdmin,
    csrf: Csrf,
    app: &State<App>,
) -> Result<Flash<Redirect>, (Status, Template)> {
    let (form, token) = form.parts();
    let page = |error: AppError| {
        let view = TemplateView::unsaved(&form.body);
        with_error(
            "staff/certificate",
            certificate_context(&admin.0.row, &csrf, &view),
            error,
        )
    };
    token.map_err(page)?;
    let restore = form.action == "restore";
    let version = certificates::save(&app.db, &admin.0.row, &form.body, restore)
        .await
        .map_err(page)?;
    Ok(Flash::success(
        Redirect::to(uri!("/staff", certificate_page)),
        format!("Certificate version {version} saved: bundles sealed from now on carry it."),
    ))
}

pub fn routes() -> Vec<Route> {
    routes![
        account,
        record_custodian,
        certificate_page,
        save_certificate
    ]
}
