-- Bulk insert from a registered Arrow table named open_batch.
INSERT INTO open_ended_scores BY NAME SELECT * FROM open_batch;
