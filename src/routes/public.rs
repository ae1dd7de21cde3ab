//! Pages anyone may see.

use crate::app::App;
use crate::pages::Template;
use rocket::serde::json::Json;
use rocket::{get, routes, Route, State};
use serde_json::{json, Value};

use crate::error::AppError;

#[get("/")]
fn index() -> Template {
    Template::render("public/index", json!({}))
}

/// For load balancers: the database answers.
#[get("/health")]
async fn health(app: &State<App>) -> Result<Json<Value>, AppError> {
    app.db
        .run(|conn| {
            use diesel::RunQueryDsl;
            diesel::sql_query("SELECT 1").execute(conn)?;
            Ok(())
        })
        .await?;
    Ok(Json(json!({ "status": "ok" })))
}

pub fn routes() -> Vec<Route> {
    routes![index, health, super::assets::favicon]
}
