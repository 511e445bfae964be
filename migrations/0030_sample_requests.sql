CREATE TABLE `sample_requests` (
	`id` text PRIMARY KEY NOT NULL,
	`creator_id` text NOT NULL,
	`merchant_id` text NOT NULL,
	`product_id` text NOT NULL,
	`sku_id` text NOT NULL,
	`shipping_address` text NOT NULL,
	`pitch` text NOT NULL,
	`status` text DEFAULT 'requested' NOT NULL,
	`decline_reason` text,
	`note_due_days` integer,
	`carrier` text,
	`tracking_number` text,
	`ledger_id` text,
	`approved_at` text,
	`shipped_at` text,
	`note_due_at` text,
	`received_at` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`creator_id`) REFERENCES `creators`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`merchant_id`) REFERENCES `merchants`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `sample_requests_merchant` ON `sample_requests` (`merchant_id`,`id`);--> statement-breakpoint
CREATE INDEX `sample_requests_creator` ON `sample_requests` (`creator_id`,`id`);