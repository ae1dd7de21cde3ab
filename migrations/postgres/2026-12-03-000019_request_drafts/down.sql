ALTER TABLE held_documents DROP COLUMN kept_until;
DROP TABLE request_drafts;
