-- Passkeys (WebAuthn): an officer's second factor beside, or instead of, the authenticator app.
ALTER TABLE requesters ADD COLUMN passkey_enrolled_at TIMESTAMP;

CREATE TABLE passkeys (
    id TEXT PRIMARY KEY NOT NULL,
    requester_id TEXT NOT NULL REFERENCES requesters (id),
    -- The credential's ID as the browser sends it (base64url): one account per credential.
    credential_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    -- The public key and signature counter (webauthn-rs `Passkey`, JSON).
    credential TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP
);
CREATE INDEX passkeys_requester ON passkeys (requester_id);

-- A WebAuthn ceremony waiting for the browser's answer: used once, within minutes, and only by
-- what it is bound to (the session that asked, or the sign-in whose e-mailed code was right).
CREATE TABLE passkey_ceremonies (
    id TEXT PRIMARY KEY NOT NULL,
    requester_id TEXT NOT NULL REFERENCES requesters (id),
    purpose TEXT NOT NULL,
    bound_to TEXT NOT NULL,
    state TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX passkey_ceremonies_expires ON passkey_ceremonies (expires_at);
