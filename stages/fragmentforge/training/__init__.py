"""LoRA training through LLaMA-Factory: recipes, the launcher, resumable runs, training logs."""
