-- Bulk insert from a registered Arrow table named predictions_batch.
INSERT INTO predictions SELECT run_id, qa_id, task, level, n, video_id, answer, prediction, correct,
    option_scores, parse_status, reply FROM predictions_batch;
