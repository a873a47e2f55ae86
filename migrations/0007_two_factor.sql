-- A second factor for signing in: a TOTP secret (RFC 6238, base32, as
-- authenticator apps take it) per account, usable once confirmed with a
-- code, and single-use recovery codes stored as digests.
CREATE TABLE two_factor (
  account_id   INTEGER PRIMARY KEY REFERENCES account(id) ON DELETE CASCADE,
  secret       TEXT NOT NULL,
  created_at   TEXT NOT NULL,
  confirmed_at TEXT,
  -- the last time step a code was accepted for: no code works twice
  last_step    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE recovery_code (
  id         INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE,
  code_hash  TEXT NOT NULL,
  used_at    TEXT
);
CREATE INDEX recovery_code_account ON recovery_code(account_id);
