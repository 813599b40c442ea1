CREATE TABLE `permissions` (
	`id` text PRIMARY KEY NOT NULL,
	`principal` text NOT NULL,
	`role_id` text NOT NULL,
	`entity_id` text NOT NULL,
	`propagate` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `permissions_principal_entity_role` ON `permissions` (`principal`,`entity_id`,`role_id`);--> statement-breakpoint
CREATE INDEX `permissions_entity` ON `permissions` (`entity_id`);--> statement-breakpoint
CREATE INDEX `permissions_role` ON `permissions` (`role_id`);--> statement-breakpoint
CREATE TABLE `roles` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`privileges` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `roles_name_unique` ON `roles` (`name`);