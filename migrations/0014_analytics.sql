CREATE TABLE `analytics_buyers` (
	`scope_kind` text NOT NULL,
	`scope_id` text NOT NULL,
	`day` text NOT NULL,
	`customer_id` text NOT NULL,
	`repeat` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`scope_kind`, `scope_id`, `day`, `customer_id`)
);
--> statement-breakpoint
CREATE TABLE `analytics_customers` (
	`scope_kind` text NOT NULL,
	`scope_id` text NOT NULL,
	`customer_id` text NOT NULL,
	`orders` integer DEFAULT 0 NOT NULL,
	`first_day` text NOT NULL,
	PRIMARY KEY(`scope_kind`, `scope_id`, `customer_id`)
);
--> statement-breakpoint
CREATE TABLE `analytics_daily` (
	`scope_kind` text NOT NULL,
	`scope_id` text NOT NULL,
	`day` text NOT NULL,
	`orders` integer DEFAULT 0 NOT NULL,
	`attributed_orders` integer DEFAULT 0 NOT NULL,
	`buyers` integer DEFAULT 0 NOT NULL,
	`repeat_buyers` integer DEFAULT 0 NOT NULL,
	`returned_orders` integer DEFAULT 0 NOT NULL,
	`note_views` integer DEFAULT 0 NOT NULL,
	`stream_views` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`scope_kind`, `scope_id`, `day`)
);
--> statement-breakpoint
CREATE TABLE `analytics_daily_money` (
	`scope_kind` text NOT NULL,
	`scope_id` text NOT NULL,
	`day` text NOT NULL,
	`currency` text NOT NULL,
	`orders` integer DEFAULT 0 NOT NULL,
	`gmv_amount` integer DEFAULT 0 NOT NULL,
	`refunded_amount` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`scope_kind`, `scope_id`, `day`, `currency`)
);
--> statement-breakpoint
CREATE TABLE `analytics_viewers` (
	`subject_id` text NOT NULL,
	`day` text NOT NULL,
	`viewer_id` text NOT NULL,
	PRIMARY KEY(`subject_id`, `day`, `viewer_id`)
);
