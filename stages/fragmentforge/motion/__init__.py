"""Motion scores, motion-guided sampling (MGSampler) and speed variants for keyframe sets."""
