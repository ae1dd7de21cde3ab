DROP INDEX cases_due;
DROP TABLE staff_sessions;
DROP TABLE staff;
