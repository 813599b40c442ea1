-- The rows a fresh install starts with were written with created_at 0 (1970). They get the
-- install time instead: the time this migration runs, or, on an install that already has
-- rows of its own, just before the earliest of those, so listings ordered by creation keep
-- their order.

UPDATE `datacenters` SET `created_at` = COALESCE((SELECT MIN(`created_at`) - 1 FROM `datacenters` WHERE `created_at` > 0), CAST(strftime('%s', 'now') AS INTEGER) * 1000) WHERE `id` = 'dc-default' AND `created_at` = 0;
--> statement-breakpoint
UPDATE `clusters` SET `created_at` = COALESCE((SELECT MIN(`created_at`) - 1 FROM `clusters` WHERE `created_at` > 0), CAST(strftime('%s', 'now') AS INTEGER) * 1000) WHERE `id` = 'cluster-default' AND `created_at` = 0;
--> statement-breakpoint
UPDATE `hosts` SET `created_at` = COALESCE((SELECT MIN(`created_at`) - 1 FROM `hosts` WHERE `created_at` > 0), CAST(strftime('%s', 'now') AS INTEGER) * 1000) WHERE `id` = 'host-default' AND `created_at` = 0;
--> statement-breakpoint
UPDATE `users` SET `created_at` = COALESCE((SELECT MIN(`created_at`) - 1 FROM `users` WHERE `created_at` > 0), CAST(strftime('%s', 'now') AS INTEGER) * 1000) WHERE `id` = 'user-admin' AND `created_at` = 0;
--> statement-breakpoint
UPDATE `permissions` SET `created_at` = COALESCE((SELECT MIN(`created_at`) - 1 FROM `permissions` WHERE `created_at` > 0), CAST(strftime('%s', 'now') AS INTEGER) * 1000) WHERE `id` = 'perm-admin' AND `created_at` = 0;
--> statement-breakpoint
UPDATE `datastores` SET `created_at` = COALESCE((SELECT MIN(`created_at`) - 1 FROM `datastores` WHERE `created_at` > 0), CAST(strftime('%s', 'now') AS INTEGER) * 1000) WHERE `id` = 'ds-default' AND `created_at` = 0;
