CREATE TABLE `frame_index` (
	`hash` text PRIMARY KEY NOT NULL,
	`pack` text NOT NULL,
	`slot` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `frame_index_pack` ON `frame_index` (`pack`);--> statement-breakpoint
CREATE TABLE `frame_packs` (
	`key` text PRIMARY KEY NOT NULL,
	`frames` integer NOT NULL,
	`refs` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL
);
