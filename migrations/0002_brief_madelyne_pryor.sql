CREATE TABLE `live_session_events` (
	`session_id` text NOT NULL,
	`seq` integer NOT NULL,
	`offset_ms` integer NOT NULL,
	`type` text NOT NULL,
	`product_id` text,
	`data` text NOT NULL,
	PRIMARY KEY(`session_id`, `seq`),
	FOREIGN KEY (`session_id`) REFERENCES `live_sessions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `live_session_moderators` (
	`session_id` text NOT NULL,
	`person_id` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	PRIMARY KEY(`session_id`, `person_id`),
	FOREIGN KEY (`session_id`) REFERENCES `live_sessions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `live_session_reminders` (
	`session_id` text NOT NULL,
	`person_id` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	PRIMARY KEY(`session_id`, `person_id`),
	FOREIGN KEY (`session_id`) REFERENCES `live_sessions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `live_session_reminders_person` ON `live_session_reminders` (`person_id`);--> statement-breakpoint
CREATE TABLE `live_session_summaries` (
	`session_id` text PRIMARY KEY NOT NULL,
	`peak_viewers` integer DEFAULT 0 NOT NULL,
	`unique_viewers` integer DEFAULT 0 NOT NULL,
	`likes` integer DEFAULT 0 NOT NULL,
	`comments` integer DEFAULT 0 NOT NULL,
	`questions` integer DEFAULT 0 NOT NULL,
	`duration_ms` integer,
	`recording_url` text,
	`egress_id` text,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`session_id`) REFERENCES `live_sessions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
ALTER TABLE `live_session_products` ADD `commission_rate_bps` integer;--> statement-breakpoint
ALTER TABLE `live_sessions` ADD `version` integer DEFAULT 1 NOT NULL;