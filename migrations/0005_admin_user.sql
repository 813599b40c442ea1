-- The built-in admin user of a fresh install. It has no password: it authenticates with the
-- bootstrap token (EDGEVISOR_ADMIN_TOKEN) or with API tokens issued to it.
INSERT INTO `users` (`id`, `name`, `password_hash`, `disabled`, `created_at`) VALUES ('user-admin', 'admin', NULL, 0, 0);
