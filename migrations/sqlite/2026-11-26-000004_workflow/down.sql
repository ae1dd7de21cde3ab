DROP TABLE notes;
DROP TABLE approvals;
ALTER TABLE cases DROP COLUMN decision;
ALTER TABLE cases DROP COLUMN resume_state;
ALTER TABLE cases DROP COLUMN paused_at;
ALTER TABLE cases DROP COLUMN assigned_to;
