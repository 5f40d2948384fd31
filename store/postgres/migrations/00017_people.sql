-- +goose Up
-- An admin deactivates a user instead of deleting them: their name stays
-- on the rooms they worked, they can no longer sign in. NULL is active.
ALTER TABLE users ADD COLUMN deactivated_at TIMESTAMPTZ;

-- +goose Down
ALTER TABLE users DROP COLUMN deactivated_at;
