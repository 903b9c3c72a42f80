CREATE TABLE `inbound_deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`connection_id` text NOT NULL,
	`received_at` text NOT NULL,
	`method` text NOT NULL,
	`url` text NOT NULL,
	`headers` text NOT NULL,
	`result` text NOT NULL,
	`verification` text NOT NULL,
	`reason` text,
	`answer_status` integer NOT NULL,
	`answer_body` text NOT NULL,
	`delivery_key` text,
	`topic` text,
	`body` text,
	`body_bytes` integer NOT NULL,
	`unrecorded` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `inbound_deliveries_tenant` ON `inbound_deliveries` (`tenant_id`,`received_at`,`id`);--> statement-breakpoint
CREATE INDEX `inbound_deliveries_connection` ON `inbound_deliveries` (`tenant_id`,`connection_id`,`received_at`,`id`);--> statement-breakpoint
CREATE INDEX `inbound_deliveries_result` ON `inbound_deliveries` (`tenant_id`,`result`,`received_at`,`id`);--> statement-breakpoint
CREATE INDEX `inbound_deliveries_refused` ON `inbound_deliveries` (`connection_id`,`result`,`received_at`);--> statement-breakpoint
ALTER TABLE `connections` ADD `paused_at` text;--> statement-breakpoint
ALTER TABLE `inbox` ADD `outcome` text;--> statement-breakpoint
CREATE INDEX `orders_tenant_imported` ON `orders` (`tenant_id`,`imported_at`,`connection_id`);--> statement-breakpoint
CREATE INDEX `outbound_calls_failed` ON `outbound_calls` (`tenant_id`,`at`,`connection_id`) WHERE "outbound_calls"."result" = 'failed';--> statement-breakpoint
CREATE INDEX `sync_jobs_failed` ON `sync_jobs` (`tenant_id`,`started_at`,`connection_id`) WHERE "sync_jobs"."status" = 'failed';