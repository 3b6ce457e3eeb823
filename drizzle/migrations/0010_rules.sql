-- Issue 17: rules label records by payee/memo/note pattern (`/rule add`, `/rules`, the API).
-- `seq` is the number people see (`/rule delete 3`); deleted rules keep their row (soft delete),
-- so a number is never given to another rule of the book.
CREATE TABLE "rules" (
	"id" serial PRIMARY KEY NOT NULL,
	"book_id" integer NOT NULL REFERENCES "books"("id") ON DELETE cascade,
	"seq" integer NOT NULL,
	"pattern" text NOT NULL,
	"label" text NOT NULL,
	"account_id" integer REFERENCES "accounts"("id") ON DELETE set null,
	"note" text,
	"created_by" integer REFERENCES "users"("id") ON DELETE set null,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone
);--> statement-breakpoint
CREATE UNIQUE INDEX "rules_book_seq_uq" ON "rules" ("book_id","seq");
