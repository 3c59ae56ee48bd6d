-- FineAgent's runs: each model's FineBench predictions with helpers added to the prompt
-- (evaluate/fineagent.py), keyed like predictions plus the helper setting.
CREATE TABLE IF NOT EXISTS fineagent_predictions (
    run_id VARCHAR, qa_id VARCHAR, helpers VARCHAR, video_id VARCHAR, answer VARCHAR, prediction VARCHAR,
    correct BOOLEAN, option_scores JSON, parse_status VARCHAR, reply VARCHAR
);
