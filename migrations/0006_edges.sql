ALTER TABLE `connections` ADD `account_key` text;--> statement-breakpoint
ALTER TABLE `connections` ADD `poll_due_at` text;--> statement-breakpoint
CREATE UNIQUE INDEX `connections_live_account` ON `connections` (`tenant_id`,`account_key`) WHERE "connections"."deleted_at" is null;--> statement-breakpoint
CREATE INDEX `connections_poll_due` ON `connections` (`poll_due_at`) WHERE "connections"."deleted_at" is null;--> statement-breakpoint
ALTER TABLE `inbox` ADD `final_reason` text;