ALTER TABLE cases DROP COLUMN validated_by;
