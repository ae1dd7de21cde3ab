-- Disclosure bundles (DESIGN §7): the signing keys, the files a legal reviewer produces, and the
-- sealed bundles. Keep in step with the other backend's migration of the same name.

-- Ed25519 keys; the private half sealed with the secrets key. Retired keys stay, for old bundles.
CREATE TABLE signing_keys (
    id TEXT PRIMARY KEY NOT NULL,
    public_key_pem TEXT NOT NULL,
    private_key TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    retired_at TIMESTAMP
);

-- Files attached to an approved case, encrypted at rest like intake documents. Their digests and
-- CRC-32 are taken as they arrive; `bundle_n` is the bundle that sealed them.
CREATE TABLE productions (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id),
    category TEXT NOT NULL,
    filename TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    sha512 TEXT NOT NULL,
    crc32 BIGINT NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at TIMESTAMP NOT NULL,
    bundle_n INTEGER
);
CREATE INDEX productions_case ON productions (case_id, uploaded_at);

-- Sealed bundles: immutable; a correction is the next number.
CREATE TABLE bundles (
    case_id TEXT NOT NULL REFERENCES cases (id),
    n INTEGER NOT NULL,
    file_id TEXT NOT NULL UNIQUE,
    sha256 TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    files INTEGER NOT NULL,
    key_id TEXT NOT NULL REFERENCES signing_keys (id),
    sealed_by TEXT NOT NULL,
    sealed_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    PRIMARY KEY (case_id, n)
);
