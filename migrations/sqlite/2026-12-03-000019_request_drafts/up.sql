-- A request form not yet filed, kept for its requester (one per requester) so that nothing
-- typed or attached is lost between visits (routes::requester::cases, services::drafts).
CREATE TABLE request_drafts (
    requester_id TEXT PRIMARY KEY NOT NULL REFERENCES requesters (id),
    -- The form as a JSON `RequestDraft`, with the ids of its held files.
    body TEXT NOT NULL,
    saved_at TIMESTAMP NOT NULL
);
CREATE INDEX request_drafts_saved_at ON request_drafts (saved_at);
-- A file attached to a draft is kept as long as the draft (else a day).
ALTER TABLE held_documents ADD COLUMN kept_until TIMESTAMP;
