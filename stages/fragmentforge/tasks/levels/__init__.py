"""Benchmark column groups, one module per task level, named by its file.

A level module declares TITLE (its heading), AVERAGE (the label of its average column, e.g.
"S-Avg"), ORDER (its place in the report's tables) and DATASET (the LLaMA-Factory dataset its
train-split records are exported to). A task generator names its level.
"""
