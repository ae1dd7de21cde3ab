use rocket::form::Form;
use rocket::response::{Flash, Redirect};
use rocket::{post, routes, Route};

use super::AREA;
use crate::error::AppError;
use crate::guards::{AgencyOfficer, Csrf};
use crate::services::workflow::Workflow;

#[derive(rocket::form::FromForm)]
struct CsrfForm {
    csrf: String,
}

/// Preservation is an agency request: only officers ask for it to run longer.
#[post("/requests/<reference>/extension", data = "<form>")]
async fn extension(
    reference: &str,
    form: Form<CsrfForm>,
    officer: AgencyOfficer,
    csrf: Csrf,
    workflow: Workflow<'_>,
) -> Result<Flash<Redirect>, AppError> {
    csrf.verify(Some(&form.csrf))?;
    let kept = workflow
        .extend_preservation(&officer.0.row, reference)
        .await?;
    Ok(Flash::success(
        Redirect::to((AREA.case)(reference)),
        format!("The preservation now runs until {}.", kept.expires_at),
    ))
}

pub fn routes() -> Vec<Route> {
    routes![extension]
}
