DROP INDEX cases_state_reference;
DROP INDEX cases_state_created;
DROP INDEX case_targets_value_folded;
DROP INDEX cases_instrument_reference_folded;
