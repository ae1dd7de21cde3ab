//! The rules of Writ in plain Rust: no Rocket, no Diesel.

pub mod annex_iii;
pub mod authority;
pub mod clock;
pub mod deadline;
pub mod directory;
pub mod email;
pub mod fields;
pub mod identifiers;
pub mod identity;
pub mod policy;
pub mod profile;
pub mod reference;
pub mod registry;
pub mod request;
pub mod search;
pub mod signals;
pub mod target_list;
pub mod text;
pub mod vocab;
pub mod workflow;

pub use fields::FieldErrors;
