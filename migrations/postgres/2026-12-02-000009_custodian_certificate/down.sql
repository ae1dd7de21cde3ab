DROP TABLE certificate_templates;
ALTER TABLE staff DROP COLUMN signs_outside_us;
ALTER TABLE staff DROP COLUMN title;
