-- drizzle-kit 0.31 splits an expression index at its commas: the three substr(…, 1, 20) indexes
-- below were corrected by hand (the snapshot holds them as src/db/schema.ts declares them).
CREATE TABLE `data_requests` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`connection_id` text NOT NULL,
	`external_id` text NOT NULL,
	`customer` text NOT NULL,
	`data` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `data_requests_external` ON `data_requests` (`connection_id`,`external_id`);--> statement-breakpoint
CREATE INDEX `data_requests_tenant` ON `data_requests` (`tenant_id`,`created_at`,`id`);--> statement-breakpoint
DROP INDEX `outbound_calls_connection`;--> statement-breakpoint
CREATE INDEX `outbound_calls_tenant_order` ON `outbound_calls` (`tenant_id`,`order_id`,`at`,`id`);--> statement-breakpoint
CREATE INDEX `outbound_calls_connection` ON `outbound_calls` (`tenant_id`,`connection_id`,`at`,`id`);--> statement-breakpoint
ALTER TABLE `tenants` ADD `retention_days` integer DEFAULT 30 NOT NULL;--> statement-breakpoint
CREATE INDEX `tenants_retention` ON `tenants` (`retention_days`,`id`);--> statement-breakpoint
CREATE INDEX `categories_tenant` ON `categories` (`tenant_id`,`id`);--> statement-breakpoint
CREATE INDEX `connections_live` ON `connections` (`deleted_at`);--> statement-breakpoint
CREATE INDEX `connections_credentials_key` ON `connections` (substr("credentials", 1, 20));--> statement-breakpoint
CREATE INDEX `connections_session_key` ON `connections` (substr("session_state", 1, 20));--> statement-breakpoint
CREATE INDEX `dead_letters_pending` ON `dead_letters` (`replayed_at`,`created_at`);--> statement-breakpoint
CREATE INDEX `import_log_external` ON `import_log` (`connection_id`,`external_id`);--> statement-breakpoint
CREATE INDEX `inbox_body_kept` ON `inbox` (`connection_id`,`processed_at`) WHERE "inbox"."body" <> '';--> statement-breakpoint
CREATE INDEX `orders_customer` ON `orders` (`customer_id`);--> statement-breakpoint
CREATE INDEX `webhook_deliveries_order` ON `webhook_deliveries` (`order_id`);--> statement-breakpoint
CREATE INDEX `webhook_endpoints_secret_key` ON `webhook_endpoints` (substr("secret", 1, 20));