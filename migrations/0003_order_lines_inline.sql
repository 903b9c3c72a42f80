-- Order lines move onto the order row (orders.lines, JSON), so an import writes an order in one
-- statement. Existing lines are copied over in position order before the table goes.
ALTER TABLE `orders` ADD `lines` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `orders` ADD `customer_external_id` text;--> statement-breakpoint
UPDATE `orders` SET `lines` = (
  SELECT json_group_array(json_object(
    'id', l.`id`, 'externalId', l.`external_id`, 'productId', l.`product_id`, 'sku', l.`sku`,
    'code', l.`code`, 'name', l.`name`, 'quantity', l.`quantity`, 'currentQuantity', l.`current_quantity`,
    'unitPrice', l.`unit_price`, 'total', l.`total`))
  FROM (SELECT * FROM `order_lines` WHERE `order_id` = `orders`.`id` ORDER BY `position`) AS l
) WHERE EXISTS (SELECT 1 FROM `order_lines` WHERE `order_id` = `orders`.`id`);--> statement-breakpoint
DROP TABLE `order_lines`;--> statement-breakpoint
CREATE INDEX `orders_customer_external` ON `orders` (`connection_id`,`customer_external_id`) WHERE `customer_external_id` is not null;
