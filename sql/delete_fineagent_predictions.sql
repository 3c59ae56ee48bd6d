-- Re-running an evaluation replaces its FineAgent rows too. $run_id.
DELETE FROM fineagent_predictions WHERE run_id = $run_id;
