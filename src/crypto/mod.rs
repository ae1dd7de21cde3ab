//! Randomness, hashing and secrets (ring).

pub mod master;
pub mod passkey;
pub mod stream;
pub mod totp;

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ring::rand::{SecureRandom, SystemRandom};
use ring::{digest, hmac};

/// Fills a fresh array from the system's secure generator.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    // The system generator only fails when the OS has no entropy source at all.
    SystemRandom::new()
        .fill(&mut bytes)
        .expect("the operating system's random generator failed");
    bytes
}

/// A 6-digit one-time code, uniformly drawn.
pub fn one_time_code() -> String {
    loop {
        let n = u32::from_be_bytes(random_bytes::<4>());
        // Reject the top sliver so that `n % 1_000_000` is uniform.
        if n < u32::MAX - (u32::MAX % 1_000_000) {
            return format!("{:06}", n % 1_000_000);
        }
    }
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(digest::digest(&digest::SHA256, data))
}

/// A bearer secret (session token, challenge id): shown once, stored only as its hash.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    pub fn generate() -> Token {
        Token(URL_SAFE_NO_PAD.encode(random_bytes::<32>()))
    }
    pub fn from_presented(text: &str) -> Token {
        Token(text.to_owned())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn hash(&self) -> HashedToken {
        HashedToken(sha256_hex(self.0.as_bytes()))
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// What the database keeps of a `Token`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HashedToken(pub String);

/// Server-side secrets, generated on first start and shared by every instance through the
/// database (`state::load_keys`).
#[derive(Clone)]
pub struct Keys {
    pub pepper: Pepper,
    /// Seals small secrets kept in the database (staff TOTP secrets).
    pub secrets: stream::DocumentKey,
}

/// A server-side key for keyed hashes (one-time codes are hashed with it, so a database dump
/// alone does not let anyone brute-force six digits).
#[derive(Clone)]
pub struct Pepper(hmac::Key);

impl Pepper {
    pub fn new(secret: &[u8]) -> Pepper {
        Pepper(hmac::Key::new(hmac::HMAC_SHA256, secret))
    }
    pub fn code_hash(&self, challenge: &str, code: &str) -> String {
        hex::encode(hmac::sign(
            &self.0,
            format!("{challenge}:{code}").as_bytes(),
        ))
    }
    /// A key for `purpose` bound to `secret` (a challenge token the client holds): what it
    /// seals opens only with both the server's pepper and that secret, never from the
    /// database alone.
    pub fn derive(&self, purpose: &str, secret: &str) -> stream::DocumentKey {
        let tag = hmac::sign(&self.0, format!("{purpose}\0{secret}").as_bytes());
        stream::DocumentKey::from_bytes(tag.as_ref()).expect("HMAC-SHA256 gives 32 bytes")
    }

    pub fn code_matches(&self, challenge: &str, code: &str, stored_hex: &str) -> bool {
        let Ok(stored) = hex::decode(stored_hex) else {
            return false;
        };
        hmac::verify(&self.0, format!("{challenge}:{code}").as_bytes(), &stored).is_ok()
    }
}

impl fmt::Debug for Pepper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pepper(<redacted>)")
    }
}

/// Encrypts a short secret (AES-256-GCM, random nonce) bound to `aad`; base64 of nonce ‖ ciphertext.
pub fn seal_small(key: &stream::DocumentKey, aad: &[u8], plaintext: &[u8]) -> String {
    let nonce = random_bytes::<12>();
    let mut sealed = plaintext.to_vec();
    key.aead()
        .seal_in_place_append_tag(
            ring::aead::Nonce::assume_unique_for_key(nonce),
            ring::aead::Aad::from(aad),
            &mut sealed,
        )
        .expect("sealing a short secret cannot fail");
    let mut out = nonce.to_vec();
    out.extend_from_slice(&sealed);
    b64(&out)
}

/// Opens what `seal_small` sealed; `None` if it was altered or bound to other `aad`.
pub fn open_small(key: &stream::DocumentKey, aad: &[u8], sealed: &str) -> Option<Vec<u8>> {
    let bytes = unb64(sealed)?;
    if bytes.len() < 12 + 16 {
        return None;
    }
    let (nonce, ciphertext) = bytes.split_at(12);
    let nonce = ring::aead::Nonce::try_assume_unique_for_key(nonce).ok()?;
    let mut buffer = ciphertext.to_vec();
    let plain = key
        .aead()
        .open_in_place(nonce, ring::aead::Aad::from(aad), &mut buffer)
        .ok()?;
    Some(plain.to_vec())
}

pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub fn unb64(text: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits() {
        for _ in 0..200 {
            let code = one_time_code();
            assert_eq!(code.len(), 6);
            assert!(code.bytes().all(|b| b.is_ascii_digit()));
        }
    }

    #[test]
    fn small_secrets_open_only_with_their_key_and_aad() {
        let key = stream::DocumentKey::from_bytes(&[3u8; 32]).unwrap();
        let sealed = seal_small(&key, b"staff-1", b"JBSWY3DPEHPK3PXP");
        assert_eq!(
            open_small(&key, b"staff-1", &sealed).as_deref(),
            Some(&b"JBSWY3DPEHPK3PXP"[..])
        );
        assert_eq!(open_small(&key, b"staff-2", &sealed), None);
        let other = stream::DocumentKey::from_bytes(&[4u8; 32]).unwrap();
        assert_eq!(open_small(&other, b"staff-1", &sealed), None);
        assert!(!sealed.contains("JBSWY3DP"));
    }

    #[test]
    fn code_hash_verifies_only_the_code() {
        let pepper = Pepper::new(b"k");
        let stored = pepper.code_hash("c1", "123456");
        assert!(pepper.code_matches("c1", "123456", &stored));
        assert!(!pepper.code_matches("c1", "123457", &stored));
        assert!(!pepper.code_matches("c2", "123456", &stored));
        assert_eq!(format!("{:?}", Token::generate()), "Token(<redacted>)");
    }
}
