//! What the handlers call: each service parses nothing and renders nothing; it takes domain
//! types, does the work in one transaction and returns what happened.

pub mod agencies;
pub mod authority;
pub mod bundles;
pub mod cases;
pub mod directory;
pub mod fulfilment;
pub mod intake;
pub mod limits;
pub mod overview;
pub mod profile;
pub mod signin;
pub mod signing;
pub mod staff_auth;
pub mod staff_cases;
pub mod workflow;
