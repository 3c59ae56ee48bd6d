-- Bulk insert from a registered Arrow table named description_batch.
INSERT INTO description_scores BY NAME SELECT * FROM description_batch;
