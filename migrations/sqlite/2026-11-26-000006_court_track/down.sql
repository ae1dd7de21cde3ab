DROP TABLE court_filings;
ALTER TABLE sessions DROP COLUMN account_uid;
ALTER TABLE login_challenges DROP COLUMN account_uid;
ALTER TABLE requesters DROP COLUMN represents;
ALTER TABLE requesters DROP COLUMN bar_jurisdiction;
ALTER TABLE requesters DROP COLUMN bar_number;
ALTER TABLE requesters DROP COLUMN firm;
