-- 019_licence_private.sql -- a dealer application's business licence
-- photo is kept out of the public uploads: new ones are stored under
-- private_dir, which no web server serves, and staff see them through
-- GET /admin/customers/applications/{id}/licence only. licence_private
-- says where an application's two files are: 1 under private_dir, 0
-- under uploads_dir (stored before this change, or by a worker of the
-- old version still running). `dinghuo migrate` moves those after the
-- SQL and sets 1 (runtime/cli_licence.c, domain/dealer_licence.c). The
-- default stays 0 so that an old worker's insert is not taken for
-- private while its file is public. Re-runnable: IF NOT EXISTS.

ALTER TABLE dealer_application
	ADD COLUMN IF NOT EXISTS licence_private TINYINT(1) NOT NULL DEFAULT 0
		COMMENT '1: the licence files are under private_dir; 0: uploads_dir'
		AFTER licence_height;
