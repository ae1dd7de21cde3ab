ALTER TABLE cases DROP COLUMN checks_run_at;
