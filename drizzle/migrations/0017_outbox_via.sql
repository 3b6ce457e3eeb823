-- Issue 12: Discord replies go through the reply outbox. `via` says how a reply answering a
-- platform interaction reaches it later (Discord: the interaction id, its token and application,
-- when it was created, its channel, which part of the answer the reply is); NULL for a chat
-- message (Telegram). The token lives 15 minutes; the row is forgotten after a week like the rest.
ALTER TABLE "chat_outbox" ADD COLUMN "via" jsonb;
