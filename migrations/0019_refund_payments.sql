CREATE TABLE `refund_payments` (
	`refund_id` text NOT NULL,
	`payment_id` text NOT NULL,
	`order_id` text NOT NULL,
	`seq` integer NOT NULL,
	`provider` text NOT NULL,
	`provider_refund_id` text,
	`status` text DEFAULT 'pending' NOT NULL,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`failure_reason` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	PRIMARY KEY(`refund_id`, `payment_id`),
	FOREIGN KEY (`refund_id`) REFERENCES `refunds`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`payment_id`) REFERENCES `payments`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "refund_payments_amount_positive" CHECK("refund_payments"."amount" > 0)
);
--> statement-breakpoint
CREATE INDEX `refund_payments_payment` ON `refund_payments` (`payment_id`,`status`);--> statement-breakpoint
CREATE INDEX `refund_payments_order` ON `refund_payments` (`order_id`,`status`);--> statement-breakpoint
CREATE INDEX `refund_payments_provider_refund` ON `refund_payments` (`provider_refund_id`);--> statement-breakpoint
-- Every refund written before parts existed drew on one payment: it becomes its own single part, so old refunds
-- read (and count against their payment) exactly as before.
INSERT INTO `refund_payments` (`refund_id`, `payment_id`, `order_id`, `seq`, `provider`, `provider_refund_id`, `status`, `amount`, `currency`, `failure_reason`, `created_at`, `updated_at`)
SELECT `id`, `payment_id`, `order_id`, 0, `provider`, `provider_reference`, `status`, `amount`, `currency`, `failure_reason`, `created_at`, `updated_at` FROM `refunds`;
