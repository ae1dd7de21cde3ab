ALTER TABLE cases DROP COLUMN enforcing_objection;
ALTER TABLE cases DROP COLUMN objection_until;
ALTER TABLE cases DROP COLUMN enforcing_notified;
