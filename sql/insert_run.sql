INSERT INTO runs VALUES (
    $run_id, $base_model, $base_hash, $variant, $adapter_hash, $dataset_hash, $params_hash, $code_version, $device,
    $scoring, $questions, CAST($started_at AS TIMESTAMP), CAST($ended_at AS TIMESTAMP), $family
);
