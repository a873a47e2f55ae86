-- Dialogue, embedding: a host site's participant id (xid) is one
-- participant of a conversation, whichever visit it comes with.
CREATE UNIQUE INDEX dialogue_participant_xid ON dialogue_participant(conversation_id, xid);
