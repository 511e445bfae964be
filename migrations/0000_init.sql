CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`merchant_id` text,
	`creator_id` text,
	`kind` text NOT NULL,
	`display_prefix` text NOT NULL,
	`hash` text NOT NULL,
	`scopes` text NOT NULL,
	`allowed_origins` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`last_used_at` text,
	`revoked_at` text,
	FOREIGN KEY (`merchant_id`) REFERENCES `merchants`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`creator_id`) REFERENCES `creators`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "api_keys_owner" CHECK(("api_keys"."merchant_id" IS NULL) != ("api_keys"."creator_id" IS NULL))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_hash_unique` ON `api_keys` (`hash`);--> statement-breakpoint
CREATE INDEX `api_keys_merchant` ON `api_keys` (`merchant_id`);--> statement-breakpoint
CREATE INDEX `api_keys_creator` ON `api_keys` (`creator_id`);--> statement-breakpoint
CREATE TABLE `creators` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`handle` text NOT NULL,
	`bio` text DEFAULT '' NOT NULL,
	`avatar_url` text,
	`follower_count` integer DEFAULT 0 NOT NULL,
	`oidc_issuer` text,
	`oidc_subject` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `creators_handle_unique` ON `creators` (`handle`);--> statement-breakpoint
CREATE UNIQUE INDEX `creators_oidc` ON `creators` (`oidc_issuer`,`oidc_subject`);--> statement-breakpoint
CREATE TABLE `flash_sales` (
	`id` text PRIMARY KEY NOT NULL,
	`merchant_id` text NOT NULL,
	`sku_id` text NOT NULL,
	`live_session_id` text,
	`quantity` integer NOT NULL,
	`price_amount` integer NOT NULL,
	`currency` text NOT NULL,
	`per_shopper_limit` integer DEFAULT 1 NOT NULL,
	`starts_at` text NOT NULL,
	`ends_at` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`merchant_id`) REFERENCES `merchants`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`sku_id`) REFERENCES `skus`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`live_session_id`) REFERENCES `live_sessions`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "flash_sales_quantity_positive" CHECK("flash_sales"."quantity" > 0),
	CONSTRAINT "flash_sales_window" CHECK("flash_sales"."ends_at" > "flash_sales"."starts_at")
);
--> statement-breakpoint
CREATE INDEX `flash_sales_sku` ON `flash_sales` (`sku_id`);--> statement-breakpoint
CREATE TABLE `follows` (
	`follower_id` text NOT NULL,
	`followee_id` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	PRIMARY KEY(`follower_id`, `followee_id`)
);
--> statement-breakpoint
CREATE INDEX `follows_followee` ON `follows` (`followee_id`);--> statement-breakpoint
CREATE TABLE `idempotency_keys` (
	`caller` text NOT NULL,
	`key` text NOT NULL,
	`request_hash` text NOT NULL,
	`status` text NOT NULL,
	`response_status` integer,
	`response_body` text,
	`response_headers` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`expires_at` text NOT NULL,
	PRIMARY KEY(`caller`, `key`)
);
--> statement-breakpoint
CREATE INDEX `idempotency_keys_expiry` ON `idempotency_keys` (`expires_at`);--> statement-breakpoint
CREATE TABLE `inventory_ledger` (
	`id` text PRIMARY KEY NOT NULL,
	`sku_id` text NOT NULL,
	`delta` integer NOT NULL,
	`reason` text NOT NULL,
	`idempotency_key` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`sku_id`) REFERENCES `skus`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `inventory_ledger_idempotency` ON `inventory_ledger` (`sku_id`,`idempotency_key`);--> statement-breakpoint
CREATE TABLE `live_session_products` (
	`session_id` text NOT NULL,
	`product_id` text NOT NULL,
	`position` integer NOT NULL,
	PRIMARY KEY(`session_id`, `product_id`),
	FOREIGN KEY (`session_id`) REFERENCES `live_sessions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `live_sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`host_type` text NOT NULL,
	`creator_id` text,
	`merchant_id` text,
	`title` text NOT NULL,
	`cover_url` text,
	`status` text DEFAULT 'scheduled' NOT NULL,
	`scheduled_start_at` text NOT NULL,
	`started_at` text,
	`ended_at` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`creator_id`) REFERENCES `creators`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`merchant_id`) REFERENCES `merchants`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "live_sessions_host" CHECK(("live_sessions"."host_type" = 'creator' AND "live_sessions"."creator_id" IS NOT NULL) OR ("live_sessions"."host_type" = 'merchant' AND "live_sessions"."merchant_id" IS NOT NULL))
);
--> statement-breakpoint
CREATE INDEX `live_sessions_status` ON `live_sessions` (`status`,`scheduled_start_at`);--> statement-breakpoint
CREATE TABLE `merchants` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`handle` text NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`allows_promotion` integer DEFAULT true NOT NULL,
	`commission_rate_bps` integer DEFAULT 1000 NOT NULL,
	`follower_count` integer DEFAULT 0 NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `merchants_handle_unique` ON `merchants` (`handle`);--> statement-breakpoint
CREATE TABLE `note_comments` (
	`id` text PRIMARY KEY NOT NULL,
	`note_id` text NOT NULL,
	`author_id` text NOT NULL,
	`body` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`deleted_at` text,
	FOREIGN KEY (`note_id`) REFERENCES `notes`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `note_comments_note` ON `note_comments` (`note_id`,`id`);--> statement-breakpoint
CREATE TABLE `note_likes` (
	`note_id` text NOT NULL,
	`actor_id` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	PRIMARY KEY(`note_id`, `actor_id`),
	FOREIGN KEY (`note_id`) REFERENCES `notes`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `note_likes_actor` ON `note_likes` (`actor_id`);--> statement-breakpoint
CREATE TABLE `note_products` (
	`note_id` text NOT NULL,
	`product_id` text NOT NULL,
	PRIMARY KEY(`note_id`, `product_id`),
	FOREIGN KEY (`note_id`) REFERENCES `notes`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `note_products_product` ON `note_products` (`product_id`);--> statement-breakpoint
CREATE TABLE `note_saves` (
	`note_id` text NOT NULL,
	`actor_id` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	PRIMARY KEY(`note_id`, `actor_id`),
	FOREIGN KEY (`note_id`) REFERENCES `notes`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `note_saves_actor` ON `note_saves` (`actor_id`);--> statement-breakpoint
CREATE TABLE `notes` (
	`id` text PRIMARY KEY NOT NULL,
	`creator_id` text,
	`shopper_id` text,
	`title` text NOT NULL,
	`body` text NOT NULL,
	`images` text NOT NULL,
	`topics` text DEFAULT '[]' NOT NULL,
	`status` text DEFAULT 'published' NOT NULL,
	`like_count` integer DEFAULT 0 NOT NULL,
	`save_count` integer DEFAULT 0 NOT NULL,
	`comment_count` integer DEFAULT 0 NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`creator_id`) REFERENCES `creators`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`shopper_id`) REFERENCES `shoppers`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "notes_author" CHECK(("notes"."creator_id" IS NULL) != ("notes"."shopper_id" IS NULL))
);
--> statement-breakpoint
CREATE INDEX `notes_creator` ON `notes` (`creator_id`,`id`);--> statement-breakpoint
CREATE INDEX `notes_shopper` ON `notes` (`shopper_id`,`id`);--> statement-breakpoint
CREATE INDEX `notes_status` ON `notes` (`status`,`id`);--> statement-breakpoint
CREATE TABLE `oidc_issuers` (
	`id` text PRIMARY KEY NOT NULL,
	`issuer` text NOT NULL,
	`jwks_url` text NOT NULL,
	`audience` text NOT NULL,
	`role` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `oidc_issuers_issuer_unique` ON `oidc_issuers` (`issuer`);--> statement-breakpoint
CREATE TABLE `products` (
	`id` text PRIMARY KEY NOT NULL,
	`merchant_id` text NOT NULL,
	`title` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`brand` text,
	`category` text,
	`status` text DEFAULT 'draft' NOT NULL,
	`images` text NOT NULL,
	`allows_promotion` integer DEFAULT true NOT NULL,
	`commission_rate_bps` integer,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`merchant_id`) REFERENCES `merchants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `products_merchant` ON `products` (`merchant_id`,`id`);--> statement-breakpoint
