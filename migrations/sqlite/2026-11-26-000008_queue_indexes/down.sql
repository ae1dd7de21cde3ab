DROP INDEX cases_track_state;
DROP INDEX cases_state_type_due;
DROP INDEX cases_state_due;
CREATE INDEX cases_state_due ON cases (state, due_at);
