//! Disclosure bundles (DESIGN §7): a BagIt 1.0 bag in a ZIP, its tag manifest signed with
//! Ed25519, verifiable with stock tools (`bagit.py --validate`, `openssl pkeyutl -verify`) and with
//! `writ verify`. Everything here streams: no file of a production is ever held whole in memory.

pub mod bag;
pub mod keys;
pub mod verify;
pub mod zipout;

/// The file holding the raw Ed25519 signature over `tagmanifest-sha256.txt`, at the bag's root.
pub const SIGNATURE_FILE: &str = "tagmanifest-sha256.txt.sig";
/// The public key that made the signature (SPKI PEM), at the bag's root.
pub const KEY_FILE: &str = "writ-signing-key.pem";
