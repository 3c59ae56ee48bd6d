"""ActionArt's proxy tasks: training data only (train-split videos, labelled by the teacher), for
the proxy-task variant; they have no test split, so the report shows no column for them."""
TITLE, AVERAGE, ORDER = "ActionArt proxy tasks", "PT-Avg", 6
DATASET = "actionart_proxy"
REPORTED = False
