-- When each periodic job is next due, for every instance of the site at
-- once (Unix seconds). An instance runs a job's periodic turn only when it
-- moves due_at forward itself, so instances sharing one database run each
-- job once a period between them, not once each.
CREATE TABLE job_schedule (
    name TEXT PRIMARY KEY,
    due_at INTEGER NOT NULL
);
