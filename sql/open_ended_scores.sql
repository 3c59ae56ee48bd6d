-- One run's MA-Bench open-ended answers with their scores. $r: the run id.
SELECT * FROM open_ended_scores WHERE run_id = $r ORDER BY oe_id;
