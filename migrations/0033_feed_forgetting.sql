CREATE INDEX `feed_seen_age` ON `feed_seen` (`seen_at`);--> statement-breakpoint
CREATE INDEX `interests_age` ON `interests` (`updated_at`);