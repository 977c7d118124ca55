-- Rate limits shared by every instance on this database. Each instance
-- counts locally and adds its counts here in batches (every 100 ms or
-- so); what it reads back is every instance's count. Counts are
-- short-lived and cheap to lose, so the tables are UNLOGGED: no WAL, and
-- emptied after a crash (limits then start afresh, which is harmless).

-- Requests per caller (an API key or a client address) per one-minute
-- window, by the window's start in Unix seconds.
CREATE UNLOGGED TABLE rate_windows (
    caller TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    count BIGINT NOT NULL,
    PRIMARY KEY (caller, window_start)
);

-- The instances sharing the limits, by a random id each picks at start,
-- with when each last added its counts: a limit is split between the
-- instances seen in the last few seconds.
CREATE UNLOGGED TABLE rate_instances (
    id UUID PRIMARY KEY,
    seen_at TIMESTAMPTZ NOT NULL
);

-- Old windows are deleted by the instances as they sync; this index finds them.
CREATE INDEX rate_windows_by_start ON rate_windows (window_start);
