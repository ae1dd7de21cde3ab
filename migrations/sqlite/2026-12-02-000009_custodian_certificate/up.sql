-- The certificate of a bundle is a custodian's declaration (FRE 902(11), 28 USC 1746): each
-- member of staff records their title once, and whether they sign inside the United States.
ALTER TABLE staff ADD COLUMN title TEXT;
ALTER TABLE staff ADD COLUMN signs_outside_us BOOLEAN NOT NULL DEFAULT FALSE;

-- The certificate's text as the legal team edited it: each save a new version, the newest in
-- use; none means the text shipped with Writ.
CREATE TABLE certificate_templates (
    version INTEGER PRIMARY KEY NOT NULL,
    body TEXT NOT NULL,
    changed_by TEXT NOT NULL REFERENCES staff (id),
    changed_at TIMESTAMP NOT NULL
);
