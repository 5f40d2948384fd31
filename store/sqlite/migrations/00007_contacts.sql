-- +goose Up
-- The address book: every customer an agent invites, once per account by
-- phone and by email. team is the owner's team when the contact was made,
-- for accounts that show agents their team's contacts only.
ALTER TABLE users ADD COLUMN team TEXT NOT NULL DEFAULT '';
CREATE TABLE contacts (
	id           TEXT PRIMARY KEY,
	account_id   TEXT NOT NULL REFERENCES accounts (id),
	owner_id     TEXT NOT NULL,
	team         TEXT NOT NULL,
	name         TEXT NOT NULL,
	name_key     TEXT NOT NULL,
	phone        TEXT NOT NULL,
	email        TEXT NOT NULL,
	created_at   TEXT NOT NULL,
	updated_at   TEXT NOT NULL,
	last_used_at TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX contacts_phone ON contacts (account_id, phone) WHERE phone <> '';
CREATE UNIQUE INDEX contacts_email ON contacts (account_id, email) WHERE email <> '';
CREATE INDEX contacts_recent ON contacts (account_id, last_used_at DESC, id);
-- The contact a room was opened for (or last re-engaged to), if any.
ALTER TABLE rooms ADD COLUMN contact_id TEXT NOT NULL DEFAULT '';
CREATE INDEX rooms_contact ON rooms (account_id, contact_id) WHERE contact_id <> '';

-- +goose Down
DROP INDEX rooms_contact;
ALTER TABLE rooms DROP COLUMN contact_id;
DROP TABLE contacts;
ALTER TABLE users DROP COLUMN team;
