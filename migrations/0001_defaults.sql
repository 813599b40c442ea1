-- A fresh install's inventory: one datacenter, one cluster, one host (no region hint).
INSERT INTO `datacenters` (`id`, `name`, `created_at`) VALUES ('dc-default', 'Datacenter', 0);
--> statement-breakpoint
INSERT INTO `clusters` (`id`, `name`, `datacenter_id`, `ha`, `drs`, `created_at`) VALUES ('cluster-default', 'Cluster', 'dc-default', '{}', '{}', 0);
--> statement-breakpoint
INSERT INTO `hosts` (`id`, `name`, `cluster_id`, `region`, `memory_mib`, `state`, `created_at`) VALUES ('host-default', 'host-1', 'cluster-default', 'auto', 4096, 'connected', 0);
