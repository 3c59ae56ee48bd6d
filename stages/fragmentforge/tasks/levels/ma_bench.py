"""MA-Bench's closed-ended level: micro-action questions about one named person over a span."""
TITLE, AVERAGE, ORDER = "MA-Bench", "MA-Avg", 4
DATASET = "sft_train"  # MA-Bench-Train: a target task, supervised in the papers' Base(SFT)
REVIEWED = True  # every question goes through the judge and the review queue (microactions/review.py)
