-- Issue 13: what the API was asked when an Idempotency-Key was first used (a hash of the body),
-- so the same key with a different body is refused instead of answered with the first event.
ALTER TABLE "events" ADD COLUMN "source_hash" text;--> statement-breakpoint
-- Issue 13 / SPEC §6 Bounds: a balance stays inside the range JavaScript numbers hold exactly
-- (2^53 - 1 minor units). The check runs inside the statement that records, restores or edits,
-- so a record that would overflow is refused atomically. NOT VALID: books written before keep
-- opening (their rows are not re-checked), every new write is.
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_balance_safe" CHECK ("balance_minor" BETWEEN -9007199254740991 AND 9007199254740991) NOT VALID;
--> statement-breakpoint
-- Issue 13 item 6: a budget alerts (and /stats shows it) only for periods from its creation on.
-- Budgets made before this column existed count as always there, as they did.
ALTER TABLE "budgets" ADD COLUMN "created_at" timestamp with time zone DEFAULT '1900-01-01T00:00:00Z' NOT NULL;
