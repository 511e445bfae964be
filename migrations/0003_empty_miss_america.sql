CREATE TABLE `search_documents` (
	`id` integer PRIMARY KEY NOT NULL,
	`doc_id` text NOT NULL,
	`kind` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `search_documents_doc_id_unique` ON `search_documents` (`doc_id`);--> statement-breakpoint
CREATE INDEX `search_documents_kind` ON `search_documents` (`kind`,`doc_id`);--> statement-breakpoint
CREATE TABLE `search_positions` (
	`n` integer PRIMARY KEY NOT NULL
);
--> statement-breakpoint
CREATE TABLE `search_product_sales` (
	`product_id` text NOT NULL,
	`day` text NOT NULL,
	`units` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`product_id`, `day`)
);
--> statement-breakpoint
CREATE TABLE `search_query_merchants` (
	`day` text NOT NULL,
	`merchant_id` text NOT NULL,
	`query` text NOT NULL,
	`impressions` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`day`, `merchant_id`, `query`)
);
--> statement-breakpoint
CREATE TABLE `search_query_stats` (
	`day` text NOT NULL,
	`type` text NOT NULL,
	`query` text NOT NULL,
	`searches` integer DEFAULT 0 NOT NULL,
	`zero_results` integer DEFAULT 0 NOT NULL,
	`last_result_count` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`day`, `type`, `query`)
);
--> statement-breakpoint
CREATE INDEX `search_query_stats_day` ON `search_query_stats` (`day`,`searches`);--> statement-breakpoint
CREATE TABLE `search_settings` (
	`name` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `search_synonyms` (
	`set_name` text NOT NULL,
	`term` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	PRIMARY KEY(`set_name`, `term`)
);
--> statement-breakpoint
CREATE INDEX `search_synonyms_term` ON `search_synonyms` (`term`);