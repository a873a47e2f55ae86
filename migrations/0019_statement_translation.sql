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
