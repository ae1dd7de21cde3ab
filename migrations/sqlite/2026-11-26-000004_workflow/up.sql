-- The case workflow: assignment, the paused deadline clock, decisions, approvals, notes.
ALTER TABLE cases ADD COLUMN assigned_to TEXT;
ALTER TABLE cases ADD COLUMN paused_at TIMESTAMP;
ALTER TABLE cases ADD COLUMN resume_state TEXT;
ALTER TABLE cases ADD COLUMN decision TEXT;

CREATE TABLE approvals (
    case_id TEXT NOT NULL REFERENCES cases (id),
    staff_id TEXT NOT NULL REFERENCES staff (id),
    to_state TEXT NOT NULL,
    approved_at TIMESTAMP NOT NULL,
    PRIMARY KEY (case_id, staff_id)
);

CREATE TABLE notes (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id),
    staff_id TEXT NOT NULL REFERENCES staff (id),
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX notes_case ON notes (case_id, created_at);
