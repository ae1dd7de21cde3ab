-- Regulation (EU) 2023/1543, Art. 11(1) and Annex V: once the issuing authority confirms that it
-- has issued the subsequent request for production, the data is kept until it is produced
-- (the reference it gave, and when it confirmed); whether the instrument allows it is fixed when
-- the data is preserved.
ALTER TABLE preservations ADD COLUMN confirmable BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE preservations ADD COLUMN production_request TEXT;
ALTER TABLE preservations ADD COLUMN confirmed_at TIMESTAMP;
