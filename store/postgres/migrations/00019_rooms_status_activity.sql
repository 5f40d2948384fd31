-- +goose Up
-- The session list by last activity (GET /api/v1/rooms?order=activity)
-- filtered by status, as "Waiting for customer" is: the listing reads each
-- status's rooms by the time of their last event. Unfiltered and per-agent
-- listings by activity walk rooms_updated and rooms_agent_updated backwards.
CREATE INDEX rooms_status_updated ON rooms (account_id, status, updated_at DESC, id DESC);

-- +goose Down
DROP INDEX rooms_status_updated;
