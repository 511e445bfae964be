CREATE TABLE `search_query_searchers` (
	`storefront` text NOT NULL,
	`type` text NOT NULL,
	`query` text NOT NULL,
	`day` text NOT NULL,
	`searcher` text NOT NULL,
	PRIMARY KEY(`storefront`, `type`, `query`, `day`, `searcher`)
);
--> statement-breakpoint
CREATE INDEX `search_query_searchers_day` ON `search_query_searchers` (`day`);--> statement-breakpoint
CREATE TABLE `search_suggestion_blocks` (
	`term` text PRIMARY KEY NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
