-- Fulfilment records: preserved data with its expiry, executed freezes.
CREATE TABLE preservations (
    case_id TEXT PRIMARY KEY NOT NULL REFERENCES cases (id),
    preserved_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    extensions INTEGER NOT NULL DEFAULT 0,
    reminder_sent_at TIMESTAMP
);
CREATE INDEX preservations_expiry ON preservations (expires_at);

CREATE TABLE freezes (
    case_id TEXT PRIMARY KEY NOT NULL REFERENCES cases (id),
    executed_at TIMESTAMP NOT NULL,
    executed_by TEXT NOT NULL,
    accounts TEXT NOT NULL
);
