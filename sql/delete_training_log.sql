-- ... and its logged steps. $base_model, $variant.
DELETE FROM training_log WHERE base_model = $base_model AND variant = $variant;
