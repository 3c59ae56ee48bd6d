-- Re-running an evaluation replaces its rows. $run_id.
DELETE FROM runs WHERE run_id = $run_id;
