ALTER TABLE cases DROP COLUMN user_notified_by;
ALTER TABLE cases DROP COLUMN user_notified_on;
ALTER TABLE held_documents DROP COLUMN role;
ALTER TABLE documents DROP COLUMN role;
