//! Read structs (`Case`) and write structs (`NewCase`) with the queries that use them.
//! Every function takes the connection first and returns `QueryResult`.

pub mod audit;
pub mod bundle;
pub mod case;
pub mod certificate;
pub mod challenge;
pub mod counter;
pub mod directory;
pub mod document;
pub mod draft;
pub mod known_network;
pub mod outbox;
pub mod passkey;
pub mod rate_limit;
pub mod registry;
pub mod requester;
pub mod secret;
pub mod session;
pub mod staff;

pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}
