-- Issue 18: housekeeping forgets receipt scans nobody answered (and their photos) after a week;
-- this index finds them without reading the recorded ones, which are kept with their records.
CREATE INDEX "receipt_scans_unanswered_idx" ON "receipt_scans" ("updated_at") WHERE "state" <> 'recorded';
