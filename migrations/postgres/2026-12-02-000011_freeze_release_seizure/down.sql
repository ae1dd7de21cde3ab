DROP TABLE seizure_transfers;
ALTER TABLE freezes DROP COLUMN release_reason;
ALTER TABLE freezes DROP COLUMN released_by;
ALTER TABLE freezes DROP COLUMN released_at;
