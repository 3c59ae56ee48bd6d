-- The latest run of each (base model, variant) on one dataset with one set of evaluation
-- params (a generation-mode run does not replace the likelihood one). $dataset_hash, $params_hash.
SELECT * FROM runs WHERE dataset_hash = $dataset_hash AND params_hash = $params_hash
QUALIFY row_number() OVER (PARTITION BY base_model, variant ORDER BY ended_at DESC) = 1
ORDER BY base_model, variant;
