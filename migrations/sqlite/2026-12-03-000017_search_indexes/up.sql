-- The queue search compares case-folded spellings (domain::search).
CREATE INDEX cases_instrument_reference_folded ON cases (lower(instrument_reference));
CREATE INDEX case_targets_value_folded ON case_targets (lower(value));
CREATE INDEX cases_state_created ON cases (state, created_at, reference);
CREATE INDEX cases_state_reference ON cases (state, reference);
