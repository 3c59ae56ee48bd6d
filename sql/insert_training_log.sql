INSERT INTO training_log VALUES (
    $base_model, $variant, $fingerprint, $step, $total_steps, $epoch, $loss, $learning_rate, $elapsed, $extra
);
