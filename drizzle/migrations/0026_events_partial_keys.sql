-- Two unique keys of `events` hold only the rows that have them (issue 19: fewer writes per event).
--
-- `events_template_occurrence_uq` (template_id, occurrence_at) keeps a template from recording the
-- same occurrence twice; `events_book_source_uq` (book_id, source_key) keeps an import or an API
-- client from recording the same external row twice. A chat record has neither (both columns
-- NULL), an import row has no template, and NULLs never clash in a unique index, so those entries
-- kept nothing unique: every chat record still wrote two index entries for them. Now the indexes
-- hold only rows with a template / a source key: the same uniqueness (a duplicate still fails with
-- 23505), two index entries less per chat record, one less per imported row, smaller indexes. Every
-- lookup by these keys compares them with `=`, which implies IS NOT NULL, so the planner uses the
-- partial indexes as before. Built beside the old ones, then swapped under the same names.
CREATE UNIQUE INDEX "events_template_occurrence_uq_new" ON "events" ("template_id", "occurrence_at") WHERE "template_id" IS NOT NULL;
--> statement-breakpoint
DROP INDEX "events_template_occurrence_uq";
--> statement-breakpoint
ALTER INDEX "events_template_occurrence_uq_new" RENAME TO "events_template_occurrence_uq";
--> statement-breakpoint
CREATE UNIQUE INDEX "events_book_source_uq_new" ON "events" ("book_id", "source_key") WHERE "source_key" IS NOT NULL;
--> statement-breakpoint
DROP INDEX "events_book_source_uq";
--> statement-breakpoint
ALTER INDEX "events_book_source_uq_new" RENAME TO "events_book_source_uq";
