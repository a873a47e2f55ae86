-- Dialogue: moderator-reviewed translations of statements, so that a room
-- reading several languages votes on the same statement. A statement is
-- written in one language (statement.lang: the author's page language when
-- they sent it, or what a moderator sets; NULL: not known, as for imported
-- ones); a translation into another of the site's languages is entered, and
-- so reviewed, by a moderator of its conversation. It goes with its
-- statement. Times are RFC 3339 UTC.
CREATE TABLE statement_translation (
  statement_id  INTEGER NOT NULL REFERENCES statement(id) ON DELETE CASCADE,
  lang          TEXT NOT NULL,
  text          TEXT NOT NULL,
  -- the moderator who entered it last (and so reviewed it)
  reviewed_by   INTEGER REFERENCES account(id) ON DELETE SET NULL,
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL,
  PRIMARY KEY (statement_id, lang)
);

-- A participant's suggested translation, waiting for a moderator of the
-- conversation: accepted, it becomes the statement's translation (reviewed
-- by the moderator who accepts it) and the other suggestions into that
-- language go; dismissed, it goes. One per participant, statement and
-- language (a new one replaces theirs).
CREATE TABLE statement_translation_suggestion (
  id             INTEGER PRIMARY KEY,
  statement_id   INTEGER NOT NULL REFERENCES statement(id) ON DELETE CASCADE,
  participant_id INTEGER NOT NULL REFERENCES dialogue_participant(id) ON DELETE CASCADE,
  lang           TEXT NOT NULL,
  text           TEXT NOT NULL,
  created_at     TEXT NOT NULL,
  UNIQUE (statement_id, participant_id, lang)
);
