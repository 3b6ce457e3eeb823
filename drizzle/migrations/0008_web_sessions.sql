-- The web app (issue 15): one-time sign-in links, browser sessions, seen Telegram initData.
CREATE TABLE "web_sign_in_links" (
	"hash" text PRIMARY KEY NOT NULL,
	"user_id" integer NOT NULL REFERENCES "users"("id") ON DELETE cascade,
	"book_id" integer REFERENCES "books"("id") ON DELETE cascade,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone
);--> statement-breakpoint
CREATE INDEX "web_sign_in_links_expires_idx" ON "web_sign_in_links" ("expires_at");--> statement-breakpoint
CREATE TABLE "web_sessions" (
	"id" serial PRIMARY KEY NOT NULL,
	"user_id" integer NOT NULL REFERENCES "users"("id") ON DELETE cascade,
	"hash" text NOT NULL UNIQUE,
	"via" text NOT NULL,
	"agent" text NOT NULL DEFAULT '',
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone
);--> statement-breakpoint
CREATE INDEX "web_sessions_user_idx" ON "web_sessions" ("user_id");--> statement-breakpoint
CREATE TABLE "web_init_data_seen" (
	"hash" text PRIMARY KEY NOT NULL,
	"seen_at" timestamp with time zone NOT NULL
);--> statement-breakpoint
CREATE INDEX "web_init_data_seen_at_idx" ON "web_init_data_seen" ("seen_at");
