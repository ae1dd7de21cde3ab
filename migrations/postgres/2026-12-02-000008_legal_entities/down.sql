ALTER TABLE cases DROP COLUMN legal_entity_name;
ALTER TABLE cases DROP COLUMN legal_entity;
