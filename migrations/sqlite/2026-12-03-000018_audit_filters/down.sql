DROP INDEX audit_events_action;
DROP INDEX audit_events_actor;
