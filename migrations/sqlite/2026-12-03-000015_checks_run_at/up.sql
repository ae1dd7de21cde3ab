-- When the authority checks of a case last ran (at intake, after new documents, or when staff
-- re-ran them, e.g. after an account import). NULL: only at intake.
ALTER TABLE cases ADD COLUMN checks_run_at TIMESTAMP;
