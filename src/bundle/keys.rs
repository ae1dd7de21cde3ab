//! Ed25519 signing keys: made with ring, published as SPKI PEM, named by a digest of the key.

use base64::Engine;
use ring::rand::SystemRandom;
use ring::signature::{self, Ed25519KeyPair, KeyPair};

use crate::crypto::sha256_hex;

/// The DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410); the 32 key bytes follow.
const SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];

/// A new key pair as PKCS#8 (v2, with its public key).
pub fn generate() -> Vec<u8> {
    // The system generator only fails when the OS has no entropy source at all.
    Ed25519KeyPair::generate_pkcs8(&SystemRandom::new())
        .expect("the system random generator works")
        .as_ref()
        .to_vec()
}

pub struct Signer {
    pair: Ed25519KeyPair,
}

impl Signer {
    pub fn from_pkcs8(pkcs8: &[u8]) -> Option<Signer> {
        Ed25519KeyPair::from_pkcs8(pkcs8)
            .ok()
            .map(|pair| Signer { pair })
    }

    pub fn public_key(&self) -> PublicKey {
        let mut raw = [0u8; 32];
        raw.copy_from_slice(self.pair.public_key().as_ref());
        PublicKey(raw)
    }

    /// The raw 64-byte signature of `message`.
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        self.pair.sign(message).as_ref().to_vec()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicKey([u8; 32]);

impl PublicKey {
    fn spki(&self) -> Vec<u8> {
        let mut der = SPKI_PREFIX.to_vec();
        der.extend_from_slice(&self.0);
        der
    }

    /// The key's name (DESIGN §7): the first 16 hex digits of the SHA-256 of the public key.
    pub fn id(&self) -> String {
        sha256_hex(&self.0)[..16].to_owned()
    }

    /// `-----BEGIN PUBLIC KEY-----`, as `openssl pkey -pubout` writes it.
    pub fn pem(&self) -> String {
        let body = base64::engine::general_purpose::STANDARD.encode(self.spki());
        format!("-----BEGIN PUBLIC KEY-----\n{body}\n-----END PUBLIC KEY-----\n")
    }

    /// Reads an Ed25519 public key from SPKI PEM; `None` for anything else.
    pub fn from_pem(pem: &str) -> Option<PublicKey> {
        let body: String = pem
            .lines()
            .map(str::trim)
            .skip_while(|l| *l != "-----BEGIN PUBLIC KEY-----")
            .skip(1)
            .take_while(|l| *l != "-----END PUBLIC KEY-----")
            .collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(body)
            .ok()?;
        let raw = der.strip_prefix(&SPKI_PREFIX[..])?;
        let mut key = [0u8; 32];
        (raw.len() == 32).then(|| {
            key.copy_from_slice(raw);
            PublicKey(key)
        })
    }

    pub fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        signature::UnparsedPublicKey::new(&signature::ED25519, &self.0)
            .verify(message, signature)
            .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_through_pem_and_sign() {
        let signer = Signer::from_pkcs8(&generate()).unwrap();
        let key = signer.public_key();
        let pem = key.pem();
        assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA"));
        assert_eq!(PublicKey::from_pem(&pem), Some(key));
        assert_eq!(key.id().len(), 16);
        let signature = signer.sign(b"tag manifest");
        assert_eq!(signature.len(), 64);
        assert!(key.verifies(b"tag manifest", &signature));
        assert!(!key.verifies(b"tag manifesT", &signature));
        let other = Signer::from_pkcs8(&generate()).unwrap().public_key();
        assert!(!other.verifies(b"tag manifest", &signature));
        assert_eq!(
            PublicKey::from_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"),
            None
        );
    }
}
