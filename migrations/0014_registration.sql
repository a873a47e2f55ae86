-- Registration: how an event takes registrations, its quotas, the people
-- invited, the registrations themselves and their check-ins.

-- One row per event that takes registrations. The capacity is the event's
-- (event.capacity). Times are RFC 3339 UTC; questions is a JSON array of
-- the organisers' own questions.
CREATE TABLE registration_setting (
  event_id      INTEGER PRIMARY KEY REFERENCES event(id) ON DELETE CASCADE,
  mode          TEXT NOT NULL DEFAULT 'approval'
                CHECK (mode IN ('open', 'approval', 'invitation')),
  opens_at      TEXT,
  closes_at     TEXT,
  confirm_hours INTEGER NOT NULL DEFAULT 72 CHECK (confirm_hours BETWEEN 1 AND 720),
  directory     TEXT NOT NULL DEFAULT 'none'
                CHECK (directory IN ('none', 'participants', 'public')),
  -- days after the event's end when personal data of its registrations is
  -- erased; NULL: kept until the organisers change this
  retention_days INTEGER DEFAULT 180
                CHECK (retention_days IS NULL OR retention_days BETWEEN 1 AND 3650),
  questions     TEXT NOT NULL DEFAULT '[]',
  -- the letterhead of invitation letters for visas
  letter_org    TEXT NOT NULL DEFAULT '',
  letter_address TEXT NOT NULL DEFAULT '',
  letter_signatory TEXT NOT NULL DEFAULT '',
  letter_signatory_title TEXT NOT NULL DEFAULT '',
  updated_at    TEXT NOT NULL
);

-- A cap or a target on who people are: one attribute, or two (sector ×
-- region) with value2. NULL limits: none.
CREATE TABLE registration_quota (
  id          INTEGER PRIMARY KEY,
  event_id    INTEGER NOT NULL REFERENCES event(id) ON DELETE CASCADE,
  position    INTEGER NOT NULL DEFAULT 0,
  attribute   TEXT NOT NULL CHECK (attribute IN ('sector', 'country', 'gender', 'region')),
  value       TEXT NOT NULL,
  attribute2  TEXT CHECK (attribute2 IS NULL OR attribute2 IN ('sector', 'country', 'gender', 'region')),
  value2      TEXT,
  max_count   INTEGER CHECK (max_count IS NULL OR max_count >= 0),
  max_share   REAL CHECK (max_share IS NULL OR (max_share >= 0 AND max_share <= 1)),
  min_count   INTEGER CHECK (min_count IS NULL OR min_count >= 0),
  min_share   REAL CHECK (min_share IS NULL OR (min_share >= 0 AND min_share <= 1))
);
CREATE INDEX registration_quota_event ON registration_quota(event_id, position);

-- A person invited to an event that admits by invitation: the link's
-- token is kept as its SHA-256 (hex), used once.
CREATE TABLE registration_invitation (
  id          INTEGER PRIMARY KEY,
  event_id    INTEGER NOT NULL REFERENCES event(id) ON DELETE CASCADE,
  email       TEXT NOT NULL,
  email_key   TEXT NOT NULL,
  name        TEXT NOT NULL DEFAULT '',
  token_hash  TEXT NOT NULL UNIQUE,
  created_at  TEXT NOT NULL,
  sent_at     TEXT,
  reminded_at TEXT,
  used_at     TEXT,
  UNIQUE (event_id, email_key)
);

-- A delegation: a focal point (a ministry, a university) registering
-- several delegates at once with one nomination letter (a PDF, kept as
-- base64 text so that both backends and db copy treat it alike).
CREATE TABLE registration_delegation (
  id              INTEGER PRIMARY KEY,
  event_id        INTEGER NOT NULL REFERENCES event(id) ON DELETE CASCADE,
  name            TEXT NOT NULL,
  focal_name      TEXT NOT NULL,
  focal_email     TEXT NOT NULL,
  focal_email_key TEXT NOT NULL,
  organisation    TEXT,
  sector          TEXT,
  country         TEXT,
  letter          TEXT NOT NULL,
  letter_name     TEXT NOT NULL DEFAULT 'letter.pdf',
  lang            TEXT NOT NULL DEFAULT 'en',
  created_at      TEXT NOT NULL
);
CREATE INDEX registration_delegation_event ON registration_delegation(event_id, id);

-- One person's registration for one event. email_key is the address in
-- lower case: one registration per address and event. manage_salt is
-- random: the token in the links of its e-mails is a keyed hash of it
-- (auth_key "registration"), with which the person sees and changes the
-- registration without an account. offer_expires_at: until
-- when a seat offered from the waiting list waits for the person's
-- confirmation. erased_at: personal data erased after the event
-- (sector, country, gender and status stay for the counts).
CREATE TABLE registration (
  id                INTEGER PRIMARY KEY,
  event_id          INTEGER NOT NULL REFERENCES event(id) ON DELETE CASCADE,
  email             TEXT NOT NULL,
  email_key         TEXT NOT NULL,
  name              TEXT NOT NULL,
  organisation_id   INTEGER REFERENCES organisation(id) ON DELETE SET NULL,
  organisation      TEXT NOT NULL DEFAULT '',
  position          TEXT NOT NULL DEFAULT '',
  sector            TEXT,
  country           TEXT,
  gender            TEXT,
  languages         TEXT NOT NULL DEFAULT '',
  accessibility     TEXT NOT NULL DEFAULT '',
  dietary           TEXT NOT NULL DEFAULT '',
  consent_directory INTEGER NOT NULL DEFAULT 0,
  -- asks for an invitation letter (for a visa)
  wants_letter      INTEGER NOT NULL DEFAULT 0,
  answers           TEXT NOT NULL DEFAULT '{}',
  lang              TEXT NOT NULL DEFAULT 'en',
  status            TEXT NOT NULL
                    CHECK (status IN ('pending', 'approved', 'waitlisted', 'offered',
                                      'declined', 'cancelled', 'expired')),
  offer_expires_at  TEXT,
  manage_salt       TEXT NOT NULL UNIQUE,
  invitation_id     INTEGER REFERENCES registration_invitation(id) ON DELETE SET NULL,
  delegation_id     INTEGER REFERENCES registration_delegation(id) ON DELETE SET NULL,
  created_at        TEXT NOT NULL,
  updated_at        TEXT NOT NULL,
  status_at         TEXT NOT NULL,
  reminded_at       TEXT,  -- the reminder before the event, sent
  checked_in_at     TEXT,
  checked_in_by     TEXT,
  erased_at         TEXT,
  UNIQUE (event_id, email_key)
);
CREATE INDEX registration_event_status ON registration(event_id, status, created_at);

-- Check-ins by nonce: a request sent twice records one check-in.
CREATE TABLE registration_checkin (
  nonce           TEXT PRIMARY KEY,
  registration_id INTEGER NOT NULL REFERENCES registration(id) ON DELETE CASCADE,
  at              TEXT NOT NULL,
  desk            TEXT NOT NULL DEFAULT ''
);
