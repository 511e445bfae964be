ALTER TABLE `live_sessions` ADD `search_pinyin` text;--> statement-breakpoint
ALTER TABLE `notes` ADD `search_pinyin` text;--> statement-breakpoint
ALTER TABLE `products` ADD `search_pinyin` text;