-- Re-running an evaluation replaces its rows. $run_id.
DELETE FROM metrics WHERE run_id = $run_id;
