-- Issue 12: one chat's replies leave in outbox order across processes. `claimed_by` names the
-- sender (one per process) that holds a pending reply; a sender delivers a chat's replies only
-- when no earlier reply of that chat is pending elsewhere, and adopts earlier ones nobody holds.
-- NULL with a live `claimed_until`: the writer's own claim, before its sender took the reply.
ALTER TABLE "chat_outbox" ADD COLUMN "claimed_by" text;
