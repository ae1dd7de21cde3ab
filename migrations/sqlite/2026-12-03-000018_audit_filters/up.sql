-- The audit log filters by actor and by event type, newest first (services::audit_log).
CREATE INDEX audit_events_actor ON audit_events (actor, seq);
CREATE INDEX audit_events_action ON audit_events (action, seq);
