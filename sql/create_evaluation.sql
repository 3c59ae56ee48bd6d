-- Evaluation results. A run is one (base model, adapter, dataset, params, code) combination;
-- its id is derived from those hashes, so re-running it replaces its rows.
CREATE TABLE IF NOT EXISTS runs (
    run_id VARCHAR, base_model VARCHAR, base_hash VARCHAR, variant VARCHAR, adapter_hash VARCHAR,
    dataset_hash VARCHAR, params_hash VARCHAR, code_version VARCHAR, device VARCHAR, scoring VARCHAR,
    questions INTEGER, started_at TIMESTAMP, ended_at TIMESTAMP
);
CREATE TABLE IF NOT EXISTS predictions (
    run_id VARCHAR, qa_id VARCHAR, task VARCHAR, level VARCHAR, n INTEGER, video_id VARCHAR, answer VARCHAR,
    prediction VARCHAR, correct BOOLEAN, option_scores JSON, parse_status VARCHAR, reply VARCHAR
);
-- n IS NULL: the task over every N. chance: 1 / options, averaged over the task's questions.
-- answer_prior: a blind pick of the option text most often right in the training split.
CREATE TABLE IF NOT EXISTS metrics (
    run_id VARCHAR, task VARCHAR, n INTEGER, questions INTEGER, accuracy DOUBLE, ci_low DOUBLE, ci_high DOUBLE,
    chance DOUBLE, unparseable INTEGER, top_letter VARCHAR, top_share DOUBLE, entropy_bits DOUBLE,
    answer_prior DOUBLE
);
-- top_letter, top_share, entropy_bits: the spread of the predicted letters (the collapse check);
-- a database made before they existed gains them here.
ALTER TABLE metrics ADD COLUMN IF NOT EXISTS top_letter VARCHAR;
ALTER TABLE metrics ADD COLUMN IF NOT EXISTS top_share DOUBLE;
ALTER TABLE metrics ADD COLUMN IF NOT EXISTS entropy_bits DOUBLE;
ALTER TABLE metrics ADD COLUMN IF NOT EXISTS answer_prior DOUBLE;
-- family: the base model's family module (models/families), lineage only
ALTER TABLE runs ADD COLUMN IF NOT EXISTS family VARCHAR;
