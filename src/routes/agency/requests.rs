use rocket::response::{Flash, Redirect};
use rocket::{post, routes, Route};

use super::AREA;
use crate::app::App;
use crate::domain::reference::CaseReference;
use crate::error::AppError;
use crate::guards::{AgencyOfficer, NoFields, Posted};
use crate::services::fulfilment;
use rocket::State;

/// Preservation is an agency request: only officers ask for it to run longer.
#[post("/requests/<reference>/extension", data = "<form>")]
async fn extension(
    reference: Result<CaseReference, AppError>,
    form: Posted<NoFields>,
    officer: AgencyOfficer,
    app: &State<App>,
) -> Result<Flash<Redirect>, AppError> {
    form.checked()?;
    let reference = &reference?;
    let kept = fulfilment::extend_preservation(app, &officer.0.row, reference).await?;
    Ok(Flash::success(
        Redirect::to((AREA.case)(reference.as_str())),
        format!("The preservation now runs until {}.", kept.expires_at),
    ))
}

#[derive(rocket::form::FromForm)]
struct ProductionRequestForm {
    production_request: String,
}

/// A European Preservation Order's issuer confirms the production request that follows it
/// (Regulation 2023/1543, Annex V): the data is kept until produced.
#[post("/requests/<reference>/production-request", data = "<form>")]
async fn production_request(
    reference: Result<CaseReference, AppError>,
    form: Posted<ProductionRequestForm>,
    officer: AgencyOfficer,
    app: &State<App>,
) -> Result<Flash<Redirect>, AppError> {
    let form = form.checked()?;
    let reference = &reference?;
    fulfilment::confirm_production_request(
        app,
        &officer.0.row,
        reference,
        &form.production_request,
    )
    .await?;
    Ok(Flash::success(
        Redirect::to((AREA.case)(reference.as_str())),
        "Confirmed: the records are kept until they are produced under your production request.",
    ))
}

pub fn routes() -> Vec<Route> {
    routes![extension, production_request]
}
