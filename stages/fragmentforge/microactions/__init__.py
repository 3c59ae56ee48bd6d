"""MA-Bench's micro-actions: which labels count, their instances in AVA-labelled videos, and the
structured captions a teacher writes for them from the motion descriptors."""
