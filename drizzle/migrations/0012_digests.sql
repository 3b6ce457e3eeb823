-- Messages COIN sends a chat on its own schedule (issue 18): the weekly or monthly digest and
-- the daily reminder, one row per chat and kind. `every`/`at_minute` are what the chat asked for
-- (minutes after local midnight in the book's time zone); `next_at` is the next run as an
-- instant, moved on in the same transaction that keeps the message in `notice_outbox`, so a run
-- is sent once whichever worker takes it (`claimed_by`/`claimed_until`: a worker's lease while it
-- composes the message; a worker that died leaves it to another when the lease ends); `last_run_at`/`set_at`: a run at or before either is
-- not sent (again). A chat that blocked the bot or left loses its rows.
CREATE TABLE "digest_settings" (
	"platform" text NOT NULL,
	"chat_id" text NOT NULL,
	"kind" text NOT NULL,
	"every" text NOT NULL,
	"at_minute" integer NOT NULL,
	"next_at" timestamp with time zone NOT NULL,
	"last_run_at" timestamp with time zone,
	"set_at" timestamp with time zone NOT NULL,
	"claimed_by" text,
	"claimed_until" timestamp with time zone,
	CONSTRAINT "digest_settings_pk" PRIMARY KEY("platform","chat_id","kind"),
	CONSTRAINT "digest_settings_kind_ck" CHECK ("kind" in ('digest', 'reminder')),
	CONSTRAINT "digest_settings_every_ck" CHECK (("kind" = 'digest' and "every" in ('weekly', 'monthly')) or ("kind" = 'reminder' and "every" = 'daily')),
	CONSTRAINT "digest_settings_minute_ck" CHECK ("at_minute" >= 0 and "at_minute" < 1440),
	CONSTRAINT "digest_settings_chat_fk" FOREIGN KEY ("platform","chat_id") REFERENCES "chats"("platform","chat_id") ON DELETE cascade
);--> statement-breakpoint
CREATE INDEX "digest_settings_due_idx" ON "digest_settings" USING btree ("next_at");
