//! Target identifiers checked the way their own systems check them: Bitcoin and Litecoin
//! base58check and bech32/bech32m, EIP-55 checksums for Ethereum-style addresses, TRON and XRP
//! base58check, Solana public keys, transaction hashes of each chain.

use sha3::{Digest, Keccak256};

use super::vocab::{Chain, TargetKind};

/// What checking one identifier found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Well formed; the canonical spelling to store and look up.
    Valid(String),
    /// Malformed, with a reason the requester can act on.
    Invalid(String),
    /// No rule for this chain: taken as written.
    Unchecked(String),
}

pub fn check(kind: TargetKind, chain: Option<Chain>, value: &str) -> Verdict {
    let value = value.trim();
    match (kind, chain) {
        (TargetKind::WalletAddress, Some(chain)) => wallet(chain, value),
        (TargetKind::TxHash, Some(chain)) => tx_hash(chain, value),
        (TargetKind::WalletAddress | TargetKind::TxHash, None) => {
            Verdict::Invalid("name the chain".into())
        }
        (TargetKind::UserId, _) => user_id(value),
        // E-mail addresses and phone numbers are parsed when the request is read.
        (TargetKind::Email | TargetKind::Phone, _) => Verdict::Valid(value.to_owned()),
    }
}

fn user_id(value: &str) -> Verdict {
    let ok = (1..=64).contains(&value.len())
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Verdict::Valid(value.to_owned())
    } else {
        Verdict::Invalid("a platform user ID is 1 to 64 letters, digits, “-” or “_”".into())
    }
}

fn wallet(chain: Chain, value: &str) -> Verdict {
    match chain {
        Chain::Btc => bitcoin_style(value, "bc", &[0x00, 0x05], "Bitcoin"),
        Chain::Ltc => bitcoin_style(value, "ltc", &[0x30, 0x32, 0x05], "Litecoin"),
        Chain::Eth | Chain::Bsc => evm_address(value),
        Chain::Trx => base58check(value, bs58::Alphabet::BITCOIN, 0x41, "TRON"),
        Chain::Xrp => base58check(value, bs58::Alphabet::RIPPLE, 0x00, "XRP Ledger"),
        Chain::Sol => match bs58::decode(value).into_vec() {
            Ok(bytes) if bytes.len() == 32 => Verdict::Valid(value.to_owned()),
            _ => Verdict::Invalid("a Solana address is the base58 spelling of 32 bytes".into()),
        },
        Chain::Other => Verdict::Unchecked(value.to_owned()),
    }
}

/// Segwit (bech32 for version 0, bech32m after) or legacy base58check with a known version byte.
fn bitcoin_style(value: &str, hrp: &str, versions: &[u8], name: &str) -> Verdict {
    if value.to_lowercase().starts_with(&format!("{hrp}1")) {
        return match bech32::segwit::decode(value) {
            Ok((found, _, _)) if found.as_str().eq_ignore_ascii_case(hrp) => {
                Verdict::Valid(value.to_lowercase())
            }
            Ok((found, _, _)) => {
                Verdict::Invalid(format!("“{found}” is not a {name} mainnet prefix"))
            }
            Err(_) => Verdict::Invalid(format!(
                "this {name} address fails its bech32 checksum: a character is probably wrong"
            )),
        };
    }
    match bs58::decode(value).with_check(None).into_vec() {
        Ok(payload) if payload.len() == 21 && versions.contains(&payload[0]) => {
            Verdict::Valid(value.to_owned())
        }
        Ok(_) => Verdict::Invalid(format!("this is not a {name} mainnet address")),
        Err(_) => Verdict::Invalid(format!(
            "this {name} address fails its base58check checksum: a character is probably wrong"
        )),
    }
}

fn base58check(value: &str, alphabet: &'static bs58::Alphabet, version: u8, name: &str) -> Verdict {
    match bs58::decode(value)
        .with_alphabet(alphabet)
        .with_check(Some(version))
        .into_vec()
    {
        Ok(payload) if payload.len() == 21 => Verdict::Valid(value.to_owned()),
        Ok(_) => Verdict::Invalid(format!("this is not a {name} address")),
        Err(_) => Verdict::Invalid(format!(
            "this {name} address fails its base58check checksum: a character is probably wrong"
        )),
    }
}

/// `0x` and 40 hex digits. Mixed case carries an EIP-55 checksum, which must hold; the address
/// is stored in its checksummed spelling.
fn evm_address(value: &str) -> Verdict {
    let Some(hex) = value
        .strip_prefix("0x")
        .or_else(|| value.strip_prefix("0X"))
    else {
        return Verdict::Invalid("an address on this chain starts with 0x".into());
    };
    if hex.len() != 40 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Verdict::Invalid("an address on this chain is 0x and 40 hexadecimal digits".into());
    }
    let checksummed = eip55(hex);
    let mixed =
        hex.bytes().any(|b| b.is_ascii_lowercase()) && hex.bytes().any(|b| b.is_ascii_uppercase());
    if mixed && checksummed[2..] != *hex {
        return Verdict::Invalid("the address’s capitals do not match its EIP-55 checksum: a character is probably wrong".into());
    }
    Verdict::Valid(checksummed)
}

