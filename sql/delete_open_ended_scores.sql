-- Re-running an evaluation replaces its open-ended scores too. $run_id.
DELETE FROM open_ended_scores WHERE run_id = $run_id;
