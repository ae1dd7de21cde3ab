-- Foundation: requesters, sign-in, cases, documents, outbox, audit chain, registries.
-- Keep in step with migrations/postgres (same tables, same columns).

CREATE TABLE app_secrets (
    name TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE requesters (
    id TEXT PRIMARY KEY NOT NULL,
    track TEXT NOT NULL,
    email TEXT NOT NULL,
    name TEXT,
    title TEXT,
    badge_number TEXT,
    agency_name TEXT,
    agency_function TEXT,
    country TEXT,
    phone TEXT,
    profile_completed_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (track, email)
);

CREATE TABLE login_challenges (
    id TEXT PRIMARY KEY NOT NULL,
    track TEXT NOT NULL,
    email TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    expires_at TIMESTAMP NOT NULL,
    consumed_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    requester_id TEXT NOT NULL REFERENCES requesters (id),
    kind TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_requester ON sessions (requester_id);

CREATE TABLE rate_limits (
    bucket TEXT NOT NULL,
    window_start TIMESTAMP NOT NULL,
    hits INTEGER NOT NULL,
    PRIMARY KEY (bucket, window_start)
);

CREATE TABLE reference_counters (
    prefix TEXT PRIMARY KEY NOT NULL,
    last_value BIGINT NOT NULL
);

CREATE TABLE cases (
    id TEXT PRIMARY KEY NOT NULL,
    reference TEXT NOT NULL UNIQUE,
    track TEXT NOT NULL,
    request_type TEXT NOT NULL,
    state TEXT NOT NULL,
    requester_id TEXT NOT NULL REFERENCES requesters (id),
    instrument_kind TEXT NOT NULL,
    instrument_reference TEXT NOT NULL,
    issuing_authority TEXT NOT NULL,
    issued_on DATE,
    expires_on DATE,
    data_categories TEXT NOT NULL,
    records_from DATE,
    records_to DATE,
    ndo_present BOOLEAN NOT NULL,
    ndo_until DATE,
    requested_deadline DATE,
    summary TEXT NOT NULL,
    emergency_details TEXT,
    freeze_details TEXT,
    court_details TEXT,
    agency_domain TEXT,
    authority_established BOOLEAN NOT NULL,
    authority_checks TEXT NOT NULL,
    due_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX cases_requester ON cases (requester_id, created_at);
CREATE INDEX cases_state_due ON cases (state, due_at);

CREATE TABLE case_targets (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id),
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    chain TEXT,
    role TEXT NOT NULL
);
CREATE INDEX case_targets_case ON case_targets (case_id, position);
CREATE INDEX case_targets_value ON case_targets (value);

CREATE TABLE documents (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id),
    filename TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at TIMESTAMP NOT NULL
);
CREATE INDEX documents_case ON documents (case_id, uploaded_at);

CREATE TABLE messages (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id),
    author TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX messages_case ON messages (case_id, created_at);

CREATE TABLE outbox (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP,
    sent_at TIMESTAMP,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX outbox_pending ON outbox (sent_at, next_attempt_at);

CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY NOT NULL,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE audit_events (
    seq BIGINT PRIMARY KEY NOT NULL,
    at TIMESTAMP NOT NULL,
    actor TEXT NOT NULL,
    case_id TEXT,
    action TEXT NOT NULL,
    details TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_events_case ON audit_events (case_id, seq);

CREATE TABLE gov_domains (
    domain TEXT PRIMARY KEY NOT NULL,
    source TEXT NOT NULL,
    domain_type TEXT NOT NULL,
    organization TEXT NOT NULL,
    suborganization TEXT NOT NULL,
    city TEXT NOT NULL,
    region TEXT NOT NULL,
    imported_at TIMESTAMP NOT NULL
);

CREATE TABLE approved_agencies (
    domain TEXT PRIMARY KEY NOT NULL,
    agency_name TEXT NOT NULL,
    country TEXT NOT NULL,
    approved_by TEXT NOT NULL,
    approved_at TIMESTAMP NOT NULL
);

CREATE TABLE blocked_domains (
    domain TEXT PRIMARY KEY NOT NULL,
    reason TEXT NOT NULL,
    blocked_by TEXT NOT NULL,
    blocked_at TIMESTAMP NOT NULL
);
