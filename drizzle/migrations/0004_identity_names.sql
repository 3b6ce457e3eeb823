ALTER TABLE "identities" ADD COLUMN "name" text;--> statement-breakpoint
-- Until now the user's name was the last one any platform gave; take it as each identity's.
UPDATE "identities" AS i SET "name" = u."name" FROM "users" AS u WHERE u."id" = i."user_id";
