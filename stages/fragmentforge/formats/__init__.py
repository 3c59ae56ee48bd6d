"""Annotation formats read and written as their datasets define them: AVA v2.2 action CSVs and
action lists (ava.py), COCO person keypoints (coco_keypoints.py)."""
