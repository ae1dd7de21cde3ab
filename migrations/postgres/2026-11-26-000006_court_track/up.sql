-- The court-order track (DESIGN §1, §2): legal representatives, as platform users or visitors.
-- Keep in step with the other backend's migration of the same name.

-- The representative's declaration.
ALTER TABLE requesters ADD COLUMN firm TEXT;
ALTER TABLE requesters ADD COLUMN bar_number TEXT;
ALTER TABLE requesters ADD COLUMN bar_jurisdiction TEXT;
ALTER TABLE requesters ADD COLUMN represents TEXT;

-- The user path: the platform account whose e-mail of record received the code. It belongs to
-- the sign-in (challenge, then session), not to the person: the same address may come as a visitor.
ALTER TABLE login_challenges ADD COLUMN account_uid TEXT;
ALTER TABLE sessions ADD COLUMN account_uid TEXT;

-- A court-track case records the account it was filed from (user path) and the court's case
-- number, normalised with the court's country, for duplicate detection.
CREATE TABLE court_filings (
    case_id TEXT PRIMARY KEY NOT NULL REFERENCES cases (id),
    account_uid TEXT,
    case_key TEXT NOT NULL
);
CREATE INDEX court_filings_case_key ON court_filings (case_key);
