-- The platform's account directory (DESIGN §6), read for target lookups.
CREATE TABLE accounts (
    uid TEXT PRIMARY KEY NOT NULL,
    email TEXT,
    phone TEXT,
    name TEXT,
    country TEXT,
    status TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX accounts_email ON accounts (email);
CREATE INDEX accounts_phone ON accounts (phone);

CREATE TABLE account_wallets (
    chain TEXT NOT NULL,
    address TEXT NOT NULL,
    uid TEXT NOT NULL REFERENCES accounts (uid),
    PRIMARY KEY (chain, address)
);
CREATE INDEX account_wallets_uid ON account_wallets (uid);

-- Duplicate detection: the same instrument reference from the same agency.
CREATE INDEX cases_instrument_reference ON cases (instrument_reference, agency_domain);

-- Documents kept while the requester confirms a request the checks found problems with.
CREATE TABLE held_documents (
    id TEXT PRIMARY KEY NOT NULL,
    requester_id TEXT NOT NULL REFERENCES requesters (id),
    filename TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    held_at TIMESTAMP NOT NULL
);
CREATE INDEX held_documents_requester ON held_documents (requester_id);
