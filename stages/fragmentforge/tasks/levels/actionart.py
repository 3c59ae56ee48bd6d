"""ActionArt's level: its eight sub-tasks, one column here and one row each in the report's
ActionArt table (the records' `tag`)."""
TITLE, AVERAGE, ORDER = "ActionArt", "AA-Avg", 5
DATASET = "sft_train"  # ActionArt's manual annotations (its "MA" rows): supervised in Base(SFT)
