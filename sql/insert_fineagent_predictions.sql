-- Bulk insert from a registered Arrow table named fineagent_batch.
INSERT INTO fineagent_predictions SELECT run_id, qa_id, helpers, video_id, answer, prediction, correct,
    option_scores, parse_status, reply FROM fineagent_batch;
