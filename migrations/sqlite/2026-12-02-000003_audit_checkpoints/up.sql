-- Signed statements of the audit chain's head: truncating or recomputing the chain after one
-- is detected against it (writ audit verify, and --checkpoint for an exported copy).
CREATE TABLE audit_checkpoints (
    seq BIGINT PRIMARY KEY NOT NULL,
    hash TEXT NOT NULL,
    at TIMESTAMP NOT NULL,
    key_id TEXT NOT NULL,
    signature TEXT NOT NULL
);
