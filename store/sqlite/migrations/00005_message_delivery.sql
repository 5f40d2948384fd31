-- +goose Up
-- Where a message stands with its provider: the link it carries (to tie a
-- delivery report to the room's invitation), and the provider's id of it
-- (a Twilio message SID), by which its status callbacks find it.
ALTER TABLE messages ADD COLUMN link_id TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN provider TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN provider_id TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX messages_provider ON messages (provider, provider_id) WHERE provider_id <> '';

-- +goose Down
DROP INDEX messages_provider;
ALTER TABLE messages DROP COLUMN provider_id;
ALTER TABLE messages DROP COLUMN provider;
ALTER TABLE messages DROP COLUMN link_id;
