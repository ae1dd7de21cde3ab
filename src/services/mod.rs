//! What the handlers call: each service parses nothing and renders nothing; it takes domain
//! types, does the work in one transaction and returns what happened.

pub mod agencies;
pub mod annex_iii;
pub mod audit_log;
pub mod authority;
pub mod bundles;
pub mod callbacks;
pub mod cases;
pub mod certificates;
pub mod colleagues;
pub mod directory;
pub mod drafts;
pub mod fulfilment;
pub mod intake;
pub mod limits;
pub mod officers;
pub mod overview;
pub mod passkeys;
pub mod profile;
pub mod second_factor;
pub mod signals;
pub mod signin;
pub mod signing;
pub mod staff_auth;
pub mod staff_cases;
pub mod workflow;
