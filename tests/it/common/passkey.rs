//! A software passkey for tests that talk to the API without a browser: it answers WebAuthn
//! ceremonies as a platform authenticator would (ES256, "none" attestation, user verified), so
//! that what the server checks is real signatures over real client data.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ring::rand::SystemRandom;
use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_ASN1_SIGNING};
use serde_json::{json, Value};

pub struct SoftPasskey {
    key: EcdsaKeyPair,
    pub credential_id: Vec<u8>,
    origin: String,
    counter: u32,
}

/// CBOR (RFC 8949) item heads, as much as an attestation object needs.
fn head(major: u8, len: u64, out: &mut Vec<u8>) {
    let m = major << 5;
    match len {
        0..=23 => out.push(m | len as u8),
        24..=0xff => out.extend([m | 24, len as u8]),
        0x100..=0xffff => {
            out.push(m | 25);
            out.extend((len as u16).to_be_bytes());
        }
        _ => {
            out.push(m | 26);
            out.extend((len as u32).to_be_bytes());
        }
    }
}

fn int(value: i64, out: &mut Vec<u8>) {
    if value >= 0 {
        head(0, value as u64, out);
    } else {
        head(1, (-1 - value) as u64, out);
    }
}

fn bytes(value: &[u8], out: &mut Vec<u8>) {
    head(2, value.len() as u64, out);
    out.extend(value);
}

fn text(value: &str, out: &mut Vec<u8>) {
    head(3, value.len() as u64, out);
    out.extend(value.as_bytes());
}

fn b64(data: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(data)
}

fn sha256(data: &[u8]) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA256, data)
        .as_ref()
        .to_vec()
}

impl SoftPasskey {
    /// A new passkey for the site at `origin` (scheme, host and port).
    pub fn new(origin: &str) -> SoftPasskey {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng).unwrap();
        let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref(), &rng)
            .unwrap();
        let mut credential_id = vec![0u8; 32];
        ring::rand::SecureRandom::fill(&rng, &mut credential_id).unwrap();
        SoftPasskey {
            key,
            credential_id,
            origin: origin.to_owned(),
            counter: 0,
        }
    }

    fn client_data(&self, kind: &str, options: &Value) -> Vec<u8> {
        json!({
            "type": kind,
            "challenge": options["publicKey"]["challenge"],
            "origin": self.origin,
            "crossOrigin": false,
        })
        .to_string()
        .into_bytes()
    }

    fn rp_hash(options: &Value) -> Vec<u8> {
        let rp_id = options["publicKey"]["rp"]["id"]
            .as_str()
            .or(options["publicKey"]["rpId"].as_str())
            .expect("the options name the relying party");
        sha256(rp_id.as_bytes())
    }

    /// The browser's answer to `navigator.credentials.create` with `options` (the server's
    /// `options` member).
    pub fn register(&mut self, options: &Value) -> Value {
        let client_data = self.client_data("webauthn.create", options);
        let point = self.key.public_key().as_ref(); // 0x04 | x | y
        let mut cose = Vec::new();
        head(5, 5, &mut cose);
        int(1, &mut cose);
        int(2, &mut cose); // kty: EC2
        int(3, &mut cose);
        int(-7, &mut cose); // alg: ES256
        int(-1, &mut cose);
        int(1, &mut cose); // crv: P-256
        int(-2, &mut cose);
        bytes(&point[1..33], &mut cose);
        int(-3, &mut cose);
        bytes(&point[33..65], &mut cose);
        let mut auth_data = SoftPasskey::rp_hash(options);
        auth_data.push(0x45); // user present, user verified, attested credential data
        auth_data.extend(self.counter.to_be_bytes());
        auth_data.extend([0u8; 16]); // AAGUID
        auth_data.extend((self.credential_id.len() as u16).to_be_bytes());
        auth_data.extend(&self.credential_id);
        auth_data.extend(&cose);
        let mut attestation = Vec::new();
        head(5, 3, &mut attestation);
        text("fmt", &mut attestation);
        text("none", &mut attestation);
        text("attStmt", &mut attestation);
        head(5, 0, &mut attestation);
        text("authData", &mut attestation);
        bytes(&auth_data, &mut attestation);
        json!({
            "id": b64(&self.credential_id),
            "rawId": b64(&self.credential_id),
            "type": "public-key",
            "response": {
                "attestationObject": b64(&attestation),
                "clientDataJSON": b64(&client_data),
            },
            "extensions": {},
        })
    }

    /// The browser's answer to `navigator.credentials.get` with `options`.
    pub fn sign(&mut self, options: &Value) -> Value {
        self.counter += 1;
        let client_data = self.client_data("webauthn.get", options);
        let mut auth_data = SoftPasskey::rp_hash(options);
        auth_data.push(0x05); // user present, user verified
        auth_data.extend(self.counter.to_be_bytes());
        let mut signed = auth_data.clone();
        signed.extend(sha256(&client_data));
        let signature = self
            .key
            .sign(&SystemRandom::new(), &signed)
            .unwrap()
            .as_ref()
            .to_vec();
        json!({
            "id": b64(&self.credential_id),
            "rawId": b64(&self.credential_id),
            "type": "public-key",
            "response": {
                "authenticatorData": b64(&auth_data),
                "clientDataJSON": b64(&client_data),
                "signature": b64(&signature),
                "userHandle": null,
            },
            "extensions": {},
        })
    }
}
