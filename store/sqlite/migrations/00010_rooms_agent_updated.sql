-- +goose Up
-- An agent's feed (GET /api/v1/feed?agent=me) reads that agent's rooms by
-- change time.
CREATE INDEX rooms_agent_updated ON rooms (account_id, agent_id, updated_at, id);

-- +goose Down
DROP INDEX rooms_agent_updated;
