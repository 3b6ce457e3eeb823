-- Messages to chats outside a reply (template notices, budget alerts), written in PostgreSQL
-- first (in the transaction that caused them when there is one) and relayed to the outbound
-- queue by every process of the same deployment (`relay`: its Redis key prefix, or `local`
-- without Redis). A row is pending until `relayed_at`; relayed rows are kept a day so a key
-- written twice (a retried producer) is still sent once. `done_at`: the platform took it (or
-- refused it for good); a relayed row not done after a while is relayed again (its job may have
-- been lost with an emptied Redis), and a done one is never sent again. See docs/outages.md.
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
	"relayed_at" timestamp with time zone,
	"done_at" timestamp with time zone
);--> statement-breakpoint
CREATE UNIQUE INDEX "notice_outbox_key_uq" ON "notice_outbox" USING btree ("key");--> statement-breakpoint
CREATE INDEX "notice_outbox_pending_idx" ON "notice_outbox" USING btree ("relay","not_before","id") WHERE "relayed_at" IS NULL;--> statement-breakpoint
CREATE INDEX "notice_outbox_undone_idx" ON "notice_outbox" USING btree ("relay","relayed_at") WHERE "done_at" IS NULL AND "relayed_at" IS NOT NULL;
