DROP TRIGGER initiatives_changed ON initiatives;
DROP TRIGGER initiatives_created ON initiatives;
DROP TRIGGER experts_changed ON experts;
DROP TRIGGER experts_created ON experts;
DROP TRIGGER organisations_changed ON organisations;
DROP TRIGGER organisations_created ON organisations;
DROP FUNCTION aimd_record_change();
DROP TABLE changes;
DROP TABLE change_counter;
