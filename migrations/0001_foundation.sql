-- 0001 foundation: series, events, organisations and their roles, news.
-- Times are UTC RFC 3339 text ("2012-11-12T12:00:00Z"); calendar dates are
-- "YYYY-MM-DD" text in the event's own time zone; countries are ISO 3166-1
-- alpha-2 codes, named in the reader's language when shown.

CREATE TABLE site_setting (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE organisation (
  id          INTEGER PRIMARY KEY,
  slug        TEXT NOT NULL UNIQUE,
  name        TEXT NOT NULL,
  acronym     TEXT,
  kind        TEXT NOT NULL DEFAULT 'other'
              CHECK (kind IN ('government', 'academia', 'business', 'ngo', 'cultural',
                              'international', 'media', 'other')),
  country     TEXT,
  url         TEXT,
  description TEXT NOT NULL DEFAULT '',
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL
);

CREATE TABLE series (
  id           INTEGER PRIMARY KEY,
  slug         TEXT NOT NULL UNIQUE,
  title        TEXT NOT NULL,
  summary      TEXT NOT NULL DEFAULT '',
  organiser_id INTEGER REFERENCES organisation(id) ON DELETE SET NULL,
  status       TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
  created_at   TEXT NOT NULL,
  updated_at   TEXT NOT NULL
);

CREATE TABLE event (
  id             INTEGER PRIMARY KEY,
  series_id      INTEGER REFERENCES series(id) ON DELETE SET NULL,
  slug           TEXT NOT NULL UNIQUE,
  title          TEXT NOT NULL,
  kind           TEXT NOT NULL DEFAULT 'consultation',
  theme          TEXT NOT NULL DEFAULT '',
  summary        TEXT NOT NULL DEFAULT '',
  description_md TEXT NOT NULL DEFAULT '',
  region         TEXT NOT NULL DEFAULT '',
  city           TEXT NOT NULL DEFAULT '',
  country        TEXT,
  venue          TEXT,
  starts_on      TEXT NOT NULL,
  ends_on        TEXT NOT NULL,
  -- 'day' when the exact dates are known, 'month' when only the month is
  date_precision TEXT NOT NULL DEFAULT 'day' CHECK (date_precision IN ('day', 'month')),
  timezone       TEXT NOT NULL DEFAULT 'UTC',
  capacity       INTEGER CHECK (capacity IS NULL OR capacity >= 0),
  status         TEXT NOT NULL DEFAULT 'draft'
                 CHECK (status IN ('draft', 'published', 'cancelled')),
  contact_name   TEXT,
  contact_title  TEXT,
  contact_org    TEXT,
  contact_email  TEXT,
  created_at     TEXT NOT NULL,
  updated_at     TEXT NOT NULL,
  CHECK (ends_on >= starts_on)
);
CREATE INDEX event_series ON event(series_id, starts_on);
CREATE INDEX event_starts ON event(starts_on);

-- The sectors an event invites, in the order the organisers list them.
CREATE TABLE event_sector (
  event_id INTEGER NOT NULL REFERENCES event(id) ON DELETE CASCADE,
  sector   TEXT NOT NULL
           CHECK (sector IN ('government', 'academia', 'business', 'ngo', 'cultural',
                             'international', 'media', 'other')),
  position INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (event_id, sector)
);

CREATE TABLE event_organisation (
  event_id        INTEGER NOT NULL REFERENCES event(id) ON DELETE CASCADE,
  organisation_id INTEGER NOT NULL REFERENCES organisation(id) ON DELETE CASCADE,
  role            TEXT NOT NULL
                  CHECK (role IN ('convener', 'co-organiser', 'partner', 'sponsor')),
  position        INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (event_id, organisation_id, role)
);
CREATE INDEX event_organisation_org ON event_organisation(organisation_id);

CREATE TABLE category (
  id   INTEGER PRIMARY KEY,
  slug TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL
);

CREATE TABLE post (
  id           INTEGER PRIMARY KEY,
  slug         TEXT NOT NULL UNIQUE,
  title        TEXT NOT NULL,
  summary      TEXT NOT NULL DEFAULT '',
  body_md      TEXT NOT NULL DEFAULT '',
  status       TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
  -- a published post with published_at in the future is scheduled
  published_at TEXT,
  is_featured  INTEGER NOT NULL DEFAULT 0 CHECK (is_featured IN (0, 1)),
  image        TEXT,
  image_alt    TEXT,
  image_credit TEXT,
  event_id     INTEGER REFERENCES event(id) ON DELETE SET NULL,
  created_at   TEXT NOT NULL,
  updated_at   TEXT NOT NULL
);
CREATE INDEX post_published ON post(status, published_at);
CREATE INDEX post_event ON post(event_id);

CREATE TABLE post_category (
  post_id     INTEGER NOT NULL REFERENCES post(id) ON DELETE CASCADE,
  category_id INTEGER NOT NULL REFERENCES category(id) ON DELETE CASCADE,
  PRIMARY KEY (post_id, category_id)
);
CREATE INDEX post_category_cat ON post_category(category_id);
