-- +goose Up
-- The files of rooms' documents, beside the log that tells their story:
-- the original and, once finished, the completed PDF, both in the blob
-- store by SHA-256. A file is removed from the blob store only when no
-- asset and no document keeps it.
CREATE TABLE documents (
	room_id          TEXT NOT NULL REFERENCES rooms (id),
	id               TEXT NOT NULL,
	account_id       TEXT NOT NULL REFERENCES accounts (id),
	sha256           TEXT NOT NULL,
	completed_sha256 TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (room_id, id)
) STRICT;
CREATE INDEX documents_file ON documents (account_id, sha256);
CREATE INDEX documents_completed ON documents (account_id, completed_sha256);

-- +goose Down
DROP TABLE documents;
