-- What each requester document is (`process`, or `ndo_order`: the non-disclosure order itself,
-- 18 USC 2705(b)), kept also while a form holds the file between two tries.
ALTER TABLE documents ADD COLUMN role TEXT NOT NULL DEFAULT 'process';
ALTER TABLE held_documents ADD COLUMN role TEXT NOT NULL DEFAULT 'process';
-- When the user was told of the request once its non-disclosure order ended, and by whom.
ALTER TABLE cases ADD COLUMN user_notified_on DATE;
ALTER TABLE cases ADD COLUMN user_notified_by TEXT;
