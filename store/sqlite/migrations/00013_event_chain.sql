-- +goose Up
-- Each event keeps where the request that caused it came from (origin:
-- the event's room.Origin in JSON, '' when it has none) and its hash,
-- which chains it to the events before it (room/chain.go). Events written
-- before keep '' in both: the log's chain starts after them.
ALTER TABLE events ADD COLUMN origin TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN hash TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE events DROP COLUMN hash;
ALTER TABLE events DROP COLUMN origin;
