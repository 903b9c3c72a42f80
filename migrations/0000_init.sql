CREATE TABLE `categories` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`name` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `categories_name` ON `categories` (`tenant_id`,`name`);--> statement-breakpoint
CREATE TABLE `connections` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`platform` text NOT NULL,
	`name` text NOT NULL,
	`credentials` text NOT NULL,
	`settings` text NOT NULL,
	`routes` text NOT NULL,
	`session_state` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`updated_at` text NOT NULL,
	`deleted_at` text,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `connections_tenant` ON `connections` (`tenant_id`);--> statement-breakpoint
CREATE TABLE `customers` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`first_name` text,
	`last_name` text,
	`email` text,
	`phone` text,
	`phone_key` text,
	`email_key` text,
	`address` text,
	`not_specified` integer DEFAULT false NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `customers_tenant` ON `customers` (`tenant_id`,`id`);--> statement-breakpoint
CREATE INDEX `customers_phone` ON `customers` (`tenant_id`,`phone_key`);--> statement-breakpoint
CREATE INDEX `customers_email` ON `customers` (`tenant_id`,`email_key`);--> statement-breakpoint
CREATE TABLE `dead_letters` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text,
	`queue` text NOT NULL,
	`body` text NOT NULL,
	`error` text,
	`attempts` integer NOT NULL,
	`created_at` text NOT NULL,
	`replayed_at` text
);
--> statement-breakpoint
CREATE INDEX `dead_letters_tenant` ON `dead_letters` (`tenant_id`,`id`);--> statement-breakpoint
CREATE TABLE `import_log` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`connection_id` text NOT NULL,
	`kind` text NOT NULL,
	`external_id` text,
	`result` text NOT NULL,
	`rule` text,
	`reason` text,
	`at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `import_log_tenant` ON `import_log` (`tenant_id`,`id`);--> statement-breakpoint
CREATE TABLE `inbox` (
	`id` text PRIMARY KEY NOT NULL,
	`connection_id` text NOT NULL,
	`delivery_key` text NOT NULL,
	`topic` text NOT NULL,
	`body` text NOT NULL,
	`received_at` text NOT NULL,
	`processed_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `inbox_delivery` ON `inbox` (`connection_id`,`delivery_key`);--> statement-breakpoint
CREATE TABLE `mappings` (
	`connection_id` text NOT NULL,
	`kind` text NOT NULL,
	`external_id` text NOT NULL,
	`internal_id` text NOT NULL,
	PRIMARY KEY(`connection_id`, `kind`, `external_id`)
);
--> statement-breakpoint
CREATE INDEX `mappings_internal` ON `mappings` (`internal_id`);--> statement-breakpoint
CREATE TABLE `order_events` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`order_id` text NOT NULL,
	`type` text NOT NULL,
	`at` text NOT NULL,
	`message` text,
	`data` text,
	`source` text NOT NULL,
	`idempotency_key` text,
	`sync_queued_at` text
);
--> statement-breakpoint
CREATE INDEX `order_events_order` ON `order_events` (`order_id`,`at`);--> statement-breakpoint
CREATE UNIQUE INDEX `order_events_idempotency` ON `order_events` (`tenant_id`,`idempotency_key`);--> statement-breakpoint
CREATE TABLE `order_lines` (
	`id` text PRIMARY KEY NOT NULL,
	`order_id` text NOT NULL,
	`position` integer NOT NULL,
	`external_id` text,
	`product_id` text,
	`sku` text,
	`code` text,
	`name` text NOT NULL,
	`quantity` integer NOT NULL,
	`unit_price` text NOT NULL,
	`total` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `order_lines_order` ON `order_lines` (`order_id`,`position`);--> statement-breakpoint
CREATE TABLE `orders` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`connection_id` text NOT NULL,
	`platform` text NOT NULL,
	`external_id` text NOT NULL,
	`number` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`currency` text NOT NULL,
	`status` text NOT NULL,
	`platform_status` text,
	`written_off` integer DEFAULT false NOT NULL,
	`total` text NOT NULL,
	`shipping_cost` text,
	`customer_id` text,
	`billing_address` text,
	`shipping_address` text,
	`delivery` text,
	`tracking` text DEFAULT '[]' NOT NULL,
	`content_hash` text NOT NULL,
	`imported_at` text NOT NULL,
	`changed_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `orders_external` ON `orders` (`connection_id`,`external_id`);--> statement-breakpoint
CREATE INDEX `orders_tenant_changed` ON `orders` (`tenant_id`,`changed_at`,`id`);--> statement-breakpoint
CREATE TABLE `outbound_calls` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`connection_id` text NOT NULL,
	`order_id` text,
	`action` text NOT NULL,
	`result` text NOT NULL,
	`detail` text,
	`at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `outbound_calls_order` ON `outbound_calls` (`order_id`);--> statement-breakpoint
CREATE TABLE `products` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`sku` text,
	`ean` text,
	`code` text,
	`unit` text DEFAULT 'piece' NOT NULL,
	`category_id` text,
	`dimensions` text,
	`type` text DEFAULT 'single' NOT NULL,
	`components` text DEFAULT '[]' NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `products_tenant` ON `products` (`tenant_id`,`id`);--> statement-breakpoint
CREATE TABLE `sync_cursors` (
	`connection_id` text NOT NULL,
	`kind` text NOT NULL,
	`cursor` text NOT NULL,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`connection_id`, `kind`)
);
--> statement-breakpoint
CREATE TABLE `sync_jobs` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`connection_id` text NOT NULL,
	`mode` text NOT NULL,
	`status` text NOT NULL,
	`pages` integer DEFAULT 0 NOT NULL,
	`records` integer DEFAULT 0 NOT NULL,
	`error` text,
	`started_at` text NOT NULL,
	`finished_at` text
);
--> statement-breakpoint
CREATE INDEX `sync_jobs_connection` ON `sync_jobs` (`connection_id`,`started_at`);--> statement-breakpoint
CREATE TABLE `tenants` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`currency` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`token_hash` text NOT NULL,
	`scopes` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tokens_hash` ON `tokens` (`token_hash`);