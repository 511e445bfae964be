CREATE TABLE `notifications` (
	`id` text PRIMARY KEY NOT NULL,
	`person_id` text NOT NULL,
	`kind` text NOT NULL,
	`subject_id` text NOT NULL,
	`title` text NOT NULL,
	`body` text NOT NULL,
	`link` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`read_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `notifications_once` ON `notifications` (`person_id`,`kind`,`subject_id`);--> statement-breakpoint
CREATE INDEX `notifications_person` ON `notifications` (`person_id`,`id`);--> statement-breakpoint
CREATE INDEX `notifications_unread` ON `notifications` (`person_id`,`read_at`);--> statement-breakpoint
ALTER TABLE `live_session_summaries` ADD `gmv` text;