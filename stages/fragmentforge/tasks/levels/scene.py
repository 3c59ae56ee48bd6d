"""FineVidBench's scene level: what the whole clip shows (action, effect, speed)."""
TITLE, AVERAGE, ORDER = "Scene", "S-Avg", 1
DATASET = "sft_train"  # supervised fine-tuning on the target tasks: the papers' Base(SFT)
