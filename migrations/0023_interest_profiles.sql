CREATE TABLE `feed_seen` (
	`profile_id` text NOT NULL,
	`note_id` text NOT NULL,
	`seen_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	PRIMARY KEY(`profile_id`, `note_id`)
);
--> statement-breakpoint
CREATE INDEX `feed_seen_recent` ON `feed_seen` (`profile_id`,`seen_at`);--> statement-breakpoint
CREATE TABLE `interests` (
	`profile_id` text NOT NULL,
	`kind` text NOT NULL,
	`key` text NOT NULL,
	`weight` real NOT NULL,
	`signals` text DEFAULT '{}' NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	PRIMARY KEY(`profile_id`, `kind`, `key`)
);
--> statement-breakpoint
CREATE INDEX `interests_profile_weight` ON `interests` (`profile_id`,`weight`);--> statement-breakpoint
CREATE TABLE `note_tags` (
	`kind` text NOT NULL,
	`key` text NOT NULL,
	`note_id` text NOT NULL,
	`hot` real NOT NULL,
	PRIMARY KEY(`kind`, `key`, `note_id`),
	FOREIGN KEY (`note_id`) REFERENCES `notes`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `note_tags_hot` ON `note_tags` (`kind`,`key`,`hot`);--> statement-breakpoint
CREATE INDEX `note_tags_note` ON `note_tags` (`note_id`);