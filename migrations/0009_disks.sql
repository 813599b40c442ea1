CREATE TABLE `datastores` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`datacenter_id` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`datacenter_id`) REFERENCES `datacenters`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `datastores_name_unique` ON `datastores` (`name`);--> statement-breakpoint
CREATE TABLE `disks` (
	`id` text PRIMARY KEY NOT NULL,
	`vm_id` text,
	`slot` integer,
	`datastore_id` text NOT NULL,
	`size_bytes` integer NOT NULL,
	`provisioning` text NOT NULL,
	`chunk_bytes` integer NOT NULL,
	`image_id` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`datastore_id`) REFERENCES `datastores`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `disks_vm` ON `disks` (`vm_id`);--> statement-breakpoint
ALTER TABLE `snapshots` ADD `disks` text DEFAULT '[]' NOT NULL;