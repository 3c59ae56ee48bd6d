"""Video descriptions after Tarsier2: the events a clip shows, corrupted clips for preference
pairs, and AutoDQ-style scoring of a description against a reference."""
