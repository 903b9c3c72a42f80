-- drizzle-kit 0.31 splits an expression index at its commas: webhook_endpoints_previous_secret_key is written by hand.
CREATE TABLE `audit_log` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text,
	`actor` text NOT NULL,
	`actor_token_id` text,
	`action` text NOT NULL,
	`target_id` text NOT NULL,
	`details` text,
	`at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_log_tenant` ON `audit_log` (`tenant_id`,`at`,`id`);--> statement-breakpoint
CREATE INDEX `audit_log_action` ON `audit_log` (`tenant_id`,`action`,`at`,`id`);--> statement-breakpoint
CREATE TABLE `webhook_delivery_attempts` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`delivery_id` text NOT NULL,
	`at` text NOT NULL,
	`status` integer,
	`error` text,
	`duration_ms` integer NOT NULL,
	`response` text
);
--> statement-breakpoint
CREATE INDEX `webhook_delivery_attempts_delivery` ON `webhook_delivery_attempts` (`delivery_id`,`at`);--> statement-breakpoint
CREATE INDEX `webhook_delivery_attempts_tenant` ON `webhook_delivery_attempts` (`tenant_id`);--> statement-breakpoint
ALTER TABLE `tenants` ADD `suspended_at` text;--> statement-breakpoint
ALTER TABLE `tenants` ADD `erase_after` text;--> statement-breakpoint
CREATE INDEX `tenants_suspended` ON `tenants` (`erase_after`) WHERE "tenants"."suspended_at" is not null;--> statement-breakpoint
ALTER TABLE `tokens` ADD `name` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `tokens` ADD `expires_at` text;--> statement-breakpoint
ALTER TABLE `tokens` ADD `last_used_at` text;--> statement-breakpoint
ALTER TABLE `tokens` ADD `revoked_at` text;--> statement-breakpoint
CREATE INDEX `tokens_tenant` ON `tokens` (`tenant_id`,`created_at`,`id`);--> statement-breakpoint
ALTER TABLE `webhook_endpoints` ADD `previous_secret` text;--> statement-breakpoint
ALTER TABLE `webhook_endpoints` ADD `previous_secret_until` text;--> statement-breakpoint
ALTER TABLE `webhook_endpoints` ADD `disabled_at` text;--> statement-breakpoint
ALTER TABLE `webhook_endpoints` ADD `disabled_reason` text;--> statement-breakpoint
ALTER TABLE `webhook_endpoints` ADD `failing_since` text;--> statement-breakpoint
ALTER TABLE `webhook_endpoints` ADD `held_since` text;--> statement-breakpoint
CREATE INDEX `webhook_endpoints_previous_secret_key` ON `webhook_endpoints` (substr("previous_secret", 1, 20));--> statement-breakpoint
CREATE INDEX `handovers_tenant` ON `handovers` (`tenant_id`);--> statement-breakpoint
CREATE INDEX `webhook_deliveries_held` ON `webhook_deliveries` (`endpoint_id`,`created_at`,`id`) WHERE "webhook_deliveries"."state" = 'held';--> statement-breakpoint
CREATE INDEX `webhook_deliveries_tenant` ON `webhook_deliveries` (`tenant_id`);