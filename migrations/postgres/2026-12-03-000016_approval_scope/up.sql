-- What each emergency approval approved (targets and categories, JSON; NULL: the whole request), so
-- that the second reviewer may approve the same or less, never more.
ALTER TABLE approvals ADD COLUMN scope TEXT;
