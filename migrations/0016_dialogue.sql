-- Dialogue: conversations of an event, their participants, statements and
-- votes (the current vote and every vote cast). Times are RFC 3339 UTC.

CREATE TABLE conversation (
  id            INTEGER PRIMARY KEY,
  event_id      INTEGER NOT NULL REFERENCES event(id) ON DELETE CASCADE,
  topic         TEXT NOT NULL,
  question      TEXT NOT NULL DEFAULT '',
  description_md TEXT NOT NULL DEFAULT '',
  status        TEXT NOT NULL DEFAULT 'draft'
                CHECK (status IN ('draft', 'open', 'closed', 'archived')),
  -- who may take part: approved participants of the event, any account,
  -- or anyone (an anonymous identity per browser)
  participation TEXT NOT NULL DEFAULT 'signed-in'
                CHECK (participation IN ('registered', 'signed-in', 'anyone')),
  -- strict: a statement is shown once accepted; permissive: at once
  moderation    TEXT NOT NULL DEFAULT 'strict'
                CHECK (moderation IN ('strict', 'permissive')),
  participants_submit INTEGER NOT NULL DEFAULT 1 CHECK (participants_submit IN (0, 1)),
  max_length    INTEGER NOT NULL DEFAULT 140 CHECK (max_length BETWEEN 20 AND 1000),
  report_visibility TEXT NOT NULL DEFAULT 'public'
                CHECK (report_visibility IN ('public', 'participants', 'organisers')),
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL
);
CREATE INDEX conversation_event ON conversation(event_id, id);

-- Someone taking part: an account, or an anonymous identity (anon_key:
-- the SHA-256 hex of the token in the browser's cookie), or a host
-- site's participant id (xid). Excluded: their votes are kept but left
-- out of the analysis.
CREATE TABLE dialogue_participant (
  id              INTEGER PRIMARY KEY,
  conversation_id INTEGER NOT NULL REFERENCES conversation(id) ON DELETE CASCADE,
  account_id      INTEGER REFERENCES account(id) ON DELETE SET NULL,
  anon_key        TEXT,
  xid             TEXT,
  excluded        INTEGER NOT NULL DEFAULT 0 CHECK (excluded IN (0, 1)),
  created_at      TEXT NOT NULL,
  UNIQUE (conversation_id, account_id),
  UNIQUE (conversation_id, anon_key)
);

CREATE TABLE statement (
  id              INTEGER PRIMARY KEY,
  conversation_id INTEGER NOT NULL REFERENCES conversation(id) ON DELETE CASCADE,
  participant_id  INTEGER REFERENCES dialogue_participant(id) ON DELETE SET NULL,
  by_organiser    INTEGER NOT NULL DEFAULT 0 CHECK (by_organiser IN (0, 1)),
  text            TEXT NOT NULL,
  -- the text case- and space-folded: the near-duplicate check
  text_key        TEXT NOT NULL,
  status          TEXT NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'accepted', 'rejected', 'meta')),
  reason          TEXT NOT NULL DEFAULT '',
  lang            TEXT,
  created_at      TEXT NOT NULL,
  moderated_at    TEXT
);
CREATE INDEX statement_conversation ON statement(conversation_id, status, id);
CREATE INDEX statement_text_key ON statement(conversation_id, text_key);

-- The current vote of a participant on a statement (agree 1, pass 0,
-- disagree -1, as the engine and the exports count).
CREATE TABLE vote (
  statement_id    INTEGER NOT NULL REFERENCES statement(id) ON DELETE CASCADE,
  participant_id  INTEGER NOT NULL REFERENCES dialogue_participant(id) ON DELETE CASCADE,
  conversation_id INTEGER NOT NULL REFERENCES conversation(id) ON DELETE CASCADE,
  vote            INTEGER NOT NULL CHECK (vote IN (-1, 0, 1)),
  created_at      TEXT NOT NULL,
  PRIMARY KEY (statement_id, participant_id)
);
-- a participant's votes (the next statement), a conversation's (the report)
CREATE INDEX vote_participant ON vote(participant_id, statement_id);
CREATE INDEX vote_conversation ON vote(conversation_id, participant_id);

-- Every vote cast, in order: changes of mind are kept.
CREATE TABLE vote_history (
  id              INTEGER PRIMARY KEY,
  conversation_id INTEGER NOT NULL REFERENCES conversation(id) ON DELETE CASCADE,
  statement_id    INTEGER NOT NULL REFERENCES statement(id) ON DELETE CASCADE,
  participant_id  INTEGER NOT NULL REFERENCES dialogue_participant(id) ON DELETE CASCADE,
  vote            INTEGER NOT NULL CHECK (vote IN (-1, 0, 1)),
  created_at      TEXT NOT NULL
);
CREATE INDEX vote_history_conversation ON vote_history(conversation_id, id);