/// The EIP-55 spelling of a 40-digit hex address.
pub fn eip55(hex: &str) -> String {
    let lower = hex.to_ascii_lowercase();
    let hash = Keccak256::digest(lower.as_bytes());
    let spelled: String = lower
        .chars()
        .enumerate()
        .map(|(i, c)| {
            let nibble = (hash[i / 2] >> (if i % 2 == 0 { 4 } else { 0 })) & 0x0f;
            if c.is_ascii_alphabetic() && nibble >= 8 {
                c.to_ascii_uppercase()
            } else {
                c
            }
        })
        .collect();
    format!("0x{spelled}")
}

fn tx_hash(chain: Chain, value: &str) -> Verdict {
    let hex64 = |s: &str| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit());
    match chain {
        Chain::Btc | Chain::Ltc | Chain::Trx if hex64(value) => {
            Verdict::Valid(value.to_lowercase())
        }
        Chain::Xrp if hex64(value) => Verdict::Valid(value.to_uppercase()),
        Chain::Eth | Chain::Bsc => {
            let hex = value
                .strip_prefix("0x")
                .or_else(|| value.strip_prefix("0X"))
                .unwrap_or(value);
            if hex64(hex) {
                Verdict::Valid(format!("0x{}", hex.to_lowercase()))
            } else {
                Verdict::Invalid(
                    "a transaction hash on this chain is 0x and 64 hexadecimal digits".into(),
                )
            }
        }
        Chain::Sol => match bs58::decode(value).into_vec() {
            Ok(bytes) if bytes.len() == 64 => Verdict::Valid(value.to_owned()),
            _ => Verdict::Invalid(
                "a Solana transaction signature is the base58 spelling of 64 bytes".into(),
            ),
        },
        Chain::Other => Verdict::Unchecked(value.to_owned()),
        Chain::Btc | Chain::Ltc | Chain::Trx | Chain::Xrp => {
            Verdict::Invalid("a transaction hash on this chain is 64 hexadecimal digits".into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid(chain: Chain, value: &str) -> bool {
        matches!(
            check(TargetKind::WalletAddress, Some(chain), value),
            Verdict::Valid(_)
        )
    }

    /// Changes the character at `at` to another one of the same alphabet (hex for `0x…`,
    /// else characters that base58 and bech32 both allow), so only the checksum can tell.
    fn typo(value: &str, at: usize) -> String {
        let hex = value.starts_with("0x");
        let mut chars: Vec<char> = value.chars().collect();
        let c = chars[at];
        chars[at] = match c {
            '0'..='8' if hex => (c as u8 + 1) as char,
            '9' if hex => '0',
            'a'..='e' | 'A'..='E' if hex => (c as u8 + 1) as char,
            'f' if hex => 'a',
            'F' if hex => 'A',
            '3' => '4',
            c if c.is_ascii_digit() => '3',
            'Z' => 'Y',
            c if c.is_ascii_uppercase() => 'Z',
            'z' => 'y',
            _ => 'z',
        };
        chars.into_iter().collect()
    }

    const REAL: &[(Chain, &str)] = &[
        (Chain::Btc, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"),
        (Chain::Btc, "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"),
        (Chain::Btc, "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"),
        (
            Chain::Btc,
            "bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297",
        ),
        (Chain::Eth, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"),
        (Chain::Eth, "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359"),
        (Chain::Bsc, "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB"),
        (Chain::Trx, "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"),
        (Chain::Xrp, "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh"),
    ];

    #[test]
    fn real_addresses_pass() {
        for (chain, address) in REAL {
            assert!(valid(*chain, address), "{chain} {address}");
        }
        assert!(valid(
            Chain::Sol,
            "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"
        ));
    }

    #[test]
    fn one_changed_character_fails_the_checksum() {
        for (chain, address) in REAL {
            for at in [3, address.len() / 2, address.len() - 2] {
                let changed = typo(address, at);
                assert_ne!(&changed, address);
                assert!(
                    !valid(*chain, &changed),
                    "{chain} {changed} (from {address}) passed"
                );
            }
        }
    }

    #[test]
    fn evm_addresses_are_stored_checksummed() {
        assert_eq!(
            check(
                TargetKind::WalletAddress,
                Some(Chain::Eth),
                "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"
            ),
            Verdict::Valid("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed".into())
        );
        assert!(
            matches!(check(TargetKind::WalletAddress, Some(Chain::Eth), "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"), Verdict::Invalid(m) if m.contains("EIP-55"))
        );
    }

    #[test]
    fn wrong_network_and_transaction_hashes() {
        assert!(
            !valid(Chain::Btc, "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx"),
            "testnet is refused"
        );
        assert!(
            !valid(Chain::Trx, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"),
            "a bitcoin address is no TRON address"
        );
        let hash = "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b";
        assert_eq!(
            check(TargetKind::TxHash, Some(Chain::Btc), hash),
            Verdict::Valid(hash.into())
        );
        assert!(
            matches!(check(TargetKind::TxHash, Some(Chain::Eth), hash), Verdict::Valid(v) if v.starts_with("0x"))
        );
        assert!(matches!(
            check(TargetKind::TxHash, Some(Chain::Btc), &hash[1..]),
            Verdict::Invalid(_)
        ));
        assert!(matches!(
            check(TargetKind::UserId, None, "u 1"),
            Verdict::Invalid(_)
        ));
        assert_eq!(
            check(TargetKind::WalletAddress, Some(Chain::Other), "anything"),
            Verdict::Unchecked("anything".into())
        );
    }
}
