-- +goose Up
-- Sealing: a completed document waits (sealing_due_at) until its signed
-- PDF is made, which signed_sha256 then names; attempts and the last
-- error tell why it still waits. Documents completed before this
-- migration are due at once. seal_keys holds the hub's own sealing
-- certificate and key, made on first start, one row shared by every
-- instance.
ALTER TABLE documents ADD COLUMN signed_sha256 TEXT NOT NULL DEFAULT '';
ALTER TABLE documents ADD COLUMN sealing_due_at TEXT;
ALTER TABLE documents ADD COLUMN sealing_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE documents ADD COLUMN sealing_error TEXT NOT NULL DEFAULT '';
UPDATE documents SET sealing_due_at = '1970-01-01T00:00:00.000000Z' WHERE completed_sha256 <> '';
CREATE INDEX documents_sealing ON documents (sealing_due_at) WHERE sealing_due_at IS NOT NULL;
CREATE INDEX documents_signed ON documents (account_id, signed_sha256);

-- An email may carry a file of the account's files (the signed copy of
-- a document): its name, type and SHA-256; the content stays in the
-- blob store.
ALTER TABLE messages ADD COLUMN attachment_name TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN attachment_type TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN attachment_sha256 TEXT NOT NULL DEFAULT '';

CREATE TABLE seal_keys (
	id         TEXT PRIMARY KEY,
	chain      TEXT NOT NULL,
	key        TEXT NOT NULL,
	created_at TEXT NOT NULL
);

-- +goose Down
DROP TABLE seal_keys;
ALTER TABLE messages DROP COLUMN attachment_sha256;
ALTER TABLE messages DROP COLUMN attachment_type;
ALTER TABLE messages DROP COLUMN attachment_name;
DROP INDEX documents_signed;
DROP INDEX documents_sealing;
ALTER TABLE documents DROP COLUMN sealing_error;
ALTER TABLE documents DROP COLUMN sealing_attempts;
ALTER TABLE documents DROP COLUMN sealing_due_at;
ALTER TABLE documents DROP COLUMN signed_sha256;
