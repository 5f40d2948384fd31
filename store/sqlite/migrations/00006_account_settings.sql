-- +goose Up
-- An account's settings (time zone, quiet hours, reminders, message
-- templates) as JSON: they change as features come, and are read whole.
ALTER TABLE accounts ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';
-- The reminder scan walks invited rooms of every account.
CREATE INDEX rooms_status_id ON rooms (status, id);

-- +goose Down
DROP INDEX rooms_status_id;
ALTER TABLE accounts DROP COLUMN settings;
