-- +goose Up
-- Every room a contact was ever invited to, whatever contact the room has
-- now (Re-engage may move it to another): deleting the contact erases its
-- personal data from all of them.
CREATE TABLE contact_rooms (
	contact_id TEXT NOT NULL,
	room_id    TEXT NOT NULL REFERENCES rooms (id),
	PRIMARY KEY (contact_id, room_id)
) STRICT;
INSERT INTO contact_rooms (contact_id, room_id) SELECT contact_id, id FROM rooms WHERE contact_id <> '';

-- +goose Down
DROP TABLE contact_rooms;
