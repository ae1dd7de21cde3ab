-- A freeze is lifted by a release (its reason, who, when): the accounts it froze are active
-- again unless another freeze still holds them.
ALTER TABLE freezes ADD COLUMN released_at TIMESTAMP;
ALTER TABLE freezes ADD COLUMN released_by TEXT;
ALTER TABLE freezes ADD COLUMN release_reason TEXT;

-- Assets moved to the government under a seizure warrant: where to and by which transaction.
CREATE TABLE seizure_transfers (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id),
    asset TEXT NOT NULL,
    amount TEXT NOT NULL,
    chain TEXT NOT NULL,
    destination TEXT NOT NULL,
    tx_hash TEXT NOT NULL,
    recorded_by TEXT NOT NULL REFERENCES staff (id),
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX seizure_transfers_case ON seizure_transfers (case_id);
