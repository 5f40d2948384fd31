-- +goose Up
-- The files customers upload for rooms' document requests, beside the log
-- that tells their story (request.file_uploaded), in the blob store by
-- SHA-256. A file is removed from the blob store only when no asset, no
-- document and no request keeps it.
CREATE TABLE request_files (
	room_id    TEXT NOT NULL REFERENCES rooms (id),
	id         TEXT NOT NULL,
	account_id TEXT NOT NULL REFERENCES accounts (id),
	request_id TEXT NOT NULL,
	sha256     TEXT NOT NULL,
	PRIMARY KEY (room_id, id)
) STRICT;
CREATE INDEX request_files_file ON request_files (account_id, sha256);

-- +goose Down
DROP TABLE request_files;
