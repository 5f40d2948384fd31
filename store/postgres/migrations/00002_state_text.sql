-- A room's state is TEXT, as in SQLite and like event data: JSONB refuses
-- the escape \u0000, which a state can hold (a customer's name may be any
-- valid UTF-8), so PostgreSQL failed to store rooms SQLite kept. Nothing
-- queries inside the state; it is only ever read back whole.

-- +goose Up
ALTER TABLE rooms ALTER COLUMN state TYPE TEXT USING state::text;

-- +goose Down
ALTER TABLE rooms ALTER COLUMN state TYPE JSONB USING state::jsonb;
