-- Test and live modes: every existing row is test (false); the analytics rollups gain livemode in their keys.
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_analytics_buyers` (
	`scope_kind` text NOT NULL,
	`scope_id` text NOT NULL,
	`livemode` integer DEFAULT false NOT NULL,
	`day` text NOT NULL,
	`customer_id` text NOT NULL,
	`repeat` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`scope_kind`, `scope_id`, `livemode`, `day`, `customer_id`)
);
--> statement-breakpoint
INSERT INTO `__new_analytics_buyers`("scope_kind", "scope_id", "livemode", "day", "customer_id", "repeat") SELECT "scope_kind", "scope_id", 0, "day", "customer_id", "repeat" FROM `analytics_buyers`;--> statement-breakpoint
DROP TABLE `analytics_buyers`;--> statement-breakpoint
ALTER TABLE `__new_analytics_buyers` RENAME TO `analytics_buyers`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE TABLE `__new_analytics_customers` (
	`scope_kind` text NOT NULL,
	`scope_id` text NOT NULL,
	`livemode` integer DEFAULT false NOT NULL,
	`customer_id` text NOT NULL,
	`orders` integer DEFAULT 0 NOT NULL,
	`first_day` text NOT NULL,
	PRIMARY KEY(`scope_kind`, `scope_id`, `livemode`, `customer_id`)
);
--> statement-breakpoint
INSERT INTO `__new_analytics_customers`("scope_kind", "scope_id", "livemode", "customer_id", "orders", "first_day") SELECT "scope_kind", "scope_id", 0, "customer_id", "orders", "first_day" FROM `analytics_customers`;--> statement-breakpoint
DROP TABLE `analytics_customers`;--> statement-breakpoint
ALTER TABLE `__new_analytics_customers` RENAME TO `analytics_customers`;--> statement-breakpoint
CREATE TABLE `__new_analytics_daily` (
	`scope_kind` text NOT NULL,
	`scope_id` text NOT NULL,
	`livemode` integer DEFAULT false NOT NULL,
	`day` text NOT NULL,
	`orders` integer DEFAULT 0 NOT NULL,
	`attributed_orders` integer DEFAULT 0 NOT NULL,
	`buyers` integer DEFAULT 0 NOT NULL,
	`repeat_buyers` integer DEFAULT 0 NOT NULL,
	`returned_orders` integer DEFAULT 0 NOT NULL,
	`note_views` integer DEFAULT 0 NOT NULL,
	`stream_views` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`scope_kind`, `scope_id`, `livemode`, `day`)
);
--> statement-breakpoint
INSERT INTO `__new_analytics_daily`("scope_kind", "scope_id", "livemode", "day", "orders", "attributed_orders", "buyers", "repeat_buyers", "returned_orders", "note_views", "stream_views") SELECT "scope_kind", "scope_id", 0, "day", "orders", "attributed_orders", "buyers", "repeat_buyers", "returned_orders", "note_views", "stream_views" FROM `analytics_daily`;--> statement-breakpoint
DROP TABLE `analytics_daily`;--> statement-breakpoint
ALTER TABLE `__new_analytics_daily` RENAME TO `analytics_daily`;--> statement-breakpoint
CREATE TABLE `__new_analytics_daily_money` (
	`scope_kind` text NOT NULL,
	`scope_id` text NOT NULL,
	`livemode` integer DEFAULT false NOT NULL,
	`day` text NOT NULL,
	`currency` text NOT NULL,
	`orders` integer DEFAULT 0 NOT NULL,
	`gmv_amount` integer DEFAULT 0 NOT NULL,
	`refunded_amount` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`scope_kind`, `scope_id`, `livemode`, `day`, `currency`)
);
--> statement-breakpoint
INSERT INTO `__new_analytics_daily_money`("scope_kind", "scope_id", "livemode", "day", "currency", "orders", "gmv_amount", "refunded_amount") SELECT "scope_kind", "scope_id", 0, "day", "currency", "orders", "gmv_amount", "refunded_amount" FROM `analytics_daily_money`;--> statement-breakpoint
DROP TABLE `analytics_daily_money`;--> statement-breakpoint
ALTER TABLE `__new_analytics_daily_money` RENAME TO `analytics_daily_money`;--> statement-breakpoint
ALTER TABLE `carts` ADD `livemode` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `orders` ADD `livemode` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `payments` ADD `livemode` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `webhook_endpoints` ADD `livemode` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `webhook_messages` ADD `livemode` integer DEFAULT false NOT NULL;--> statement-breakpoint
-- Views (of notes and sessions, which have no mode) count in both modes: the live rows get the views counted so far.
INSERT INTO `analytics_daily` (scope_kind, scope_id, livemode, day, note_views, stream_views)
SELECT scope_kind, scope_id, 1, day, note_views, stream_views FROM `analytics_daily` WHERE note_views > 0 OR stream_views > 0;
