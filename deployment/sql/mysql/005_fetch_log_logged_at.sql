-- scalar health reads fetch_log by time (the last hour, the last day): index it by logged_at.
CREATE INDEX fetch_log_logged_at ON fetch_log (logged_at);
