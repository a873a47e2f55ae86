-- Programme: the people of its sessions and their roles, interpretation,
-- versioned releases (what the public sees is the latest release, with a
-- changelog), stars, sign-ups for limited sessions and personal feeds.

-- Interpretation offered for a session, into these languages
-- (comma-separated codes): asked for with none set is a conflict.
ALTER TABLE programme_session ADD COLUMN interpretation INTEGER NOT NULL DEFAULT 0;
ALTER TABLE programme_session ADD COLUMN interpretation_languages TEXT NOT NULL DEFAULT '';
-- The language a session's texts are written in; versions in others are
-- in content_translation (entity 'session').
ALTER TABLE programme_session ADD COLUMN lang TEXT NOT NULL DEFAULT 'en';

-- A person of an event's programme: linked to an account or to an
-- approved participant of the event (by the e-mail address, which only
-- the organisers see), or a guest; photo: a stored image's name
-- (media/<sha256>.<ext>), or NULL.
CREATE TABLE programme_person (
  id           INTEGER PRIMARY KEY,
  event_id     INTEGER NOT NULL REFERENCES event(id) ON DELETE CASCADE,
  account_id   INTEGER REFERENCES account(id) ON DELETE SET NULL,
  registration_id INTEGER REFERENCES registration(id) ON DELETE SET NULL,
  name         TEXT NOT NULL,
  title        TEXT NOT NULL DEFAULT '',
  organisation TEXT NOT NULL DEFAULT '',
  bio          TEXT NOT NULL DEFAULT '',
  photo        TEXT,
  created_at   TEXT NOT NULL,
  updated_at   TEXT NOT NULL
);
CREATE INDEX programme_person_event ON programme_person(event_id, name);

-- Who does what in a session, in the order they are listed.
CREATE TABLE programme_session_person (
  session_id INTEGER NOT NULL REFERENCES programme_session(id) ON DELETE CASCADE,
  person_id  INTEGER NOT NULL REFERENCES programme_person(id) ON DELETE CASCADE,
  role       TEXT NOT NULL CHECK (role IN ('speaker', 'moderator', 'chair', 'rapporteur')),
  position   INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (session_id, person_id, role)
);
CREATE INDEX programme_session_person_person ON programme_session_person(person_id);

-- A released version of an event's programme: version counts from 1;
-- changes is the changelog against the version before, as JSON
-- ([{"session": id, "title": …, "change": "added"|"moved"|…}]).
CREATE TABLE programme_release (
  id          INTEGER PRIMARY KEY,
  event_id    INTEGER NOT NULL REFERENCES event(id) ON DELETE CASCADE,
  version     INTEGER NOT NULL CHECK (version >= 1),
  note        TEXT NOT NULL DEFAULT '',
  changes     TEXT NOT NULL DEFAULT '[]',
  released_by INTEGER REFERENCES account(id) ON DELETE SET NULL,
  released_at TEXT NOT NULL,
  UNIQUE (event_id, version)
);

-- The sessions as a release has them (session_id names the session,
-- which may be gone since). sequence: the number of releases before this
-- one that changed it (iCalendar's SEQUENCE).
CREATE TABLE programme_release_session (
  release_id     INTEGER NOT NULL REFERENCES programme_release(id) ON DELETE CASCADE,
  session_id     INTEGER NOT NULL,
  sequence       INTEGER NOT NULL DEFAULT 0,
  title          TEXT NOT NULL,
  kind           TEXT NOT NULL,
  track          TEXT NOT NULL DEFAULT '',
  description_md TEXT NOT NULL DEFAULT '',
  starts_at      TEXT NOT NULL,
  ends_at        TEXT NOT NULL,
  room           TEXT,
  room_capacity  INTEGER,
  languages      TEXT NOT NULL DEFAULT '',
  interpretation INTEGER NOT NULL DEFAULT 0,
  interpretation_languages TEXT NOT NULL DEFAULT '',
  capacity       INTEGER,
  visibility     TEXT NOT NULL,
  lang           TEXT NOT NULL DEFAULT 'en',
  updated_at     TEXT NOT NULL,
  PRIMARY KEY (release_id, session_id)
);

-- The people of the sessions as a release has them.
CREATE TABLE programme_release_person (
  release_id INTEGER NOT NULL REFERENCES programme_release(id) ON DELETE CASCADE,
  session_id INTEGER NOT NULL,
  person_id  INTEGER NOT NULL,
  role       TEXT NOT NULL,
  position   INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (release_id, session_id, person_id, role)
);

-- A session an account starred for its agenda.
CREATE TABLE programme_star (
  session_id INTEGER NOT NULL REFERENCES programme_session(id) ON DELETE CASCADE,
  account_id INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE,
  created_at TEXT NOT NULL,
  PRIMARY KEY (session_id, account_id)
);
CREATE INDEX programme_star_account ON programme_star(account_id);

-- A place taken in a limited session.
CREATE TABLE programme_signup (
  session_id INTEGER NOT NULL REFERENCES programme_session(id) ON DELETE CASCADE,
  account_id INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE,
  created_at TEXT NOT NULL,
  PRIMARY KEY (session_id, account_id)
);
CREATE INDEX programme_signup_account ON programme_signup(account_id);

-- The secret address of an account's agenda feed. It stays retrievable:
-- its token is a keyed hash (server key "agenda") of the random salt and
-- the account, so the page can show the address again while the store
-- keeps no usable token (token_hash, its digest as API tokens are kept,
-- is what a calendar's request is looked up by). A new salt is a new
-- address; the old one stops working.
CREATE TABLE programme_feed (
  account_id INTEGER PRIMARY KEY REFERENCES account(id) ON DELETE CASCADE,
  token_hash TEXT NOT NULL UNIQUE,
  salt       TEXT NOT NULL,
  created_at TEXT NOT NULL
);