CREATE INDEX `products_status` ON `products` (`status`,`id`);--> statement-breakpoint
CREATE INDEX `products_category` ON `products` (`category`,`id`);--> statement-breakpoint
CREATE INDEX `products_brand` ON `products` (`brand`,`id`);--> statement-breakpoint
CREATE TABLE `refresh_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`family_id` text NOT NULL,
	`subject_type` text NOT NULL,
	`subject_id` text NOT NULL,
	`key_id` text,
	`token_hash` text NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`expires_at` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `refresh_tokens_token_hash_unique` ON `refresh_tokens` (`token_hash`);--> statement-breakpoint
CREATE INDEX `refresh_tokens_family` ON `refresh_tokens` (`family_id`);--> statement-breakpoint
CREATE TABLE `shoppers` (
	`id` text PRIMARY KEY NOT NULL,
	`oidc_issuer` text,
	`oidc_subject` text,
	`display_name` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `shoppers_oidc` ON `shoppers` (`oidc_issuer`,`oidc_subject`);--> statement-breakpoint
CREATE TABLE `signing_keys` (
	`kid` text PRIMARY KEY NOT NULL,
	`public_jwk` text NOT NULL,
	`private_jwk` text NOT NULL,
	`status` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`retired_at` text
);
--> statement-breakpoint
CREATE TABLE `skus` (
	`id` text PRIMARY KEY NOT NULL,
	`product_id` text NOT NULL,
	`options` text NOT NULL,
	`price_amount` integer NOT NULL,
	`currency` text NOT NULL,
	`stock` integer DEFAULT 0 NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "skus_stock_nonnegative" CHECK("skus"."stock" >= 0),
	CONSTRAINT "skus_price_nonnegative" CHECK("skus"."price_amount" >= 0)
);
--> statement-breakpoint
CREATE INDEX `skus_product` ON `skus` (`product_id`);