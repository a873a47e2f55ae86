-- Dialogue and programme: a conversation may belong to one session of its
-- event's programme (the store checks it is the same event). Deleting the
-- session (it goes to the trash) keeps the conversation, unlinked.
ALTER TABLE conversation ADD COLUMN session_id INTEGER
  REFERENCES programme_session(id) ON DELETE SET NULL;
CREATE INDEX conversation_session ON conversation(session_id);
