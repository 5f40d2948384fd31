-- Tandem's schema for SQLite. store/postgres/migrations holds the same
-- schema for PostgreSQL: change both together. Times are TEXT in a
-- fixed-width RFC 3339 UTC form with six fractional digits
-- (2026-11-25T09:00:00.000000Z), so comparing and sorting them as text
-- follows time; ids are TEXT made in Go. A room's state is JSON text.
-- Tables are STRICT, so a value of the wrong type is refused.

-- +goose Up
CREATE TABLE accounts (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	created_at TEXT NOT NULL
) STRICT;

CREATE TABLE users (
	id            TEXT PRIMARY KEY,
	account_id    TEXT NOT NULL REFERENCES accounts (id),
	email         TEXT NOT NULL UNIQUE,
	name          TEXT NOT NULL,
	role          TEXT NOT NULL,
	password_hash TEXT NOT NULL,
	created_at    TEXT NOT NULL
) STRICT;
CREATE INDEX users_account ON users (account_id);

CREATE TABLE auth_sessions (
	token_hash TEXT PRIMARY KEY,
	account_id TEXT NOT NULL,
	user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL
) STRICT;
CREATE INDEX auth_sessions_user ON auth_sessions (user_id, account_id);

CREATE TABLE password_resets (
	token_hash TEXT PRIMARY KEY,
	account_id TEXT NOT NULL,
	user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL,
	used_at    TEXT
) STRICT;

CREATE TABLE rooms (
	id         TEXT PRIMARY KEY,
	account_id TEXT NOT NULL REFERENCES accounts (id),
	agent_id   TEXT NOT NULL,
	status     TEXT NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	seq        INTEGER NOT NULL,
	state      TEXT NOT NULL
) STRICT;
CREATE INDEX rooms_account ON rooms (account_id, created_at DESC, id DESC);
CREATE INDEX rooms_agent ON rooms (account_id, agent_id, created_at DESC, id DESC);
CREATE INDEX rooms_status ON rooms (account_id, status, created_at DESC, id DESC);

CREATE TABLE events (
	room_id TEXT NOT NULL REFERENCES rooms (id),
	seq     INTEGER NOT NULL,
	type    TEXT NOT NULL,
	at      TEXT NOT NULL,
	actor   TEXT NOT NULL,
	data    TEXT NOT NULL,
	PRIMARY KEY (room_id, seq)
) STRICT;

CREATE TABLE room_links (
	id         TEXT PRIMARY KEY,
	account_id TEXT NOT NULL,
	room_id    TEXT NOT NULL REFERENCES rooms (id),
	token_hash TEXT NOT NULL UNIQUE,
	channel    TEXT NOT NULL,
	to_addr    TEXT NOT NULL,
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL,
	revoked_at TEXT
) STRICT;
CREATE INDEX room_links_room ON room_links (room_id);

CREATE TABLE room_sessions (
	token_hash TEXT PRIMARY KEY,
	account_id TEXT NOT NULL,
	room_id    TEXT NOT NULL REFERENCES rooms (id),
	link_id    TEXT NOT NULL REFERENCES room_links (id),
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL
) STRICT;

CREATE TABLE messages (
	id            TEXT PRIMARY KEY,
	account_id    TEXT NOT NULL REFERENCES accounts (id),
	room_id       TEXT REFERENCES rooms (id),
	channel       TEXT NOT NULL,
	to_addr       TEXT NOT NULL,
	subject       TEXT NOT NULL,
	body          TEXT NOT NULL,
	link          TEXT NOT NULL,
	created_at    TEXT NOT NULL,
	status        TEXT NOT NULL,
	attempts      INTEGER NOT NULL,
	claimed_until TEXT,
	sent_at       TEXT,
	error         TEXT NOT NULL
) STRICT;
CREATE INDEX messages_pending ON messages (created_at, id) WHERE status = 'pending';
CREATE INDEX messages_account ON messages (account_id, created_at DESC, id DESC);

-- +goose Down
DROP TABLE messages;
DROP TABLE room_sessions;
DROP TABLE room_links;
DROP TABLE events;
DROP TABLE rooms;
DROP TABLE password_resets;
DROP TABLE auth_sessions;
DROP TABLE users;
DROP TABLE accounts;
