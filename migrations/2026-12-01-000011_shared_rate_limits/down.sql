DROP TABLE rate_instances;
DROP TABLE rate_windows;
