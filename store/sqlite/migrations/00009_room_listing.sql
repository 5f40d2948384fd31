-- +goose Up
-- What the console's session list filters and searches on, kept beside the
-- state like status: the invitation's status, and a search key (the
-- customer's name and email in lower case, the phone's digits). updated_at
-- gets an index for the live feed of changed rooms. (SQLite's lower() folds
-- ASCII only; rooms written from now on get Go's full case folding.)
ALTER TABLE rooms ADD COLUMN invite_status TEXT NOT NULL DEFAULT '';
ALTER TABLE rooms ADD COLUMN search TEXT NOT NULL DEFAULT '';
UPDATE rooms SET
	invite_status = COALESCE(json_extract(state, '$.invite_status'), ''),
	search = lower(COALESCE(json_extract(state, '$.customer.name'), '')) || ' ' ||
		replace(COALESCE(json_extract(state, '$.customer.phone'), ''), '+', '') || ' ' ||
		lower(COALESCE(json_extract(state, '$.customer.email'), ''));
CREATE INDEX rooms_invite_status ON rooms (account_id, invite_status, created_at DESC, id DESC);
CREATE INDEX rooms_updated ON rooms (account_id, updated_at, id);

-- +goose Down
DROP INDEX rooms_updated;
DROP INDEX rooms_invite_status;
ALTER TABLE rooms DROP COLUMN search;
ALTER TABLE rooms DROP COLUMN invite_status;
