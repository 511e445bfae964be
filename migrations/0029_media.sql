CREATE TABLE `media` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_type` text NOT NULL,
	`owner_id` text NOT NULL,
	`source_type` text NOT NULL,
	`width` integer NOT NULL,
	`height` integer NOT NULL,
	`source_bytes` integer NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`attached_at` text
);
--> statement-breakpoint
CREATE INDEX `media_owner` ON `media` (`owner_type`,`owner_id`,`id`);--> statement-breakpoint
CREATE INDEX `media_unattached` ON `media` (`attached_at`,`created_at`);