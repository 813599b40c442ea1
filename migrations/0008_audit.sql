CREATE TABLE `audit` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`user` text NOT NULL,
	`method` text NOT NULL,
	`path` text NOT NULL,
	`action` text,
	`entity_id` text,
	`status` integer NOT NULL,
	`result` text NOT NULL,
	`source` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_at` ON `audit` (`at`);--> statement-breakpoint
CREATE INDEX `audit_entity` ON `audit` (`entity_id`);--> statement-breakpoint
CREATE INDEX `audit_user` ON `audit` (`user`);