-- Reloading a (base model, variant) replaces its run row. $base_model, $variant.
DELETE FROM training_runs WHERE base_model = $base_model AND variant = $variant;
