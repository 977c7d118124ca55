DROP TRIGGER changes_webhooks ON changes;
DROP FUNCTION aimd_enqueue_webhooks();
DROP TABLE webhook_deliveries;
DROP TABLE webhook_subscriptions;
DROP FUNCTION aimd_uuid_v7();
DROP FUNCTION aimd_visible_event(text, boolean, boolean, boolean, boolean);
