-- Programme: the rooms of an event and its sessions. Times are RFC 3339
-- UTC ("2012-11-12T01:30:00Z"), shown in the event's time zone.

-- A room of an event's venue: its name is how the API names it.
CREATE TABLE programme_room (
  id         INTEGER PRIMARY KEY,
  event_id   INTEGER NOT NULL REFERENCES event(id) ON DELETE CASCADE,
  name       TEXT NOT NULL,
  capacity   INTEGER CHECK (capacity IS NULL OR capacity >= 0),
  created_at TEXT NOT NULL,
  UNIQUE (event_id, name)
);

-- A session of an event's programme. languages: the codes of the
-- languages spoken, comma-separated ("en,zh"). visibility: 'participants-only'
-- is seen by the event's organisers and participants only. A room in use
-- cannot be deleted (no ON DELETE: the store says so first).
CREATE TABLE programme_session (
  id             INTEGER PRIMARY KEY,
  event_id       INTEGER NOT NULL REFERENCES event(id) ON DELETE CASCADE,
  title          TEXT NOT NULL,
  kind           TEXT NOT NULL DEFAULT 'panel'
                 CHECK (kind IN ('opening', 'plenary', 'panel', 'workshop', 'roundtable',
                                 'break', 'reception', 'closing')),
  track          TEXT NOT NULL DEFAULT '',
  description_md TEXT NOT NULL DEFAULT '',
  starts_at      TEXT NOT NULL,
  ends_at        TEXT NOT NULL,
  room_id        INTEGER REFERENCES programme_room(id),
  languages      TEXT NOT NULL DEFAULT '',
  capacity       INTEGER CHECK (capacity IS NULL OR capacity >= 0),
  visibility     TEXT NOT NULL DEFAULT 'public'
                 CHECK (visibility IN ('public', 'participants-only')),
  created_at     TEXT NOT NULL,
  updated_at     TEXT NOT NULL,
  CHECK (ends_at > starts_at)
);
CREATE INDEX programme_session_event ON programme_session(event_id, starts_at);
CREATE INDEX programme_session_room ON programme_session(room_id);
