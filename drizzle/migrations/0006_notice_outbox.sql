-- Messages to chats outside a reply (template notices, budget alerts), written in PostgreSQL
-- first (in the transaction that caused them when there is one) and relayed to the outbound
-- queue by every process of the same deployment (`relay`: its Redis key prefix, or `local`
-- without Redis). A row is pending until `relayed_at`; relayed rows are kept a day so a key
-- written twice (a retried producer) is still sent once. See docs/outages.md.
CREATE TABLE "notice_outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"relay" text DEFAULT '' NOT NULL,
	"key" text NOT NULL,
	"platform" text NOT NULL,
	"chat_id" text NOT NULL,
	"message" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"not_before" timestamp with time zone DEFAULT now() NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"relayed_at" timestamp with time zone
);--> statement-breakpoint
CREATE UNIQUE INDEX "notice_outbox_key_uq" ON "notice_outbox" USING btree ("key");--> statement-breakpoint
CREATE INDEX "notice_outbox_pending_idx" ON "notice_outbox" USING btree ("relay","not_before","id") WHERE "relayed_at" IS NULL;
