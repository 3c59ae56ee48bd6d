-- Accuracy per task straight from the predictions of one run (the report's cross-check). $run_id.
SELECT task, avg(CASE WHEN correct THEN 1.0 ELSE 0.0 END) AS accuracy, count(*) AS questions,
    count(*) FILTER (WHERE parse_status = 'unparseable') AS unparseable
FROM predictions WHERE run_id = $run_id GROUP BY task ORDER BY task;
