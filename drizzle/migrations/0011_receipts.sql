-- Receipts (issue 18): a photo read on the worker, proposed as a record, kept with the record it became.
CREATE TABLE "receipt_scans" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"book_id" integer NOT NULL REFERENCES "books"("id") ON DELETE cascade,
	"user_id" integer NOT NULL REFERENCES "users"("id") ON DELETE cascade,
	"platform" text NOT NULL,
	"chat_id" text NOT NULL,
	"state" text NOT NULL DEFAULT 'reading',
	"image" bytea NOT NULL,
	"mime" text NOT NULL,
	"proposal" jsonb,
	"event_id" bigint REFERENCES "events"("id") ON DELETE cascade,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "receipt_scans_state_ck" CHECK ("state" IN ('reading', 'proposed', 'recorded')),
	CONSTRAINT "receipt_scans_image_size_ck" CHECK (octet_length("image") <= 10485760)
);--> statement-breakpoint
CREATE UNIQUE INDEX "receipt_scans_one_reading_uq" ON "receipt_scans" ("platform", "chat_id") WHERE "state" = 'reading';--> statement-breakpoint
CREATE UNIQUE INDEX "receipt_scans_event_uq" ON "receipt_scans" ("event_id") WHERE "event_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "receipt_scans_book_idx" ON "receipt_scans" ("book_id", "created_at");--> statement-breakpoint
CREATE FUNCTION "receipt_scans_forget_deleted"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM "receipt_scans" WHERE "event_id" = NEW."id";
	RETURN NEW;
END $$;--> statement-breakpoint
CREATE TRIGGER "events_forget_receipt" AFTER UPDATE OF "deleted_at" ON "events"
	FOR EACH ROW WHEN (OLD."deleted_at" IS NULL AND NEW."deleted_at" IS NOT NULL)
	EXECUTE FUNCTION "receipt_scans_forget_deleted"();
