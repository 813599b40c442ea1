-- A fresh install's datastore (its capacity is set when its DatastoreObject is first used).
INSERT INTO `datastores` (`id`, `name`, `datacenter_id`, `created_at`) VALUES ('ds-default', 'datastore1', 'dc-default', 0);
