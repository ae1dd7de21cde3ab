//! A short guide for agencies: what the platform holds, which instrument reaches what (read
//! from the policy in force, not written out by hand), what each state of a case means, and
//! how to check a bundle.

use rocket::{get, routes, Route, State};
use serde_json::{json, Value};

use crate::app::App;
use crate::domain::policy::Access;
use crate::domain::vocab::{DataCategory, InstrumentKind, RequestType, Track};
use crate::pages::Template;

#[get("/guide")]
fn guide(app: &State<App>) -> Template {
    let categories: Vec<Value> = DataCategory::ALL
        .iter()
        .map(|c| json!({ "value": c.as_str(), "label": c.label() }))
        .collect();
    let mut instruments: Vec<InstrumentKind> = Vec::new();
    for kind in RequestType::ALL {
        for instrument in app.policy.instruments(Track::Agency, *kind) {
            if !instruments.contains(instrument) {
                instruments.push(*instrument);
            }
        }
    }
    let scope: Vec<Value> = instruments
        .iter()
        .map(|instrument| {
            let row = app.policy.scope(*instrument);
            let reach: Vec<&str> = DataCategory::ALL
                .iter()
                .map(|c| match row.access(*c) {
                    Access::Yes => "yes",
                    Access::Warn => "caution",
                    Access::No => "no",
                })
                .collect();
            json!({ "label": instrument.label(), "reach": reach, "note": row.note })
        })
        .collect();
    let types: Vec<Value> = RequestType::ALL
        .iter()
        .map(|kind| {
            let fitting: Vec<&str> = app
                .policy
                .instruments(Track::Agency, *kind)
                .iter()
                .map(|i| i.label())
                .collect();
            json!({ "label": kind.label(), "instruments": fitting })
        })
        .collect();
    Template::render(
        "agency/guide",
        json!({ "categories": categories, "scope": scope, "types": types }),
    )
}

pub fn routes() -> Vec<Route> {
    routes![guide]
}
