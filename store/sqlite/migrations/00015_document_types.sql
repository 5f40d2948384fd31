-- +goose Up
-- The catalog of document types an account asks its customers for. code
-- is the type's stable name for integrators, unique in the account; a type
-- is never deleted, only retired (1). name_key and category_key are the
-- name and category in lower case, for search and order.
CREATE TABLE document_types (
	id           TEXT PRIMARY KEY,
	account_id   TEXT NOT NULL REFERENCES accounts (id),
	code         TEXT NOT NULL,
	name         TEXT NOT NULL,
	name_key     TEXT NOT NULL,
	category     TEXT NOT NULL,
	category_key TEXT NOT NULL,
	description  TEXT NOT NULL,
	retired      INTEGER NOT NULL DEFAULT 0,
	created_at   TEXT NOT NULL,
	updated_at   TEXT NOT NULL,
	UNIQUE (account_id, code)
) STRICT;
CREATE INDEX document_types_listing ON document_types (account_id, category_key, name_key, id);

-- +goose Down
DROP TABLE document_types;
