-- Re-validating the same records replaces their rows. $data_hash: sha256 of qa.parquet.
DELETE FROM task_validation WHERE data_hash = $data_hash;
