//! The WebAuthn relying party behind officers' passkeys: the platform's own domain and origin,
//! both taken from `WRIT_PUBLIC_URL`, so a passkey made here answers nowhere else.

use std::sync::Arc;

use webauthn_rs::prelude::Url;
use webauthn_rs::{Webauthn, WebauthnBuilder};

/// Passkeys for this deployment, or why there are none (WebAuthn needs a domain name: a public
/// URL on a bare IP address, as some test set-ups use, can have no passkeys).
#[derive(Clone)]
pub struct RelyingParty(Result<Arc<Webauthn>, String>);

impl RelyingParty {
    pub fn for_public_url(public_url: &str) -> RelyingParty {
        RelyingParty(build(public_url))
    }

    /// The relying party, or the reason passkeys cannot be used on this deployment.
    pub fn webauthn(&self) -> Result<Arc<Webauthn>, &str> {
        self.0.as_ref().map(Arc::clone).map_err(String::as_str)
    }

    pub fn available(&self) -> bool {
        self.0.is_ok()
    }
}

fn build(public_url: &str) -> Result<Arc<Webauthn>, String> {
    let url = Url::parse(public_url)
        .map_err(|e| format!("WRIT_PUBLIC_URL ({public_url}) is not a URL: {e}"))?;
    let Some(domain) = url.domain() else {
        return Err(format!(
            "passkeys need the platform to be reached by a domain name, and WRIT_PUBLIC_URL ({public_url}) has none"
        ));
    };
    let origin = Url::parse(&url.origin().ascii_serialization())
        .map_err(|e| format!("the origin of WRIT_PUBLIC_URL does not parse: {e}"))?;
    WebauthnBuilder::new(domain, &origin)
        .and_then(|b| b.rp_name("Writ").build())
        .map(Arc::new)
        .map_err(|e| format!("passkeys cannot be set up for {public_url}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_domain_has_passkeys_and_an_ip_address_has_none() {
        assert!(RelyingParty::for_public_url("https://writ.example/").available());
        assert!(RelyingParty::for_public_url("http://localhost:8000").available());
        let bare = RelyingParty::for_public_url("http://127.0.0.1:8000");
        assert!(bare.webauthn().unwrap_err().contains("domain name"));
    }
}
