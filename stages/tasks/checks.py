"""The gate's checks, by name (stages/tasks/validate.py implements them)."""

CHECKS = ("schema", "answer_in_options", "options_unique", "counting_answers", "rearrangement_answers",
          "disorder_answers", "consistency_answers", "split_leakage", "frames_exist", "letter_balance",
          "task_counts")
