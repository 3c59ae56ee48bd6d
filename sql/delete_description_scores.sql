-- Re-running an evaluation replaces its description scores too. $run_id.
DELETE FROM description_scores WHERE run_id = $run_id;
