-- The legal queue walks one index per state (and per urgency) in due-date order and stops at the
-- page's end, instead of sorting every open case: see `services::staff_cases::queue`.
DROP INDEX cases_state_due;
CREATE INDEX cases_state_due ON cases (state, due_at, reference);
CREATE INDEX cases_state_type_due ON cases (state, request_type, due_at, reference);
-- The queue tabs count open cases per track.
CREATE INDEX cases_track_state ON cases (track, state);
