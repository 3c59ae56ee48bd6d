"""FineBench's level: questions about one named person at one keyframe (people world, AVA labels)."""
TITLE, AVERAGE, ORDER = "FineBench", "FB-Avg", 3
DATASET = "sft_train"  # a target task, like the scene level: supervised in the papers' Base(SFT)
