DROP FUNCTION aimd_initiative_context(text, text[]);
DROP TRIGGER changes_notify ON changes;
DROP FUNCTION aimd_notify_changes();
