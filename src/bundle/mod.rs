//! Disclosure bundles (DESIGN §7): a BagIt 1.0 bag in a ZIP, its tag manifest signed with
//! Ed25519, verifiable with stock tools (`bagit.py --validate`, `openssl pkeyutl -verify`) and with
//! `writ verify`. Everything here streams: no file of a production is ever held whole in memory.

pub mod bag;
pub mod certificate;
pub mod keys;
pub mod survey;
pub mod verify;
pub mod zipout;

/// Beside the bag `ROOT/` in the ZIP (DESIGN §7): `ROOT.sig`, the raw Ed25519 signature over
/// `ROOT/tagmanifest-sha256.txt`, and `ROOT.pub.pem`, the key that made it (SPKI PEM).
pub fn signature_file(root: &str) -> String {
    format!("{root}.sig")
}

pub fn key_file(root: &str) -> String {
    format!("{root}.pub.pem")
}
