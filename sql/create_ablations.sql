-- What `make ablations` collected: one row per arm (its DVC experiment, time, stages that ran)
-- and the arm's per-question results for the variant its table measures.
CREATE TABLE IF NOT EXISTS ablation_arms (
    ablation VARCHAR, arm VARCHAR, base_model VARCHAR, variant VARCHAR, experiment VARCHAR, exp_rev VARCHAR,
    seconds DOUBLE, stages_run JSON
);
CREATE TABLE IF NOT EXISTS ablation_predictions (
    ablation VARCHAR, arm VARCHAR, base_model VARCHAR, variant VARCHAR, qa_id VARCHAR, task VARCHAR,
    video_id VARCHAR, correct BOOLEAN
);
CREATE TABLE IF NOT EXISTS ablation_descriptions (
    ablation VARCHAR, arm VARCHAR, base_model VARCHAR, variant VARCHAR, desc_id VARCHAR, video_id VARCHAR,
    precision DOUBLE, recall DOUBLE
);
