-- Per question of one task, run a's correctness minus run b's (the same questions), with the video.
SELECT a.video_id, CAST(a.correct AS INT) - CAST(b.correct AS INT) AS d
FROM predictions a
JOIN predictions b ON a.qa_id = b.qa_id AND b.run_id = $b
WHERE a.run_id = $a AND a.task = $task
