-- One run's ActionArt answers with each question's sub-task tag (read from the QA file's meta).
-- $run_id, $qa_path.
SELECT p.qa_id, p.video_id, p.correct, json_extract_string(q.meta, '$.tag') AS tag
FROM predictions p
JOIN read_parquet($qa_path) q ON q.qa_id = p.qa_id
WHERE p.run_id = $run_id AND p.task = 'actionart'
ORDER BY p.qa_id;
