-- An API token may expire: refused from this time on (NULL: until revoked).
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT;
