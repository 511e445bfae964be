CREATE TABLE `flash_sale_shard_tallies` (
	`flash_sale_id` text NOT NULL,
	`shard` integer NOT NULL,
	`available` integer NOT NULL,
	`held` integer NOT NULL,
	`committed` integer NOT NULL,
	`returned` integer NOT NULL,
	`moved_in` integer NOT NULL,
	`moved_out` integer NOT NULL,
	`ended` integer DEFAULT 0 NOT NULL,
	`version` integer NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	PRIMARY KEY(`flash_sale_id`, `shard`),
	FOREIGN KEY (`flash_sale_id`) REFERENCES `flash_sales`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
ALTER TABLE `flash_sales` ADD `shards` integer DEFAULT 1 NOT NULL;