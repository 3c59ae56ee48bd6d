-- One row per (base model, variant): its latest finished training; one row per logged step.
CREATE TABLE IF NOT EXISTS training_runs (
    base_model VARCHAR, base_hash VARCHAR, variant VARCHAR, stage VARCHAR, parent VARCHAR, tune VARCHAR,
    datasets VARCHAR, fingerprint VARCHAR, adapter_hash VARCHAR, resumed_from VARCHAR, device VARCHAR,
    steps INTEGER, epochs DOUBLE, final_loss DOUBLE, train_loss DOUBLE, train_runtime_s DOUBLE, wall_seconds DOUBLE,
    samples_per_second DOUBLE, tokens_per_second DOUBLE, tokens_seen BIGINT, trainable_parameters BIGINT,
    total_parameters BIGINT, peak_rss_bytes BIGINT, peak_cuda_bytes BIGINT, finished_at TIMESTAMP,
    letter_prior_loss DOUBLE, at_letter_prior BOOLEAN
);
-- The collapse check's columns, added to a database made before them.
ALTER TABLE training_runs ADD COLUMN IF NOT EXISTS letter_prior_loss DOUBLE;
ALTER TABLE training_runs ADD COLUMN IF NOT EXISTS at_letter_prior BOOLEAN;
CREATE TABLE IF NOT EXISTS training_log (
    base_model VARCHAR, variant VARCHAR, fingerprint VARCHAR, step INTEGER, total_steps INTEGER, epoch DOUBLE,
    loss DOUBLE, learning_rate DOUBLE, elapsed VARCHAR, extra JSON
);
