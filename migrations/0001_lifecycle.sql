CREATE TABLE `handovers` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`order_id` text NOT NULL,
	`destination_id` text NOT NULL,
	`reference` text,
	`state` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`details` text DEFAULT '{}' NOT NULL,
	`lease_until` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `handovers_order_destination` ON `handovers` (`order_id`,`destination_id`);--> statement-breakpoint
CREATE INDEX `handovers_state` ON `handovers` (`state`,`updated_at`);--> statement-breakpoint
CREATE INDEX `handovers_destination` ON `handovers` (`destination_id`,`state`);--> statement-breakpoint
CREATE TABLE `webhook_deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`endpoint_id` text NOT NULL,
	`event_key` text NOT NULL,
	`type` text NOT NULL,
	`order_id` text NOT NULL,
	`event_id` text,
	`body` text,
	`state` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_status` integer,
	`last_error` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `webhook_deliveries_event` ON `webhook_deliveries` (`endpoint_id`,`event_key`);--> statement-breakpoint
CREATE INDEX `webhook_deliveries_endpoint` ON `webhook_deliveries` (`endpoint_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `webhook_deliveries_key` ON `webhook_deliveries` (`event_key`);--> statement-breakpoint
CREATE INDEX `webhook_deliveries_state` ON `webhook_deliveries` (`state`,`updated_at`);--> statement-breakpoint
CREATE TABLE `webhook_endpoints` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`url` text NOT NULL,
	`events` text NOT NULL,
	`secret` text NOT NULL,
	`created_at` text NOT NULL,
	`deleted_at` text
);
--> statement-breakpoint
CREATE INDEX `webhook_endpoints_tenant` ON `webhook_endpoints` (`tenant_id`,`deleted_at`);--> statement-breakpoint
CREATE TABLE `write_guards` (
	`ok` integer NOT NULL,
	CONSTRAINT "stale_snapshot" CHECK("write_guards"."ok" = 1)
);
--> statement-breakpoint
DROP INDEX `import_log_tenant`;--> statement-breakpoint
CREATE INDEX `import_log_connection` ON `import_log` (`tenant_id`,`connection_id`,`at`,`id`);--> statement-breakpoint
CREATE INDEX `import_log_result` ON `import_log` (`tenant_id`,`result`,`at`,`id`);--> statement-breakpoint
CREATE INDEX `import_log_at` ON `import_log` (`at`);--> statement-breakpoint
CREATE INDEX `import_log_tenant` ON `import_log` (`tenant_id`,`at`,`id`);--> statement-breakpoint
ALTER TABLE `connections` ADD `webhook_registration` text;--> statement-breakpoint
ALTER TABLE `inbox` ADD `dead_lettered_at` text;--> statement-breakpoint
CREATE INDEX `inbox_unprocessed` ON `inbox` (`processed_at`,`received_at`);--> statement-breakpoint
ALTER TABLE `order_lines` ADD `current_quantity` integer;--> statement-breakpoint
ALTER TABLE `orders` ADD `payment_method` text;--> statement-breakpoint
ALTER TABLE `orders` ADD `revision` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `outbound_calls` ADD `step_key` text;--> statement-breakpoint
ALTER TABLE `outbound_calls` ADD `attempts` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `outbound_calls_step` ON `outbound_calls` (`step_key`);--> statement-breakpoint
CREATE INDEX `outbound_calls_tenant` ON `outbound_calls` (`tenant_id`,`at`,`id`);--> statement-breakpoint
CREATE INDEX `outbound_calls_connection` ON `outbound_calls` (`tenant_id`,`connection_id`,`at`);--> statement-breakpoint
ALTER TABLE `sync_jobs` ADD `unchanged` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `order_events_unqueued` ON `order_events` (`sync_queued_at`,`at`);