use crate::app::App;
use crate::pages::Template;
use rocket::request::FlashMessage;
use rocket::response::{Flash, Redirect};
use rocket::{get, post, routes, Route, State};
use serde_json::{json, Value};

use super::AREA;
use crate::db::models::requester::Requester;
use crate::domain::profile::CourtProfileDraft;
use crate::domain::vocab::CourtPath;
use crate::error::AppError;
use crate::guards::Posted;
use crate::guards::{CourtRepresentative, Csrf};
use crate::routes::requester::{in_area, with_error, Page};
use crate::services;

#[derive(rocket::form::FromForm)]
struct ProfileForm {
    name: String,
    #[field(default = String::new())]
    firm: String,
    #[field(default = String::new())]
    bar_number: String,
    #[field(default = String::new())]
    bar_jurisdiction: String,
    represents: String,
    #[field(default = String::new())]
    phone: String,
}

fn draft_of(row: &Requester) -> CourtProfileDraft {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    CourtProfileDraft {
        name: text(&row.name),
        firm: text(&row.firm),
        bar_number: text(&row.bar_number),
        bar_jurisdiction: text(&row.bar_jurisdiction),
        represents: text(&row.represents),
        phone: text(&row.phone),
    }
}

fn path_of(representative: &CourtRepresentative) -> CourtPath {
    representative.0.court_path().unwrap_or(CourtPath::Visitor)
}

fn context(
    representative: &CourtRepresentative,
    csrf: &Csrf,
    values: &CourtProfileDraft,
    flash: Option<String>,
) -> Value {
    in_area(
        &AREA,
        json!({
            "csrf": csrf.token(),
            "email": representative.0.row.email,
            "account_uid": representative.0.account_uid,
            "visitor": path_of(representative) == CourtPath::Visitor,
            "first_time": !representative.0.ready_to_file(),
            "values": values,
            "flash": flash,
            "signed_in": true,
        }),
    )
}

#[get("/profile")]
pub fn edit(
    representative: CourtRepresentative,
    csrf: Csrf,
    flash: Option<FlashMessage<'_>>,
) -> Template {
    let values = draft_of(&representative.0.row);
    Template::render(
        "court/profile",
        context(
            &representative,
            &csrf,
            &values,
            flash.map(|f| f.message().to_owned()),
        ),
    )
}

#[post("/profile", data = "<form>")]
async fn save(
    form: Posted<ProfileForm>,
    representative: CourtRepresentative,
    csrf: Csrf,
    app: &State<App>,
) -> Result<Flash<Redirect>, Page> {
    let (form, token) = form.parts();
    let draft = CourtProfileDraft {
        name: form.name,
        firm: form.firm,
        bar_number: form.bar_number,
        bar_jurisdiction: form.bar_jurisdiction,
        represents: form.represents,
        phone: form.phone,
    };
    let page = |error: AppError| {
        with_error(
            "court/profile",
            context(&representative, &csrf, &draft, None),
            error,
        )
    };
    token.map_err(page)?;
    let profile = draft
        .validate(path_of(&representative))
        .map_err(|errors| page(AppError::invalid_fields(errors)))?;
    let first_time = !representative.0.ready_to_file();
    services::profile::save_court(&app.db, &representative.0.row.id, profile)
        .await
        .map_err(page)?;
    Ok(if first_time {
        Flash::success(
            Redirect::to((AREA.new_request)()),
            "Declaration saved. You can now file a request.",
        )
    } else {
        Flash::success(Redirect::to((AREA.profile)()), "Declaration saved.")
    })
}

pub fn routes() -> Vec<Route> {
    routes![edit, save]
}
