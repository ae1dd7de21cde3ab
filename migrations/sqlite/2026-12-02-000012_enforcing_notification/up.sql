-- Regulation (EU) 2023/1543, Arts. 8 and 10: an EPOC notified to the enforcing authority, the
-- end of that authority's window to raise grounds for refusal, and its objection if it raised one.
ALTER TABLE cases ADD COLUMN enforcing_notified BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE cases ADD COLUMN objection_until TIMESTAMP;
ALTER TABLE cases ADD COLUMN enforcing_objection TEXT;
