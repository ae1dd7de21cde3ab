-- Requester identity assurance (issue 16): officers' standing, permissions and second factor;
-- the second factor a request was signed with; fraud signals; agencies' known-good numbers;
-- call-backs; colleagues on a case.
ALTER TABLE requesters ADD COLUMN standing TEXT NOT NULL DEFAULT 'unverified';
ALTER TABLE requesters ADD COLUMN standing_reason TEXT;
ALTER TABLE requesters ADD COLUMN standing_changed_at TIMESTAMP;
ALTER TABLE requesters ADD COLUMN verified_at TIMESTAMP;
ALTER TABLE requesters ADD COLUMN may_file_emergency BOOLEAN NOT NULL DEFAULT 1;
ALTER TABLE requesters ADD COLUMN may_file_freeze BOOLEAN NOT NULL DEFAULT 1;
-- The TOTP secret, sealed; the pending one waits for its first code.
ALTER TABLE requesters ADD COLUMN totp_secret TEXT;
ALTER TABLE requesters ADD COLUMN totp_pending TEXT;
ALTER TABLE requesters ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;
ALTER TABLE requesters ADD COLUMN totp_enrolled_at TIMESTAMP;

-- The code was right; the second factor is still to come.
ALTER TABLE login_challenges ADD COLUMN code_verified_at TIMESTAMP;
-- The second factor this session was opened (or stepped up) with: NULL, 'totp'.
ALTER TABLE sessions ADD COLUMN second_factor TEXT;

ALTER TABLE cases ADD COLUMN signer_mfa TEXT NOT NULL DEFAULT 'none';
ALTER TABLE cases ADD COLUMN fraud_signals TEXT NOT NULL DEFAULT '[]';
-- Why the case needs a second look (its officer was suspended, its domain blocked).
ALTER TABLE cases ADD COLUMN flagged TEXT;

CREATE TABLE agency_contacts (
    id TEXT PRIMARY KEY NOT NULL,
    domain TEXT NOT NULL,
    label TEXT NOT NULL,
    phone TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX agency_contacts_domain ON agency_contacts (domain);

CREATE TABLE callbacks (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id),
    contact_id TEXT NOT NULL REFERENCES agency_contacts (id),
    phone TEXT NOT NULL,
    person_reached TEXT NOT NULL,
    outcome TEXT NOT NULL,
    called_at TIMESTAMP NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX callbacks_case ON callbacks (case_id);

CREATE TABLE case_colleagues (
    case_id TEXT NOT NULL REFERENCES cases (id),
    email TEXT NOT NULL,
    added_by TEXT NOT NULL,
    added_at TIMESTAMP NOT NULL,
    PRIMARY KEY (case_id, email)
);
CREATE INDEX case_colleagues_email ON case_colleagues (email);
CREATE INDEX documents_sha256 ON documents (sha256);
