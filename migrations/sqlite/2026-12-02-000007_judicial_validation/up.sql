-- Regulation (EU) 2023/1543, Art. 4(2): the judge, court or investigating judge who issued or
-- validated a European Production Order for traffic or content data.
ALTER TABLE cases ADD COLUMN validated_by TEXT;
