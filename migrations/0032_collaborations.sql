CREATE TABLE `collaboration_applications` (
	`id` text PRIMARY KEY NOT NULL,
	`collaboration_id` text NOT NULL,
	`merchant_id` text NOT NULL,
	`creator_id` text NOT NULL,
	`pitch` text NOT NULL,
	`status` text DEFAULT 'applied' NOT NULL,
	`note_id` text,
	`feedback` text,
	`accepted_at` text,
	`submitted_at` text,
	`approved_at` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`collaboration_id`) REFERENCES `collaborations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`merchant_id`) REFERENCES `merchants`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`creator_id`) REFERENCES `creators`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `collaboration_applications_creator` ON `collaboration_applications` (`collaboration_id`,`creator_id`);--> statement-breakpoint
CREATE INDEX `collaboration_applications_merchant` ON `collaboration_applications` (`merchant_id`,`id`);--> statement-breakpoint
CREATE INDEX `collaboration_applications_status` ON `collaboration_applications` (`status`,`submitted_at`);--> statement-breakpoint
CREATE INDEX `collaboration_applications_note` ON `collaboration_applications` (`note_id`);--> statement-breakpoint
CREATE TABLE `collaboration_ledger` (
	`id` text PRIMARY KEY NOT NULL,
	`collaboration_id` text NOT NULL,
	`application_id` text NOT NULL,
	`kind` text NOT NULL,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`collaboration_id`) REFERENCES `collaborations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`application_id`) REFERENCES `collaboration_applications`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `collaboration_ledger_application_kind` ON `collaboration_ledger` (`application_id`,`kind`);--> statement-breakpoint
CREATE INDEX `collaboration_ledger_collaboration` ON `collaboration_ledger` (`collaboration_id`);--> statement-breakpoint
CREATE TABLE `collaboration_products` (
	`collaboration_id` text NOT NULL,
	`product_id` text NOT NULL,
	PRIMARY KEY(`collaboration_id`, `product_id`),
	FOREIGN KEY (`collaboration_id`) REFERENCES `collaborations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `collaborations` (
	`id` text PRIMARY KEY NOT NULL,
	`merchant_id` text NOT NULL,
	`title` text NOT NULL,
	`brief` text NOT NULL,
	`tags` text DEFAULT '[]' NOT NULL,
	`fee_amount` integer NOT NULL,
	`currency` text NOT NULL,
	`slots` integer NOT NULL,
	`deadline` text NOT NULL,
	`min_followers` integer DEFAULT 0 NOT NULL,
	`livemode` integer DEFAULT false NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`merchant_id`) REFERENCES `merchants`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "collaborations_fee" CHECK("collaborations"."fee_amount" > 0 AND "collaborations"."slots" > 0)
);
--> statement-breakpoint
CREATE INDEX `collaborations_merchant` ON `collaborations` (`merchant_id`,`id`);--> statement-breakpoint
CREATE INDEX `collaborations_deadline` ON `collaborations` (`deadline`);