//! The integration tests, in one binary: each module is one area, and `common` is the harness
//! they share (a real server on SQLite or PostgreSQL, real mail, real files).
//!
//! One binary links the app once instead of once per area. Run one area with
//! `cargo test --test it staff::`.

mod common;

mod abuse_limits;
mod agency_api;
mod agency_pages;
mod agency_signin;
mod api_openapi;
mod authority;
mod bad_input;
mod browser;
mod bundles;
mod cli;
mod court;
mod faults;
mod fulfilment;
mod identity;
mod migrations;
mod object_storage;
mod outbox;
mod routes_by_role;
mod scale_out;
mod schemathesis;
mod sealed_keys;
mod sessions;
mod staff;
mod web_security;
mod workflow;
