-- Tarsier2's descriptions per run: each test video's description and its AutoDQ recall and
-- precision (only entailment counts); spans: <frame: i-j> markers in the reply, span_problems
-- what is wrong with them.
CREATE TABLE IF NOT EXISTS description_scores (
    run_id VARCHAR, desc_id VARCHAR, video_id VARCHAR, reply VARCHAR, recall DOUBLE, "precision" DOUBLE,
    ref_events INTEGER, pred_events INTEGER, spans INTEGER, span_problems VARCHAR,
    judge_status VARCHAR, judge_reason VARCHAR, judge_source VARCHAR
);
