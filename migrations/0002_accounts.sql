-- 0002 accounts: people who sign in, what they may do, their sessions and
-- tokens, sign-in throttling and the audit log. Secrets are never stored:
-- passwords as Argon2id strings, tokens as BLAKE2b hex digests.
-- Times are UTC RFC 3339 text, as in 0001, so they compare as strings.
-- The table is "account", not "user" (a reserved word in PostgreSQL).

CREATE TABLE account (
  id            INTEGER PRIMARY KEY,
  -- lowercased and validated by the auth module, so UNIQUE is case-blind
  email         TEXT NOT NULL UNIQUE,
  name          TEXT NOT NULL,
  organisation  TEXT NOT NULL DEFAULT '',
  lang          TEXT NOT NULL DEFAULT 'en',
  -- NULL: the account cannot sign in with a password (yet)
  password_hash TEXT,
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL
);

-- Grants above "participant", which every account is. An organiser grant
-- names exactly one event or one series.
CREATE TABLE account_role (
  id         INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE,
  role       TEXT NOT NULL CHECK (role IN ('admin', 'organiser')),
  event_id   INTEGER REFERENCES event(id) ON DELETE CASCADE,
  series_id  INTEGER REFERENCES series(id) ON DELETE CASCADE,
  created_at TEXT NOT NULL,
  CHECK ((role = 'admin' AND event_id IS NULL AND series_id IS NULL) OR
         (role = 'organiser' AND ((event_id IS NULL AND series_id IS NOT NULL) OR
                                  (event_id IS NOT NULL AND series_id IS NULL))))
);
-- NULLs are distinct in UNIQUE constraints, so one partial index per shape.
CREATE UNIQUE INDEX account_role_site ON account_role(account_id, role)
  WHERE event_id IS NULL AND series_id IS NULL;
CREATE UNIQUE INDEX account_role_event ON account_role(account_id, event_id)
  WHERE event_id IS NOT NULL;
CREATE UNIQUE INDEX account_role_series ON account_role(account_id, series_id)
  WHERE series_id IS NOT NULL;
CREATE INDEX account_role_by_event ON account_role(event_id);
CREATE INDEX account_role_by_series ON account_role(series_id);

CREATE TABLE session (
  id           INTEGER PRIMARY KEY,
  token_hash   TEXT NOT NULL UNIQUE,
  account_id   INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE,
  csrf_secret  TEXT NOT NULL,
  created_at   TEXT NOT NULL,
  last_seen_at TEXT NOT NULL,
  -- absolute end; the idle limit is counted from last_seen_at
  expires_at   TEXT NOT NULL
);
CREATE INDEX session_account ON session(account_id);
CREATE INDEX session_expires ON session(expires_at);

CREATE TABLE password_reset (
  id         INTEGER PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,
  account_id INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  used_at    TEXT
);
CREATE INDEX password_reset_account ON password_reset(account_id);

CREATE TABLE api_token (
  id           INTEGER PRIMARY KEY,
  token_hash   TEXT NOT NULL UNIQUE,
  account_id   INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE,
  label        TEXT NOT NULL DEFAULT '',
  scope        TEXT NOT NULL CHECK (scope IN ('read', 'write')),
  created_at   TEXT NOT NULL,
  last_used_at TEXT,
  revoked_at   TEXT
);
CREATE INDEX api_token_account ON api_token(account_id);

-- Failed sign-ins per e-mail address typed (known or not, so throttling
-- reveals nothing) and per client network.
CREATE TABLE auth_throttle (
  kind            TEXT NOT NULL CHECK (kind IN ('account', 'address')),
  throttle_key    TEXT NOT NULL,
  failures        INTEGER NOT NULL,
  last_failure_at TEXT NOT NULL,
  blocked_until   TEXT NOT NULL,
  PRIMARY KEY (kind, throttle_key)
);

-- Server-side keys made on first use (e.g. for anonymous-form CSRF tokens);
-- kept out of site_setting, which pages show.
CREATE TABLE auth_key (
  name       TEXT PRIMARY KEY,
  secret     TEXT NOT NULL,
  created_at TEXT NOT NULL
);

CREATE TABLE audit_log (
  id               INTEGER PRIMARY KEY,
  at               TEXT NOT NULL,
  actor_account_id INTEGER REFERENCES account(id) ON DELETE SET NULL,
  -- who, kept readable after the account is gone: an e-mail, 'cli', 'system'
  actor            TEXT NOT NULL,
  action           TEXT NOT NULL,
  entity           TEXT NOT NULL,
  entity_id        INTEGER,
  before_json      TEXT,
  after_json       TEXT
);
CREATE INDEX audit_log_entity ON audit_log(entity, entity_id);
CREATE INDEX audit_log_at ON audit_log(at);
