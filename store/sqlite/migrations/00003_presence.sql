-- Presence: which hub instances hold which participants of a room. An
-- instance holds a row while it has at least one open connection of the
-- participant in the room, and extends expires_at with its heartbeat; the
-- rows of an instance that died expire and are reaped. The same table is in
-- store/postgres/migrations/00003_presence.sql: change both together.

-- +goose Up
CREATE TABLE presence (
	account_id   TEXT NOT NULL,
	room_id      TEXT NOT NULL REFERENCES rooms (id),
	participant  TEXT NOT NULL,
	instance     TEXT NOT NULL,
	connected_at TEXT NOT NULL,
	expires_at   TEXT NOT NULL,
	PRIMARY KEY (room_id, participant, instance)
) STRICT;
CREATE INDEX presence_instance ON presence (instance);
CREATE INDEX presence_expires ON presence (expires_at);

-- +goose Down
DROP TABLE presence;
