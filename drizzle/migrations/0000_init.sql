CREATE TABLE "accounts" (
	"id" serial PRIMARY KEY NOT NULL,
	"book_id" integer NOT NULL,
	"name" text NOT NULL,
	"currency" text NOT NULL,
	"opening_minor" bigint DEFAULT 0 NOT NULL,
	"balance_minor" bigint DEFAULT 0 NOT NULL,
	"deleted_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "api_tokens" (
	"id" serial PRIMARY KEY NOT NULL,
	"user_id" integer NOT NULL,
	"name" text NOT NULL,
	"hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_tokens_hash_unique" UNIQUE("hash")
);
--> statement-breakpoint
CREATE TABLE "books" (
	"id" serial PRIMARY KEY NOT NULL,
	"title" text NOT NULL,
	"currency" text NOT NULL,
	"timezone" text NOT NULL,
	"language" text DEFAULT 'en' NOT NULL,
	"default_account_id" integer,
	"last_seq" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "budget_alerts" (
	"budget_id" integer NOT NULL,
	"period_start" timestamp with time zone NOT NULL,
	"threshold" integer NOT NULL,
	"sent_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "budget_alerts_budget_id_period_start_threshold_pk" PRIMARY KEY("budget_id","period_start","threshold")
);
--> statement-breakpoint
CREATE TABLE "budgets" (
	"id" serial PRIMARY KEY NOT NULL,
	"book_id" integer NOT NULL,
	"label_id" integer,
	"amount_minor" bigint NOT NULL,
	"currency" text NOT NULL,
	"period" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "chats" (
	"platform" text NOT NULL,
	"chat_id" text NOT NULL,
	"book_id" integer NOT NULL,
	"kind" text NOT NULL,
	"title" text,
	"blocked_at" timestamp with time zone,
	CONSTRAINT "chats_platform_chat_id_pk" PRIMARY KEY("platform","chat_id")
);
--> statement-breakpoint
CREATE TABLE "event_labels" (
	"event_id" bigint NOT NULL,
	"label_id" integer NOT NULL,
	CONSTRAINT "event_labels_event_id_label_id_pk" PRIMARY KEY("event_id","label_id")
);
--> statement-breakpoint
CREATE TABLE "events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"book_id" integer NOT NULL,
	"seq" integer NOT NULL,
	"kind" text NOT NULL,
	"account_id" integer NOT NULL,
	"amount_minor" bigint NOT NULL,
	"currency" text NOT NULL,
	"to_account_id" integer,
	"to_amount_minor" bigint,
	"to_currency" text,
	"note" text DEFAULT '' NOT NULL,
	"author_id" integer,
	"occurred_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	"template_id" integer,
	"occurrence_at" timestamp with time zone,
	"source_key" text,
	"meta" jsonb
);
--> statement-breakpoint
CREATE TABLE "identities" (
	"platform" text NOT NULL,
	"external_id" text NOT NULL,
	"user_id" integer NOT NULL,
	"username" text,
	CONSTRAINT "identities_platform_external_id_pk" PRIMARY KEY("platform","external_id")
);
--> statement-breakpoint
CREATE TABLE "labels" (
	"id" serial PRIMARY KEY NOT NULL,
	"book_id" integer NOT NULL,
	"name" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "link_codes" (
	"hash" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"book_id" integer,
	"user_id" integer,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "members" (
	"book_id" integer NOT NULL,
	"user_id" integer NOT NULL,
	"role" text NOT NULL,
	"role_set_explicitly" boolean DEFAULT false NOT NULL,
	"joined_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "members_book_id_user_id_pk" PRIMARY KEY("book_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "processed_updates" (
	"key" text PRIMARY KEY NOT NULL,
	"processed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rates" (
	"book_id" integer NOT NULL,
	"currency" text NOT NULL,
	"per_minor" bigint NOT NULL,
	"book_minor" bigint NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "rates_book_id_currency_pk" PRIMARY KEY("book_id","currency")
);
--> statement-breakpoint
CREATE TABLE "templates" (
	"id" serial PRIMARY KEY NOT NULL,
	"book_id" integer NOT NULL,
	"kind" text NOT NULL,
	"schedule" jsonb NOT NULL,
	"schedule_text" text NOT NULL,
	"record" text NOT NULL,
	"author_id" integer,
	"notify_platform" text,
	"notify_chat_id" text,
	"anchor_at" timestamp with time zone NOT NULL,
	"next_due_at" timestamp with time zone,
	"paused" boolean DEFAULT false NOT NULL,
	"deleted_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"locale" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_book_id_books_id_fk" FOREIGN KEY ("book_id") REFERENCES "public"."books"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "budget_alerts" ADD CONSTRAINT "budget_alerts_budget_id_budgets_id_fk" FOREIGN KEY ("budget_id") REFERENCES "public"."budgets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "budgets" ADD CONSTRAINT "budgets_book_id_books_id_fk" FOREIGN KEY ("book_id") REFERENCES "public"."books"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "budgets" ADD CONSTRAINT "budgets_label_id_labels_id_fk" FOREIGN KEY ("label_id") REFERENCES "public"."labels"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chats" ADD CONSTRAINT "chats_book_id_books_id_fk" FOREIGN KEY ("book_id") REFERENCES "public"."books"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_labels" ADD CONSTRAINT "event_labels_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_labels" ADD CONSTRAINT "event_labels_label_id_labels_id_fk" FOREIGN KEY ("label_id") REFERENCES "public"."labels"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_book_id_books_id_fk" FOREIGN KEY ("book_id") REFERENCES "public"."books"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_to_account_id_accounts_id_fk" FOREIGN KEY ("to_account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "identities" ADD CONSTRAINT "identities_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "labels" ADD CONSTRAINT "labels_book_id_books_id_fk" FOREIGN KEY ("book_id") REFERENCES "public"."books"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "link_codes" ADD CONSTRAINT "link_codes_book_id_books_id_fk" FOREIGN KEY ("book_id") REFERENCES "public"."books"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "link_codes" ADD CONSTRAINT "link_codes_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "members" ADD CONSTRAINT "members_book_id_books_id_fk" FOREIGN KEY ("book_id") REFERENCES "public"."books"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "members" ADD CONSTRAINT "members_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rates" ADD CONSTRAINT "rates_book_id_books_id_fk" FOREIGN KEY ("book_id") REFERENCES "public"."books"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "templates" ADD CONSTRAINT "templates_book_id_books_id_fk" FOREIGN KEY ("book_id") REFERENCES "public"."books"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "templates" ADD CONSTRAINT "templates_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "accounts_book_name_uq" ON "accounts" USING btree ("book_id",lower("name")) WHERE "accounts"."deleted_at" is null;--> statement-breakpoint
CREATE INDEX "api_tokens_user_idx" ON "api_tokens" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "budgets_book_label_uq" ON "budgets" USING btree ("book_id",coalesce("label_id", 0));--> statement-breakpoint
CREATE INDEX "chats_book_idx" ON "chats" USING btree ("book_id");--> statement-breakpoint
CREATE INDEX "event_labels_label_idx" ON "event_labels" USING btree ("label_id");--> statement-breakpoint
CREATE UNIQUE INDEX "events_book_seq_uq" ON "events" USING btree ("book_id","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "events_template_occurrence_uq" ON "events" USING btree ("template_id","occurrence_at");--> statement-breakpoint
CREATE UNIQUE INDEX "events_book_source_uq" ON "events" USING btree ("book_id","source_key");--> statement-breakpoint
CREATE INDEX "events_book_occurred_idx" ON "events" USING btree ("book_id","occurred_at") WHERE "events"."deleted_at" is null;--> statement-breakpoint
CREATE INDEX "events_author_idx" ON "events" USING btree ("book_id","author_id","seq");--> statement-breakpoint
CREATE INDEX "identities_user_idx" ON "identities" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "labels_book_name_uq" ON "labels" USING btree ("book_id",lower("name"));--> statement-breakpoint
CREATE INDEX "processed_updates_at_idx" ON "processed_updates" USING btree ("processed_at");--> statement-breakpoint
CREATE INDEX "templates_due_idx" ON "templates" USING btree ("next_due_at") WHERE "templates"."paused" = false and "templates"."deleted_at" is null;