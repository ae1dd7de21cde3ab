ALTER TABLE preservations DROP COLUMN renewals_allowed;
