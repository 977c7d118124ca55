DROP FUNCTION aimd_record_absence(text, uuid);
DROP SCHEMA aimd_public CASCADE;
DROP FUNCTION aimd_build_public_views();
-- The role stays: other databases on the server may grant it their views.
