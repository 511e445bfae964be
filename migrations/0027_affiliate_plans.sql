CREATE TABLE `affiliate_plan_creators` (
	`plan_id` text NOT NULL,
	`creator_id` text NOT NULL,
	`status` text DEFAULT 'invited' NOT NULL,
	`decided_at` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	PRIMARY KEY(`plan_id`, `creator_id`),
	FOREIGN KEY (`plan_id`) REFERENCES `affiliate_plans`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`creator_id`) REFERENCES `creators`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `affiliate_plan_creators_creator` ON `affiliate_plan_creators` (`creator_id`);--> statement-breakpoint
CREATE TABLE `affiliate_plan_products` (
	`plan_id` text NOT NULL,
	`product_id` text NOT NULL,
	PRIMARY KEY(`plan_id`, `product_id`),
	FOREIGN KEY (`plan_id`) REFERENCES `affiliate_plans`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `affiliate_plan_products_product` ON `affiliate_plan_products` (`product_id`);--> statement-breakpoint
CREATE TABLE `affiliate_plan_rates` (
	`plan_id` text NOT NULL,
	`effective_at` text NOT NULL,
	`rate_bps` integer NOT NULL,
	PRIMARY KEY(`plan_id`, `effective_at`),
	FOREIGN KEY (`plan_id`) REFERENCES `affiliate_plans`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "affiliate_plan_rates_range" CHECK("affiliate_plan_rates"."rate_bps" BETWEEN 1 AND 9000)
);
--> statement-breakpoint
CREATE TABLE `affiliate_plans` (
	`id` text PRIMARY KEY NOT NULL,
	`merchant_id` text NOT NULL,
	`type` text NOT NULL,
	`all_products` integer NOT NULL,
	`starts_at` text NOT NULL,
	`ends_at` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`merchant_id`) REFERENCES `merchants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `affiliate_plans_merchant` ON `affiliate_plans` (`merchant_id`,`id`);--> statement-breakpoint
CREATE INDEX `affiliate_plans_type` ON `affiliate_plans` (`type`,`id`);--> statement-breakpoint
CREATE TABLE `showcase_items` (
	`creator_id` text NOT NULL,
	`product_id` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	PRIMARY KEY(`creator_id`, `product_id`),
	FOREIGN KEY (`creator_id`) REFERENCES `creators`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `showcase_items_product` ON `showcase_items` (`product_id`);--> statement-breakpoint
ALTER TABLE `commission_entries` ADD `affiliate_plan_id` text REFERENCES affiliate_plans(id);--> statement-breakpoint
CREATE INDEX `commission_entries_plan` ON `commission_entries` (`affiliate_plan_id`);