CREATE TABLE `campaign_prices` (
	`campaign_id` text NOT NULL,
	`sku_id` text NOT NULL,
	`product_id` text NOT NULL,
	`price_amount` integer NOT NULL,
	PRIMARY KEY(`campaign_id`, `sku_id`),
	FOREIGN KEY (`campaign_id`) REFERENCES `campaigns`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`sku_id`) REFERENCES `skus`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "campaign_prices_nonnegative" CHECK("campaign_prices"."price_amount" >= 0)
);
--> statement-breakpoint
CREATE INDEX `campaign_prices_sku` ON `campaign_prices` (`sku_id`);--> statement-breakpoint
CREATE TABLE `campaign_products` (
	`campaign_id` text NOT NULL,
	`product_id` text NOT NULL,
	`merchant_id` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	PRIMARY KEY(`campaign_id`, `product_id`),
	FOREIGN KEY (`campaign_id`) REFERENCES `campaigns`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`merchant_id`) REFERENCES `merchants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `campaign_products_product` ON `campaign_products` (`product_id`);--> statement-breakpoint
CREATE INDEX `campaign_products_merchant` ON `campaign_products` (`merchant_id`,`campaign_id`);--> statement-breakpoint
CREATE TABLE `campaigns` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`badge` text NOT NULL,
	`warmup_starts_at` text NOT NULL,
	`presale_starts_at` text,
	`main_starts_at` text NOT NULL,
	`ends_at` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	CONSTRAINT "campaigns_periods" CHECK("campaigns"."warmup_starts_at" <= coalesce("campaigns"."presale_starts_at", "campaigns"."main_starts_at") AND coalesce("campaigns"."presale_starts_at", "campaigns"."main_starts_at") <= "campaigns"."main_starts_at" AND "campaigns"."main_starts_at" < "campaigns"."ends_at")
);
--> statement-breakpoint
CREATE INDEX `campaigns_ends` ON `campaigns` (`ends_at`);--> statement-breakpoint
CREATE TABLE `coupon_claims` (
	`coupon_id` text NOT NULL,
	`owner_id` text NOT NULL,
	`seq` integer NOT NULL,
	`order_id` text,
	`claimed_at` text NOT NULL,
	`used_at` text,
	PRIMARY KEY(`coupon_id`, `owner_id`, `seq`),
	FOREIGN KEY (`coupon_id`) REFERENCES `coupons`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `coupon_claims_owner` ON `coupon_claims` (`owner_id`,`claimed_at`);--> statement-breakpoint
CREATE INDEX `coupon_claims_order` ON `coupon_claims` (`order_id`);--> statement-breakpoint
CREATE TABLE `coupons` (
	`id` text PRIMARY KEY NOT NULL,
	`merchant_id` text,
	`campaign_id` text,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`amount_off` integer,
	`percent_off` integer,
	`max_off` integer,
	`min_spend` integer DEFAULT 0 NOT NULL,
	`currency` text NOT NULL,
	`starts_at` text NOT NULL,
	`ends_at` text NOT NULL,
	`quantity` integer NOT NULL,
	`claimed` integer DEFAULT 0 NOT NULL,
	`per_shopper_limit` integer DEFAULT 1 NOT NULL,
	`audience` text DEFAULT 'everyone' NOT NULL,
	`audience_id` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`merchant_id`) REFERENCES `merchants`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`campaign_id`) REFERENCES `campaigns`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "coupons_claimed" CHECK("coupons"."claimed" >= 0 AND "coupons"."claimed" <= "coupons"."quantity"),
	CONSTRAINT "coupons_kind" CHECK(("coupons"."kind" = 'fixed' AND "coupons"."amount_off" > 0) OR ("coupons"."kind" = 'percent' AND "coupons"."percent_off" BETWEEN 1 AND 99))
);
--> statement-breakpoint
CREATE INDEX `coupons_merchant` ON `coupons` (`merchant_id`,`id`);--> statement-breakpoint
CREATE TABLE `order_discounts` (
	`order_id` text NOT NULL,
	`step` integer NOT NULL,
	`kind` text NOT NULL,
	`source_id` text NOT NULL,
	`label` text NOT NULL,
	`amount` integer NOT NULL,
	`funded_by` text NOT NULL,
	`allocation` text NOT NULL,
	`claim_seq` integer,
	PRIMARY KEY(`order_id`, `step`),
	FOREIGN KEY (`order_id`) REFERENCES `orders`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "order_discounts_claim" CHECK("order_discounts"."kind" = 'spend_and_save' OR "order_discounts"."claim_seq" IS NOT NULL),
	CONSTRAINT "order_discounts_positive" CHECK("order_discounts"."amount" > 0)
);
--> statement-breakpoint
CREATE TABLE `spend_save_rules` (
	`id` text PRIMARY KEY NOT NULL,
	`merchant_id` text,
	`campaign_id` text,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`tiers` text NOT NULL,
	`currency` text NOT NULL,
	`starts_at` text NOT NULL,
	`ends_at` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`merchant_id`) REFERENCES `merchants`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`campaign_id`) REFERENCES `campaigns`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "spend_save_rules_owner" CHECK(("spend_save_rules"."merchant_id" IS NULL) != ("spend_save_rules"."campaign_id" IS NULL))
);
--> statement-breakpoint
CREATE INDEX `spend_save_rules_merchant` ON `spend_save_rules` (`merchant_id`,`ends_at`);--> statement-breakpoint
CREATE INDEX `spend_save_rules_campaign` ON `spend_save_rules` (`campaign_id`,`ends_at`);--> statement-breakpoint
ALTER TABLE `carts` ADD `coupon_ids` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `order_lines` ADD `discount_amount` integer DEFAULT 0 NOT NULL;