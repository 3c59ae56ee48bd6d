"""The people world: articulated 2-D figures with COCO-17 keypoints, boxes and AVA-style actions.

skeleton.py turns a pose (a few joint angles) into keypoints and limbs; vocabulary.py is the
action list (AVA's three categories, micro-actions, the pairs that are easy to confuse);
motions.py turns an action over a time window into pose changes; render.py draws figures and
the objects they hold and reports what is visible; world.py composes a clip and its ground truth.
"""
