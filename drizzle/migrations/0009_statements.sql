-- Bank statements (issue 17): which book account a statement's bank account is, the bank CSV
-- mapping remembered for it, and previews waiting for the person's choice.
CREATE TABLE "statement_accounts" (
	"id" serial PRIMARY KEY NOT NULL,
	"book_id" integer NOT NULL REFERENCES "books"("id") ON DELETE cascade,
	"account_id" integer NOT NULL REFERENCES "accounts"("id") ON DELETE cascade,
	"external_account_id" text NOT NULL,
	"csv_mapping" jsonb,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);--> statement-breakpoint
CREATE UNIQUE INDEX "statement_accounts_book_external_uq" ON "statement_accounts" ("book_id","external_account_id");--> statement-breakpoint
CREATE INDEX "statement_accounts_account_idx" ON "statement_accounts" ("account_id");--> statement-breakpoint
CREATE TABLE "statement_previews" (
	"id" text PRIMARY KEY NOT NULL,
	"n" bigserial NOT NULL,
	"book_id" integer NOT NULL REFERENCES "books"("id") ON DELETE cascade,
	"user_id" integer NOT NULL REFERENCES "users"("id") ON DELETE cascade,
	"file_name" text NOT NULL,
	"content" bytea NOT NULL,
	"account_id" integer REFERENCES "accounts"("id") ON DELETE cascade,
	"csv_mapping" jsonb,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);--> statement-breakpoint
CREATE INDEX "statement_previews_owner_idx" ON "statement_previews" ("book_id","user_id","n");--> statement-breakpoint
CREATE INDEX "statement_previews_expires_idx" ON "statement_previews" ("expires_at");
