"""Benchmark column groups, one module per task level, named by its file.

A level module declares TITLE (its heading), AVERAGE (the label of its average column, e.g.
"S-Avg") and ORDER (its place in the report's tables). A task generator names its level.
"""
