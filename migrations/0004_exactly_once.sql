ALTER TABLE `handovers` ADD `claim_token` text;--> statement-breakpoint
ALTER TABLE `handovers` ADD `sent_version` text;--> statement-breakpoint
ALTER TABLE `outbound_calls` ADD `claim_token` text;--> statement-breakpoint
ALTER TABLE `outbound_calls` ADD `lease_until` text;--> statement-breakpoint
ALTER TABLE `webhook_deliveries` ADD `claim_token` text;--> statement-breakpoint
ALTER TABLE `webhook_deliveries` ADD `lease_until` text;