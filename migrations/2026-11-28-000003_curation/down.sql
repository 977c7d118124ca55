DROP TABLE history;
DROP TABLE api_keys;
