"""Keyframes: the `keyframe_sets` node (node.py) and the train-mode samplers it can use
(samplers/, one module each). Nothing is imported here, so a worker that needs only a sampler
does not load the node."""
