CREATE TABLE `warehouse_products` (
	`destination_id` text NOT NULL,
	`product_id` text NOT NULL,
	`tenant_id` text NOT NULL,
	`state` text NOT NULL,
	`external_id` text,
	`sku` text,
	`ean` text,
	`dimensions` text,
	`sent_hash` text,
	`product_updated_at` text NOT NULL,
	`batch_id` text,
	`claimed_until` text,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`destination_id`, `product_id`)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `warehouse_products_external` ON `warehouse_products` (`destination_id`,`external_id`);--> statement-breakpoint
CREATE INDEX `warehouse_products_sku` ON `warehouse_products` (`destination_id`,`sku`);--> statement-breakpoint
CREATE INDEX `warehouse_products_ean` ON `warehouse_products` (`destination_id`,`ean`);--> statement-breakpoint
CREATE INDEX `warehouse_products_batch` ON `warehouse_products` (`batch_id`);