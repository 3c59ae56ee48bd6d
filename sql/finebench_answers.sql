-- One run's FineBench answers under every helper setting, for the report's intervals. $run_id.
SELECT helpers, qa_id, video_id, correct, category, kind, people_in_frame, options
FROM finebench_answers WHERE run_id = $run_id ORDER BY helpers, qa_id;
