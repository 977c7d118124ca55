DROP FUNCTION aimd_record_absence(text, uuid);
DROP SCHEMA aimd_public CASCADE;
DROP FUNCTION aimd_build_public_views();
DROP TRIGGER experts_public_rows ON experts;
DROP FUNCTION aimd_expert_public_changed();
DROP TRIGGER initiative_experts_expert_public ON initiative_experts;
DROP TRIGGER affiliations_expert_public ON affiliations;
DROP TRIGGER expert_topics_expert_public ON expert_topics;
DROP FUNCTION aimd_expert_public_of_row();
ALTER TABLE initiative_experts DROP COLUMN expert_public;
ALTER TABLE affiliations DROP COLUMN expert_public;
ALTER TABLE expert_topics DROP COLUMN expert_public;
-- The role stays: other databases on the server may grant it their views.
