CREATE TABLE `stock_levels` (
	`warehouse_id` text NOT NULL,
	`sku` text NOT NULL,
	`tenant_id` text NOT NULL,
	`physical` integer NOT NULL,
	`reserved` integer NOT NULL,
	`not_reserved` integer NOT NULL,
	`in_flight` integer DEFAULT 0 NOT NULL,
	`revision` integer DEFAULT 1 NOT NULL,
	`read_at` text NOT NULL,
	`changed_at` text NOT NULL,
	PRIMARY KEY(`warehouse_id`, `sku`)
);
--> statement-breakpoint
CREATE INDEX `stock_levels_tenant` ON `stock_levels` (`tenant_id`,`sku`);--> statement-breakpoint
CREATE INDEX `stock_levels_in_flight` ON `stock_levels` (`warehouse_id`) WHERE "stock_levels"."in_flight" > 0;--> statement-breakpoint
CREATE TABLE `stock_writes` (
	`channel_id` text NOT NULL,
	`sku` text NOT NULL,
	`tenant_id` text NOT NULL,
	`warehouse_id` text NOT NULL,
	`quantity` integer,
	`revision` integer DEFAULT 0 NOT NULL,
	`written_at` text,
	`skipped_reason` text,
	`channel_quantity` integer,
	`reconciled_at` text,
	PRIMARY KEY(`channel_id`, `sku`)
);
--> statement-breakpoint
CREATE INDEX `stock_writes_tenant` ON `stock_writes` (`tenant_id`,`sku`);--> statement-breakpoint
CREATE INDEX `stock_writes_warehouse` ON `stock_writes` (`warehouse_id`,`sku`);