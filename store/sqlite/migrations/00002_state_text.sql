-- Nothing to do: in SQLite a room's state has been TEXT from the start.
-- PostgreSQL's version 2 turns its state column from JSONB into TEXT
-- (store/postgres/migrations/00002_state_text.sql); this file holds the
-- number so that a version names the same change in both dialects.
--
-- SQLite databases made before this file was added recorded the later
-- migrations one number lower (presence as 2 … rooms_agent_updated as 9).
-- store/sqlite shifts their recorded versions once, before migrating
-- (renumber.go), so that no migration runs twice.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
