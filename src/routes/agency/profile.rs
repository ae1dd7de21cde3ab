use crate::app::App;
use crate::pages::Template;
use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, uri, Route, State};
use serde_json::{json, Value};

use crate::db::models::requester::Requester;
use crate::domain::profile::{AgencyProfileDraft, Country};
use crate::domain::vocab::AgencyFunction;
use crate::error::AppError;
use crate::guards::Posted;
use crate::guards::{AgencyOfficer, Csrf};
use crate::routes::requester::{with_error, Page};
use crate::services;

#[derive(rocket::form::FromForm)]
struct ProfileForm {
    name: String,
    title: String,
    badge_number: String,
    agency_name: String,
    agency_function: String,
    country: String,
    phone: String,
}

fn draft_of(row: &Requester) -> AgencyProfileDraft {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    AgencyProfileDraft {
        name: text(&row.name),
        title: text(&row.title),
        badge_number: text(&row.badge_number),
        agency_name: text(&row.agency_name),
        agency_function: text(&row.agency_function),
        country: text(&row.country),
        phone: text(&row.phone),
    }
}

fn context(
    officer: &AgencyOfficer,
    csrf: &Csrf,
    values: &AgencyProfileDraft,
    flash: Option<String>,
) -> Value {
    let functions: Vec<Value> = AgencyFunction::ALL
        .iter()
        .map(|f| json!({ "value": f.as_str(), "label": f.label() }))
        .collect();
    let countries: Vec<Value> = Country::all()
        .iter()
        .map(|c| json!({ "value": c.code(), "label": c.name() }))
        .collect();
    json!({
        "csrf": csrf.token(),
        "email": officer.0.row.email,
        "first_time": !officer.0.row.has_profile(),
        "values": values,
        "functions": functions,
        "countries": countries,
        "flash": flash,
        "signed_in": true,
    })
}

#[get("/profile")]
pub fn edit(officer: AgencyOfficer, csrf: Csrf, flash: Option<FlashMessage<'_>>) -> Template {
    let values = draft_of(&officer.0.row);
    Template::render(
        "agency/profile",
        context(
            &officer,
            &csrf,
            &values,
            flash.map(|f| f.message().to_owned()),
        ),
    )
}

#[post("/profile", data = "<form>")]
async fn save(
    form: Posted<ProfileForm>,
    officer: AgencyOfficer,
    csrf: Csrf,
    app: &State<App>,
) -> Result<Flash<Redirect>, Page> {
    let (form, token) = form.parts();
    let draft = AgencyProfileDraft {
        name: form.name,
        title: form.title,
        badge_number: form.badge_number,
        agency_name: form.agency_name,
        agency_function: form.agency_function,
        country: form.country,
        phone: form.phone,
    };
    let page = |error: AppError| {
        with_error(
            "agency/profile",
            context(&officer, &csrf, &draft, None),
            error,
        )
    };
    token.map_err(page)?;
    let profile = draft
        .validate()
        .map_err(|errors| page(AppError::invalid_fields(errors)))?;
    let first_time = !officer.0.row.has_profile();
    services::profile::save_agency(&app.db, &officer.0.row.id, profile)
        .await
        .map_err(page)?;
    Ok(if first_time && !officer.0.row.enrolled() {
        Flash::success(
            Redirect::to(uri!("/agency", super::security::show)),
            "Profile saved. Now set up your second factor: it keeps your account yours even if your mailbox is not.",
        )
    } else if first_time {
        Flash::success(
            Redirect::to((super::AREA.new_request)()),
            "Profile saved. You can now file a request.",
        )
    } else {
        Flash::success(Redirect::to(uri!("/agency", edit)), "Profile saved.")
    })
}

pub fn routes() -> Vec<Route> {
    routes![edit, save]
}
