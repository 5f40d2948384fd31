-- +goose Up
-- The asset library: an account's PDFs (their content in the blob store,
-- by SHA-256) and the fields to fill in on them, as JSON. name_key is the
-- name in lower case, for search.
CREATE TABLE assets (
	id         TEXT PRIMARY KEY,
	account_id TEXT NOT NULL REFERENCES accounts (id),
	name       TEXT NOT NULL,
	name_key   TEXT NOT NULL,
	folder     TEXT NOT NULL,
	pages      INTEGER NOT NULL,
	sha256     TEXT NOT NULL,
	size       BIGINT NOT NULL,
	fields     TEXT NOT NULL,
	created_by TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX assets_name ON assets (account_id, name_key, id);
CREATE INDEX assets_folder ON assets (account_id, folder, name_key, id);
CREATE INDEX assets_file ON assets (account_id, sha256);

-- +goose Down
DROP TABLE assets;
