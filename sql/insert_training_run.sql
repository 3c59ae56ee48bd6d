INSERT INTO training_runs (
    base_model, base_hash, variant, stage, parent, tune, datasets, fingerprint, adapter_hash, resumed_from, device,
    steps, epochs, final_loss, train_loss, train_runtime_s, wall_seconds, samples_per_second, tokens_per_second,
    tokens_seen, trainable_parameters, total_parameters, peak_rss_bytes, peak_cuda_bytes, finished_at,
    letter_prior_loss, at_letter_prior
) VALUES (
    $base_model, $base_hash, $variant, $stage, $parent, $tune, $datasets, $fingerprint, $adapter_hash, $resumed_from,
    $device, $steps, $epochs, $final_loss, $train_loss, $train_runtime_s, $wall_seconds, $samples_per_second,
    $tokens_per_second, $tokens_seen, $trainable_parameters, $total_parameters, $peak_rss_bytes, $peak_cuda_bytes,
    CAST($finished_at AS TIMESTAMP), $letter_prior_loss, $at_letter_prior
);
