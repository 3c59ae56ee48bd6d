-- One row per expectation of the proxy-task gate, keyed by the hash of the records it judged.
CREATE TABLE IF NOT EXISTS task_validation (
    data_hash VARCHAR, records INTEGER, check_name VARCHAR, expectation VARCHAR, column_name VARCHAR,
    success BOOLEAN, unexpected_count INTEGER, observed VARCHAR
);
