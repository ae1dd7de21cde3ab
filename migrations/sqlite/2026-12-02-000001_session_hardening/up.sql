-- Idle timeout: a session unused for longer than WRIT_SESSION_IDLE_MINUTES stops working.
ALTER TABLE sessions ADD COLUMN last_seen_at TIMESTAMP;
ALTER TABLE staff_sessions ADD COLUMN last_seen_at TIMESTAMP;
