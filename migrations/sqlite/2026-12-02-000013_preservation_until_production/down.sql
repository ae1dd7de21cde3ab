ALTER TABLE preservations DROP COLUMN confirmed_at;
ALTER TABLE preservations DROP COLUMN production_request;
ALTER TABLE preservations DROP COLUMN confirmable;
