-- The rows of a batch statement's JSON input, as PostgreSQL should expect them: few.
--
-- COIN's batch statements take their rows as one JSON parameter. PostgreSQL estimates a
-- `jsonb_to_recordset` or `jsonb_array_elements` call at 100 rows, and for 100 lookups into a
-- table of a few thousand rows (books, accounts, chats, identities) a hash join over a scan of
-- the WHOLE table looks cheaper than 100 index lookups. So every chat batch read and updated every
-- book, account and identity row: the work per update grew with the number of users (measured
-- with 10,000 chats: the records statement 6 ms → 13 ms a call, the enter read 1.3 → 9.3 ms;
-- bench/README.md, session 12). A chat batch is usually 1 to 30 rows; these functions say 10, so the
-- planner looks rows up by their keys (and still hashes when a table is tiny). They are STRICT so
-- PostgreSQL does not inline them (an inlined function's estimate would be the 100 again).
CREATE OR REPLACE FUNCTION coin_items(items jsonb) RETURNS SETOF jsonb
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE ROWS 10 AS $$ SELECT jsonb_array_elements(items) $$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION coin_texts(items jsonb) RETURNS SETOF text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE ROWS 10 AS $$ SELECT jsonb_array_elements_text(items) $$;
--> statement-breakpoint
-- Chats that blocked the bot, by key: a chat that writes again is unblocked (the enter read's
-- `unblock`), a lookup that must not scan every chat to find the few blocked ones.
CREATE INDEX IF NOT EXISTS "chats_blocked_idx" ON "chats" ("platform", "chat_id") WHERE "blocked_at" IS NOT NULL;
--> statement-breakpoint
-- The same for large batches (an import, an API batch of up to 1,000 events): planned as 1,000
-- rows, so they are hashed, not looked up one by one (drizzle/store/json-items.ts picks by size).
CREATE OR REPLACE FUNCTION coin_items_many(items jsonb) RETURNS SETOF jsonb
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE ROWS 1000 AS $$ SELECT jsonb_array_elements(items) $$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION coin_texts_many(items jsonb) RETURNS SETOF text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE ROWS 1000 AS $$ SELECT jsonb_array_elements_text(items) $$;
