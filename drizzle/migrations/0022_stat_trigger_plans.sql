-- The statistics triggers' statements are planned once per connection and the plan is kept
-- (PL/pgSQL caches it) until the tables are analysed again. A connection whose first labelled
-- write was a batch (an import, an API batch, combined single POSTs) kept a hash join over a
-- sequential scan of `events` for the labels trigger, and then scanned the whole table for every
-- single record: in the API bench, 3 ms per record once the book had 20,000 events (PostgreSQL
-- with autovacuum off, as in CI), and for good on PGlite, which never analyses on its own.
-- With sequential scans priced out inside the two trigger functions, their joins to `events`,
-- `event_labels` and `books` go through the primary keys and the book indexes whatever the
-- statistics said when the plan was made; a large batch can still choose a merge or hash join
-- over index scans. (Function-level SET: saved and restored per call, a few microseconds.)
ALTER FUNCTION coin_stat_mark_event_labels() SET enable_seqscan = off;
--> statement-breakpoint
ALTER FUNCTION coin_stat_mark_events() SET enable_seqscan = off;
