CREATE TABLE `presale_orders` (
	`order_id` text PRIMARY KEY NOT NULL,
	`presale_id` text NOT NULL,
	`owner_id` text NOT NULL,
	`quantity` integer NOT NULL,
	`deposit_amount` integer NOT NULL,
	`deduction_amount` integer NOT NULL,
	`balance_amount` integer NOT NULL,
	`deposit_payment_id` text NOT NULL,
	`balance_payment_id` text,
	`balance_starts_at` text NOT NULL,
	`balance_ends_at` text NOT NULL,
	`released_at` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`order_id`) REFERENCES `orders`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`presale_id`) REFERENCES `presales`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "presale_orders_amounts" CHECK("presale_orders"."quantity" > 0 AND "presale_orders"."balance_amount" >= 0)
);
--> statement-breakpoint
CREATE INDEX `presale_orders_owner` ON `presale_orders` (`presale_id`,`owner_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `presale_orders_deposit` ON `presale_orders` (`deposit_payment_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `presale_orders_balance` ON `presale_orders` (`balance_payment_id`);--> statement-breakpoint
CREATE TABLE `presales` (
	`id` text PRIMARY KEY NOT NULL,
	`merchant_id` text NOT NULL,
	`sku_id` text NOT NULL,
	`campaign_id` text,
	`quantity` integer NOT NULL,
	`taken` integer DEFAULT 0 NOT NULL,
	`price_amount` integer NOT NULL,
	`deposit_amount` integer NOT NULL,
	`deduction_amount` integer NOT NULL,
	`currency` text NOT NULL,
	`per_shopper_limit` integer DEFAULT 1 NOT NULL,
	`deposit_starts_at` text NOT NULL,
	`deposit_ends_at` text NOT NULL,
	`balance_starts_at` text NOT NULL,
	`balance_ends_at` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`merchant_id`) REFERENCES `merchants`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`sku_id`) REFERENCES `skus`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`campaign_id`) REFERENCES `campaigns`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "presales_taken" CHECK("presales"."taken" >= 0 AND "presales"."taken" <= "presales"."quantity"),
	CONSTRAINT "presales_amounts" CHECK("presales"."deposit_amount" > 0 AND "presales"."deduction_amount" >= "presales"."deposit_amount" AND "presales"."deduction_amount" < "presales"."price_amount"),
	CONSTRAINT "presales_windows" CHECK("presales"."deposit_starts_at" < "presales"."deposit_ends_at" AND "presales"."deposit_ends_at" <= "presales"."balance_starts_at" AND "presales"."balance_starts_at" < "presales"."balance_ends_at")
);
--> statement-breakpoint
CREATE INDEX `presales_sku` ON `presales` (`sku_id`);--> statement-breakpoint
CREATE INDEX `presales_merchant` ON `presales` (`merchant_id`,`id`);