CREATE TABLE "stat_books" (
	"book_id" integer PRIMARY KEY NOT NULL,
	"timezone" text NOT NULL,
	"built_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stat_days" (
	"book_id" integer NOT NULL,
	"dim" text NOT NULL,
	"day" date NOT NULL,
	"key" integer NOT NULL,
	"kind" text NOT NULL,
	"currency" text NOT NULL,
	"amount_minor" bigint NOT NULL,
	"count" integer NOT NULL,
	CONSTRAINT "stat_days_book_id_dim_day_key_kind_currency_pk" PRIMARY KEY("book_id","dim","day","key","kind","currency")
);
--> statement-breakpoint
CREATE TABLE "stat_dirty" (
	"book_id" integer NOT NULL,
	"hour" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "rates" ADD COLUMN "base" text;--> statement-breakpoint
ALTER TABLE "stat_books" ADD CONSTRAINT "stat_books_book_id_books_id_fk" FOREIGN KEY ("book_id") REFERENCES "public"."books"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stat_days" ADD CONSTRAINT "stat_days_book_id_books_id_fk" FOREIGN KEY ("book_id") REFERENCES "public"."books"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "stat_dirty_book_idx" ON "stat_dirty" USING btree ("book_id");--> statement-breakpoint
CREATE INDEX "events_book_fx_idx" ON "events" USING btree ("book_id","occurred_at") WHERE "events"."kind" = 'transfer' and "events"."to_currency" <> "events"."currency" and "events"."deleted_at" is null;