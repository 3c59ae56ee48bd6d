-- The latest run of each (base model, variant) for one dataset. $dataset_hash.
SELECT * FROM runs WHERE dataset_hash = $dataset_hash
QUALIFY row_number() OVER (PARTITION BY base_model, variant ORDER BY ended_at DESC) = 1
ORDER BY base_model, variant;
