ALTER TABLE approvals DROP COLUMN scope;
