"""ActionArt: its eight-tag benchmark from the people world's ground truth (benchmark.py), and
the proxy tasks a teacher labels (proxy.py): pose description, spatial difference mining, and
action units concatenated into pseudo-long clips."""
