-- Regulation (EU) 2023/1543, Annex III: the legal team's answers when an EPOC or EPOC-PR cannot
-- be executed, or not in full or in time; numbered per case, each printed as a document.
CREATE TABLE non_execution_answers (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id),
    number INTEGER NOT NULL,
    reasons TEXT NOT NULL,
    details TEXT NOT NULL,
    partial BOOLEAN NOT NULL,
    answered_by TEXT NOT NULL REFERENCES staff (id),
    answered_at TIMESTAMP NOT NULL,
    UNIQUE (case_id, number)
);
