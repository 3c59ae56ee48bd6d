-- One run's descriptions with their AutoDQ scores. $r: the run id.
SELECT * FROM description_scores WHERE run_id = $r ORDER BY desc_id;
