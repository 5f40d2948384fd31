-- +goose Up
-- The images of an account's brand in the blob store, by SHA-256: its
-- logo (owner '') and its users' photos (owner: the user's id). They are
-- public, found by their content: the index serves GET /brand/images/{sha256}.
-- A file is removed from the blob store only when nothing keeps it, these
-- included.
CREATE TABLE brand_images (
	account_id   TEXT NOT NULL REFERENCES accounts (id),
	owner        TEXT NOT NULL,
	sha256       TEXT NOT NULL,
	content_type TEXT NOT NULL,
	width        INTEGER NOT NULL,
	height       INTEGER NOT NULL,
	updated_at   TEXT NOT NULL,
	PRIMARY KEY (account_id, owner)
) STRICT;
CREATE INDEX brand_images_file ON brand_images (sha256, account_id);

-- +goose Down
DROP TABLE brand_images;
