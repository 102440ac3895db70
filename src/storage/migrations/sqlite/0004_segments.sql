-- Announcements written by the owner carry their own message and the
-- segment they go to; incident broadcasts keep reading their update.
ALTER TABLE broadcasts ADD COLUMN message TEXT;
ALTER TABLE broadcasts ADD COLUMN segment TEXT;
-- An outage: pushed with high urgency and never frequency-capped.
ALTER TABLE broadcasts ADD COLUMN urgent INTEGER NOT NULL DEFAULT 0;

-- A subscriber's recent deliveries (push frequency caps, the dead-letter list).
CREATE INDEX deliveries_subscriber ON deliveries (subscriber_id, state);
