DROP TABLE passkey_ceremonies;
DROP TABLE passkeys;
ALTER TABLE requesters DROP COLUMN passkey_enrolled_at;
