-- The built-in admin user holds Administrator on the inventory's root, propagating to everything:
-- the bootstrap token (EDGEVISOR_ADMIN_TOKEN) acts as this user and goes through the same checks.
INSERT INTO `permissions` (`id`, `principal`, `role_id`, `entity_id`, `propagate`, `created_at`) VALUES ('perm-admin', 'admin', 'role-admin', 'root', 1, 0);
