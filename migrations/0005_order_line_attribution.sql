ALTER TABLE `order_lines` ADD `note_id` text REFERENCES notes(id);--> statement-breakpoint
ALTER TABLE `order_lines` ADD `live_session_id` text REFERENCES live_sessions(id);--> statement-breakpoint
ALTER TABLE `order_lines` ADD `creator_id` text;--> statement-breakpoint
CREATE INDEX `order_lines_live_session` ON `order_lines` (`live_session_id`);--> statement-breakpoint
CREATE INDEX `order_lines_creator` ON `order_lines` (`creator_id`);