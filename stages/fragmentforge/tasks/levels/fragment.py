"""SF²T's fragment level: questions about the frames themselves (count, order, identity)."""
TITLE, AVERAGE, ORDER = "Fragment", "FG-Avg", 2
DATASET = "sf2t_train"  # the self-supervised proxy tasks: the papers' Base+SF²T
