-- Issue 12: the durable chat path. Every update a platform delivers is held here before it is
-- confirmed, and applied from here exactly once (marking the row done commits with the effect).
CREATE TABLE "chat_inbox" (
	"key" text PRIMARY KEY NOT NULL,
	"chat_key" text NOT NULL,
	"seq" bigint NOT NULL,
	"payload" jsonb NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"done_at" timestamp with time zone
);--> statement-breakpoint
-- Pending rows per chat in arrival order (the applier takes the oldest of a chat).
CREATE INDEX "chat_inbox_pending_idx" ON "chat_inbox" ("chat_key", "seq") WHERE "done_at" IS NULL;--> statement-breakpoint
CREATE INDEX "chat_inbox_done_idx" ON "chat_inbox" ("done_at") WHERE "done_at" IS NOT NULL;--> statement-breakpoint
-- Replies written in the same transaction as their effect; a sender delivers and marks them.
CREATE TABLE "chat_outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"platform" text NOT NULL,
	"chat_id" text NOT NULL,
	"reply" jsonb NOT NULL,
	"reply_to" bigint,
	"edit_message_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"not_before" timestamp with time zone DEFAULT now() NOT NULL,
	"claimed_until" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"sent_at" timestamp with time zone,
	"failed" text
);--> statement-breakpoint
CREATE INDEX "chat_outbox_pending_idx" ON "chat_outbox" ("platform", "chat_id", "id") WHERE "sent_at" IS NULL;--> statement-breakpoint
CREATE INDEX "chat_outbox_sent_idx" ON "chat_outbox" ("sent_at") WHERE "sent_at" IS NOT NULL;
