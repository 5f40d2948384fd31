-- +goose Up
-- The region a customer's phone number is read in when it has no country
-- code (ISO 3166-1 alpha-2).
ALTER TABLE accounts ADD COLUMN phone_region TEXT NOT NULL DEFAULT 'US';

-- +goose Down
ALTER TABLE accounts DROP COLUMN phone_region;
