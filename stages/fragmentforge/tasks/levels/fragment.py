"""SF²T's fragment level: questions about the frames themselves (count, order, identity)."""
TITLE, AVERAGE, ORDER = "Fragment", "FG-Avg", 2
