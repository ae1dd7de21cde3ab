-- The platform's legal entity a request is addressed to (policy `[[entity]]`), and its name
-- when the request came in: shown on the case and signed in the certificate.
ALTER TABLE cases ADD COLUMN legal_entity TEXT;
ALTER TABLE cases ADD COLUMN legal_entity_name TEXT;
