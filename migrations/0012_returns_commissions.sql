CREATE TABLE `commission_entries` (
	`id` text PRIMARY KEY NOT NULL,
	`order_id` text NOT NULL,
	`position` integer NOT NULL,
	`creator_id` text NOT NULL,
	`merchant_id` text NOT NULL,
	`kind` text NOT NULL,
	`source` text NOT NULL,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`rate_bps` integer NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`order_id`) REFERENCES `orders`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`merchant_id`) REFERENCES `merchants`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "commission_entries_sign" CHECK(("commission_entries"."kind" = 'earned' AND "commission_entries"."amount" >= 0) OR ("commission_entries"."kind" = 'reversal' AND "commission_entries"."amount" < 0))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `commission_entries_source` ON `commission_entries` (`order_id`,`position`,`source`);--> statement-breakpoint
CREATE INDEX `commission_entries_creator` ON `commission_entries` (`creator_id`,`id`);--> statement-breakpoint
CREATE INDEX `commission_entries_merchant` ON `commission_entries` (`merchant_id`,`id`);--> statement-breakpoint
CREATE TABLE `return_lines` (
	`return_id` text NOT NULL,
	`order_id` text NOT NULL,
	`position` integer NOT NULL,
	`quantity` integer NOT NULL,
	PRIMARY KEY(`return_id`, `position`),
	FOREIGN KEY (`return_id`) REFERENCES `returns`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "return_lines_quantity_positive" CHECK("return_lines"."quantity" > 0)
);
--> statement-breakpoint
CREATE INDEX `return_lines_order` ON `return_lines` (`order_id`,`position`);--> statement-breakpoint
CREATE TABLE `returns` (
	`id` text PRIMARY KEY NOT NULL,
	`order_id` text NOT NULL,
	`merchant_id` text NOT NULL,
	`customer_id` text NOT NULL,
	`status` text DEFAULT 'requested' NOT NULL,
	`reason` text NOT NULL,
	`rejection_reason` text,
	`restock` integer,
	`refund_id` text,
	`decided_at` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`order_id`) REFERENCES `orders`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`merchant_id`) REFERENCES `merchants`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`refund_id`) REFERENCES `refunds`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `returns_order` ON `returns` (`order_id`,`id`);--> statement-breakpoint
CREATE INDEX `returns_merchant` ON `returns` (`merchant_id`,`id`);--> statement-breakpoint
CREATE INDEX `returns_customer` ON `returns` (`customer_id`,`id`);--> statement-breakpoint
CREATE INDEX `returns_refund` ON `returns` (`refund_id`);