-- A notice is sent by one delivery at a time. Two jobs of one message can run at once: a
-- relay repeated when Redis reconnects (it may have come back empty) while a job of the old
-- Redis is still in a worker's hands, or a job redelivered after a stall. Before, both checked
-- `done_at`, both found it empty and both sent. A delivery now takes the message for a while
-- (`sending_until`) in one UPDATE; another delivery finding it taken retries later, and finds it
-- done or free. A worker killed while sending leaves the lease to expire.
ALTER TABLE "notice_outbox" ADD COLUMN "sending_until" timestamp with time zone;
