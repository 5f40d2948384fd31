-- Tandem's schema for PostgreSQL. store/sqlite/migrations holds the same
-- schema for SQLite: change both together. Times are TIMESTAMPTZ, written
-- in UTC to the microsecond; ids are TEXT made in Go. Event actors and data
-- are TEXT so that their bytes read back exactly as written.

-- +goose Up
CREATE TABLE accounts (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE users (
	id            TEXT PRIMARY KEY,
	account_id    TEXT NOT NULL REFERENCES accounts (id),
	email         TEXT NOT NULL UNIQUE,
	name          TEXT NOT NULL,
	role          TEXT NOT NULL,
	password_hash TEXT NOT NULL,
	created_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX users_account ON users (account_id);

CREATE TABLE auth_sessions (
	token_hash TEXT PRIMARY KEY,
	account_id TEXT NOT NULL,
	user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at TIMESTAMPTZ NOT NULL,
	expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX auth_sessions_user ON auth_sessions (user_id, account_id);

CREATE TABLE password_resets (
	token_hash TEXT PRIMARY KEY,
	account_id TEXT NOT NULL,
	user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at TIMESTAMPTZ NOT NULL,
	expires_at TIMESTAMPTZ NOT NULL,
	used_at    TIMESTAMPTZ
);

CREATE TABLE rooms (
	id         TEXT PRIMARY KEY,
	account_id TEXT NOT NULL REFERENCES accounts (id),
	agent_id   TEXT NOT NULL,
	status     TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL,
	seq        BIGINT NOT NULL,
	state      JSONB NOT NULL
);
CREATE INDEX rooms_account ON rooms (account_id, created_at DESC, id DESC);
CREATE INDEX rooms_agent ON rooms (account_id, agent_id, created_at DESC, id DESC);
CREATE INDEX rooms_status ON rooms (account_id, status, created_at DESC, id DESC);

CREATE TABLE events (
	room_id TEXT NOT NULL REFERENCES rooms (id),
	seq     BIGINT NOT NULL,
	type    TEXT NOT NULL,
	at      TIMESTAMPTZ NOT NULL,
	actor   TEXT NOT NULL,
	data    TEXT NOT NULL,
	PRIMARY KEY (room_id, seq)
);

CREATE TABLE room_links (
	id         TEXT PRIMARY KEY,
	account_id TEXT NOT NULL,
	room_id    TEXT NOT NULL REFERENCES rooms (id),
	token_hash TEXT NOT NULL UNIQUE,
	channel    TEXT NOT NULL,
	to_addr    TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	expires_at TIMESTAMPTZ NOT NULL,
	revoked_at TIMESTAMPTZ
);
CREATE INDEX room_links_room ON room_links (room_id);

CREATE TABLE room_sessions (
	token_hash TEXT PRIMARY KEY,
	account_id TEXT NOT NULL,
	room_id    TEXT NOT NULL REFERENCES rooms (id),
	link_id    TEXT NOT NULL REFERENCES room_links (id),
	created_at TIMESTAMPTZ NOT NULL,
	expires_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE messages (
	id            TEXT PRIMARY KEY,
	account_id    TEXT NOT NULL REFERENCES accounts (id),
	room_id       TEXT REFERENCES rooms (id),
	channel       TEXT NOT NULL,
	to_addr       TEXT NOT NULL,
	subject       TEXT NOT NULL,
	body          TEXT NOT NULL,
	link          TEXT NOT NULL,
	created_at    TIMESTAMPTZ NOT NULL,
	status        TEXT NOT NULL,
	attempts      INTEGER NOT NULL,
	claimed_until TIMESTAMPTZ,
	sent_at       TIMESTAMPTZ,
	error         TEXT NOT NULL
);
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
